import type { PackedSnapshot } from '@tx2/pack-format';
import { invalidInput } from './errors.js';

/**
 * A least-recently-used cache of snapshot loads, keyed by replay index. It holds promises,
 * so a prefetch in flight and a visit of the same index share one load; a failed load is
 * dropped so the next visit retries.
 */
export class SnapshotCache {
  readonly capacity: number;
  readonly #entries = new Map<number, Promise<PackedSnapshot>>();

  /** A cache holding at most `capacity` snapshots (a count, not bytes; an integer >= 1); PackError('InvalidInput') otherwise. */
  constructor(capacity: number) {
    if (typeof capacity !== 'number' || !Number.isSafeInteger(capacity) || capacity < 1) {
      throw invalidInput(`cacheSize must be an integer >= 1 (a number of snapshots), got ${String(capacity)}`, { option: 'cacheSize', value: capacity });
    }
    this.capacity = capacity;
  }

  /** Number of cached (or loading) snapshots. */
  get size(): number {
    return this.#entries.size;
  }

  /** True when `index` is cached or loading. */
  has(index: number): boolean {
    return this.#entries.has(index);
  }

  /** The cached load of `index`, or a new one from `load`; marks it most recently used. */
  get(index: number, load: () => Promise<PackedSnapshot>): Promise<PackedSnapshot> {
    if (typeof load !== 'function') throw invalidInput(`SnapshotCache.get takes a load function, got ${typeof load}`);
    let entry = this.#entries.get(index);
    if (entry !== undefined) {
      this.#entries.delete(index);
    } else {
      entry = load();
      entry.catch(() => {
        if (this.#entries.get(index) === entry) this.#entries.delete(index);
      });
    }
    this.#entries.set(index, entry);
    while (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value as number;
      this.#entries.delete(oldest);
    }
    return entry;
  }

  /** Forgets every cached snapshot. */
  clear(): void {
    this.#entries.clear();
  }
}
