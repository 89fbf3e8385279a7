// docs/format.md §3.3: a payload of codec 1, 2 or 4 is one or more frames (members) of that
// codec, back to back, and decodes to their contents concatenated; a raw Deflate payload
// (codec 3) is exactly one stream, so two finished streams are refused. Every path: the
// synchronous and streaming decoders, native zlib and fflate.
import { gzipSync as fflateGzip } from 'fflate';
import { describe, expect, it } from 'vitest';
import { type Codec, CodecError, loadCodec } from '../src/index.js';
import { mixedBytes, sameBytes } from './helpers/data.js';
import { chunked, pipe } from './helpers/streams.js';

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** A skippable frame (the same layout for zstd, RFC 8878 §3.1.2, and LZ4): magic 0x184D2A5?, u32 size, data. */
const skippable = (nibble: number, data: Uint8Array): Uint8Array => {
  const out = new Uint8Array(8 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x184d2a50 + nibble, true);
  view.setUint32(4, data.length, true);
  out.set(data, 8);
  return out;
};

const PATHS = [
  { name: 'lz4', load: () => loadCodec('lz4') },
  { name: 'zstd', load: () => loadCodec('zstd') },
  { name: 'gzip (node:zlib)', load: () => loadCodec('gzip', { native: true }) },
  { name: 'gzip (fflate)', load: () => loadCodec('gzip', { native: false }) },
];

/** Decodes `stored` synchronously and as a stream cut into chunks of each size; returns every result. */
async function decodeEveryWay(codec: Codec, stored: Uint8Array, size: number, chunkings = [[1], [3, 17], [8], [65536]]): Promise<Uint8Array[]> {
  const out = [codec.decompress(stored, size)];
  for (const sizes of chunkings) out.push(await pipe(codec.decompressStream(size), chunked(stored, sizes)));
  return out;
}

async function refusedEveryWay(codec: Codec, stored: Uint8Array, size: number): Promise<void> {
  expect(() => codec.decompress(stored, size)).toThrow(CodecError);
  for (const sizes of [[1], [5], [65536]]) {
    await expect(pipe(codec.decompressStream(size), chunked(stored, sizes))).rejects.toBeInstanceOf(CodecError);
  }
}

describe.each(PATHS)('$name: several frames in one payload', ({ load }) => {
  const parts = [mixedBytes(3000), new Uint8Array(0), mixedBytes(70_000).map((b) => b & 0x0f), Uint8Array.from({ length: 500 }, (_, i) => i % 3)];
  const raw = concat(...parts);

  it('decodes to the concatenated contents of every frame', async () => {
    const codec = await load();
    const stored = concat(...parts.map((p) => codec.compress(p)));
    for (const out of await decodeEveryWay(codec, stored, raw.length)) expect(sameBytes(out, raw)).toBe(true);
  });

  it('refuses frames that decode to more or fewer bytes than expected', async () => {
    const codec = await load();
    const stored = concat(...parts.map((p) => codec.compress(p)));
    await refusedEveryWay(codec, stored, raw.length - 1);
    await refusedEveryWay(codec, stored, raw.length + 1);
  });

  it('refuses a payload whose second frame is cut short', async () => {
    const codec = await load();
    const stored = concat(codec.compress(parts[0]!), codec.compress(parts[2]!));
    await refusedEveryWay(codec, stored.subarray(0, stored.length - 3), parts[0]!.length + parts[2]!.length);
  });
});

describe.each(PATHS.slice(0, 2))('$name: skippable frames', ({ load }) => {
  it('are skipped before, between and after data frames', async () => {
    const codec = await load();
    const a = mixedBytes(5000);
    const b = mixedBytes(9000);
    const stored = concat(skippable(0, Uint8Array.from([1, 2, 3])), codec.compress(a), skippable(15, new Uint8Array(0)), codec.compress(b), skippable(7, new Uint8Array(40)));
    for (const out of await decodeEveryWay(codec, stored, a.length + b.length)) expect(sameBytes(out, concat(a, b))).toBe(true);
  });
});

describe.each(PATHS.slice(2))('$name: each member is checked', ({ load }) => {
  const a = mixedBytes(4000);
  const b = mixedBytes(6000);

  it('refuses a wrong CRC-32 or ISIZE in the trailer of a member that is not the last', async () => {
    const codec = await load();
    const first = codec.compress(a);
    for (const at of [first.length - 8, first.length - 1]) {
      const stored = concat(first, codec.compress(b));
      stored[at]! ^= 0x01;
      await refusedEveryWay(codec, stored, a.length + b.length);
    }
  });

  it('refuses a wrong trailer on the last member', async () => {
    const codec = await load();
    const stored = concat(codec.compress(a), codec.compress(b));
    stored[stored.length - 5]! ^= 0x80;
    await refusedEveryWay(codec, stored, a.length + b.length);
  });

  it('reads members with long optional header fields, whatever the chunking', async () => {
    const codec = await load();
    // fflate writes FNAME (a zero-terminated name) and MTIME; a long name spans several
    // chunks, so a member's trailer is read after its chunk has gone.
    const short = concat(fflateGzip(a, { filename: 'n'.repeat(300), mtime: 0 }), fflateGzip(b, { filename: 'm'.repeat(500), mtime: 0 }), fflateGzip(a, { mtime: 0 }));
    for (const out of await decodeEveryWay(codec, short, 2 * a.length + b.length)) expect(sameBytes(out, concat(a, b, a))).toBe(true);
    const long = concat(fflateGzip(a, { filename: 'n'.repeat(3000), mtime: 0 }), fflateGzip(b, { filename: 'm'.repeat(70_000), mtime: 0 }), fflateGzip(a, { mtime: 0 }));
    for (const out of await decodeEveryWay(codec, long, 2 * a.length + b.length, [[4096], [20_000, 7], [65536]])) expect(sameBytes(out, concat(a, b, a))).toBe(true);
  });
});

describe('gzip streams: members whose header is too long to keep', () => {
  it('are refused by the streaming decoder (it keeps 128 KiB of input), read by the one-shot one', async () => {
    const codec = await loadCodec('gzip', { native: false });
    const a = mixedBytes(1000);
    const stored = concat(fflateGzip(a, { mtime: 0 }), fflateGzip(a, { filename: 'x'.repeat(200_000), mtime: 0 }));
    expect(sameBytes(codec.decompress(stored, 2 * a.length), concat(a, a))).toBe(true);
    await expect(pipe(codec.decompressStream(2 * a.length), chunked(stored, [4096]))).rejects.toThrow(/header is longer than/);
  });
});

describe.each([true, false])('deflate (native %s): one stream per payload', (native) => {
  const a = mixedBytes(3000);
  const b = mixedBytes(5000);

  it('refuses two finished streams back to back', async () => {
    const codec = await loadCodec('deflate', { native });
    await refusedEveryWay(codec, concat(codec.compress(a), codec.compress(b)), a.length + b.length);
  });

  it('reads one stream made of several flushed blocks', async () => {
    const codec = await loadCodec('deflate', { native });
    // A streaming compressor fed in pieces flushes non-final blocks: still one stream.
    const stored = await pipe(codec.compressStream(), chunked(concat(a, b), [1000, 7, 4093]));
    for (const out of await decodeEveryWay(codec, stored, a.length + b.length)) expect(sameBytes(out, concat(a, b))).toBe(true);
  });
});
