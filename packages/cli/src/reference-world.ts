// The deterministic reference world of the tx2-pack benchmarks and of `tx2pack bench` / `demo`.
// benchmarks/world.mjs re-exports this module: the generator exists once, so every figure
// in benchmarks/results stays comparable with what the CLI measures.
//
// N entities with ids 1..N, each holding three components:
//   Position {x, y, z: f32}   uniform in [-1000, 1000]
//   Velocity {x, y, z: f32}   uniform in [-10, 10]
//   Health   {current, max: f32}  max = 100; current = 100 for ~90% of entities, else an integer 1..99
//
// Values come from mulberry32 seeded with 42, drawn per entity in this order:
// position x, y, z; velocity x, y, z; then r (current = 100 when r < 0.9) and, only when
// r >= 0.9, a second draw r2 giving current = 1 + floor(r2 * 99).
// Every value is stored through Math.fround, so the object world and the columnar world
// hold bit-identical f32 values.
import { createPackedSnapshot, PackError, type PackedSnapshot, type Schema, type WorldSnapshot } from '@tx2/pack-format';

/** The seed of the reference world's PRNG. */
export const REFERENCE_SEED = 42;
/** A fixed wall-clock timestamp (2023-11-14T22:13:20Z), so runs are deterministic. */
export const REFERENCE_TIMESTAMP = 1_700_000_000_000;
/** The world version string of the reference world. */
export const REFERENCE_VERSION = '1.0.0';

/** The schema of the reference world, for `fromWorldSnapshot(world, { schema: REFERENCE_SCHEMA })`. */
export const REFERENCE_SCHEMA: Schema = Object.freeze({
  Position: Object.freeze({ x: 'f32', y: 'f32', z: 'f32' }),
  Velocity: Object.freeze({ x: 'f32', y: 'f32', z: 'f32' }),
  Health: Object.freeze({ current: 'f32', max: 'f32' }),
});

/** Three f32 columns of a vector component. */
export interface Vector3Columns {
  x: Float32Array;
  y: Float32Array;
  z: Float32Array;
}

/** The reference world as typed arrays, plus the PackedSnapshot built from them. */
export interface ReferenceColumns {
  n: number;
  entities: Uint32Array;
  position: Vector3Columns;
  velocity: Vector3Columns;
  health: { current: Float32Array; max: Float32Array };
  timestamp: number;
  version: string;
  packed: PackedSnapshot;
}

/** Options of the reference world generators. */
export interface ReferenceWorldOptions {
  /** PRNG seed (default {@link REFERENCE_SEED}). */
  seed?: number;
}

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return function next() {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Most entities of a reference world: 10 million (about 320 MB of columns). */
export const MAX_REFERENCE_ENTITIES = 10_000_000;

function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > MAX_REFERENCE_ENTITIES) {
    throw new PackError('InvalidInput', `a reference world has 0 to ${MAX_REFERENCE_ENTITIES} entities, not ${String(n)}`);
  }
}

/**
 * The reference world as typed arrays (one Float32Array per field) plus a PackedSnapshot
 * built from them with createPackedSnapshot (columnar path, no per-entity objects).
 */
export function referenceColumns(n: number, { seed = REFERENCE_SEED }: ReferenceWorldOptions = {}): ReferenceColumns {
  checkCount(n);
  const rand = mulberry32(seed);
  const entities = new Uint32Array(n);
  const position = { x: new Float32Array(n), y: new Float32Array(n), z: new Float32Array(n) };
  const velocity = { x: new Float32Array(n), y: new Float32Array(n), z: new Float32Array(n) };
  const health = { current: new Float32Array(n), max: new Float32Array(n) };
  for (let i = 0; i < n; i++) {
    entities[i] = i + 1;
    position.x[i] = Math.fround(-1000 + rand() * 2000);
    position.y[i] = Math.fround(-1000 + rand() * 2000);
    position.z[i] = Math.fround(-1000 + rand() * 2000);
    velocity.x[i] = Math.fround(-10 + rand() * 20);
    velocity.y[i] = Math.fround(-10 + rand() * 20);
    velocity.z[i] = Math.fround(-10 + rand() * 20);
    health.max[i] = Math.fround(100);
    health.current[i] = rand() < 0.9 ? Math.fround(100) : Math.fround(1 + Math.floor(rand() * 99));
  }
  const packed = createPackedSnapshot({
    entities,
    timestamp: REFERENCE_TIMESTAMP,
    version: REFERENCE_VERSION,
    components: [
      { id: 'Position', fields: { x: position.x, y: position.y, z: position.z } },
      { id: 'Velocity', fields: { x: velocity.x, y: velocity.y, z: velocity.z } },
      { id: 'Health', fields: { current: health.current, max: health.max } },
    ],
  });
  return { n, entities, position, velocity, health, timestamp: REFERENCE_TIMESTAMP, version: REFERENCE_VERSION, packed };
}

/**
 * The same world in the tx2 WorldSnapshot object shape:
 * `{ entities: [{ id, components: [{ id: 'Position', data: { x, y, z } }, ...] }], timestamp, version }`.
 * Pass the result of `referenceColumns(n)` as `columns` to reuse it (values are read back from its Float32Arrays,
 * so both forms are identical by construction).
 */
export function referenceWorld(n: number, { seed = REFERENCE_SEED, columns }: ReferenceWorldOptions & { columns?: ReferenceColumns } = {}): WorldSnapshot {
  const c = columns ?? referenceColumns(n, { seed });
  if (c.n !== n) throw new PackError('InvalidInput', `the columns given hold ${c.n} entities, not ${n}`);
  const { position: p, velocity: v, health: h } = c;
  const entities: WorldSnapshot['entities'] = new Array(n);
  for (let i = 0; i < n; i++) {
    entities[i] = {
      id: c.entities[i]!,
      components: [
        { id: 'Position', data: { x: p.x[i], y: p.y[i], z: p.z[i] } },
        { id: 'Velocity', data: { x: v.x[i], y: v.y[i], z: v.z[i] } },
        { id: 'Health', data: { current: h.current[i], max: h.max[i] } },
      ],
    };
  }
  return { entities, timestamp: c.timestamp, version: c.version };
}
