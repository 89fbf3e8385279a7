// Crash campaign on every adapter's loadWorld: snapshots whose schema does not match the
// registry, columns of the wrong type or length, huge or duplicate entity ids, NaN where
// integers are expected, damaged blobs, resources and orders. A load either works or throws a
// PackError with a known code and a message; a refused load `into` a world leaves that world
// as it was (same entities, same values, same resources). Seeded, bounded runs.
import { isPackError, type PackedComponent, type PackedSnapshot, PackErrorCode } from '@tx2/pack-format';
import { getAllEntities } from 'bitecs';
import fc from 'fast-check';
import type { World as KootaWorld } from 'koota';
import type { World as MiniplexWorld } from 'miniplex';
import { describe, expect, it } from 'vitest';
import * as bitecs from '../src/bitecs.js';
import * as koota from '../src/koota.js';
import * as miniplex from '../src/miniplex.js';
import { type GameWorld, makeGame } from './bitecs-game.js';
import * as kootaGame from './koota-game.js';
import * as miniplexGame from './miniplex-game.js';
import { canonical, run, seed, type SimOps } from './sim.js';

// A longer local campaign: TX2_FUZZ_RUNS=5000 TX2_FUZZ_SEED=<n> npx vitest run test/hostile-snapshots.fuzz.test.ts
const SEED = Number(globalThis.process?.env.TX2_FUZZ_SEED ?? 20_261_203);
const RUNS = Number(globalThis.process?.env.TX2_FUZZ_RUNS ?? 60);
const CODES = new Set<string>(Object.values(PackErrorCode));

function expectPackError(error: unknown, label: string): void {
  if (!isPackError(error)) expect.fail(`${label}: raw ${String((error as Error)?.stack ?? error)}`);
  expect(CODES.has(error.code), `${label}: unknown code ${error.code}`).toBe(true);
  expect(error.message.length, label).toBeGreaterThan(0);
}

/** One adapter: a saved game, and how to load it into a fresh world or into a given one. */
interface Adapter {
  name: string;
  saved: PackedSnapshot;
  /** A world of the same game holding entities of its own. */
  populated(): unknown;
  /** Loads `snapshot` (into a fresh world, disposed of again, when `into` is undefined). */
  load(snapshot: PackedSnapshot, into?: unknown): void;
  /** Frees a world (koota holds at most 16 at a time). */
  dispose(world: unknown): void;
  /** Everything observable of a world: its entity count and its canonical state. */
  state(world: unknown): unknown;
}

function bitecsAdapter(): Adapter {
  const game = makeGame(512);
  const world = game.createWorld();
  seed(game.ops, world, 0xc0ffee, 12);
  run(game.ops, world, 8);
  const saved = bitecs.saveWorld(world, game.registry);
  return {
    name: 'bitecs',
    saved,
    populated: () => bitecs.loadWorld(saved, game.registry).world,
    load: (snapshot, into) => void bitecs.loadWorld(snapshot, game.registry, into === undefined ? {} : { into: into as GameWorld }),
    dispose: () => {},
    state: (w) => ({ all: getAllEntities(w as GameWorld).length, canonical: canonical(game.ops as SimOps<unknown, number>, w) }),
  };
}

function kootaAdapter(): Adapter {
  const world = kootaGame.newWorld();
  seed(kootaGame.ops, world, 0xc0ffee, 12);
  run(kootaGame.ops, world, 8);
  const saved = koota.saveWorld(world, kootaGame.registry);
  return {
    name: 'koota',
    saved,
    populated: () => koota.loadWorld(saved, kootaGame.registry, { into: kootaGame.newWorld() }).world,
    load: (snapshot, into) => {
      const loaded = koota.loadWorld(snapshot, kootaGame.registry, into === undefined ? {} : { into: into as KootaWorld });
      if (into === undefined) loaded.world.destroy();
    },
    dispose: (w) => (w as KootaWorld).destroy(),
    state: (w) => ({ all: (w as KootaWorld).query().length, canonical: canonical(kootaGame.ops as SimOps<unknown, unknown>, w) }),
  };
}

