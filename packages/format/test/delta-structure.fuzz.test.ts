// applyDelta refuses structurally inconsistent deltas with InvalidFormat even with
// `verify: false`: random mutations of valid in-memory deltas either fail with a PackError or
// rebuild a snapshot the encoder accepts, never a raw TypeError/RangeError. With verification
// on, they also never rebuild anything but the target.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDelta, createPackedSnapshot, diff, encodeSnapshot, hashHex, isPackError, type PackedSnapshot, type SnapshotDelta, snapshotHash } from '../src/index.js';
import { packedArb } from './arbitraries.js';
import { mutate, prng } from './helpers/mutate.js';

/** A container node and one of its keys: what a mutation replaces. */
type Slot = { parent: Record<PropertyKey, unknown>; key: PropertyKey };

/** Every replaceable slot of the delta's object tree (object properties, array items, some typed-array items). */
function slots(value: unknown, out: Slot[] = [], seen = new Set<unknown>()): Slot[] {
  if (typeof value !== 'object' || value === null || seen.has(value)) return out;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    const items = value as unknown as Record<number, unknown> & { length: number };
    // A few items of each typed array: ids, rows and values.
    for (let i = 0; i < Math.min(items.length, 4); i++) out.push({ parent: items, key: i });
    return out;
  }
  const record = value as Record<PropertyKey, unknown>;
  for (const key of Object.keys(record)) {
    out.push({ parent: record, key });
    slots(record[key], out, seen);
  }
  return out;
}

/** Replacement values: wrong types, out-of-range numbers, duplicate or foreign ids. */
function junk(rand: () => number, ids: readonly number[]): unknown {
  const some = ids.length > 0 ? ids[Math.floor(rand() * ids.length)]! : 7;
  const choices: (() => unknown)[] = [
    () => undefined,
    () => null,
    () => -1,
    () => 1.5,
    () => 2 ** 32,
    () => 1e6,
    () => Number.NaN,
    () => 0,
    () => some,
    () => 'x',
    () => '\ud800',
    () => true,
    () => [],
    () => ({}),
    () => [some, some],
    () => Uint32Array.from([some, some]),
    () => Uint32Array.from([some]),
    () => Uint32Array.from([0xfffffff0]),
    () => new Float32Array(2),
    () => [new Uint8Array(1)],
    () => ({ ids: Uint32Array.from([some, some]) }),
    () => ({ removed: Uint32Array.from([0xfffffff1]), added: new Uint32Array(0) }),
    () => ({ removed: new Uint32Array(0), added: Uint32Array.from([some]) }),
    () => ({ id: 'Ghost', change: 'unchanged' }),
  ];
  return choices[Math.floor(rand() * choices.length)]!();
}

/** A deep copy of `delta` with 1 to 3 random slots replaced (the base and next stay untouched). */
function corrupt(delta: SnapshotDelta, base: PackedSnapshot, seed: number): SnapshotDelta {
  const rand = prng(seed);
  const copy = structuredClone(delta);
  const ids = [...base.entities];
  const edits = 1 + Math.floor(rand() * 3);
  for (let e = 0; e < edits; e++) {
    const all = slots(copy);
    if (all.length === 0) break;
    const { parent, key } = all[Math.floor(rand() * all.length)]!;
    if (ArrayBuffer.isView(parent)) {
      // Typed arrays take numbers only: a foreign id, a duplicate, or a huge value.
      const values = [ids[0] ?? 3, 0xffffffff, 1e6, Math.floor(rand() * 64)];
      const value = values[Math.floor(rand() * values.length)]!;
      const big = parent instanceof BigInt64Array || parent instanceof BigUint64Array;
      (parent as unknown as unknown[])[key as number] = big ? BigInt(value) : value;
    } else if (rand() < 0.15 && Array.isArray(parent)) {
      parent.splice(key as number, 1);
    } else {
      parent[key] = junk(rand, ids);
    }
  }
  return copy;
}

