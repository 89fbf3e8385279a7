import { createPackedSnapshot, type PackedSnapshot } from '@tx2/pack-format';
import { seeded } from './evolving-world.js';

/**
 * A world where every entity moves: each step integrates the f32 positions by the velocities
 * over `dt` world-time units (as an ECS holding Float32Arrays does) and gives a fraction of
 * the entities a new health value. `swerve()` gives every entity a new random velocity (the
 * motion stops being linear across it).
 */
export class MovingWorld {
  readonly #rand: () => number;
  readonly #n: number;
  readonly #churn: number;
  readonly #x: Float32Array;
  readonly #y: Float32Array;
  readonly #vx: Float32Array;
  readonly #vy: Float32Array;
  readonly #hp: Float32Array;
  #time = 0;
  #steps = 0;

  constructor(n: number, seed: number, options: { healthChurn?: number } = {}) {
    this.#rand = seeded(seed);
    this.#n = n;
    this.#churn = options.healthChurn ?? 0.1;
    const r = () => -1000 + 2000 * this.#rand();
    this.#x = Float32Array.from({ length: n }, r);
    this.#y = Float32Array.from({ length: n }, r);
    this.#vx = new Float32Array(n);
    this.#vy = new Float32Array(n);
    this.swerve();
    this.#hp = new Float32Array(n).fill(100);
  }

  /** New random velocities for every entity. */
  swerve(): this {
    for (let i = 0; i < this.#n; i++) {
      this.#vx[i] = -10 + 20 * this.#rand();
      this.#vy[i] = -10 + 20 * this.#rand();
    }
    return this;
  }

  /** Advances by `dt` world-time units (`constantTime`: the snapshot's worldTime stays 0) and packs the world. */
  step(dt = 1, constantTime = false): PackedSnapshot {
    this.#steps++;
    this.#time += dt;
    const h = Math.fround(dt / 60);
    for (let i = 0; i < this.#n; i++) {
      this.#x[i] = Math.fround(this.#x[i]! + Math.fround(this.#vx[i]! * h));
      this.#y[i] = Math.fround(this.#y[i]! + Math.fround(this.#vy[i]! * h));
    }
    for (let k = 0; k < this.#n * this.#churn; k++) this.#hp[Math.floor(this.#rand() * this.#n)] = 1 + Math.floor(this.#rand() * 99);
    return createPackedSnapshot({
      entities: Uint32Array.from({ length: this.#n }, (_, i) => i + 1),
      timestamp: 1_000 + this.#steps,
      worldTime: constantTime ? 0 : this.#time,
      components: [
        { id: 'Position', fields: { x: this.#x.slice(), y: this.#y.slice() } },
        { id: 'Velocity', fields: { x: this.#vx.slice(), y: this.#vy.slice() } },
        { id: 'Health', fields: { current: this.#hp.slice() } },
      ],
    });
  }
}
