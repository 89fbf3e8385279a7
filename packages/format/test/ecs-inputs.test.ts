// The ECS-facing inputs: blob and single-value components, plain-array columns, resources,
// and gather/scatter over plain arrays with an id map (issue 14, item 5).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createPackedSnapshot,
  decodeSnapshot,
  encodeSnapshot,
  fromWorldSnapshot,
  gather,
  getColumn,
  isPackError,
  readManifest,
  scatter,
  snapshotsEqual,
  toWorldSnapshot,
  transientComponents,
  type WorldSnapshot,
} from '../src/index.js';

const SEED = 1414;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isPackError(error) ? error.code : `not a PackError: ${String(error)}`;
  }
  return undefined;
}

const roundTrip = <T>(p: T) => decodeSnapshot(encodeSnapshot(p as never), { copy: true });

describe('createPackedSnapshot: blob components', () => {
  it('stores nested values as blobs and gives them back as they were', () => {
    const data = [
      { inventory: [{ item: 'sword', n: 1 }], tags: new Set(['a']) },
      { inventory: [], owner: 7n },
    ];
    const p = createPackedSnapshot({ entities: [4, 9], components: [{ id: 'Bag', data }] });
    expect(p.components[0]!.layout).toBe('blobs');
    const world = toWorldSnapshot(roundTrip(p));
    expect(world.entities.map((e) => e.components[0]!.data)).toStrictEqual(data);
  });

  it('refuses data that is not an array, and values MessagePack cannot hold', () => {
    expect(codeOf(() => createPackedSnapshot({ entities: [1], components: [{ id: 'B', data: 'x' as never }] }))).toBe('InvalidInput');
    expect(codeOf(() => createPackedSnapshot({ entities: [1], components: [{ id: 'B', data: [() => 1] }] }))).toBe('Serialization');
  });
});