/** The outcome of applying: 'refused' (a PackError), or the snapshot (after checking it encodes). */
function attempt(base: PackedSnapshot, delta: SnapshotDelta, verify: boolean): PackedSnapshot | 'refused' {
  let result: PackedSnapshot;
  try {
    result = applyDelta(base, delta, { verify });
  } catch (error) {
    if (!isPackError(error)) throw new Error(`applyDelta threw a raw ${String(error)}`, { cause: error });
    return 'refused';
  }
  try {
    encodeSnapshot(result);
  } catch (error) {
    throw new Error(`applyDelta (verify: ${verify}) rebuilt a snapshot the encoder refuses: ${String(error)}`, { cause: error });
  }
  return result;
}

const pairArb = fc
  .tuple(packedArb({ maxEntities: 12, maxComponents: 4 }), packedArb({ maxEntities: 6, maxComponents: 2 }), fc.integer(), fc.integer())
  .map(([start, donor, seed1, seed2]) => {
    const base = mutate(start, donor, seed1);
    return { base, next: mutate(base, donor, seed2) };
  });

describe('applyDelta on corrupted in-memory deltas', () => {
  it('verify: false gives a PackError or a snapshot the encoder accepts', () => {
    let refused = 0;
    let runs = 0;
    fc.assert(
      fc.property(pairArb, fc.integer(), ({ base, next }, seed) => {
        runs++;
        if (attempt(base, corrupt(diff(base, next), base, seed), false) === 'refused') refused++;
      }),
      { numRuns: 1500 },
    );
    // Most corruptions are structural: the checks do reject them.
    expect(refused).toBeGreaterThan(runs / 3);
  });

  it('verify: true gives a PackError or exactly the target', () => {
    fc.assert(
      fc.property(pairArb, fc.integer(), ({ base, next }, seed) => {
        const result = attempt(base, corrupt(diff(base, next), base, seed), true);
        if (result !== 'refused') expect(hashHex(snapshotHash(result))).toBe(hashHex(snapshotHash(next)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('structurally inconsistent deltas are InvalidFormat without verification', () => {
  // 10 entities with P (all) and Q (the even ones); next: entity 10 joins with P, Q's row 0 changes.
  const ids = Array.from({ length: 10 }, (_, i) => i);
  const even = ids.filter((i) => i % 2 === 0);
  const base = createPackedSnapshot({
    entities: ids,
    timestamp: 1,
    components: [
      { id: 'P', fields: { x: Float32Array.from(ids) } },
      { id: 'Q', entityIds: even, fields: { s: even.map(String) } },
    ],
  });
  const next = createPackedSnapshot({
    entities: [...ids, 10],
    timestamp: 2,
    components: [
      { id: 'P', fields: { x: Float32Array.from([...ids, 10]) } },
      { id: 'Q', entityIds: even, fields: { s: ['changed', ...even.slice(1).map(String)] } },
    ],
  });

  type Patch = Extract<SnapshotDelta['components'][number], { change: 'patched' }>;
  const patchOf = (d: SnapshotDelta, id: string): Patch => d.components.find((c) => c.id === id) as Patch;

  const cases: [string, (d: SnapshotDelta) => void, RegExp][] = [
    [
      'removed ids not in the base',
      (d) => (d.entities = { removed: Uint32Array.from([99]), added: Uint32Array.from([10]) }),
      /removes entity 99 from the entity list, which does not have it/,
    ],
    ['an id removed twice', (d) => (d.entities = { removed: Uint32Array.from([3, 3]), added: Uint32Array.from([10]) }), /removes entity 3 from the entity list twice/],
    ['added ids already present', (d) => (d.entities = { removed: new Uint32Array(0), added: Uint32Array.from([4]) }), /entity id 4 appears twice/],
    ['a whole id list with a repeat', (d) => (d.entities = { ids: Uint32Array.from([0, 1, 1]) }), /appears twice/],
    [
      'component rows of an entity not in the world',
      (d) => (patchOf(d, 'P').rows = { removed: new Uint32Array(0), added: Uint32Array.from([11]) }),
      /component "P" has a row \(row 10\) for entity 11, which is not in snapshot.entities/,
    ],
    [
      'component rows added twice',
      (d) => {
        patchOf(d, 'P').rows = { removed: new Uint32Array(0), added: Uint32Array.from([3]) };
        delete patchOf(d, 'P').added;
      },
      /component "P" has two rows for entity 3/,
    ],
    ['a patch row out of range', (d) => (patchOf(d, 'Q').fields[0]!.rows = Uint32Array.from([5])), /changes row 5 of field "s" of "Q", which has 5 rows/],
    [
      'patch rows out of order',
      (d) => {
        patchOf(d, 'Q').fields[0]!.rows = Uint32Array.from([2, 1]);
        patchOf(d, 'Q').fields[0]!.values = ['a', 'b'];
      },
      /not strictly ascending/,
    ],
    ['a patch of the wrong type', (d) => (patchOf(d, 'Q').fields[0]!.type = 'f32'), /changed as f32, but it is string/],
    ['values of the wrong class', (d) => (patchOf(d, 'Q').fields[0]!.values = new Float32Array(1)), /should hold string values/],
    ['a non-string in a string patch', (d) => (patchOf(d, 'Q').fields[0]!.values = [5 as unknown as string]), /not a string/],
    [
      'added rows of the wrong length',
      (d) => ((patchOf(d, 'P').added as { fields: { values: unknown }[] }).fields[0]!.values = new Float32Array(3)),
      /3 values where 1 are needed/,
    ],
    ['added rows with another field', (d) => ((patchOf(d, 'P').added as { fields: { name: string }[] }).fields[0]!.name = 'y'), /do not have field 0 of the component/],
    ['added rows missing', (d) => delete patchOf(d, 'P').added, /gains 1 entities but carries no values/],
    [
      'a rows change that is not id lists',
      (d) => (patchOf(d, 'P').rows = { removed: [1] as unknown as Uint32Array, added: new Uint32Array(0) }),
      /neither \{ ids \} nor \{ removed, added \}/,
    ],
    [
      'an added component with a short column',
      (d) =>
        d.components.push({
          id: 'R',
          change: 'added',
          component: { id: 'R', layout: 'columns', entityIds: Uint32Array.from([1, 2]), fields: [{ name: 'v', type: 'u8', values: new Uint8Array(1) }] },
        }),
      /1 values where 2 are needed/,
    ],
    [
      'an added component of foreign entities',
      (d) => d.components.push({ id: 'R', change: 'added', component: { id: 'R', layout: 'blobs', entityIds: Uint32Array.from([77]), blobs: [new Uint8Array(1)] } }),
      /entity 77, which is not in snapshot.entities/,
    ],
    ['a component order for a missing entity', (d) => (d.componentOrder = [[55, ['P']]]), /componentOrder lists entity 55/],
    ['a component order naming an unknown component', (d) => (d.componentOrder = [[0, ['P', 'Z']]]), /names unknown component "Z"/],
    ['entity metadata with a bad key', (d) => (d.entityMetadata = { replace: [[-1, {}]] }), /entity metadata change is neither/],
    ['a timestamp that is not a number', (d) => (d.timestamp = '2' as unknown as number), /timestamp, worldTime and schemaVersion must be numbers/],
    ['metadata replaced by null', (d) => (d.metadata = { replace: null as unknown as Record<string, unknown> }), /metadata change is neither/],
    ['components that are not an array', (d) => (d.components = {} as never), /components are not an array/],
    ['not a delta at all', (d) => Object.assign(d, { base: undefined }), /32-byte SHA-256 hashes/],
  ];

  it('the unmodified delta applies', () => {
    expect(hashHex(snapshotHash(applyDelta(base, diff(base, next), { verify: false })))).toBe(hashHex(snapshotHash(next)));
  });

  it.each(cases)('%s', (_, edit, message) => {
    const d = diff(base, next);
    edit(d);
    for (const verify of [false, true]) {
      let error: unknown;
      try {
        applyDelta(base, d, { verify });
      } catch (e) {
        error = e;
      }
      // With verification the target hash may be what fails first; never a raw error.
      if (!isPackError(error)) throw new Error(`expected a PackError, got ${String(error)}`, { cause: error });
      if (!verify) {
        expect(error.code).toBe('InvalidFormat');
        expect(error.message).toMatch(message);
      }
    }
  });
});
