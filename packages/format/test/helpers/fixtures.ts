// Small, fully deterministic snapshots shared by the corruption fuzz and the test vectors.
// Each call returns fresh objects. Timestamps are fixed, so encoding is byte-for-byte stable.
import { createPackedSnapshot, fromWorldSnapshot, type PackedSnapshot, type WorldSnapshot } from '../../src/index.js';

/** Float32 values from raw bit patterns, so NaN payloads are exact. */
export function f32Bits(...bits: number[]): Float32Array {
  return new Float32Array(Uint32Array.from(bits).buffer);
}

/** Float64 values from raw bit patterns (high, low word pairs). */
export function f64Bits(...words: [number, number][]): Float64Array {
  const u = new Uint32Array(words.length * 2);
  words.forEach(([hi, lo], i) => {
    u[i * 2] = lo;
    u[i * 2 + 1] = hi;
  });
  return new Float64Array(u.buffer);
}

/** Every field type, a subset component, an empty component and a range-set tag component. */
export function columnsAllTypes(): PackedSnapshot {
  // Sparse, unsorted ids, including the extremes of u32, plus a contiguous run (10..12).
  const entities = [3, 1, 4000000000, 0xffffffff, 0, 10, 11, 12];
  return createPackedSnapshot({
    timestamp: 1700000000000,
    version: 'vectors/1',
    worldTime: 12.5,
    schemaVersion: 3,
    metadata: { level: 'alpha', seed: 42, nested: { list: [1, 'two', null], flag: true } },
    entities,
    components: [
      {
        id: 'AllTypes',
        entityIds: Uint32Array.from([3, 1, 4000000000, 0xffffffff, 0]),
        types: { flag: 'bool', raw: 'bytes' },
        fields: {
          flag: Uint8Array.from([1, 0, 1, 1, 0]),
          i8: Int8Array.from([-128, 127, 0, -1, 5]),
          i16: Int16Array.from([-32768, 32767, 0, -1, 300]),
          i32: Int32Array.from([-2147483648, 2147483647, 0, -1, 70000]),
          i64: BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 9007199254740993n]),
          u8: Uint8Array.from([0, 255, 1, 128, 7]),
          u16: Uint16Array.from([0, 65535, 1, 32768, 7]),
          u32: Uint32Array.from([0, 0xffffffff, 1, 0x80000000, 7]),
          u64: BigUint64Array.from([0n, 2n ** 64n - 1n, 1n, 2n ** 63n, 9007199254740993n]),
          // canonical NaN, NaN with payload, negative quiet NaN, -0, +Infinity / min subnormal / -Infinity
          f32: f32Bits(0x7fc00000, 0x7fc00001, 0xffc00000, 0x80000000, 0x7f800000),
          f64: f64Bits([0x7ff80000, 0], [0x7ff80000, 1], [0x80000000, 0], [0x00000000, 1], [0xfff00000, 0]),
          name: ['', 'héllo', '😀 astral 𝄞', 'plain ascii', `${'x'.repeat(40)}ü`],
          raw: [new Uint8Array(0), Uint8Array.from([0]), Uint8Array.from([255, 0, 1]), new Uint8Array(300).fill(7), Uint8Array.from([1, 2])],
        },
      },
      { id: 'Subset', entityIds: Uint32Array.from([4000000000, 3]), fields: { speed: Float32Array.from([1.5, -2.25]) } },
      {
        id: 'Empty',
        entityIds: new Uint32Array(0),
        types: { label: 'string', data: 'bytes' },
        fields: { x: new Float64Array(0), label: [], data: [] },
      },
      { id: 'Tagged', entityIds: Uint32Array.from([10, 11, 12]), fields: {} },
    ],
  });
}

/** A world whose components need blobs, with components in varying order and per-entity metadata. */
export function blobsWorld(): WorldSnapshot {
  return {
    timestamp: 1700000000001,
    version: '2.0.0-beta',
    entities: [
      {
        id: 42,
        components: [
          { id: 'Name', data: { value: 'Ærøskøbing 🚢' } },
          {
            id: 'Inventory',
            data: {
              items: [1, 'two', { three: 3 }, [4], null, undefined],
              tags: new Set(['a', 'b']),
              counts: new Map<unknown, unknown>([
                ['gold', 10],
                [7, 'seven'],
              ]),
              when: new Date(1234567890123),
              never: new Date(NaN),
              big: -123456789012345678901234567890n,
              negZero: -0,
              nan: NaN,
              inf: -Infinity,
              floats: Float32Array.from([1.5, NaN, -0]),
              longs: BigInt64Array.from([-1n, 2n ** 62n]),
              bin: Uint8Array.from([9, 8, 7]),
              buffer: Uint8Array.from([1, 2, 3, 4]).buffer,
              missing: undefined,
              nothing: null,
            },
          },
        ],
      },
      { id: 7, components: [] },
      {
        id: 9,
        components: [
          { id: 'Inventory', data: [1, 2, 3] },
          { id: 'Name', data: { value: 'nine' } },
        ],
      },
      {
        id: 0xfffffff0,
        components: [
          { id: 'Inventory', data: undefined },
          { id: 'Loose', data: 'just a string' },
        ],
      },
    ],
  };
}

export function blobsAndMetadata(): PackedSnapshot {
  return fromWorldSnapshot(blobsWorld(), {
    worldTime: 99.75,
    schemaVersion: 7,
    metadata: { map: 'harbour', seeds: [1, 2, 3], when: new Date(0), ratio: -0 },
    entityMetadata: new Map([
      [42, { created: 1, modified: 2, tags: ['boat', 'player'] }],
      [9, { tags: [] }],
      [7, { created: 1700000000000 }],
    ]),
  });
}

export function emptyWorld(): PackedSnapshot {
  return fromWorldSnapshot({ timestamp: 0, version: '', entities: [] });
}

/** 16 entities (ids 0..15) with f32 Position, Velocity and Health. */
export function referenceWorld16(): PackedSnapshot {
  const n = 16;
  const f = (g: (i: number) => number): Float32Array => Float32Array.from({ length: n }, (_, i) => g(i));
  return createPackedSnapshot({
    timestamp: 1700000000016,
    version: 'reference',
    entities: Uint32Array.from({ length: n }, (_, i) => i),
    components: [
      { id: 'Position', fields: { x: f((i) => i * 1.5), y: f((i) => -i * 0.25), z: f((i) => i % 4) } },
      { id: 'Velocity', fields: { x: f((i) => 1 / (i + 1)), y: f(() => 0), z: f((i) => (i % 2 === 0 ? -1 : 1)) } },
      { id: 'Health', fields: { current: f((i) => 100 - i), max: f(() => 100) } },
    ],
  });
}

/** The snapshots the corruption fuzz and the vectors use, by vector name. */
export const FIXTURES: Record<string, () => PackedSnapshot> = {
  'columns-all-types': columnsAllTypes,
  'blobs-and-metadata': blobsAndMetadata,
  'empty-world': emptyWorld,
  'reference-world-16': referenceWorld16,
};
