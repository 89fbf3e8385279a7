// The demo's simulation: the reference world moving under its own velocities, so that
// checkpoints, replay, time travel and diffs have something to show.
import { createPackedSnapshot, type PackedSnapshot } from '@tx2/pack-format';
import type { ReferenceColumns } from './reference-world.js';

/** One entity in this many is awake (moves) per tick. */
const AWAKE_EVERY = 100;

/** The state of the simulated world at one tick. */
export interface SimulationFrame {
  tick: number;
  time: number;
  packed: PackedSnapshot;
}

/**
 * Advances the reference world `ticks` times by `dt` seconds. As in a game where most things
 * sleep, 1% of the entities are awake each tick (a different 1% every tick, plus entity 1, the
 * player, always): they move by velocity * dt and lose 1 health (down to 1). Each frame owns its arrays.
 */
export function simulate(world: ReferenceColumns, ticks: number, dt: number): SimulationFrame[] {
  const n = world.n;
  const x = world.position.x.slice();
  const y = world.position.y.slice();
  const z = world.position.z.slice();
  const health = world.health.current.slice();
  const frames: SimulationFrame[] = [];
  for (let tick = 0; tick <= ticks; tick++) {
    if (tick > 0) {
      // Entity 1 (row 0) is the player, always awake; the rest take turns.
      const awake = (i: number): void => {
        x[i] = Math.fround(x[i]! + world.velocity.x[i]! * dt);
        y[i] = Math.fround(y[i]! + world.velocity.y[i]! * dt);
        z[i] = Math.fround(z[i]! + world.velocity.z[i]! * dt);
        if (health[i]! > 1) health[i] = health[i]! - 1;
      };
      if (n > 0 && tick % AWAKE_EVERY !== 0) awake(0);
      for (let i = tick % AWAKE_EVERY; i < n; i += AWAKE_EVERY) awake(i);
    }
    const time = Math.round(tick * dt * 1e6) / 1e6;
    const packed = createPackedSnapshot({
      entities: world.entities,
      timestamp: world.timestamp + time * 1000,
      version: world.version,
      worldTime: time,
      components: [
        { id: 'Position', fields: { x: x.slice(), y: y.slice(), z: z.slice() } },
        { id: 'Velocity', fields: { x: world.velocity.x, y: world.velocity.y, z: world.velocity.z } },
        { id: 'Health', fields: { current: health.slice(), max: world.health.max } },
      ],
    });
    frames.push({ tick, time, packed });
  }
  return frames;
}
