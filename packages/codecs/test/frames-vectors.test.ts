// Committed containers whose column payload is several codec frames (docs/format.md §3.3):
// zstd and LZ4 frames with a skippable frame between them and gzip members are read; two raw
// Deflate streams back to back are refused with Decompression. The files are kept as
// committed (a newer compressor may write other bytes): regenerate only on purpose with
//
//   TX2_WRITE_VECTORS=1 npx vitest run test/frames-vectors.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  createPackedSnapshot,
  decodeSnapshot,
  encodeSnapshot,
  hashHex,
  isPackError,
  type PackedSnapshot,
  readLayout,
  type SectionCodec,
  SectionKind,
  sha256,
  snapshotHash,
} from '@tx2/pack-format';
import { type CodecName, createCodecRegistry, loadCodec } from '../src/index.js';

const DIR = fileURLToPath(new URL('./vectors/', import.meta.url));

interface FramesVector {
  codec: CodecName;
  description: string;
  /** Each frame's [offset in the payload, stored length, raw length]; skippable frames have raw length 0. */
  frames: [number, number, number][];
  refused?: string;
}

const VECTORS: Record<string, Omit<FramesVector, 'frames'>> = {
  'zstd-frames': { codec: 'zstd', description: 'the Value column is three zstd frames with a skippable frame after the first' },
  'lz4-frames': { codec: 'lz4', description: 'the Value column is three LZ4 frames with a skippable frame after the first' },
  'gzip-members': { codec: 'gzip', description: 'the Value column is three gzip members' },
  'deflate-streams': { codec: 'deflate', description: 'the Value column is two raw Deflate streams back to back: refused', refused: 'Decompression' },
};

/** 4096 entities with a compressible u32 column. */
function world(): PackedSnapshot {
  return createPackedSnapshot({
    timestamp: 1_700_000_000_000,
    version: 'frames/1',
    entities: Uint32Array.from({ length: 4096 }, (_, i) => i),
    components: [{ id: 'Value', fields: { v: Uint32Array.from({ length: 4096 }, (_, i) => (i * 7) % 64) } }],
  });
}

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

const skippable = Uint8Array.from([0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef]);

/** A SectionCodec that writes `parts` frames of `codec` per payload, recording where each frame is. */
async function splitting(name: CodecName, parts: number, frames: Map<number, [number, number, number][]>): Promise<SectionCodec> {
  const codec = await loadCodec(name);
  // gzip through fflate (mtime 0): its bytes do not depend on the zlib the platform ships.
  const one = (raw: Uint8Array): Uint8Array => (name === 'gzip' ? gzipSync(raw, { mtime: 0 }) : codec.compress(raw));
  return {
    id: codec.id,
    name: codec.name,
    compress(raw) {
      const pieces: [Uint8Array, number][] = [];
      for (let k = 0; k < parts; k++) {
        const piece = raw.subarray(Math.floor((k * raw.length) / parts), Math.floor(((k + 1) * raw.length) / parts));
        pieces.push([one(piece), piece.length]);
        if (k === 0 && (name === 'zstd' || name === 'lz4')) pieces.push([skippable, 0]);
      }
      let at = 0;
      frames.set(
        raw.length,
        pieces.map(([stored, rawLength]) => [(at += stored.length) - stored.length, stored.length, rawLength]),
      );
      return concat(pieces.map(([stored]) => stored));
    },
    decompress: (stored, rawLength) => codec.decompress(stored, rawLength),
  };
}

const read = (name: string) => ({
  bytes: new Uint8Array(readFileSync(`${DIR}${name}.tx2pack`)),
  expected: JSON.parse(readFileSync(`${DIR}${name}.expected.json`, 'utf8')) as FramesVector & { sha256: string; snapshotHash: string },
});

/** The stored payload of the Value column. */
function valuePayload(bytes: Uint8Array): { stored: Uint8Array; codec: number; rawLength: number } {
  const entry = readLayout(bytes).sections.find((s) => s.descriptor.kind === SectionKind.Column)!;
  const start = entry.offset + 64;
  return { stored: bytes.subarray(start, start + entry.descriptor.storedLength), codec: entry.descriptor.codec, rawLength: entry.descriptor.rawLength };
}

describe.skipIf(process.env.TX2_WRITE_VECTORS !== '1')('write the frames vectors', () => {
  it.each(Object.keys(VECTORS))('%s', async (name) => {
    const vector = VECTORS[name]!;
    const frames = new Map<number, [number, number, number][]>();
    const bytes = encodeSnapshot(world(), { codec: await splitting(vector.codec, vector.codec === 'deflate' ? 2 : 3, frames) });
    const { rawLength } = valuePayload(bytes);
    writeFileSync(`${DIR}${name}.tx2pack`, bytes);
    const expected = { name, ...vector, sha256: hashHex(sha256(bytes)), snapshotHash: hashHex(snapshotHash(world())), frames: frames.get(rawLength) };
    writeFileSync(`${DIR}${name}.expected.json`, `${JSON.stringify(expected, null, 2)}\n`);
  });
});

describe.each([true, false])('frames vectors (native zlib %s)', (native) => {
  it.each(Object.keys(VECTORS))('%s', async (name) => {
    const registry = await createCodecRegistry(undefined, { native });
    const { bytes, expected } = read(name);
    expect(hashHex(sha256(bytes))).toBe(expected.sha256);
    const payload = valuePayload(bytes);
    expect(payload.codec).toBe((await loadCodec(expected.codec)).id);
    // The payload really is several frames, each a complete one on its own.
    const codec = registry.get(expected.codec)!;
    expect(expected.frames.length).toBeGreaterThanOrEqual(2);
    expect(expected.frames.reduce((n, [, , raw]) => n + raw, 0)).toBe(payload.rawLength);
    for (const [offset, length, raw] of expected.frames) {
      if (raw > 0) expect(codec.decompress(payload.stored.subarray(offset, offset + length), raw).length).toBe(raw);
    }
    const decode = () => decodeSnapshot(bytes, { codecs: registry.codecs, filters: registry.filters });
    if (expected.refused !== undefined) {
      let error: unknown;
      try {
        decode();
      } catch (e) {
        error = e;
      }
      expect(isPackError(error) && error.code).toBe(expected.refused);
      return;
    }
    expect(hashHex(snapshotHash(decode()))).toBe(expected.snapshotHash);
    expect(expected.snapshotHash).toBe(hashHex(snapshotHash(world())));
  });
});