function miniplexAdapter(): Adapter {
  const world = miniplexGame.newWorld();
  seed(miniplexGame.ops, world, 0xc0ffee, 12);
  run(miniplexGame.ops, world, 8);
  const saved = miniplex.saveWorld(world, miniplexGame.registry);
  return {
    name: 'miniplex',
    saved,
    populated: () => miniplex.loadWorld(saved, miniplexGame.registry, { into: miniplexGame.newWorld() }).world,
    load: (snapshot, into) => void miniplex.loadWorld(snapshot, miniplexGame.registry, into === undefined ? {} : { into: into as MiniplexWorld<miniplexGame.Unit> }),
    dispose: () => {},
    state: (w) => ({ all: (w as MiniplexWorld<object>).entities.length, canonical: canonical(miniplexGame.ops as SimOps<unknown, unknown>, w) }),
  };
}

/** A copy of `snapshot` deep enough that a mutation never reaches the original (tolerant of earlier mutations). */
function copyOf(snapshot: PackedSnapshot): PackedSnapshot {
  const copy = (v: unknown): unknown => (ArrayBuffer.isView(v) ? (v as Uint8Array).slice() : Array.isArray(v) ? v.map(copy) : v);
  const part = (c: unknown): unknown => {
    if (typeof c !== 'object' || c === null) return c;
    const out: Record<string, unknown> = { ...(c as Record<string, unknown>) };
    for (const key of ['entityIds', 'blobs']) if (key in out) out[key] = copy(out[key]);
    if (Array.isArray(out.fields)) out.fields = out.fields.map((f) => (typeof f === 'object' && f !== null ? { ...f, values: copy((f as { values: unknown }).values) } : f));
    return out;
  };
  return {
    ...snapshot,
    entities: snapshot.entities.slice(),
    components: snapshot.components.map(part) as PackedComponent[],
    ...(snapshot.resources === undefined ? {} : { resources: snapshot.resources.map(part) as never }),
    ...(snapshot.componentOrder === undefined ? {} : { componentOrder: new Map(snapshot.componentOrder) }),
  };
}

const TYPES = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'f64', 'bool', 'string', 'u64', 'i64', 'bytes', 'nope'];
const HUGE_IDS = [0, 0xffff_ffff, 0x7fff_ffff, 0xffff_fffe, 1 << 24];

