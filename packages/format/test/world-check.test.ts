// Entity-level consistency: writers refuse duplicate entity ids, rows of entities outside the
// world, bad component orders and entity metadata; the builders refuse ids they would wrap and
// accept entity metadata in both shapes (Map, or [id, metadata] pairs as in the file).
import { describe, expect, it } from 'vitest';
import {
  applyDelta,
  createPackedSnapshot,
  decodeSnapshot,
  diff,
  encodeSnapshot,
  fromWorldSnapshot,
  gather,
  type EntityMetadata,
  type PackedSnapshot,
  scatter,
  SnapshotEncoder,
  snapshotHash,
  snapshotsEqual,
  toWorldSnapshot,
} from '../src/index.js';
import { expectPackError } from '../../../test-support/pack-errors.js';

/** A world built without the builders' checks. */
function world(entities: number[], components: { id: string; rows: number[] }[], extra: Partial<PackedSnapshot> = {}): PackedSnapshot {
  return {
    timestamp: 1,
    version: '',
    worldTime: 0,
    schemaVersion: 0,
    metadata: {},
    entities: Uint32Array.from(entities),
    components: components.map(({ id, rows }) => ({
      id,
      layout: 'columns',
      entityIds: Uint32Array.from(rows),
      fields: [{ name: 'x', type: 'f64', values: Float64Array.from(rows) }],
    })),
    ...extra,
  };
}

/** Every writer route in this package refuses `packed` with InvalidInput matching `message`. */
function expectRefused(packed: PackedSnapshot, message: RegExp): Record<string, unknown> {
  const details = expectPackError(() => encodeSnapshot(packed), 'InvalidInput', message);
  expectPackError(() => new SnapshotEncoder().encode(packed), 'InvalidInput', message);
  expectPackError(() => snapshotHash(packed), 'InvalidInput', message);
  expectPackError(() => diff(world([], []), packed), 'InvalidInput', message);
  return details;
}

describe('encodeSnapshot refuses inconsistent entities', () => {
  it('an entity id listed twice, in any order', () => {
    expect(expectRefused(world([3, 1, 3], []), /entity id 3 appears twice in snapshot.entities/)).toStrictEqual({ entity: 3 });
    expectRefused(world([1, 1, 2], []), /entity id 1 appears twice/);
    expectRefused(world([7, 7], [{ id: 'A', rows: [7] }]), /entity id 7 appears twice/);
  });

  it('a component with two rows for one entity', () => {
    const details = expectRefused(world([1, 2, 3], [{ id: 'A', rows: [2, 1, 2] }]), /component "A" has two rows for entity 2: an entity has a component at most once/);
    expect(details).toStrictEqual({ component: 'A', entity: 2 });
    expectRefused(world([1, 2, 3], [{ id: 'A', rows: [1, 1] }]), /two rows for entity 1/);
  });

  it('a component row for an entity not in the world, whatever the order of either list', () => {
    const details = expectRefused(world([1, 2, 3], [{ id: 'A', rows: [2, 4] }]), /component "A" has a row \(row 1\) for entity 4, which is not in snapshot.entities/);
    expect(details).toStrictEqual({ component: 'A', entity: 4, row: 1 });
    // Below a contiguous world, inside a sparse one, in unsorted lists, in an empty world.
    expectRefused(world([5, 6, 7], [{ id: 'A', rows: [4] }]), /entity 4, which is not/);
    expectRefused(world([1, 50, 900], [{ id: 'A', rows: [50, 51] }]), /entity 51, which is not/);
    expectRefused(world([900, 1, 50], [{ id: 'A', rows: [900, 2] }]), /entity 2, which is not/);
    expectRefused(world([], [{ id: 'A', rows: [0] }]), /entity 0, which is not/);
    // A second component sharing the first one's list is checked through it.
    const shared = world([1, 2], [{ id: 'A', rows: [2, 3] }]);
    shared.components.push({ ...shared.components[0]!, id: 'B' });
    expectRefused(shared, /component "A" has a row \(row 1\) for entity 3/);
  });

  it('accepts consistent worlds of any order, large ones included', () => {
    const n = 200_000;
    const ascending = Uint32Array.from({ length: n }, (_, i) => i * 3);
    const shuffled = ascending.slice().reverse();
    for (const entities of [ascending, shuffled]) {
      const some = entities.filter((_, i) => i % 7 === 0);
      const packed = createPackedSnapshot({
        entities,
        components: [
          { id: 'All', fields: { x: new Float32Array(n) } },
          { id: 'Some', entityIds: some, fields: { x: new Float32Array(some.length) } },
          { id: 'Reversed', entityIds: some.slice().reverse(), fields: { x: new Float32Array(some.length) } },
        ],
      });
      expect(decodeSnapshot(encodeSnapshot(packed)).components[2]!.entityIds).toStrictEqual(some.slice().reverse());
    }
  });

  it('a component order for an entity not in the world, or not listing exactly its components', () => {
    const base = (): PackedSnapshot =>
      world(
        [1, 2],
        [
          { id: 'A', rows: [1, 2] },
          { id: 'B', rows: [1] },
        ],
      );
    const ok = base();
    ok.componentOrder = new Map([[1, ['B', 'A']]]);
    expect(toWorldSnapshot(decodeSnapshot(encodeSnapshot(ok))).entities[0]!.components.map((c) => c.id)).toStrictEqual(['B', 'A']);
    const cases: [Map<number, string[]>, RegExp][] = [
      [new Map([[3, ['A']]]), /componentOrder lists entity 3, which is not in snapshot.entities/],
      [new Map([[2, ['B', 'A']]]), /componentOrder of entity 2 lists \["B","A"\], but the entity has \["A"\]/],
      [new Map([[1, ['A']]]), /componentOrder of entity 1 lists \["A"\], but the entity has \["A","B"\]/],
      [new Map([[1, ['A', 'B', 'A']]]), /list each of its components once/],
      [new Map([[1, ['A', 'Z']]]), /names unknown component "Z"/],
    ];
    for (const [order, message] of cases) {
      const packed = base();
      packed.componentOrder = order;
      expectRefused(packed, message);
    }
  });
});

