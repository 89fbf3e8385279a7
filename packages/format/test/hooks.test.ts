// The extension points the upper tiers plug into: codecs, filters and sequential scanning.
import { describe, expect, it } from 'vitest';
import {
  CodecId,
  FilterId,
  SectionKind,
  createPackedSnapshot,
  decodeSnapshot,
  encodeSnapshot,
  getColumn,
  isPackError,
  readLayout,
  scanSections,
  type SectionCodec,
  type SectionFilter,
} from '../src/index.js';
import { rle } from './helpers/toy-codec.js';

// Byte planes: all first bytes, then all second bytes, ... (what byte-shuffle does).
const planes: SectionFilter = {
  id: FilterId.ByteShuffle,
  name: 'planes',
  encode(raw, width) {
    const n = raw.length / width;
    const out = new Uint8Array(raw.length);
    for (let i = 0; i < n; i++) for (let b = 0; b < width; b++) out[b * n + i] = raw[i * width + b]!;
    return out;
  },
  decode(filtered, width) {
    const n = filtered.length / width;
    const out = new Uint8Array(filtered.length);
    for (let i = 0; i < n; i++) for (let b = 0; b < width; b++) out[i * width + b] = filtered[b * n + i]!;
    return out;
  },
};

function world(n: number) {
  const ids = Uint32Array.from({ length: n }, (_, i) => 10 + 3 * i); // not a range: stored as a list
  const hp = new Float32Array(n).fill(100);
  const level = Uint16Array.from({ length: n }, (_, i) => i % 7);
  return createPackedSnapshot({ entities: ids, timestamp: 1, components: [{ id: 'Stats', fields: { hp, level } }] });
}

describe('codec and filter hooks', () => {
  it('compresses and filters sections, and records both in the descriptors', () => {
    const packed = world(1000);
    const plain = encodeSnapshot(packed);
    const packedBytes = encodeSnapshot(packed, {
      codec: rle,
      filter: (s) => (s.width > 1 ? planes : undefined),
    });
    expect(packedBytes.length).toBeLessThan(plain.length / 2);
    const columns = readLayout(packedBytes).sections.filter((s) => s.descriptor.kind === SectionKind.Column);
    const hp = columns.find((s) => s.descriptor.field === 0)!.descriptor;
    expect(hp.codec).toBe(CodecId.Lz4);
    expect(hp.filter).toBe(FilterId.ByteShuffle);
    expect(hp.filterParam).toBe(4);
    const back = decodeSnapshot(packedBytes, { codecs: (id) => (id === rle.id ? rle : undefined), filters: () => planes });
    expect(getColumn(back, 'Stats', 'hp', 'f32')).toEqual(packed.components[0]!.layout === 'columns' ? packed.components[0]!.fields[0]!.values : null);
    expect(getColumn(back, 'Stats', 'level', 'u16')).toEqual(Uint16Array.from({ length: 1000 }, (_, i) => i % 7));
    expect(back.entities).toEqual(packed.entities);
  });

  it('stores a section raw when the codec does not shrink it', () => {
    const packed = createPackedSnapshot({ entities: [1, 2], components: [{ id: 'A', fields: { v: Float64Array.from([0.1, 0.7]) } }] });
    const bytes = encodeSnapshot(packed, { codec: rle, filter: () => planes });
    const column = readLayout(bytes).sections.find((s) => s.descriptor.kind === SectionKind.Column)!.descriptor;
    expect(column.codec).toBe(CodecId.None);
    expect(column.filter).toBe(FilterId.None);
    expect(decodeSnapshot(bytes).components[0]).toEqual(packed.components[0]);
  });

  it('names the missing codec or filter instead of misreading', () => {
    const bytes = encodeSnapshot(world(1000), { codec: rle, filter: (s) => (s.width > 1 ? planes : undefined) });
    expect(() => decodeSnapshot(bytes)).toThrow(/compressed with lz4.*@tx2\/pack-codecs/);
    try {
      decodeSnapshot(bytes, { codecs: () => rle });
      expect.unreachable();
    } catch (error) {
      expect(isPackError(error, 'Decompression')).toBe(true);
      expect((error as Error).message).toMatch(/filter 1/);
    }
  });

  it('wraps a failing decompressor in a PackError naming the section', () => {
    const bytes = encodeSnapshot(world(1000), { codec: rle, filter: () => planes });
    const broken: SectionCodec = { ...rle, decompress: () => new Uint8Array(3) };
    expect(() => decodeSnapshot(bytes, { codecs: () => broken, filters: () => planes })).toThrow(/decodes to 3 bytes/);
    const throwing: SectionCodec = {
      ...rle,
      decompress: () => {
        throw new RangeError('bad frame');
      },
    };
    try {
      decodeSnapshot(bytes, { codecs: () => throwing, filters: () => planes });
      expect.unreachable();
    } catch (error) {
      expect(isPackError(error, 'Decompression')).toBe(true);
      expect((error as Error).message).toMatch(/could not be decompressed with rle/);
    }
  });

  it('refuses a section larger than maxSectionSize before decompressing', () => {
    const bytes = encodeSnapshot(world(1000), { codec: rle, filter: () => planes });
    let called = false;
    const spy: SectionCodec = {
      ...rle,
      decompress: (s, n) => {
        called = true;
        return rle.decompress(s, n);
      },
    };
    try {
      decodeSnapshot(bytes, { codecs: () => spy, maxSectionSize: 1000 });
      expect.unreachable();
    } catch (error) {
      expect(isPackError(error, 'LimitExceeded')).toBe(true);
      expect((error as { details: unknown }).details).toMatchObject({ limit: 'maxSectionSize', max: 1000, kind: SectionKind.Column, component: expect.any(String) });
    }
    expect(called).toBe(false);
  });
});

