// Rebuilt checkpoint snapshots kept in memory, so a game checkpointing every few seconds diffs
// against the previous checkpoint without reloading it, and loading neighbouring checkpoints
// applies only the deltas between them. Entries are private copies keyed by id and checked
// against the random save id of the checkpoint's record, so a checkpoint rewritten since
// (by this process or another) is never served from here.
import type { Column, PackedComponent, PackedSnapshot } from '@tx2/pack-format';

/** A checkpoint's snapshot as loaded or rebuilt, with what is known of its hash. */
export interface CachedSnapshot {
  id: string;
  /** The save id of the record it was loaded under. */
  saveId: string;
  /** Its `snapshotHash` (hex) once computed or checked; undefined until then (a full checkpoint loaded for itself). */
  hash: string | undefined;
  /** The hash its record states (undefined for checkpoints saved without one). */
  recorded: string | undefined;
  snapshot: PackedSnapshot;
}

/** A deep copy sharing nothing with `snapshot` (typed arrays, maps and metadata included; entity lists shared inside it stay shared). */
export function copySnapshot(snapshot: PackedSnapshot): PackedSnapshot {
  // Column data is copied with slice() (a memcpy); structuredClone is several times slower on large worlds.
  const lists = new Map<Uint32Array, Uint32Array>();
  const ids = (list: Uint32Array): Uint32Array => {
    let copy = lists.get(list);
    if (copy === undefined) lists.set(list, (copy = list.slice()));
    return copy;
  };
  const values = (column: Column): Column['values'] => {
    const v = column.values;
    if (!Array.isArray(v)) return (v as Exclude<Column['values'], readonly unknown[]>).slice();
    return (v as unknown[]).map((x) => (x instanceof Uint8Array ? x.slice() : x)) as Column['values'];
  };
  const components = snapshot.components.map(
    (c): PackedComponent =>
      c.layout === 'columns'
        ? { ...c, entityIds: ids(c.entityIds), fields: c.fields.map((f) => ({ ...f, values: values(f) }) as Column) }
        : { ...c, entityIds: ids(c.entityIds), blobs: c.blobs.map((b) => b.slice()) },
  );
  const out: PackedSnapshot = { ...snapshot, metadata: structuredClone(snapshot.metadata), entities: ids(snapshot.entities), components };
  if (snapshot.entityMetadata !== undefined) out.entityMetadata = structuredClone(snapshot.entityMetadata);
  if (snapshot.componentOrder !== undefined) out.componentOrder = new Map([...snapshot.componentOrder].map(([entity, order]) => [entity, order.slice()]));
  return out;
}

/**
 * A small least-recently-used set of snapshots plus the latest checkpoint and the anchors of
 * its run (the snapshots the next predicted delta is made from), which are always kept.
 */
export class SnapshotCache {
  readonly capacity: number;
  readonly #entries = new Map<string, CachedSnapshot>();
  #latest: CachedSnapshot | undefined;
  #anchors: CachedSnapshot[] = [];

  /** A cache of up to `capacity` snapshots besides the latest checkpoint's. */
  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** The entry of `id` when it was loaded under save id `saveId` (a stale entry is dropped). */
  get(id: string, saveId: string): CachedSnapshot | undefined {
    const entry = this.#latest?.id === id ? this.#latest : (this.#anchors.find((a) => a.id === id) ?? this.#entries.get(id));
    if (entry === undefined) return undefined;
    if (entry.saveId !== saveId) {
      this.delete(id);
      return undefined;
    }
    if (this.#entries.has(id)) {
      this.#entries.delete(id);
      this.#entries.set(id, entry);
    }
    return entry;
  }

  /** Keeps `entry` (the caller must not mutate its snapshot afterwards). */
  set(entry: CachedSnapshot): void {
    if (this.#latest?.id === entry.id) this.#latest = entry;
    this.#anchors = this.#anchors.map((a) => (a.id === entry.id ? entry : a));
    this.#entries.delete(entry.id);
    if (this.capacity === 0) return;
    this.#entries.set(entry.id, entry);
    while (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** Keeps `entry` as the latest checkpoint's snapshot, outside the LRU. */
  setLatest(entry: CachedSnapshot): void {
    this.#entries.delete(entry.id);
    this.#latest = entry;
  }

  /** Keeps exactly `entries` as anchors, outside the LRU (an empty list drops them). */
  setAnchors(entries: CachedSnapshot[]): void {
    for (const entry of entries) this.#entries.delete(entry.id);
    this.#anchors = entries;
  }

  /** The latest checkpoint's snapshot as last created or loaded. */
  get latest(): CachedSnapshot | undefined {
    return this.#latest;
  }

  /** Forgets `id`. */
  delete(id: string): void {
    this.#entries.delete(id);
    this.#anchors = this.#anchors.filter((a) => a.id !== id);
    if (this.#latest?.id === id) this.#latest = undefined;
  }

  /** Forgets everything. */
  clear(): void {
    this.#entries.clear();
    this.#latest = undefined;
    this.#anchors = [];
  }
}