describe('entity metadata shapes', () => {
  const md = (n: number): EntityMetadata => ({ created: n, tags: [`t${n}`] });
  const pairs: [number, EntityMetadata][] = [
    [2, md(2)],
    [1, md(1)],
  ];

  it('createPackedSnapshot and fromWorldSnapshot take a Map or [id, metadata] pairs, and keep the order', () => {
    const fromPairs = createPackedSnapshot({ entities: [1, 2], timestamp: 1, entityMetadata: pairs });
    const fromMap = createPackedSnapshot({ entities: [1, 2], timestamp: 1, entityMetadata: new Map(pairs) });
    expect(fromPairs.entityMetadata).toStrictEqual(new Map(pairs));
    expect(snapshotsEqual(fromPairs, fromMap)).toBe(true);
    expect(decodeSnapshot(encodeSnapshot(fromPairs)).entityMetadata).toStrictEqual(new Map(pairs));
    // The metadata is part of the content: it changes the hash.
    expect(snapshotsEqual(fromPairs, createPackedSnapshot({ entities: [1, 2], timestamp: 1 }))).toBe(false);
    const w = {
      timestamp: 1,
      version: '',
      entities: [
        { id: 1, components: [] },
        { id: 2, components: [] },
      ],
    };
    expect(fromWorldSnapshot(w, { entityMetadata: pairs }).entityMetadata).toStrictEqual(new Map(pairs));
  });

  it('diff of worlds built with pairs, then applyDelta, passes the target hash check', () => {
    const a = createPackedSnapshot({ entities: [1, 2], timestamp: 1, entityMetadata: pairs });
    const b = createPackedSnapshot({ entities: [1, 2], timestamp: 2, entityMetadata: [[1, md(5)]] });
    const delta = diff(a, b);
    expect(snapshotsEqual(applyDelta(a, delta), b)).toBe(true);
    expect(snapshotsEqual(applyDelta(b, diff(b, a)), a)).toBe(true);
  });

  it('a snapshot holding anything but a Map is refused by the encoder, the hash and diff alike', () => {
    const packed = world([1, 2], []);
    packed.entityMetadata = pairs as unknown as Map<number, EntityMetadata>;
    expectRefused(packed, /entityMetadata must be a Map from entity id to metadata, got an array/);
    // diff with known hashes does not hash, and still refuses rather than record what the encoder drops.
    const plain = world([1, 2], []);
    expectPackError(() => diff(plain, packed, { baseHash: new Uint8Array(32), nextHash: new Uint8Array(32) }), 'InvalidInput', /must be a Map/);
    packed.entityMetadata = { 1: md(1) } as unknown as Map<number, EntityMetadata>;
    expectRefused(packed, /must be a Map/);
  });

  it('keys must be entity ids and values objects, as the reader requires', () => {
    const bad: [unknown, unknown, RegExp][] = [
      [-1, md(1), /key -1: keys are entity ids/],
      [1.5, md(1), /key 1.5/],
      ['1', md(1), /key "1"/],
      [1, 5, /entityMetadata of entity 1 is 5: it must be an object/],
      [1, null, /is null/],
      [1, ['x'], /is an array/],
    ];
    for (const [key, value, message] of bad) {
      expectRefused(world([1], [], { entityMetadata: new Map([[key, value]]) as Map<number, EntityMetadata> }), message);
      expectPackError(() => createPackedSnapshot({ entities: [1], entityMetadata: [[key, value]] as [number, EntityMetadata][] }), 'InvalidInput', message);
    }
    expectPackError(
      () =>
        createPackedSnapshot({
          entities: [1],
          entityMetadata: [
            [1, md(1)],
            [1, md(2)],
          ],
        }),
      'InvalidInput',
      /lists entity 1 twice/,
    );
    expectPackError(
      () => createPackedSnapshot({ entities: [1], entityMetadata: [[1]] as unknown as [number, EntityMetadata][] }),
      'InvalidInput',
      /entry 0 is not an \[entity id, metadata\] pair/,
    );
    expectPackError(() => createPackedSnapshot({ entities: [1], entityMetadata: 'x' as unknown as Map<number, EntityMetadata> }), 'InvalidInput', /a Map or an array/);
  });
});

