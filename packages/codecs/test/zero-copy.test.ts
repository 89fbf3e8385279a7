// The zero-copy paths: compressWith / decompressWith of the WebAssembly codecs (input filled and
// frames lent straight from the module's memory), the filters' encodeInto / decodeInto, and the
// byte-shuffle's chunked SIMD passes. This file runs in its own module instance, so its first
// test grows a fresh WebAssembly memory.
import { describe, expect, it } from 'vitest';
import { createPackedSnapshot, decodeSnapshot, encodeSnapshot, isPackError, snapshotHash } from '@tx2/pack-format';
import { deltaFilter, filterById, loadCodec, packOptions, shuffleFilter } from '../src/index.js';
import { shuffleImplementation } from '../src/shuffle.js';
import { sameBytes } from './helpers/data.js';

/** Floats of a slow random walk: compressible, but not trivially. */
function walk(bytes: number, seed = 1): Uint8Array {
  const values = new Float32Array(bytes / 4);
  let s = seed;
  let v = 0;
  for (let i = 0; i < values.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v += (s / 2 ** 32 - 0.5) * 0.01;
    values[i] = v;
  }
  return new Uint8Array(values.buffer);
}

/** The PackError `fn` throws. */
function thrown(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    expect(isPackError(error), String(error)).toBe(true);
    return error as { code: string; message: string };
  }
  throw new Error('expected a PackError');
}

describe.each(['zstd', 'lz4'] as const)('%s compressWith / decompressWith', (name) => {
  it('decompress a section larger than the memory has ever held (the memory grows during the call)', async () => {
    const codec = await loadCodec(name);
    const size = 24 << 20;
    // A frame made without touching the one-shot scratch blocks: the streaming compressor's are small.
    const raw = new Uint8Array(size).fill(7);
    raw.set(walk(1 << 20), size >> 1);
    const frame = new Uint8Array(await new Response(new Blob([raw]).stream().pipeThrough(codec.compressStream(1))).arrayBuffer());
    const out = codec.decompressWith?.(frame, size, (view) => view.slice());
    expect(sameBytes(out!, raw)).toBe(true);
    // compressWith then grows it for its own input and bound, and lends a frame that round-trips.
    const again = codec.compressWith?.(
      size,
      (input) => input.set(raw),
      (view) => view.slice(),
      1,
    );
    expect(sameBytes(codec.decompress(again!, size), raw)).toBe(true);
  });

  it('give exactly the bytes of compress / decompress', async () => {
    const codec = await loadCodec(name);
    for (const size of [1, 100, 5000, 70_000, 300_000]) {
      const raw = walk(size - (size % 4) || 4, size);
      const frame = codec.compressWith?.(
        raw.length,
        (input) => input.set(raw),
        (view) => view.slice(),
        3,
      );
      expect(sameBytes(frame!, codec.compress(raw, 3))).toBe(true);
      expect(
        sameBytes(
          codec.decompressWith!(frame!, raw.length, (view) => view.slice()),
          raw,
        ),
      ).toBe(true);
    }
  });

  it('stay usable after fill, take or a corrupt frame throws', async () => {
    const codec = await loadCodec(name);
    const raw = walk(40_000);
    const expected = codec.compress(raw, 1);
    const boom = (): never => {
      throw new Error('boom');
    };
    expect(thrown(() => codec.compressWith?.(raw.length, boom, (v) => v.slice(), 1)).code).toBe('Compression');
    expect(thrown(() => codec.compressWith?.(raw.length, (input) => input.set(raw), boom, 1)).code).toBe('Compression');
    const corrupt = expected.slice();
    corrupt.fill(0x55, 8, 40);
    expect(thrown(() => codec.decompressWith?.(corrupt, raw.length, (v) => v.slice())).code).toBe('Decompression');
    expect(thrown(() => codec.decompressWith?.(expected, raw.length, boom)).code).toBe('Decompression');
    expect(
      sameBytes(
        codec.compressWith!(
          raw.length,
          (input) => input.set(raw),
          (v) => v.slice(),
          1,
        ),
        expected,
      ),
    ).toBe(true);
    expect(sameBytes(codec.decompress(expected, raw.length), raw)).toBe(true);
  });

  it('check their arguments as compress does', async () => {
    const codec = await loadCodec(name);
    expect(
      thrown(() =>
        codec.compressWith?.(
          -1,
          () => {},
          (v) => v,
          1,
        ),
      ).code,
    ).toBe('InvalidInput');
    expect(
      thrown(() =>
        codec.compressWith?.(
          10,
          () => {},
          (v) => v,
          99,
        ),
      ).code,
    ).toBe('InvalidInput');
  });
});

describe('filters: encodeInto / decodeInto', () => {
  it('write what encode / decode return, across the SIMD chunk size, for every width', () => {
    if (shuffleImplementation() !== 'simd') console.warn('WebAssembly SIMD unavailable: the JavaScript loops are tested');
    for (const filter of [shuffleFilter, deltaFilter]) {
      for (const width of [1, 2, 4, 8]) {
        for (const count of [63, 64, 16_384, 16_385, 3 * 16_384 + 17]) {
          const raw = walk(Math.ceil((count * width + 3) / 4) * 4, count).subarray(0, count * width + 3);
          const into = new Uint8Array(raw.length);
          filter.encodeInto?.(raw, width, into);
          expect(sameBytes(into, filter.encode(raw, width))).toBe(true);
          const back = new Uint8Array(raw.length);
          filter.decodeInto?.(into, width, back);
          expect(sameBytes(back, raw)).toBe(true);
        }
      }
    }
  });

  it('refuse a wrong width or output with the pipeline codes', () => {
    const raw = new Uint8Array(16);
    expect(thrown(() => shuffleFilter.encodeInto?.(raw, 0, new Uint8Array(16))).code).toBe('Compression');
    expect(thrown(() => shuffleFilter.decodeInto?.(raw, 4, new Uint8Array(8))).code).toBe('Decompression');
  });
});

describe('snapshots through the zero-copy paths', () => {
  it('store the bytes of the copying paths and read them back', async () => {
    const n = 50_000;
    const ids = Uint32Array.from({ length: n }, (_, i) => 1 + i * 2);
    const f32 = (seed: number) => new Float32Array(walk(n * 4, seed).buffer);
    const packed = createPackedSnapshot({
      timestamp: 1,
      entities: ids,
      components: [{ id: 'Position', entityIds: ids, fields: { x: f32(1), y: f32(2), hp: Uint16Array.from(ids, (v) => (v % 7) * 10) } }],
    });
    for (const codec of ['zstd', 'lz4'] as const) {
      const options = await packOptions({ codec, level: 1 });
      const plainCodec = { ...options.codec, compressWith: undefined, decompressWith: undefined };
      const plainFilter = (info: Parameters<NonNullable<typeof options.filter>>[0]) => {
        const f = options.filter?.(info);
        return f === undefined ? undefined : { ...f, encodeInto: undefined, decodeInto: undefined };
      };
      const bytes = encodeSnapshot(packed, options);
      expect(sameBytes(bytes, encodeSnapshot(packed, { ...options, codec: plainCodec, filter: plainFilter }))).toBe(true);
      const decoded = decodeSnapshot(bytes, { codecs: () => options.codec, filters: filterById });
      expect(snapshotHash(decoded)).toEqual(snapshotHash(packed));
      expect(snapshotHash(decodeSnapshot(bytes, { codecs: () => plainCodec, filters: filterById }))).toEqual(snapshotHash(packed));
    }
  });
});