/** What a mutation does, drawn by fast-check; `pick`s index into whatever list they touch. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('field-type' as const), c: fc.nat(), f: fc.nat(), type: fc.constantFrom(...TYPES) }),
  fc.record({
    kind: fc.constant('field-values' as const),
    c: fc.nat(),
    f: fc.nat(),
    values: fc.constantFrom('nan-f64', 'nan-array', 'short', 'long', 'strings', 'null', 'bigint', 'huge-f64', 'negative'),
  }),
  fc.record({ kind: fc.constant('field-name' as const), c: fc.nat(), f: fc.nat(), name: fc.constantFrom('', 'nope', '__proto__', 'constructor', 'x') }),
  fc.record({ kind: fc.constant('field-ref' as const), c: fc.nat(), f: fc.nat(), ref: fc.constantFrom('entity', 'entities', 'nope', undefined) }),
  fc.record({ kind: fc.constant('drop-field' as const), c: fc.nat(), f: fc.nat() }),
  fc.record({ kind: fc.constant('component-ids' as const), c: fc.nat(), how: fc.constantFrom('huge', 'unknown', 'duplicate', 'short', 'long', 'empty') }),
  fc.record({ kind: fc.constant('component-id' as const), c: fc.nat(), id: fc.constantFrom('Nope', '__proto__', '', 'serial', 'Serial', 'Body', 'body') }),
  fc.record({ kind: fc.constant('layout' as const), c: fc.nat() }),
  fc.record({ kind: fc.constant('blobs' as const), c: fc.nat(), how: fc.constantFrom('garbage', 'empty', 'short', 'null-entry', 'deep') }),
  fc.record({ kind: fc.constant('drop-component' as const), c: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate-component' as const), c: fc.nat() }),
  fc.record({ kind: fc.constant('entities' as const), how: fc.constantFrom('huge', 'duplicate', 'empty', 'drop-one', 'zero') }),
  fc.record({ kind: fc.constant('schema-version' as const), value: fc.constantFrom(Number.NaN, -1, 0, 1.5, 2, 1e300, Number.POSITIVE_INFINITY) }),
  fc.record({ kind: fc.constant('resource' as const), r: fc.nat(), how: fc.constantFrom('drop', 'nan', 'wrong-type', 'no-fields', 'blob', 'rename') }),
  fc.record({ kind: fc.constant('component-order' as const), how: fc.constantFrom('unknown-ids', 'unknown-entity', 'empty-lists') }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function at<T>(list: readonly T[], i: number): T | undefined {
  return list.length === 0 ? undefined : list[i % list.length];
}

function valuesOf(how: string, length: number, type: string): unknown {
  switch (how) {
    case 'nan-f64':
      return new Float64Array(length).fill(Number.NaN);
    case 'nan-array':
      return Array.from({ length }, () => Number.NaN);
    case 'short':
      return type === 'string' ? [] : new Float64Array(Math.max(0, length - 1));
    case 'long':
      return new Float64Array(length + 3).fill(1);
    case 'strings':
      return Array.from({ length }, (_, i) => `s${i}`);
    case 'null':
      return null;
    case 'bigint':
      return new BigInt64Array(length).fill(-1n);
    case 'huge-f64':
      return new Float64Array(length).fill(2 ** 40);
    default:
      return new Int32Array(length).fill(-5);
  }
}

/** `snapshot` with `m` applied (a copy). */
function mutate(snapshot: PackedSnapshot, m: Mutation): PackedSnapshot {
  const s = copyOf(snapshot);
  const comps = s.components as PackedComponent[];
  const comp = 'c' in m ? at(comps, m.c) : undefined;
  const columns = comp?.layout === 'columns' && Array.isArray(comp.fields) ? comp.fields : [];
  const field = 'f' in m ? (at(columns, m.f) as Record<string, unknown> | undefined) : undefined;
  switch (m.kind) {
    case 'field-type':
      if (field) field.type = m.type;
      break;
    case 'field-values':
      if (field) field.values = valuesOf(m.values, comp!.entityIds.length, String(field.type));
      break;
    case 'field-name':
      if (field) field.name = m.name;
      break;
    case 'field-ref':
      if (field) field.ref = m.ref;
      break;
    case 'drop-field':
      if (comp?.layout === 'columns' && Array.isArray(comp.fields)) comp.fields.splice(m.f % Math.max(1, comp.fields.length), 1);
      break;
    case 'component-ids':
      if (comp) {
        const ids = comp.entityIds;
        const n = ids.length;
        comp.entityIds =
          m.how === 'huge'
            ? Uint32Array.from(ids, (_, i) => HUGE_IDS[i % HUGE_IDS.length]!)
            : m.how === 'unknown'
              ? Uint32Array.from(ids, (id) => id + 100_000)
              : m.how === 'duplicate'
                ? Uint32Array.from(ids, () => ids[0] ?? 1)
                : m.how === 'short'
                  ? ids.subarray(0, Math.max(0, n - 1))
                  : m.how === 'long'
                    ? Uint32Array.from([...ids, ...s.entities])
                    : new Uint32Array(0);
      }
      break;
    case 'component-id':
      if (comp) comp.id = m.id;
      break;
    case 'layout':
      if (comp) (comp as { layout: string }).layout = comp.layout === 'columns' ? 'blobs' : 'columns';
      break;
    case 'blobs':
      if (comp?.layout === 'blobs') {
        comp.blobs = Array.isArray(comp.blobs) ? comp.blobs : comp.entityIds.length > 0 ? [new Uint8Array(1)] : [];
        const n = comp.blobs.length;
        comp.blobs =
          m.how === 'garbage'
            ? comp.blobs.map((_, i) => Uint8Array.from({ length: 9 }, (_, j) => (i * 31 + j * 7) & 0xff))
            : m.how === 'empty'
              ? comp.blobs.map(() => new Uint8Array(0))
              : m.how === 'short'
                ? comp.blobs.slice(0, Math.max(0, n - 1))
                : m.how === 'null-entry'
                  ? comp.blobs.map(() => null as never)
                  : comp.blobs.map(() => Uint8Array.from([...new Uint8Array(300).fill(0x91), 0xc0])); // msgpack arrays nested 300 deep
      }
      break;
    case 'drop-component':
      if (comps.length > 0) comps.splice(m.c % comps.length, 1);
      break;
    case 'duplicate-component':
      if (comp) comps.push({ ...comp });
      break;
    case 'entities':
      s.entities =
        m.how === 'huge'
          ? Uint32Array.from([...s.entities, ...HUGE_IDS])
          : m.how === 'duplicate'
            ? Uint32Array.from([...s.entities, ...s.entities.subarray(0, 3)])
            : m.how === 'empty'
              ? new Uint32Array(0)
              : m.how === 'drop-one'
                ? s.entities.subarray(1)
                : Uint32Array.from(s.entities, () => 0);
      break;
    case 'schema-version':
      s.schemaVersion = m.value;
      break;
    case 'resource': {
      const resources = (s.resources ?? []) as Record<string, unknown>[];
      const r = at(resources, m.r);
      if (r === undefined) break;
      if (m.how === 'drop') resources.splice(m.r % resources.length, 1);
      else if (m.how === 'nan') for (const f of r.fields as Record<string, unknown>[]) f.values = new Float64Array(1).fill(Number.NaN);
      else if (m.how === 'wrong-type') for (const f of r.fields as Record<string, unknown>[]) f.type = 'string';
      else if (m.how === 'no-fields') r.fields = [];
      else if (m.how === 'blob') Object.assign(r, { layout: 'blobs', blobs: [Uint8Array.of(0xc1)] });
      else r.id = 'nope';
      break;
    }
    case 'component-order': {
      const first = s.entities[0] ?? 1;
      s.componentOrder = new Map(
        m.how === 'unknown-ids' ? [[first, ['Nope', 'Nope']]] : m.how === 'unknown-entity' ? [[0xffff_ffff, comps.map((c) => c.id)]] : s.entities.length > 0 ? [[first, []]] : [],
      );
      break;
    }
  }
  return s;
}

