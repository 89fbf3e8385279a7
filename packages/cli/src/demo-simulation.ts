// The demo's simulation: the reference world moving under its own velocities, so that
// checkpoints, replay, time travel and diffs have something to show.
import { createPackedSnapshot, type PackedSnapshot } from '@tx2/pack-format';
import type { ReferenceColumns } from './reference-world.js';

/** The state of the simulated world at one tick. */
export interface SimulationFrame {
  tick: number;
  time: number;
  packed: PackedSnapshot;
}

/**
 * Advances the reference world `ticks` times by `dt` seconds: positions move by velocity * dt,
 * and every 10th entity loses 1 health per tick (down to 1). Each frame owns its arrays.
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
      for (let i = 0; i < n; i++) {
        x[i] = Math.fround(x[i]! + world.velocity.x[i]! * dt);
        y[i] = Math.fround(y[i]! + world.velocity.y[i]! * dt);
        z[i] = Math.fround(z[i]! + world.velocity.z[i]! * dt);
        if (i % 10 === 0 && health[i]! > 1) health[i] = health[i]! - 1;
      }
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
