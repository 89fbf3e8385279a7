import { NO_ENTITY } from './columns.js';

/**
 * Saved → new entity ids of one load, as a read-only map (the `idMap` every `loadWorld` returns).
 * Backed by arrays and, when saved ids are dense enough, a flat table: building a Map of every
 * entity costs more than the rest of a load's bookkeeping.
 */
export class IdRemap implements ReadonlyMap<number, number> {
  readonly #saved: Uint32Array;
  readonly #ids: number[];
  readonly #table: Uint32Array | undefined;
  readonly #sparse: Map<number, number> | undefined;

  /** Creates one entity per saved id, in saved order, with `create` (without it, the new id of each entity is its position). */
  constructor(saved: Uint32Array, create?: (savedId: number, position: number) => number) {
    this.#saved = saved;
    let max = 0;
    for (let i = 0; i < saved.length; i++) if (saved[i]! > max) max = saved[i]!;
    // A flat table costs 4 bytes per id up to the largest: worth it while ids are not far sparser than entities.
    const table = saved.length > 0 && max <= saved.length * 8 + 65_536 ? new Uint32Array(max + 1).fill(NO_ENTITY) : undefined;
    const sparse = table === undefined ? new Map<number, number>() : undefined;
    const ids: number[] = new Array(saved.length);
    for (let k = 0; k < saved.length; k++) {
      const old = saved[k]!;
      ids[k] = create === undefined ? k : create(old, k);
      if (table !== undefined) table[old] = k;
      else sparse!.set(old, k);
    }
    this.#ids = ids;
    this.#table = table;
    this.#sparse = sparse;
  }

  /** The position of a saved id in the saved entity list, or undefined when it was not saved. */
  position(old: number): number | undefined {
    const table = this.#table;
    if (table === undefined) return this.#sparse!.get(old);
    const k = old < table.length ? table[old]! : NO_ENTITY;
    return k === NO_ENTITY ? undefined : k;
  }

  /** The new id of a saved one, or undefined when it was not saved. */
  get(old: number): number | undefined {
    const k = this.position(old);
    return k === undefined ? undefined : this.#ids[k];
  }

  /** True when `old` was a saved entity. */
  has(old: number): boolean {
    return this.position(old) !== undefined;
  }

  /** The number of entities loaded. */
  get size(): number {
    return this.#ids.length;
  }

  /** The positions of saved rows (every row's entity is a saved entity: the format checks it). */
  positions(saved: Uint32Array): number[] {
    const out: number[] = new Array(saved.length);
    for (let i = 0; i < saved.length; i++) out[i] = this.position(saved[i]!)!;
    return out;
  }

  /** The new ids of saved rows. */
  rows(saved: Uint32Array): number[] {
    const out: number[] = new Array(saved.length);
    for (let i = 0; i < saved.length; i++) out[i] = this.#ids[this.position(saved[i]!)!]!;
    return out;
  }

  /** Calls `f(newId, savedId, map)` for each loaded entity, in saved order. */
  forEach(f: (value: number, key: number, map: ReadonlyMap<number, number>) => void, thisArg?: unknown): void {
    for (let k = 0; k < this.#ids.length; k++) f.call(thisArg, this.#ids[k]!, this.#saved[k]!, this);
  }

  /** [saved id, new id] pairs in saved order. */
  *entries(): MapIterator<[number, number]> {
    for (let k = 0; k < this.#ids.length; k++) yield [this.#saved[k]!, this.#ids[k]!];
  }

  /** Saved ids in saved order. */
  *keys(): MapIterator<number> {
    for (let k = 0; k < this.#ids.length; k++) yield this.#saved[k]!;
  }

  /** New ids in saved order. */
  *values(): MapIterator<number> {
    for (let k = 0; k < this.#ids.length; k++) yield this.#ids[k]!;
  }

  /** Same as `entries()`. */
  [Symbol.iterator](): MapIterator<[number, number]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return 'IdMap';
  }
}