describe('builders refuse entity ids they would wrap', () => {
  it.each([
    [-1, '-1'],
    [2 ** 32, '4294967296'],
    [1.5, '1.5'],
    [Number.NaN, 'NaN'],
    [Infinity, 'Infinity'],
    ['3', '"3"'],
    [null, 'null'],
    [2n, '2n'],
  ])('createPackedSnapshot: entity %s', (bad, shown) => {
    const details = expectPackError(
      () => createPackedSnapshot({ entities: [0, bad as number] }),
      'InvalidInput',
      new RegExp(`entities\\[1\\] is ${shown.replace(/[.()[\]]/g, '\\$&')}: entity ids must be integers from 0 to 4294967295`),
    );
    expect(details.position).toBe(1);
    expectPackError(
      () => createPackedSnapshot({ entities: [0, 1], components: [{ id: 'P', entityIds: [1, bad as number], fields: { x: new Float32Array(2) } }] }),
      'InvalidInput',
      /entityIds of component "P"\[1\] is/,
    );
  });

  it('accepts the edges of the range and typed arrays of other classes holding valid ids', () => {
    const packed = createPackedSnapshot({
      entities: [0, 0xffffffff],
      components: [{ id: 'P', entityIds: Float64Array.from([0xffffffff]) as unknown as number[], fields: { x: new Float32Array(1) } }],
    });
    expect(packed.entities).toStrictEqual(Uint32Array.from([0, 0xffffffff]));
    expect(packed.components[0]!.entityIds).toStrictEqual(Uint32Array.from([0xffffffff]));
    expectPackError(() => createPackedSnapshot({ entities: Int32Array.from([-1]) as unknown as number[] }), 'InvalidInput', /entities\[0\] is -1/);
    expectPackError(() => createPackedSnapshot({ entities: 'abc' as unknown as number[] }), 'InvalidInput', /entities must be a Uint32Array or an array/);
  });

  it('refuses malformed input objects with InvalidInput, not a TypeError', () => {
    expectPackError(() => createPackedSnapshot(undefined as never), 'InvalidInput');
    expectPackError(() => createPackedSnapshot({ entities: [1], components: {} as never }), 'InvalidInput', /components/);
    expectPackError(() => createPackedSnapshot({ entities: [1], components: [null as never] }), 'InvalidInput', /component 0/);
    expectPackError(() => createPackedSnapshot({ entities: [1], components: [{ id: 'P' } as never] }), 'InvalidInput', /component 0/);
  });

  it('gather and scatter refuse ids outside 0..2^32-1 given as plain arrays', () => {
    const source = Float32Array.from([10, 11, 12]);
    expect(gather(source, [2, 0] as unknown as Uint32Array)).toStrictEqual(Float32Array.from([12, 10]));
    expectPackError(() => gather(source, [-1] as unknown as Uint32Array), 'InvalidInput', /\[0\] is -1/);
    expectPackError(() => gather(source, [0.5] as unknown as Uint32Array), 'InvalidInput', /\[0\] is 0.5/);
    const target = new Float32Array(3);
    expectPackError(() => scatter(Float32Array.from([1]), [1.5] as unknown as Uint32Array, target), 'InvalidInput', /is 1.5/);
    expect(target).toStrictEqual(new Float32Array(3));
  });
});

