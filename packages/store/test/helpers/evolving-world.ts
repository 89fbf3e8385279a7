import { createPackedSnapshot, type PackedSnapshot } from '@tx2/pack-format';

/** A tiny seeded PRNG (mulberry32) returning floats in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Terrain tiles are entities TILE_BASE, TILE_BASE + 1, ...: they never change. */
export const TILE_BASE = 1_000_000;

/**
 * A game world that changes a little at every step: a few positions move, entities are born
 * and die, a status component comes and goes, world metadata ticks. `snapshot()` packs it.
 * `terrain` adds a large static component (never changed) for dedupe tests.
 */
export class EvolvingWorld {
  readonly #rand: () => number;
  #nextId = 1;
  #step = 0;
  readonly #x = new Map<number, number>();
  readonly #y = new Map<number, number>();
  readonly #hp = new Map<number, number>();
  readonly #poisoned = new Set<number>();
  readonly #terrain: Float32Array | undefined;

  constructor(seed: number, entities = 40, options: { terrainTiles?: number } = {}) {
    this.#rand = seeded(seed);
    for (let i = 0; i < entities; i++) this.#spawn();
    if (options.terrainTiles !== undefined) {
      const rand = seeded(seed ^ 0x5eed);
      // Random values: incompressible, so the component's stored size is its raw size.
      this.#terrain = Float32Array.from({ length: options.terrainTiles }, () => rand() * 1000);
    }
  }

  #spawn(): void {
    const id = this.#nextId++;
    this.#x.set(id, Math.fround(this.#rand() * 100));
    this.#y.set(id, Math.fround(this.#rand() * 100));
    this.#hp.set(id, Math.floor(this.#rand() * 100));
  }

  /** Number of terrain tiles (entities of the static Terrain component). */
  get tiles(): number {
    return this.#terrain?.length ?? 0;
  }

  /** Advances one step; `churn` (0..1) scales how much changes. */
  step(churn = 0.1): this {
    this.#step++;
    const ids = [...this.#x.keys()];
    for (const id of ids) if (this.#rand() < churn) this.#x.set(id, Math.fround(this.#x.get(id)! + this.#rand() - 0.5));
    for (const id of ids) if (this.#rand() < churn / 4) this.#hp.set(id, Math.floor(this.#rand() * 100));
    if (this.#rand() < churn * 2 && ids.length > 1) {
      const dead = ids[Math.floor(this.#rand() * ids.length)]!;
      this.#x.delete(dead);
      this.#y.delete(dead);
      this.#hp.delete(dead);
      this.#poisoned.delete(dead);
    }
    if (this.#rand() < churn * 2) this.#spawn();
    if (this.#rand() < churn) {
      const alive = [...this.#x.keys()];
      this.#poisoned.add(alive[Math.floor(this.#rand() * alive.length)]!);
    }
    if (this.#rand() < churn / 2) this.#poisoned.clear();
    return this;
  }

  /** The world as a packed snapshot (a new object sharing nothing with earlier ones). */
  snapshot(): PackedSnapshot {
    const ids = Uint32Array.from([...this.#x.keys()]);
    const tiles = this.#terrain === undefined ? new Uint32Array(0) : Uint32Array.from(this.#terrain, (_, i) => TILE_BASE + i);
    const poisoned = Uint32Array.from([...this.#poisoned].filter((id) => this.#x.has(id)));
    const components: Parameters<typeof createPackedSnapshot>[0]['components'] = [
      { id: 'Position', entityIds: ids, fields: { x: Float32Array.from(ids, (id) => this.#x.get(id)!), y: Float32Array.from(ids, (id) => this.#y.get(id)!) } },
      { id: 'Health', entityIds: ids, fields: { hp: Int32Array.from(ids, (id) => this.#hp.get(id)!) } },
    ];
    if (poisoned.length > 0) components.push({ id: 'Poisoned', entityIds: poisoned, fields: { ticks: Uint16Array.from(poisoned, (id) => id % 7) } });
    if (this.#terrain !== undefined) components.push({ id: 'Terrain', entityIds: tiles, fields: { height: this.#terrain.slice() } });
    const entities = new Uint32Array(ids.length + tiles.length);
    entities.set(ids);
    entities.set(tiles, ids.length);
    return createPackedSnapshot({
      entities,
      timestamp: 1_700_000_000_000 + this.#step,
      worldTime: this.#step / 10,
      metadata: { step: this.#step, level: 'caves' },
      components,
    });
  }
}
