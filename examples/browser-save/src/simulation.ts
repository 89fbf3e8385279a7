// A small deterministic world of moving, bouncing entities, kept struct-of-arrays: one typed
// array per component field, which is also how a tx2-pack snapshot stores it, so saving is a
// copy of these arrays and loading is a copy back.
import { createPackedSnapshot, getColumn, type PackedSnapshot } from '@tx2/pack-format';

/** The arena's width and height, in world units (one unit = one canvas pixel). */
export const ARENA = { width: 480, height: 320 } as const;

/** A world of `count` entities: ids, positions, velocities and a colour each. */
export interface World {
  tick: number;
  ids: Uint32Array;
  x: Float32Array;
  y: Float32Array;
  vx: Float32Array;
  vy: Float32Array;
  hue: Uint16Array;
}

/** A seeded pseudo-random generator (mulberry32): the same seed gives the same world. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A new world of `count` entities placed and launched from `seed`. */
export function createWorld(count: number, seed: number): World {
  const next = random(seed);
  const world: World = {
    tick: 0,
    ids: new Uint32Array(count),
    x: new Float32Array(count),
    y: new Float32Array(count),
    vx: new Float32Array(count),
    vy: new Float32Array(count),
    hue: new Uint16Array(count),
  };
  for (let i = 0; i < count; i++) {
    world.ids[i] = i + 1;
    world.x[i] = next() * ARENA.width;
    world.y[i] = next() * ARENA.height;
    world.vx[i] = (next() - 0.5) * 4;
    world.vy[i] = (next() - 0.5) * 4;
    world.hue[i] = Math.floor(next() * 360);
  }
  return world;
}

/** Advances the world one tick: every entity moves by its velocity and bounces off the walls. */
export function step(world: World): void {
  const { x, y, vx, vy } = world;
  for (let i = 0; i < x.length; i++) {
    let nx = x[i]! + vx[i]!;
    let ny = y[i]! + vy[i]!;
    if (nx < 0 || nx > ARENA.width) {
      vx[i] = -vx[i]!;
      nx = Math.min(Math.max(nx, 0), ARENA.width);
    }
    if (ny < 0 || ny > ARENA.height) {
      vy[i] = -vy[i]!;
      ny = Math.min(Math.max(ny, 0), ARENA.height);
    }
    x[i] = nx;
    y[i] = ny;
  }
  world.tick++;
}

/** The world as a packed snapshot. The columns are copies: the simulation keeps running on its own arrays. */
export function toSnapshot(world: World): PackedSnapshot {
  return createPackedSnapshot({
    entities: world.ids.slice(),
    worldTime: world.tick,
    components: [
      { id: 'Position', fields: { x: world.x.slice(), y: world.y.slice() } },
      { id: 'Velocity', fields: { vx: world.vx.slice(), vy: world.vy.slice() } },
      { id: 'Hue', fields: { h: world.hue.slice() } },
    ],
  });
}

/** A world rebuilt from a snapshot made by {@link toSnapshot}; its arrays are the simulation's own. */
export function fromSnapshot(snapshot: PackedSnapshot): World {
  return {
    tick: snapshot.worldTime,
    ids: Uint32Array.from(snapshot.entities),
    x: Float32Array.from(getColumn(snapshot, 'Position', 'x', 'f32')),
    y: Float32Array.from(getColumn(snapshot, 'Position', 'y', 'f32')),
    vx: Float32Array.from(getColumn(snapshot, 'Velocity', 'vx', 'f32')),
    vy: Float32Array.from(getColumn(snapshot, 'Velocity', 'vy', 'f32')),
    hue: Uint16Array.from(getColumn(snapshot, 'Hue', 'h', 'u16')),
  };
}

/** A short fingerprint of the world's state (FNV-1a over its bytes), to compare two worlds at a glance. */
export function fingerprint(world: World): string {
  let h = 0x811c9dc5;
  for (const array of [world.x, world.y, world.vx, world.vy, world.hue, world.ids]) {
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  }
  return `${world.tick}:${(h >>> 0).toString(16).padStart(8, '0')}`;
}
