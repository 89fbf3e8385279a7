// Schema migrations (issue 14, item 4): defineMigrations, the helpers, canLoad, and migration on
// decode on the columnar and the object path.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addField,
  canLoad,
  createPackedSnapshot,
  decodeSnapshot,
  defineMigrations,
  dropComponent,
  dropField,
  encodeSnapshot,
  fromWorldSnapshot,
  getColumn,
  isPackError,
  migrateSnapshot,
  type PackedSnapshot,
  readManifest,
  readSnapshot,
  renameComponent,
  renameField,
  snapshotsEqual,
  splitComponent,
  toWorldSnapshot,
  widenField,
  type WorldSnapshot,
} from '../src/index.js';

const SEED = 4014;

function errorOf(fn: () => unknown): { code?: string; message?: string; details?: unknown } {
  try {
    fn();
  } catch (error) {
    return isPackError(error) ? { code: error.code, message: error.message, details: error.details } : { code: `not a PackError: ${String(error)}` };
  }
  return {};
}

/** A v1 save: Pos {x, y} (f32 columns), Stats blobs, Name single value, an rng resource. */
function v1(): PackedSnapshot {
  return createPackedSnapshot({
    timestamp: 1,
    schemaVersion: 1,
    entities: [1, 2],
    components: [
      { id: 'Pos', fields: { x: Float32Array.from([1.5, 2]), y: Float32Array.from([3, 4]) } },
      {
        id: 'Stats',
        data: [
          { hp: 10, mana: 1 },
          { hp: 20, mana: 2 },
        ],
      },
      { id: 'Name', value: ['a', 'b'] },
      { id: 'Old', value: Int8Array.from([1, -1]) },
    ],
    resources: [{ id: 'rng', fields: { seed: Uint16Array.of(7) } }],
  });
}

// v1 -> v2: Pos gains z, Stats.hp becomes health; v2 -> 3: Pos widened to f64, Name renamed Label,
// Old dropped, Stats split into Health and Mana, the rng seed widened to u32.
const migrations = defineMigrations([
  { from: 1, to: 2, migrate: [addField('Pos', 'z', 'f32', 0), renameField('Stats', 'hp', 'health')] },
  {
    from: 2,
    to: 3,
    migrate: [
      widenField('Pos', 'x', 'f64'),
      widenField('Pos', 'y', 'f64'),
      widenField('Pos', 'z', 'f64'),
      renameComponent('Name', 'Label'),
      dropComponent('Old'),
      splitComponent('Stats', { Health: ['health'], Mana: ['mana'] }),
      widenField('rng', 'seed', 'u32', { in: 'resources' }),
    ],
  },
]);

describe('defineMigrations', () => {
  it('refuses malformed steps with InvalidInput', () => {
    const noop = (s: PackedSnapshot) => s;
    expect(errorOf(() => defineMigrations([{ from: 2, to: 1, migrate: noop }])).code).toBe('InvalidInput');
    expect(errorOf(() => defineMigrations([{ from: 1.5, to: 2, migrate: noop }])).code).toBe('InvalidInput');
    expect(errorOf(() => defineMigrations([{ from: 1, to: 2, migrate: 'x' as never }])).code).toBe('InvalidInput');
    expect(
      errorOf(() =>
        defineMigrations([
          { from: 1, to: 2, migrate: noop },
          { from: 1, to: 3, migrate: noop },
        ]),
      ).code,
    ).toBe('InvalidInput');
    expect(errorOf(() => defineMigrations([{ from: 1, to: 5, migrate: noop }], { current: 3 })).code).toBe('InvalidInput');
    expect(defineMigrations([]).current).toBe(0);
    expect(defineMigrations([{ from: 1, to: 2, migrate: noop }], { current: 4 }).current).toBe(4);
  });
});

describe('canLoad', () => {
  it('answers from the manifest alone, before loading', () => {
    const bytes = encodeSnapshot(v1());
    expect(canLoad(readManifest(bytes), migrations)).toStrictEqual({ ok: true, from: 1, to: 3, path: [1, 2, 3] });
    expect(canLoad(3, migrations)).toStrictEqual({ ok: true, from: 3, to: 3, path: [3] });
    const newer = canLoad(4, migrations);
    expect(newer.ok === false && newer.code).toBe('VersionMismatch');
    const gap = canLoad(0, migrations);
    expect(gap.ok === false && [gap.code, gap.reason]).toStrictEqual(['SchemaMismatch', 'no migration starts at schema version 0 (on the way from 0 to 3): add one']);
    expect(canLoad(Number.NaN, migrations).ok).toBe(false);
  });
});