describe.each([
  ['bitecs', bitecsAdapter],
  ['koota', kootaAdapter],
  ['miniplex', miniplexAdapter],
] as const)('%s loadWorld with hostile snapshots', (_, make) => {
  it('one to three mutations: only PackErrors; a refused load into a world changes nothing', () => {
    const adapter = make();
    // The unmutated snapshot loads both ways (the campaign starts from a working load).
    adapter.load(adapter.saved);
    const first = adapter.populated();
    adapter.load(adapter.saved, first);
    adapter.dispose(first);
    let refused = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const label = `${adapter.name} ${JSON.stringify(mutations)}`;
        const snapshot = mutations.reduce(mutate, adapter.saved);
        try {
          adapter.load(snapshot);
        } catch (error) {
          expectPackError(error, `${label} (fresh world)`);
          refused++;
        }
        const into = adapter.populated();
        const before = adapter.state(into);
        try {
          adapter.load(snapshot, into);
        } catch (error) {
          expectPackError(error, `${label} (into)`);
          expect(adapter.state(into), `${label}: the world changed under a refused load`).toEqual(before);
        } finally {
          adapter.dispose(into);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(refused).toBeGreaterThan(0);
  }, 60_000);

  it('each single mutation of every component, field and resource', () => {
    const adapter = make();
    const problems: string[] = [];
    const all = fc.sample(mutation, { seed: SEED + 1, numRuns: RUNS * 2 });
    for (const m of all) {
      const snapshot = mutate(adapter.saved, m);
      const into = adapter.populated();
      const before = adapter.state(into);
      try {
        adapter.load(snapshot, into);
      } catch (error) {
        if (!isPackError(error) || !CODES.has(error.code)) problems.push(`${JSON.stringify(m)}: ${String((error as Error)?.stack ?? error).slice(0, 400)}`);
        else {
          try {
            expect(adapter.state(into)).toEqual(before);
          } catch {
            problems.push(`${JSON.stringify(m)}: the world changed under a refused load`);
          }
        }
      } finally {
        adapter.dispose(into);
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);
});

describe('koota: a refused load into a fresh world frees that world', () => {
  it('twenty refused loads (a registered trait missing from the snapshot) leave koota able to create worlds', () => {
    const adapter = kootaAdapter();
    const withoutSerial = { ...adapter.saved, components: adapter.saved.components.filter((c) => c.id !== 'Serial') };
    // koota holds at most 16 worlds: a world leaked by each refused load would exhaust them.
    for (let i = 0; i < 20; i++) expect(() => adapter.load(withoutSerial)).toThrow(expect.objectContaining({ name: 'PackError', code: 'SchemaMismatch' }));
    const world = kootaGame.newWorld();
    world.destroy();
  });
});
