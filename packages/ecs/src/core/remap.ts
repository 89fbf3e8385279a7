import { NO_ENTITY } from './columns.js';
import type { IdMap } from './registry.js';

/** Saved → new entity ids for one load: the public `idMap`, and a flat table for the hot loops when saved ids are dense enough. */
export class IdRemap {
  readonly idMap: IdMap = new Map();
  #table: Uint32Array | undefined;
  #keepMap: boolean;
  #sparse: Map<number, number> | undefined;

  /** Creates one entity per saved id, in saved order, with `create`; `keepMap` false leaves `idMap` empty (internal tables). */
  constructor(saved: Uint32Array, create: (savedId: number) => number, keepMap = true) {
    this.#keepMap = keepMap;
    let max = 0;
    for (let i = 0; i < saved.length; i++) if (saved[i]! > max) max = saved[i]!;
    // A flat table costs 4 bytes per id up to the largest: worth it while ids are not far sparser than entities.
    const table = saved.length > 0 && max <= saved.length * 8 + 65_536 ? new Uint32Array(max + 1).fill(NO_ENTITY) : undefined;
    const sparse = table === undefined && !keepMap ? new Map<number, number>() : undefined;
    for (let i = 0; i < saved.length; i++) {
      const old = saved[i]!;
      const id = create(old);
      if (keepMap) this.idMap.set(old, id);
      if (table !== undefined) table[old] = id;
      else if (!keepMap) sparse!.set(old, id);
    }
    this.#table = table;
    this.#sparse = sparse;
  }

  /** The new id of a saved one, or undefined when it was not saved. */
  get(old: number): number | undefined {
    const table = this.#table;
    if (table !== undefined) {
      const id = old < table.length ? table[old]! : NO_ENTITY;
      return id === NO_ENTITY ? undefined : id;
    }
    return this.#keepMap ? this.idMap.get(old) : this.#sparse?.get(old);
  }

  /** The new ids of saved rows (every row's entity is a saved entity: the format checks it). */
  rows(saved: Uint32Array): number[] {
    const out: number[] = new Array(saved.length);
    for (let i = 0; i < saved.length; i++) out[i] = this.get(saved[i]!)!;
    return out;
  }
}