describe('single-value components', () => {
  it('createPackedSnapshot stores one column and the object form gets bare values', () => {
    const p = createPackedSnapshot({
      entities: [1, 2, 3],
      components: [
        { id: 'Health', value: Float32Array.from([1, 2.5, 3]) },
        { id: 'Name', value: ['a', 'b', 'c'] },
        { id: 'Alive', value: [true, false, true], type: 'bool' },
      ],
    });
    const decoded = roundTrip(p);
    expect(decoded.components.map((c) => c.layout === 'columns' && c.singleValue)).toStrictEqual([true, true, true]);
    expect(getColumn(decoded, 'Health', '', 'f32')).toStrictEqual(Float32Array.from([1, 2.5, 3]));
    const manifest = readManifest(encodeSnapshot(p));
    expect(manifest.components.map((c) => [c.layout, c.fields.length, c.singleValue])).toStrictEqual([
      ['columns', 1, true],
      ['columns', 1, true],
      ['columns', 1, true],
    ]);
    const world = toWorldSnapshot(decoded);
    expect(world.entities[1]!.components.map((c) => c.data)).toStrictEqual([2.5, 'b', false]);
  });

  it('fromWorldSnapshot stores a declared single value as one column, not a blob per entity', () => {
    const world: WorldSnapshot = {
      timestamp: 5,
      version: 'v',
      entities: [
        {
          id: 1,
          components: [
            { id: 'Hp', data: 10 },
            { id: 'Tag', data: 'boss' },
          ],
        },
        {
          id: 2,
          components: [
            { id: 'Hp', data: -3 },
            { id: 'Tag', data: '' },
          ],
        },
      ],
    };
    const p = fromWorldSnapshot(world, { schema: { Hp: 'i16', Tag: 'string' } });
    expect(p.components.map((c) => [c.layout, c.layout === 'columns' ? c.fields[0]!.type : '', c.layout === 'columns' && c.singleValue])).toStrictEqual([
      ['columns', 'i16', true],
      ['columns', 'string', true],
    ]);
    expect(toWorldSnapshot(roundTrip(p))).toStrictEqual(world);
    // Without the schema the same data is a blob per entity, as before.
    expect(fromWorldSnapshot(world).components.map((c) => c.layout)).toStrictEqual(['blobs', 'blobs']);
  });

  it('refuses a value the declared type cannot hold exactly, naming component and entity', () => {
    const world: WorldSnapshot = { timestamp: 0, version: '', entities: [{ id: 8, components: [{ id: 'Hp', data: 1.5 }] }] };
    let error: unknown;
    try {
      fromWorldSnapshot(world, { schema: { Hp: 'i32' } });
    } catch (e) {
      error = e;
    }
    expect(isPackError(error) && error.code).toBe('SchemaMismatch');
    expect(isPackError(error) && error.details).toMatchObject({ component: 'Hp', entity: 8 });
    expect(codeOf(() => fromWorldSnapshot(world, { schema: { Hp: 'float' as never } }))).toBe('InvalidInput');
  });

  it('a single-value component must have exactly one field', () => {
    const p = createPackedSnapshot({ entities: [1], components: [{ id: 'V', fields: { a: [1], b: [2] } }] });
    (p.components[0] as { singleValue?: boolean }).singleValue = true;
    expect(codeOf(() => encodeSnapshot(p))).toBe('InvalidInput');
  });

  it('round-trips random single-value and blob components, columnar and object path (property)', () => {
    const valueArb = fc.oneof(
      fc.record({ type: fc.constant('f64' as const), values: fc.array(fc.double(), { minLength: 3, maxLength: 3 }) }),
      fc.record({ type: fc.constant('i32' as const), values: fc.array(fc.integer(), { minLength: 3, maxLength: 3 }) }),
      fc.record({ type: fc.constant('string' as const), values: fc.array(fc.string(), { minLength: 3, maxLength: 3 }) }),
      fc.record({ type: fc.constant('bool' as const), values: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }) }),
    );
    fc.assert(
      fc.property(valueArb, fc.array(fc.jsonValue(), { minLength: 3, maxLength: 3 }), (single, blobs) => {
        const values = single.values.map((v) => (typeof v === 'number' && Object.is(v, -0) && single.type === 'i32' ? 0 : v));
        const p = createPackedSnapshot({
          timestamp: 1,
          entities: [3, 1, 2],
          components: [
            { id: 'S', value: values, type: single.type },
            { id: 'B', data: blobs },
          ],
        });
        const decoded = roundTrip(p);
        expect(snapshotsEqual(decoded, p)).toBe(true);
        const world = toWorldSnapshot(decoded);
        expect(world.entities.map((e) => e.components[0]!.data)).toStrictEqual(values);
        const again = fromWorldSnapshot(world, { schema: { S: single.type, B: 'blob' } });
        expect(snapshotsEqual(again, p)).toBe(true);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});

describe('createPackedSnapshot: plain arrays', () => {
  it('converts number[], boolean[] and bigint[] to the declared or inferred column type', () => {
    const p = createPackedSnapshot({
      entities: [1, 2],
      components: [{ id: 'P', fields: { x: [1.5, 2], y: [1, 2], on: [true, false], big: [1n, -2n], small: [3, 4] }, types: { y: 'f32', small: 'u64' } }],
    });
    const c = p.components[0]!;
    if (c.layout !== 'columns') throw new Error('columns expected');
    expect(c.fields.map((f) => [f.name, f.type])).toStrictEqual([
      ['x', 'f64'],
      ['y', 'f32'],
      ['on', 'bool'],
      ['big', 'i64'],
      ['small', 'u64'],
    ]);
    expect(c.fields[2]!.values).toStrictEqual(Uint8Array.from([1, 0]));
    expect(c.fields[4]!.values).toStrictEqual(BigUint64Array.from([3n, 4n]));
  });

  it('refuses values the type would wrap or round, naming the row', () => {
    for (const [values, type] of [
      [[300], 'u8'],
      [[0.1], 'f32'],
      [[-1], 'u32'],
      [[1.5], 'i32'],
      [['a'], 'f64'],
    ] as const) {
      let error: unknown;
      try {
        createPackedSnapshot({ entities: [1], components: [{ id: 'C', fields: { v: values as never }, types: { v: type } }] });
      } catch (e) {
        error = e;
      }
      expect(isPackError(error) && error.code).toBe('InvalidInput');
      expect(isPackError(error) && error.details).toMatchObject({ component: 'C', field: 'v', row: 0 });
    }
  });
});

describe('gather and scatter over plain arrays and id maps', () => {
  it('gathers a plain-array store (koota) into a typed column of the asked type', () => {
    const store = [0, 1.5, 2.5, 3.5];
    expect(gather(store, [3, 1], { type: 'f32' })).toStrictEqual(Float32Array.from([3.5, 1.5]));
    expect(gather(store, [2])).toStrictEqual(Float64Array.from([2.5]));
    expect(gather(['a', 'b'], [1, 0])).toStrictEqual(['b', 'a']);
    expect(codeOf(() => gather([0.1], [0], { type: 'f32' }))).toBe('InvalidInput');
    expect(codeOf(() => gather([1], [5]))).toBe('InvalidInput');
  });

  it('gathers and scatters through an id map (Map or function)', () => {
    const store = Float32Array.from([10, 20, 30]);
    const toIndex = new Map([
      [100, 2],
      [200, 0],
    ]);
    expect(gather(store, [100, 200], { idMap: toIndex })).toStrictEqual(Float32Array.from([30, 10]));
    expect(gather(store, [100], { idMap: (id) => toIndex.get(id) })).toStrictEqual(Float32Array.from([30]));
    expect(codeOf(() => gather(store, [300], { idMap: toIndex }))).toBe('InvalidInput');
    // Loading: old ids to new store slots.
    const target: number[] = [];
    scatter(Float32Array.from([1, 2]), [100, 200], target, { idMap: toIndex });
    expect([target.length, target[0], target[2], 1 in target]).toStrictEqual([3, 2, 1, false]);
    const typed = new Float64Array(3);
    scatter([7, 8], [100, 200], typed, { idMap: toIndex });
    expect(typed).toStrictEqual(Float64Array.from([8, 0, 7]));
    expect(codeOf(() => scatter([1], [100], new Float64Array(1), { idMap: toIndex }))).toBe('InvalidInput');
    expect(codeOf(() => scatter([1], [1], [], { idMap: 'x' as never }))).toBe('InvalidInput');
  });

  it('gather then scatter round-trips a plain store through a snapshot (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat({ max: 99 }), { maxLength: 30 }), (ids) => {
        const store = Array.from({ length: 100 }, (_, i) => i * 0.25);
        const p = createPackedSnapshot({ entities: ids, components: [{ id: 'X', fields: { v: gather(store, ids) } }] });
        const decoded = roundTrip(p);
        const back = new Array<number>(100).fill(-1);
        scatter(getColumn(decoded, 'X', 'v', 'f64'), decoded.components[0]!.entityIds, back);
        for (let i = 0; i < 100; i++) expect(back[i]).toBe(ids.includes(i) ? store[i] : -1);
      }),
      { seed: SEED, numRuns: 50 },
    );
  });
});