describe('raw errors on malformed input objects', () => {
  it('toWorldSnapshot refuses objects that are not packed snapshots with InvalidInput', () => {
    const good = createPackedSnapshot({ entities: [1, 2], components: [{ id: 'B', fields: { b: [new Uint8Array(1), new Uint8Array(2)] }, types: { b: 'bytes' } }] });
    expect(toWorldSnapshot(good).entities).toHaveLength(2);
    const cases: [string, (p: PackedSnapshot) => void, RegExp][] = [
      ['entities not a Uint32Array', (p) => (p.entities = [1, 2] as unknown as Uint32Array), /entities are not a Uint32Array/],
      ['components not an array', (p) => (p.components = {} as never), /components are not an array/],
      ['a component without entity ids', (p) => (p.components[0]!.entityIds = undefined as never), /Uint32Array of entity ids/],
      ['a field name that is not a string', (p) => ((p.components[0] as { fields: { name: unknown }[] }).fields[0]!.name = {}), /string name/],
      ['a field of unknown type', (p) => ((p.components[0] as { fields: { type: unknown }[] }).fields[0]!.type = 'f16'), /known type/],
      ['a short column', (p) => ((p.components[0] as { fields: { values: unknown }[] }).fields[0]!.values = [new Uint8Array(1)]), /needs 2 bytes values/],
      ['a bytes value that is not bytes', (p) => ((p.components[0] as { fields: { values: unknown }[] }).fields[0]!.values = [new Uint8Array(1), 'x']), /not bytes/],
      [
        'blobs that are not bytes',
        (p) => (p.components[0] = { id: 'B', layout: 'blobs', entityIds: p.entities, blobs: [new Uint8Array(1), 5 as never] }),
        /one Uint8Array blob per entity/,
      ],
      ['an unknown layout', (p) => ((p.components[0] as { layout: string }).layout = 'rows'), /neither the column nor the blob layout/],
    ];
    for (const [, edit, message] of cases) {
      const p = createPackedSnapshot({ entities: [1, 2], components: [{ id: 'B', fields: { b: [new Uint8Array(1), new Uint8Array(2)] }, types: { b: 'bytes' } }] });
      edit(p);
      expectPackError(() => toWorldSnapshot(p), 'InvalidInput', message);
    }
    expectPackError(() => toWorldSnapshot(null as never), 'InvalidInput', /got no object/);
  });

  it('gather and scatter refuse arrays they cannot read or write', () => {
    expectPackError(() => gather(undefined as never, new Uint32Array(1)), 'InvalidInput', /typed array/);
    expectPackError(() => scatter('ab' as never, new Uint32Array(1), new Float32Array(1)), 'InvalidInput', /typed arrays or arrays/);
    expectPackError(() => scatter(BigInt64Array.from([1n]), new Uint32Array(1), new Float64Array(1) as never), 'InvalidInput', /bigint/);
    const target = new BigInt64Array(2);
    scatter(BigUint64Array.from([5n]) as never, Uint32Array.from([1]), target);
    expect(target[1]).toBe(5n);
  });
});
