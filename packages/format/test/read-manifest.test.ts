// readManifest: the structure of a container without reading a column.
import { describe, expect, it } from 'vitest';
import { createPackedSnapshot, diff, encodeDelta, encodeSnapshot, isPackError, readManifest } from '../src/index.js';

const packed = createPackedSnapshot({
  entities: [5, 6, 7],
  metadata: { level: 2 },
  components: [
    { id: 'Position', fields: { x: new Float32Array(3), hp: new Int32Array(3) } },
    { id: 'Flag', entityIds: Uint32Array.from([6]), fields: { on: new Uint8Array(1) }, types: { on: 'bool' } },
  ],
});

describe('readManifest', () => {
  it('lists components, fields, types, entity sets and metadata', () => {
    const m = readManifest(encodeSnapshot(packed));
    expect(m.components.map((c) => [c.id, c.layout, c.fields, m.sets[c.set]!.count])).toStrictEqual([
      [
        'Position',
        'columns',
        [
          { name: 'x', type: 'f32' },
          { name: 'hp', type: 'i32' },
        ],
        3,
      ],
      ['Flag', 'columns', [{ name: 'on', type: 'bool' }], 1],
    ]);
    expect(m.sets[m.entities]).toStrictEqual({ start: 5, count: 3 });
    expect(m.metadata).toStrictEqual({ level: 2 });
  });

  it('reads a delta container too', () => {
    const next = { ...packed, timestamp: 9 };
    expect(readManifest(encodeDelta(diff(packed, next))).metadata).toMatchObject({ delta: 1 });
  });

  it('a corrupt manifest is a PackError', () => {
    const bytes = encodeSnapshot(packed);
    bytes[128 + 64 + 3]! ^= 1; // inside the manifest payload
    expect(() => readManifest(bytes)).toThrowError(expect.objectContaining({ code: 'ChecksumMismatch' }));
    try {
      readManifest(bytes.subarray(0, 50));
    } catch (error) {
      expect(isPackError(error)).toBe(true);
    }
  });
});
