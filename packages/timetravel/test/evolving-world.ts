import { type ComponentInput, createPackedSnapshot, type PackedSnapshot } from '@tx2/pack-format';

/** One change to an {@link EvolvingWorld}. */
export type WorldChange =
  | { kind: 'move'; rows: number[]; bits: number[] }
  | { kind: 'grow' }
  | { kind: 'shrink'; row: number }
  | { kind: 'meta'; value: number }
  | { kind: 'extra' }
  | { kind: 'rename'; row: number; name: string }
  | { kind: 'mass'; row: number; value: bigint }
  | { kind: 'nothing' };

/**
 * A small world that changes a little at a time, the way a simulation does, so that
 * successive snapshots make every kind of delta: value patches (moves, including NaN
 * payloads and -0 written as raw bits, 2- and 8-byte columns), and encoded deltas (entities
 * born and removed, metadata, a component appearing and disappearing, strings).
 * `snapshot()` hands out its live typed arrays, which later changes overwrite in place, as
 * an ECS does: the history must have kept copies.
 */
export class EvolvingWorld {
  #ids: number[] = [1, 2, 3, 4];
  #x = new Float32Array([0, 1, 2, 3]);
  #y = new Float64Array([0, -0, 0.5, 1e300]);
  #level = new Uint16Array([1, 2, 3, 4]);
  #mass = new BigInt64Array([1n, 2n, 3n, 4n]);
  #names = ['a', 'b', 'c', 'd'];
  #extra = false;
  #tick = 0;
  #next = 5;
  #entities = Uint32Array.from(this.#ids);
  readonly #strings: boolean;

  /** `strings: false` leaves out the string columns (a world of numbers only, whose snapshots can be rebuilt into the same arrays). */
  constructor({ strings = true }: { strings?: boolean } = {}) {
    this.#strings = strings;
  }

  /** Applies one change (rows are taken modulo the entity count). */
  change(change: WorldChange): void {
    const n = this.#ids.length;
    switch (change.kind) {
      case 'move': {
        if (n === 0) return;
        const bits = new Uint32Array(this.#x.buffer, this.#x.byteOffset, n);
        change.rows.forEach((r, k) => {
          bits[r % n] = change.bits[k]! >>> 0;
          this.#level[r % n] = (this.#level[r % n]! + 1) & 0xffff;
        });
        return;
      }
      case 'grow':
        this.#resize([...this.#ids, this.#next++], (a, fill) => [...a, fill]);
        return;
      case 'shrink':
        if (n > 0)
          this.#resize(
            this.#ids.filter((_, i) => i !== change.row % n),
            (a) => a.filter((_, i) => i !== change.row % n),
          );
        return;
      case 'meta':
        this.#tick = change.value;
        return;
      case 'extra':
        this.#extra = !this.#extra;
        return;
      case 'rename':
        if (n > 0) this.#names[change.row % n] = change.name;
        return;
      case 'mass':
        if (n > 0) this.#mass[change.row % n] = change.value;
        return;
      case 'nothing':
        return;
    }
  }

  #resize(ids: number[], edit: <T>(values: T[], fill: T) => T[]): void {
    this.#ids = ids;
    this.#entities = Uint32Array.from(ids);
    this.#x = Float32Array.from(edit([...this.#x], -1));
    this.#y = Float64Array.from(edit([...this.#y], Number.NaN));
    this.#level = Uint16Array.from(edit([...this.#level], 7));
    this.#mass = BigInt64Array.from(edit([...this.#mass], -5n));
    this.#names = edit(this.#names, 'new');
  }

  /** The world now, over its live arrays. */
  snapshot(worldTime: number): PackedSnapshot {
    const components: ComponentInput[] = [
      { id: 'Position', fields: { x: this.#x, y: this.#y } },
      { id: 'Stats', fields: this.#strings ? { level: this.#level, mass: this.#mass, name: this.#names } : { level: this.#level, mass: this.#mass } },
    ];
    if (this.#extra)
      components.push({ id: 'Extra', fields: this.#strings ? { x: this.#x.map((v) => v * 2), y: this.#y, name: this.#names } : { x: this.#x.map((v) => v * 2), y: this.#y } });
    return createPackedSnapshot({ entities: this.#entities, worldTime, timestamp: 1_700_000_000_000, metadata: { tick: this.#tick }, components });
  }
}
