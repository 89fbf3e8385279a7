// Large compressed frames read from a source (a file): read alone rather than coalesced, into
// the array the section decodes into when the source has `readInto` (or into one reused buffer
// when the frame does not fit there), never left inside a column; small frames still coalesced.
import { describe, expect, it } from 'vitest';
import {
  type ByteSource,
  CodecId,
  createPackedSnapshot,
  decodeSnapshot,
  encodeSnapshot,
  isPackError,
  PackError,
  type PackedSnapshot,
  readLayout,
  readSnapshot,
  type SectionCodec,
  type SectionFilter,
} from '../src/index.js';
import { lendingRle, rle, xorFilter } from './helpers/toy-codec.js';

const MIB = 1 << 20;
const ROWS = 900_000;

/** Two u16 columns in runs of 3 equal bytes (rle stores 2 bytes per 3: frames of ~1.2 MiB each), and a small column. */
function world(rows = ROWS): PackedSnapshot {
  const ids = Uint32Array.from({ length: rows }, (_, i) => i + 1);
  const runs = (salt: number): Uint16Array => {
    const bytes = new Uint8Array(rows * 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (Math.floor(i / 3) * 31 + salt) & 0xff;
    return new Uint16Array(bytes.buffer);
  };
  return createPackedSnapshot({
    timestamp: 9,
    entities: ids,
    components: [
      { id: 'Big', entityIds: ids, fields: { a: runs(1), b: runs(2) } },
      { id: 'Small', entityIds: ids.subarray(0, 1000), fields: { c: Float32Array.from({ length: 1000 }, (_, i) => i / 4) } },
    ],
  });
}

/** A source over `bytes` that records its reads, with or without `readInto`. */
function recordingSource(bytes: Uint8Array, withReadInto: boolean) {
  const reads: { offset: number; length: number; into: boolean }[] = [];
  const source: ByteSource = {
    size: bytes.length,
    read: async (offset, length) => {
      reads.push({ offset, length, into: false });
      return bytes.slice(offset, offset + length);
    },
  };
  if (withReadInto) {
    source.readInto = async (offset, target) => {
      reads.push({ offset, length: target.length, into: true });
      target.set(bytes.subarray(offset, offset + target.length));
    };
  }
  return { source, reads };
}

const columnsOf = (s: PackedSnapshot) => s.components.flatMap((c) => ('fields' in c ? c.fields : []));
const bytesOf = (v: unknown): Uint8Array => {
  const a = v as Uint8Array;
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
};
/** Byte equality of two typed arrays (toEqual on a million values is slow). */
const same = (a: unknown, b: unknown): boolean => {
  const x = bytesOf(a);
  const y = bytesOf(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

describe('large compressed frames read from a source', () => {
  const packed = world();

  it.each([
    { name: 'rle', codec: (): SectionCodec => rle, filter: undefined },
    { name: 'lending rle', codec: (): SectionCodec => lendingRle(), filter: undefined },
    { name: 'lending rle + a filter with decodeInto', codec: (): SectionCodec => lendingRle(), filter: xorFilter(true) },
    { name: 'lending rle + a filter without decodeInto', codec: (): SectionCodec => lendingRle(), filter: xorFilter(false) },
  ])('decode exactly like the bytes in memory, each large frame read alone into its own column ($name)', async ({ codec, filter }) => {
    const filters = filter === undefined ? {} : { filters: () => filter as SectionFilter };
    const stored = encodeSnapshot(packed, { codec: codec(), ...(filter === undefined ? {} : { filter: () => filter }) });
    const large = readLayout(stored).sections.filter((s) => s.descriptor.codec !== CodecId.None && s.descriptor.storedLength + 64 >= MIB);
    expect(large.length).toBe(2);
    const expected = decodeSnapshot(stored, { codecs: () => rle, ...filters });
    for (const withReadInto of [true, false]) {
      const { source, reads } = recordingSource(stored, withReadInto);
      const got = await readSnapshot(source, { codecs: () => codec(), ...filters });
      const want = columnsOf(expected);
      expect(columnsOf(got).map((c, i) => same(c.values, want[i]!.values))).toEqual([true, true, true]);
      // Each large frame is one read of its own (into the column's array when the source can).
      for (const s of large) {
        const own = reads.filter((r) => r.offset === s.offset);
        expect(own).toHaveLength(1);
        expect(own[0]!.into).toBe(withReadInto);
      }
      // No other read spans a large frame: they are never part of a coalesced run.
      for (const r of reads)
        for (const s of large) if (r.offset !== s.offset) expect(r.offset + r.length <= s.offset || r.offset >= s.offset + s.descriptor.storedLength).toBe(true);
      // Every decoded column owns its memory: writing one leaves the others and a second read unchanged.
      const [a, b] = columnsOf(got).map((c) => c.values as Uint16Array);
      expect(a!.buffer).not.toBe(b!.buffer);
      a!.fill(0);
      expect(same(b, want[1]!.values)).toBe(true);
    }
  });

  it('coalesces small frames as before: a small world is read in a few reads', async () => {
    const small = encodeSnapshot(world(2000), { codec: rle });
    const { source, reads } = recordingSource(small, true);
    await readSnapshot(source, { codecs: () => rle });
    expect(reads.every((r) => !r.into)).toBe(true);
    expect(reads.length).toBeLessThanOrEqual(8);
  });

  it('reads a frame larger than its decoded size into one reused buffer, never aliased by a column', async () => {
    // Drops 8 trailing zero bytes: the frame (descriptor + payload) outgrows the decoded section.
    const trim: SectionCodec = {
      id: CodecId.Zstd,
      name: 'trim',
      compress: (raw) => (raw.length >= 8 && raw.subarray(raw.length - 8).every((b) => b === 0) ? raw.slice(0, raw.length - 8) : raw.slice()),
      decompress: (stored, rawLength) => {
        const out = new Uint8Array(rawLength);
        out.set(stored.subarray(0, rawLength));
        return out;
      },
    };
    const ids = Uint32Array.from({ length: 400_000 }, (_, i) => i + 1);
    const column = (salt: number) => Float64Array.from(ids, (v, i) => (i >= ids.length - 1 ? 0 : v * salt + 0.5));
    const trimmed = createPackedSnapshot({ timestamp: 1, entities: ids, components: [{ id: 'T', entityIds: ids, fields: { x: column(3), y: column(7) } }] });
    const stored = encodeSnapshot(trimmed, { codec: trim });
    expect(readLayout(stored).sections.filter((s) => s.descriptor.codec === CodecId.Zstd)).toHaveLength(2);
    const { source, reads } = recordingSource(stored, true);
    const got = await readSnapshot(source, { codecs: () => trim });
    expect(reads.filter((r) => r.into)).toHaveLength(2);
    const [x, y] = columnsOf(got).map((c) => c.values as Float64Array);
    expect(same(x, column(3))).toBe(true);
    expect(same(y, column(7))).toBe(true);
  });

  it('reports a corrupt large frame as a checksum mismatch, and without checksums as a typed error or other values, never another error', async () => {
    const stored = encodeSnapshot(packed, { codec: rle });
    const big = readLayout(stored).sections.find((s) => s.descriptor.codec !== CodecId.None && s.descriptor.storedLength + 64 >= MIB)!;
    for (let k = 0; k < 12; k++) {
      const bad = stored.slice();
      const at = big.offset + 64 + ((k * 104_729) % big.descriptor.storedLength);
      bad[at] = bad[at]! ^ 0x41;
      await expect(readSnapshot(recordingSource(bad, true).source, { codecs: () => rle })).rejects.toMatchObject({ code: 'ChecksumMismatch' });
      try {
        await readSnapshot(recordingSource(bad, true).source, { codecs: () => lendingRle(), verifyChecksums: false });
      } catch (error) {
        expect(isPackError(error)).toBe(true);
      }
    }
  });

  it('reports a source shorter than a large frame as Truncated', async () => {
    const stored = encodeSnapshot(packed, { codec: rle });
    const big = readLayout(stored).sections.find((s) => s.descriptor.codec !== CodecId.None && s.descriptor.storedLength + 64 >= MIB)!;
    const { source } = recordingSource(stored, true);
    const short: ByteSource = {
      size: source.size,
      read: source.read,
      readInto: async (offset, target) => {
        if (offset === big.offset) throw new PackError('Truncated', 'cut short');
        await source.readInto!(offset, target);
      },
    };
    await expect(readSnapshot(short, { codecs: () => rle })).rejects.toMatchObject({ code: 'Truncated' });
  });
});