describe('migration on decode', () => {
  it('the columnar path: decodeSnapshot migrates a v1 save to v3', () => {
    const bytes = encodeSnapshot(v1());
    const p = decodeSnapshot(bytes, { migrations });
    expect(p.schemaVersion).toBe(3);
    expect(p.components.map((c) => c.id)).toStrictEqual(['Pos', 'Health', 'Mana', 'Label']);
    expect(getColumn(p, 'Pos', 'x', 'f64')).toStrictEqual(Float64Array.from([1.5, 2]));
    expect(getColumn(p, 'Pos', 'z', 'f64')).toStrictEqual(Float64Array.from([0, 0]));
    expect(getColumn(p, 'Label', '', 'string')).toStrictEqual(['a', 'b']);
    const world = toWorldSnapshot(p);
    expect(world.entities[1]!.components.map((c) => [c.id, c.data])).toStrictEqual([
      ['Pos', { x: 2, y: 4, z: 0 }],
      ['Health', { health: 20 }],
      ['Mana', { mana: 2 }],
      ['Label', 'b'],
    ]);
    expect(world.resources).toStrictEqual({ rng: { seed: 7 } });
    // The migrated snapshot encodes, and decoding it again under the same migrations changes nothing.
    const again = decodeSnapshot(encodeSnapshot(p), { migrations });
    expect(snapshotsEqual(again, p)).toBe(true);
    // Without migrations the save reads as it was written.
    expect(decodeSnapshot(bytes).schemaVersion).toBe(1);
  });

  it('the object path: a v1 world (inferred f64 columns) gets the new field instead of NaN', () => {
    const world: WorldSnapshot = { timestamp: 0, version: '', entities: [{ id: 7, components: [{ id: 'Pos', data: { x: 1, y: 2 } }] }] };
    const bytes = encodeSnapshot(fromWorldSnapshot(world, { schemaVersion: 1 }));
    const objectMigrations = defineMigrations([{ from: 1, to: 2, migrate: addField('Pos', 'z', 'f64', 0) }]);
    expect(toWorldSnapshot(decodeSnapshot(bytes, { migrations: objectMigrations })).entities[0]!.components[0]!.data).toStrictEqual({ x: 1, y: 2, z: 0 });
    // toWorldSnapshot migrates too.
    expect(toWorldSnapshot(decodeSnapshot(bytes), { migrations: objectMigrations }).entities[0]!.components[0]!.data).toStrictEqual({ x: 1, y: 2, z: 0 });
  });

  it('refuses a save newer than the running schema with a clear VersionMismatch', async () => {
    const bytes = encodeSnapshot({ ...v1(), schemaVersion: 9 });
    const error = errorOf(() => decodeSnapshot(bytes, { migrations }));
    expect(error.code).toBe('VersionMismatch');
    expect(error.message).toMatch(/schema version 9, newer than this program's 3/);
    expect(error.details).toStrictEqual({ schemaVersion: 9, current: 3 });
    await expect(readSnapshot(bytes, { migrations })).rejects.toMatchObject({ code: 'VersionMismatch' });
    await expect(readSnapshot(encodeSnapshot(v1()), { migrations })).resolves.toMatchObject({ schemaVersion: 3 });
  });

  it('a failing step is a SchemaMismatch naming the versions; helper errors stay typed', () => {
    const boom = defineMigrations([
      {
        from: 1,
        to: 2,
        migrate: () => {
          throw new Error('boom');
        },
      },
    ]);
    expect(errorOf(() => migrateSnapshot(v1(), boom))).toMatchObject({ code: 'SchemaMismatch', details: { from: 1, to: 2 } });
    const narrowing = defineMigrations([{ from: 1, to: 2, migrate: widenField('Pos', 'x', 'i32') }]);
    expect(errorOf(() => migrateSnapshot(v1(), narrowing)).code).toBe('SchemaMismatch');
    const singleValue = defineMigrations([{ from: 1, to: 2, migrate: addField('Name', 'z', 'f32', 0) }]);
    expect(errorOf(() => migrateSnapshot(v1(), singleValue)).code).toBe('SchemaMismatch');
    expect(errorOf(() => addField('Pos', 'z', 'u8', 300)(v1())).code).toBe('InvalidInput');
  });

  it('helpers never write into the decoded input (which may view the file bytes)', () => {
    const bytes = encodeSnapshot(v1());
    const copy = bytes.slice();
    const p = decodeSnapshot(bytes);
    migrateSnapshot(p, migrations);
    expect(bytes).toStrictEqual(copy);
    expect(p.schemaVersion).toBe(1);
  });

  it('rename, drop and split keep the component order of entities that have one', () => {
    const p = v1();
    p.componentOrder = new Map([[2, ['Old', 'Name', 'Stats', 'Pos']]]);
    const out = migrateSnapshot(p, migrations);
    expect(out.componentOrder!.get(2)).toStrictEqual(['Label', 'Health', 'Mana', 'Pos']);
    expect(toWorldSnapshot(decodeSnapshot(encodeSnapshot(out))).entities[1]!.components.map((c) => c.id)).toStrictEqual(['Label', 'Health', 'Mana', 'Pos']);
  });

  it('dropField and renameField work on blob rows, keeping key order', () => {
    const p = createPackedSnapshot({ entities: [1], components: [{ id: 'B', data: [{ a: 1, b: 2, c: 3 }] }] });
    const out = renameField('B', 'b', 'beta')(dropField('B', 'a')(p));
    expect(toWorldSnapshot(out).entities[0]!.components[0]!.data).toStrictEqual({ beta: 2, c: 3 });
    expect(Object.keys(toWorldSnapshot(out).entities[0]!.components[0]!.data as object)).toStrictEqual(['beta', 'c']);
  });

  it('widening keeps every value exactly (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -128, max: 127 }), { maxLength: 20 }), fc.array(fc.float({ noNaN: true }), { maxLength: 20 }), (ints, floats) => {
        const p = createPackedSnapshot({
          entities: ints.map((_, i) => i),
          components: [{ id: 'I', fields: { v: Int8Array.from(ints) } }],
          resources: [{ id: 'F', value: Float32Array.from(floats.length > 0 ? floats.slice(0, 1) : [0]) }],
        });
        for (const to of ['i16', 'i32', 'i64', 'f64'] as const) {
          const out = decodeSnapshot(encodeSnapshot(widenField('I', 'v', to)(p)));
          const c = out.components[0]!;
          expect(c.layout === 'columns' && [...c.fields[0]!.values].map(Number)).toStrictEqual(ints);
        }
        const f = widenField('F', '', 'f64', { in: 'resources' })(p).resources![0]!;
        expect(f.layout === 'columns' && f.fields[0]!.type).toBe('f64');
        expect(f.layout === 'columns' && f.fields[0]!.values[0]).toBe(Math.fround(floats[0] ?? 0));
      }),
      { seed: SEED, numRuns: 50 },
    );
  });
});