describe('resources', () => {
  it('createPackedSnapshot stores typed one-row resources beside the components', () => {
    const p = createPackedSnapshot({
      entities: [1],
      resources: [
        { id: 'rng', fields: { state: BigUint64Array.of(0xdeadbeefn), calls: [12] }, types: { calls: 'u32' } },
        { id: 'clock', value: [Math.fround(0.016)], type: 'f32' },
        { id: 'settings', data: [{ difficulty: 'hard', keys: new Map([['jump', 'space']]) }] },
      ],
    });
    const decoded = roundTrip(p);
    expect(snapshotsEqual(decoded, p)).toBe(true);
    expect(decoded.resources!.map((r) => r.id)).toStrictEqual(['rng', 'clock', 'settings']);
    expect(toWorldSnapshot(decoded).resources).toStrictEqual({
      rng: { state: 0xdeadbeefn, calls: 12 },
      clock: Math.fround(0.016),
      settings: { difficulty: 'hard', keys: new Map([['jump', 'space']]) },
    });
    // Resources are not world metadata.
    expect(decoded.metadata).toStrictEqual({});
  });
});

describe('transient components and resources', () => {
  const world: WorldSnapshot = {
    timestamp: 3,
    version: 'v',
    entities: [
      {
        id: 1,
        components: [
          { id: 'Sprite', data: { handle: {} } },
          { id: 'Pos', data: { x: 1 } },
        ],
      },
      {
        id: 2,
        components: [
          { id: 'Pos', data: { x: 2 } },
          { id: 'Sprite', data: { handle: {} } },
          { id: 'Vel', data: { v: 0 } },
        ],
      },
      {
        id: 3,
        components: [
          { id: 'Vel', data: { v: 1 } },
          { id: 'Pos', data: { x: 3 } },
        ],
      },
    ],
    resources: { rng: { seed: 42 }, renderer: { gl: 'context' } },
  };
  const schema = { Sprite: 'transient' } as const;

  it('are never written, and the rest keeps its exact order', () => {
    const p = fromWorldSnapshot(world, { schema, resourceSchema: { renderer: 'transient' } });
    expect(p.components.map((c) => c.id)).toStrictEqual(['Pos', 'Vel']);
    expect(p.resources!.map((r) => r.id)).toStrictEqual(['rng']);
    const back = toWorldSnapshot(roundTrip(p));
    expect(back.entities.map((e) => e.components.map((c) => c.id))).toStrictEqual([['Pos'], ['Pos', 'Vel'], ['Vel', 'Pos']]);
    expect(back.resources).toStrictEqual({ rng: { seed: 42 } });
    // The input world is untouched.
    expect(world.entities[0]!.components.length).toBe(2);
  });

  it('transientComponents lists what an adapter rebuilds after loading', () => {
    expect(transientComponents({ Sprite: 'transient', Pos: { x: 'f32' }, Cache: 'transient' })).toStrictEqual(['Sprite', 'Cache']);
  });
});
