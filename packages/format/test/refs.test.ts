// Entity references (issue 14, item 2): 'entity' and 'entities' fields, remapEntities, and
// diffs and deltas across a remap.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyDelta,
  createPackedSnapshot,
  decodeDelta,
  decodeEntityList,
  decodeSnapshot,
  diff,
  encodeDelta,
  encodeEntityList,
  encodeSnapshot,
  fromWorldSnapshot,
  getColumn,
  isPackError,
  NULL_ENTITY,
  type PackedSnapshot,
  readManifest,
  remapEntities,
  snapshotsEqual,
  toWorldSnapshot,
  type WorldSnapshot,
} from '../src/index.js';

const SEED = 2014;

function errorOf(fn: () => unknown): { code?: string; details?: unknown } {
  try {
    fn();
  } catch (error) {
    return isPackError(error) ? { code: error.code, details: error.details } : { code: `not a PackError: ${String(error)}` };
  }
  return {};
}

const roundTrip = (p: PackedSnapshot) => decodeSnapshot(encodeSnapshot(p), { copy: true });

/** Three entities: 10 targets 20, 20 targets nothing, 30 targets 99 (not in the world); lists likewise. */
function linked(): PackedSnapshot {
  return createPackedSnapshot({
    timestamp: 1,
    entities: [10, 20, 30],
    components: [
      { id: 'Follow', fields: { target: [20, NULL_ENTITY, 99], speed: Float32Array.from([1, 2, 3]) }, types: { target: 'entity' } },
      { id: 'Children', value: [[20, 30], [], [10, 99]], type: 'entities' },
    ],
    resources: [{ id: 'camera', fields: { focus: [30] }, types: { focus: 'entity' } }],
  });
}

describe('reference fields', () => {
  it('are stored as u32 and bytes columns marked in the manifest, and read back marked', () => {
    const p = linked();
    const bytes = encodeSnapshot(p);
    const manifest = readManifest(bytes);
    expect(manifest.components[0]!.fields.map((f) => [f.name, f.type, f.ref])).toStrictEqual([
      ['target', 'u32', 'entity'],
      ['speed', 'f32', undefined],
    ]);
    expect(manifest.components[1]!.fields[0]).toMatchObject({ type: 'bytes', ref: 'entities' });
    const decoded = roundTrip(p);
    expect(snapshotsEqual(decoded, p)).toBe(true);
    expect(getColumn(decoded, 'Follow', 'target', 'u32')).toStrictEqual(Uint32Array.from([20, NULL_ENTITY, 99]));
    const world = toWorldSnapshot(decoded);
    expect(world.entities[2]!.components.map((c) => c.data)).toStrictEqual([{ target: 99, speed: 3 }, [10, 99]]);
    expect(world.resources).toStrictEqual({ camera: { focus: 30 } });
  });

  it('fromWorldSnapshot takes them from the schema, lists as number arrays', () => {
    const world: WorldSnapshot = {
      timestamp: 0,
      version: '',
      entities: [
        { id: 1, components: [{ id: 'Link', data: { to: 2, all: [2, 1] } }] },
        { id: 2, components: [{ id: 'Link', data: { to: 1, all: [] } }] },
      ],
    };
    const p = fromWorldSnapshot(world, { schema: { Link: { to: 'entity', all: 'entities' } } });
    const c = p.components[0]!;
    expect(c.layout === 'columns' && c.fields.map((f) => [f.type, f.ref])).toStrictEqual([
      ['u32', 'entity'],
      ['bytes', 'entities'],
    ]);
    expect(toWorldSnapshot(roundTrip(p))).toStrictEqual(world);
    expect(errorOf(() => fromWorldSnapshot(world, { schema: { Link: { to: 'entity', all: 'entity' } } })).code).toBe('SchemaMismatch');
  });

  it('the writer refuses a reference field of the wrong type or an entity list of partial ids', () => {
    const p = linked();
    const follow = p.components[0]!;
    if (follow.layout !== 'columns') throw new Error('columns expected');
    follow.fields[1]!.ref = 'entity';
    expect(errorOf(() => encodeSnapshot(p)).code).toBe('InvalidInput');
    const q = linked();
    const children = q.components[1]!;
    if (children.layout !== 'columns') throw new Error('columns expected');
    (children.fields[0]!.values as Uint8Array[])[0] = new Uint8Array(3);
    expect(errorOf(() => encodeSnapshot(q)).code).toBe('InvalidInput');
  });

  it('entity lists encode as u32 little-endian ids', () => {
    expect([...encodeEntityList([1, 0x01020304])]).toStrictEqual([1, 0, 0, 0, 4, 3, 2, 1]);
    expect(decodeEntityList(Uint8Array.from([1, 0, 0, 0, 4, 3, 2, 1]))).toStrictEqual([1, 0x01020304]);
    expect(errorOf(() => decodeEntityList(new Uint8Array(5))).code).toBe('InvalidFormat');
    expect(errorOf(() => encodeEntityList([-1])).code).toBe('InvalidInput');
  });
});

