// The zero-copy codec and filter hooks (compressWith / decompressWith, encodeInto / decodeInto):
// writers and readers that use them store and read exactly the bytes of the plain hooks, and
// never keep a view of the codec's memory past the call that lent it.
import { describe, expect, it } from 'vitest';
import {
  createPackedSnapshot,
  decodeSnapshot,
  encodeSnapshot,
  encodeSnapshotStream,
  joinPieces,
  type PackedSnapshot,
  readLayout,
  type SectionFilter,
  SnapshotEncoder,
  snapshotHash,
} from '../src/index.js';
import { lendingRle, rle, xorFilter } from './helpers/toy-codec.js';

/** Runs of equal values (rle shrinks them) beside a column of noise (it does not), and a string column. */
function world(rows = 3000): PackedSnapshot {
  const ids = Uint32Array.from({ length: rows }, (_, i) => i + 1);
  let seed = 7;
  const noise = Float64Array.from(ids, () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 7.3;
  });
  return createPackedSnapshot({
    timestamp: 5,
    entities: ids,
    components: [
      { id: 'Flat', entityIds: ids, fields: { a: new Float32Array(rows), b: new Uint16Array(rows).fill(0x0303) } },
      { id: 'Noise', entityIds: ids, fields: { n: noise, name: Array.from(ids, (v) => `unit ${v % 3}`) } },
    ],
  });
}

const filterOf = (filter: SectionFilter) => () => filter;

async function streamed(packed: PackedSnapshot, options: Parameters<typeof encodeSnapshot>[1]): Promise<Uint8Array> {
  const all: Uint8Array[] = [];
  for await (const piece of encodeSnapshotStream(packed, options)) all.push(piece.slice());
  return joinPieces(all);
}

describe('zero-copy codec and filter hooks', () => {
  it('write the bytes of the plain hooks, on every writer, with and without filters', async () => {
    const packed = world();
    for (const withFilter of [false, true]) {
      const plain = { codec: rle, ...(withFilter ? { filter: filterOf(xorFilter(false)) } : {}) };
      const codec = lendingRle();
      const lending = { codec, ...(withFilter ? { filter: filterOf(xorFilter(true)) } : {}) };
      const expected = encodeSnapshot(packed, plain);
      expect(encodeSnapshot(packed, lending)).toEqual(expected);
      expect(await streamed(packed, lending)).toEqual(expected);
      expect(new SnapshotEncoder(lending).encode(packed)).toEqual(expected);
      expect(codec.calls.compressWith).toBeGreaterThan(0);
      // Some sections compressed, the noise column stored raw (compression did not pay).
      const codecs = readLayout(expected).sections.map((s) => s.descriptor.codec);
      expect(codecs).toContain(0);
      expect(codecs.some((c) => c !== 0)).toBe(true);
    }
  });

  it('read back what was written, through the lent view, with and without decodeInto', () => {
    const packed = world();
    for (const filter of [xorFilter(true), xorFilter(false)]) {
      const bytes = encodeSnapshot(packed, { codec: rle, filter: filterOf(filter) });
      const codec = lendingRle();
      const decoded = decodeSnapshot(bytes, { codecs: () => codec, filters: () => filter });
      expect(codec.calls.decompressWith).toBeGreaterThan(0);
      expect(snapshotHash(decoded)).toEqual(snapshotHash(packed));
      expect(snapshotHash(decodeSnapshot(bytes, { codecs: () => rle, filters: () => filter }))).toEqual(snapshotHash(packed));
    }
  });

  it('return small compressed outputs exactly sized, and large ones as a view over a buffer sized for the uncompressed container', () => {
    const small = world();
    const exact = encodeSnapshot(small, { codec: lendingRle() });
    expect(exact.length).toBeLessThan(encodeSnapshot(small).length);
    expect(exact.buffer.byteLength).toBe(exact.length);
    const large = world(800_000); // 8.8 MB uncompressed, far less with rle
    const bytes = encodeSnapshot(large, { codec: lendingRle() });
    const plain = encodeSnapshot(large).length;
    expect(bytes.length).toBeGreaterThan(4 << 20);
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(plain);
    expect(bytes.length).toBeLessThan(plain);
    expect(snapshotHash(decodeSnapshot(bytes, { codecs: () => rle }))).toEqual(snapshotHash(large));
  });

  it('give every small compressed output its own exact buffer, though they are laid out in a reused one', () => {
    const packed = world();
    const options = { codec: lendingRle() };
    const first = encodeSnapshot(packed, options);
    const copy = first.slice();
    const second = encodeSnapshot(world(2000), options);
    const third = new SnapshotEncoder(options).encodeCopy(packed);
    for (const bytes of [first, second, third]) expect(bytes.buffer.byteLength).toBe(bytes.length);
    expect(first.buffer).not.toBe(second.buffer);
    expect(first).toEqual(copy); // later writes did not touch it
    expect(third).toEqual(copy);
    second.fill(0);
    expect(encodeSnapshot(packed, options)).toEqual(copy);
  });

  it('a SnapshotEncoder re-encoding a snapshot decoded from its own output gives the right bytes', () => {
    const packed = world();
    const options = { codec: lendingRle() };
    const encoder = new SnapshotEncoder(options);
    const first = encoder.encode(packed);
    // The noise column is stored raw: the decoded snapshot views the encoder's buffer.
    const decoded = decodeSnapshot(first, { codecs: () => rle });
    expect(encoder.encode(decoded)).toEqual(encodeSnapshot(packed, { codec: rle }));
  });

  it('report a failing decodeInto as a Decompression error naming the section', () => {
    const packed = world();
    const bytes = encodeSnapshot(packed, { codec: rle, filter: filterOf(xorFilter(false)) });
    const broken: SectionFilter = {
      ...xorFilter(true),
      decodeInto: () => {
        throw new Error('boom');
      },
    };
    const codec = lendingRle();
    let caught: unknown;
    try {
      decodeSnapshot(bytes, { codecs: () => codec, filters: () => broken });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ name: 'PackError', code: 'Decompression', message: expect.stringMatching(/could not be unfiltered with xor/) });
    // The codec is usable after the failure.
    expect(snapshotHash(decodeSnapshot(bytes, { codecs: () => codec, filters: () => xorFilter(true) }))).toEqual(snapshotHash(packed));
  });
});