describe('scanSections', () => {
  it('walks the frames sequentially, as a streaming reader would', () => {
    const bytes = encodeSnapshot(world(100));
    const scan = scanSections(bytes);
    expect(scan.complete).toBe(true);
    const listed = readLayout(bytes).sections;
    expect(scan.sections.slice(0, -1)).toEqual(listed);
    expect(scan.sections.at(-1)!.descriptor.kind).toBe(SectionKind.TableOfContents);
  });

  it('lists what a file cut short still holds', () => {
    const bytes = encodeSnapshot(world(100));
    const cut = bytes.subarray(0, readLayout(bytes).sections[2]!.offset + 70);
    const scan = scanSections(cut);
    expect(scan.complete).toBe(false);
    expect(scan.sections.map((s) => s.descriptor.kind)).toEqual([SectionKind.Manifest, SectionKind.EntitySet]);
  });
});

describe('entity ranges in highly compressed files', () => {
  it('decodes a world far larger than its file when decoded rows vouch for the ids', () => {
    const n = 2_000_000;
    const packed = createPackedSnapshot({
      entities: Uint32Array.from({ length: n }, (_, i) => i + 1),
      components: [{ id: 'Alive', fields: { alive: new Uint8Array(n) }, types: { alive: 'bool' } }],
    });
    const bytes = encodeSnapshot(packed, { codec: rle });
    expect(bytes.length).toBeLessThan(n / 64); // more than 8 ids per input byte
    const back = decodeSnapshot(bytes, { codecs: () => rle });
    expect(back.entities.length).toBe(n);
    expect(back.components[0]!.entityIds[n - 1]).toBe(n);
  });

  // Regression: the world's range was once charged against each component's own rows, so a
  // world split over two components (or read partially) was refused though the writer made it.
  const entities = Uint32Array.from({ length: 120_000 }, (_, i) => i + 1);
  const split = createPackedSnapshot({
    entities,
    components: [
      { id: 'A', entityIds: entities.subarray(0, 20_000), fields: { x: new Float32Array(20_000) } },
      { id: 'B', entityIds: entities.subarray(20_000), fields: { y: new Float32Array(100_000) } },
    ],
  });

  it('decodes a world whose id range is split over components, also partially', () => {
    const bytes = encodeSnapshot(split, { codec: rle });
    expect(bytes.length).toBeLessThan(120_000 / 8);
    expect(decodeSnapshot(bytes, { codecs: () => rle }).entities.length).toBe(120_000);
    expect(decodeSnapshot(bytes, { codecs: () => rle, components: ['A'] }).entities.length).toBe(120_000);
  });

  it('a large world of entities without components needs maxRangeIds, and says so', () => {
    const bare = createPackedSnapshot({ entities: Uint32Array.from({ length: 200_000 }, (_, i) => i + 1), components: [] });
    const bytes = encodeSnapshot(bare);
    expect(() => decodeSnapshot(bytes)).toThrowError(/raise maxRangeIds/);
    expect(decodeSnapshot(bytes, { maxRangeIds: 200_000 }).entities.length).toBe(200_000);
  });
});
