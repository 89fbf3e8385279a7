// A leading U+FEFF is a character, not a byte-order mark to drop: it survives string columns,
// blobs (values, keys, inside Maps and Sets), the manifest and metadata, and the content hash
// of a decoded snapshot is that of the original.
import { describe, expect, it } from 'vitest';
import {
  createPackedSnapshot,
  decodeBlob,
  decodeSnapshot,
  encodeBlob,
  encodeSnapshot,
  fromWorldSnapshot,
  getColumn,
  isPackError,
  snapshotHash,
  snapshotsEqual,
  toWorldSnapshot,
} from '../src/index.js';

const BOM = '\ufeff';
// Short and long (the MessagePack library decodes strings over 200 bytes differently), ASCII
// and not, one BOM or two, a BOM alone, a BOM not at the start.
const ODD = [`${BOM}abc`, BOM, `${BOM}${BOM}x`, `a${BOM}`, `${BOM}${'é'.repeat(30)}`, `${BOM}${'x'.repeat(300)}`, `${BOM}${BOM}${'y'.repeat(250)}`, `${BOM}😀`];

describe('a leading U+FEFF', () => {
  it('survives a string column, and the decoded snapshot has the same content hash', () => {
    const packed = createPackedSnapshot({ entities: ODD.map((_, i) => i), timestamp: 1, components: [{ id: 'S', fields: { s: ODD } }] });
    for (const options of [{}, { checksums: false }]) {
      const back = decodeSnapshot(encodeSnapshot(packed, options));
      expect(getColumn(back, 'S', 's', 'string')).toStrictEqual(ODD);
      expect(snapshotsEqual(back, packed)).toBe(true);
      expect(snapshotHash(back)).toStrictEqual(snapshotHash(packed));
    }
  });

  it('survives blobs: values and keys, in objects, arrays, Maps and Sets', () => {
    for (const s of ODD) {
      const values: unknown[] = [s, [s], { [s]: s }, new Map([[s, s]]), new Set([s]), new Map([['k', new Map([[s, [s]]])]])];
      for (const value of values) expect(decodeBlob(encodeBlob(value))).toStrictEqual(value);
    }
  });

  it('survives the manifest (component id, field name, version) and the world and entity metadata', () => {
    const long = `${BOM}${'n'.repeat(260)}`;
    const packed = createPackedSnapshot({
      entities: [1],
      timestamp: 1,
      version: long,
      metadata: { [long]: long },
      entityMetadata: new Map([[1, { tags: [long, `${BOM}t`] }]]),
      components: [{ id: long, fields: { [long]: new Float32Array(1) } }],
    });
    const back = decodeSnapshot(encodeSnapshot(packed));
    expect(back.version).toBe(long);
    expect(back.components[0]!.id).toBe(long);
    expect((back.components[0] as { fields: { name: string }[] }).fields[0]!.name).toBe(long);
    expect(back.metadata).toStrictEqual({ [long]: long });
    expect(back.entityMetadata).toStrictEqual(packed.entityMetadata);
    expect(snapshotHash(back)).toStrictEqual(snapshotHash(packed));
  });

  it('survives the object world both ways (columns and blobs)', () => {
    const world = {
      timestamp: 1,
      version: '',
      entities: ODD.map((s, i) => ({
        id: i,
        components: [
          { id: 'Name', data: { s } },
          { id: 'Rich', data: { s, m: new Map([[s, s]]) } },
        ],
      })),
    };
    const packed = fromWorldSnapshot(world);
    expect(packed.components.map((c) => c.layout)).toStrictEqual(['columns', 'blobs']);
    expect(toWorldSnapshot(decodeSnapshot(encodeSnapshot(packed)))).toStrictEqual(world);
  });

  it('is not accepted inside a bigint extension (its data is plain hex)', () => {
    // ext 2 (bigint) holding EF BB BF "1f"
    const bytes = Uint8Array.from([0xc7, 5, 2, 0xef, 0xbb, 0xbf, 0x31, 0x66]);
    let error: unknown;
    try {
      decodeBlob(bytes);
    } catch (e) {
      error = e;
    }
    expect(isPackError(error, 'InvalidFormat')).toBe(true);
    expect(decodeBlob(Uint8Array.from([0xc7, 2, 2, 0x31, 0x66]))).toBe(0x1fn);
  });
});