describe('remapEntities', () => {
  const idMap = new Map([
    [10, 1],
    [20, 2],
    [30, 3],
  ]);

  it('renames entities, rows, references (components and resources), metadata and order', () => {
    const p = linked();
    p.entityMetadata = new Map([[20, { tags: ['x'] }]]);
    p.componentOrder = new Map([[30, ['Children', 'Follow']]]);
    const r = remapEntities(p, idMap);
    expect([...r.entities]).toStrictEqual([1, 2, 3]);
    expect([...r.components[0]!.entityIds]).toStrictEqual([1, 2, 3]);
    // The shared entity list stays shared.
    expect(r.components[0]!.entityIds).toBe(r.entities);
    expect([...getColumn(r, 'Follow', 'target', 'u32')]).toStrictEqual([2, NULL_ENTITY, NULL_ENTITY]);
    expect(getColumn(r, 'Children', '', 'bytes').map(decodeEntityList)).toStrictEqual([[2, 3], [], [1, NULL_ENTITY]]);
    expect(toWorldSnapshot(r).resources).toStrictEqual({ camera: { focus: 3 } });
    expect([...r.entityMetadata!.keys()]).toStrictEqual([2]);
    expect([...r.componentOrder!.keys()]).toStrictEqual([3]);
    // The input is untouched.
    expect([...getColumn(p, 'Follow', 'target', 'u32')]).toStrictEqual([20, NULL_ENTITY, 99]);
    expect(snapshotsEqual(roundTrip(r), r)).toBe(true);
  });

  it('dangling references: null by default, kept, or an error naming the field', () => {
    const p = linked();
    expect([...getColumn(remapEntities(p, idMap, { missing: 'keep' }), 'Follow', 'target', 'u32')]).toStrictEqual([2, NULL_ENTITY, 99]);
    const error = errorOf(() => remapEntities(p, idMap, { missing: 'error' }));
    expect(error.code).toBe('InvalidInput');
    expect(error.details).toStrictEqual({ entity: 99 });
    // A reference to an entity of the snapshot that the map leaves out keeps its id, like the entity.
    expect([...getColumn(remapEntities(p, new Map([[10, 1]])), 'Follow', 'target', 'u32')]).toStrictEqual([20, NULL_ENTITY, NULL_ENTITY]);
    expect([
      ...getColumn(
        remapEntities(p, (id) => (id === 99 ? 7 : undefined)),
        'Follow',
        'target',
        'u32',
      ),
    ]).toStrictEqual([20, NULL_ENTITY, 7]);
  });

  it('refuses maps that merge entities or give invalid ids', () => {
    const p = linked();
    expect(errorOf(() => remapEntities(p, new Map([[10, 20]]))).code).toBe('InvalidInput');
    expect(errorOf(() => remapEntities(p, new Map([[10, -1]]))).code).toBe('InvalidInput');
    expect(errorOf(() => remapEntities(p, new Map([[10, NULL_ENTITY]]))).code).toBe('InvalidInput');
    expect(errorOf(() => remapEntities(p, {} as never)).code).toBe('InvalidInput');
  });

  /** A world of `n` entities whose Link component points at random entities (or nothing). */
  const worldArb = fc.integer({ min: 1, max: 12 }).chain((n) =>
    fc.record({
      ids: fc.uniqueArray(fc.nat({ max: 1000 }), { minLength: n, maxLength: n }),
      targets: fc.array(fc.nat({ max: n }), { minLength: n, maxLength: n }),
      lists: fc.array(fc.array(fc.nat({ max: n - 1 }), { maxLength: 3 }), { minLength: n, maxLength: n }),
      hp: fc.array(fc.integer({ min: -100, max: 100 }), { minLength: n, maxLength: n }),
    }),
  );
  const build = (w: { ids: number[]; targets: number[]; lists: number[][]; hp: number[] }, tick: number): PackedSnapshot =>
    createPackedSnapshot({
      timestamp: tick,
      entities: w.ids,
      components: [
        { id: 'Link', fields: { to: w.targets.map((t) => (t === w.ids.length ? NULL_ENTITY : w.ids[t]!)) }, types: { to: 'entity' } },
        { id: 'Kids', value: w.lists.map((l) => l.map((k) => w.ids[k]!)), type: 'entities' },
        { id: 'Hp', value: Int32Array.from(w.hp) },
      ],
      resources: [{ id: 'boss', fields: { who: [w.ids[0]!] }, types: { who: 'entity' } }],
    });

  it('a remap through a bijection, then its inverse, gives the snapshot back (property)', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const p = build(w, 1);
        const map = new Map(w.ids.map((id, i) => [id, 5000 + i]));
        const inverse = new Map([...map].map(([a, b]) => [b, a]));
        const there = remapEntities(p, map, { missing: 'error' });
        expect(snapshotsEqual(remapEntities(there, inverse, { missing: 'error' }), p)).toBe(true);
        // Every reference points at a remapped entity or nothing.
        const live = new Set(there.entities);
        for (const id of getColumn(there, 'Link', 'to', 'u32')) expect(id === NULL_ENTITY || live.has(id)).toBe(true);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('diffs and deltas stay correct across a remap (property)', () => {
    fc.assert(
      fc.property(worldArb, fc.array(fc.integer({ min: -100, max: 100 }), { minLength: 12, maxLength: 12 }), fc.nat(), (w, hp2, shift) => {
        const a = build(w, 1);
        const n = w.ids.length;
        // The next tick: other hit points, links rotated, the boss changed.
        const next = { ...w, hp: hp2.slice(0, n), targets: w.targets.map((t) => (t + shift) % (n + 1)), ids: w.ids };
        const b = build(next, 2);
        b.resources = [{ id: 'boss', layout: 'columns', fields: [{ name: 'who', type: 'u32', values: Uint32Array.of(w.ids[n - 1]!), ref: 'entity' }] }];
        const map = new Map(w.ids.map((id, i) => [id, 9000 + n - i]));
        const ra = remapEntities(a, map);
        const rb = remapEntities(b, map);
        // A delta made before the remap, applied then remapped, equals the remapped target.
        const delta = decodeDelta(encodeDelta(diff(a, b)));
        expect(snapshotsEqual(remapEntities(applyDelta(a, delta), map), rb)).toBe(true);
        // A delta made between remapped snapshots rebuilds the remapped target, references marked.
        const remapped = decodeDelta(encodeDelta(diff(ra, rb)));
        const rebuilt = applyDelta(ra, remapped);
        expect(snapshotsEqual(rebuilt, rb)).toBe(true);
        const link = rebuilt.components.find((c) => c.id === 'Link')!;
        expect(link.layout === 'columns' && link.fields[0]!.ref).toBe('entity');
        expect(snapshotsEqual(roundTrip(rebuilt), rb)).toBe(true);
        // A delta between a snapshot and its remapped self is exact too.
        expect(snapshotsEqual(applyDelta(a, decodeDelta(encodeDelta(diff(a, ra)))), ra)).toBe(true);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('a delta that only changes a reference attribute replaces the component', () => {
    const a = linked();
    const b = linked();
    const follow = b.components[0]!;
    if (follow.layout !== 'columns') throw new Error('columns expected');
    delete follow.fields[0]!.ref;
    const d = diff(a, b);
    expect(d.components[0]!.change).toBe('replaced');
    expect(snapshotsEqual(applyDelta(a, decodeDelta(encodeDelta(d))), b)).toBe(true);
  });
});

describe('malformed objects given to the new functions', () => {
  it('are InvalidInput, never a TypeError', () => {
    const p = linked();
    const follow = p.components[0]!;
    if (follow.layout !== 'columns') throw new Error('columns expected');
    const bad = { ...p, components: [{ ...follow, fields: [{ ...follow.fields[0]!, values: [1] as never }] }] };
    expect(errorOf(() => remapEntities(bad, new Map())).code).toBe('InvalidInput');
    expect(errorOf(() => toWorldSnapshot({ ...p, resources: [{ id: 'r', layout: 'columns', fields: [{ name: 'a', type: 'f64', values: new Float64Array(2) }] }] })).code).toBe(
      'InvalidInput',
    );
    expect(errorOf(() => toWorldSnapshot({ ...p, resources: 5 as never })).code).toBe('InvalidInput');
  });
});
