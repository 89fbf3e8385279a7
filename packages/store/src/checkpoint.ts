import { PackError, type PackedSnapshot } from '@tx2/pack-format';
import type { StorageBackend } from './backend.js';
import { validateId } from './id.js';
import { type JsonValue, SnapshotMetadata } from './metadata.js';
import { type LoadOptions, SnapshotStore, type SnapshotStoreOptions, type StoreEntry } from './store.js';

/** A checkpoint's place in the chain. */
export interface CheckpointInfo {
  id: string;
  /** The checkpoint that was the latest when this one was created (undefined for the first). */
  parent: string | undefined;
  /** Creation order: 1 for the first checkpoint of a store, then increasing. */
  sequence: number;
  /** True when `parent` was deleted: the chain has a gap before this checkpoint. */
  parentMissing: boolean;
  metadata: SnapshotMetadata;
}

/** A loaded checkpoint. */
export interface LoadedCheckpoint extends CheckpointInfo {
  snapshot: PackedSnapshot;
}

const KEY = 'checkpoint';

function linkOf(entry: Pick<StoreEntry, 'extra'>): { parent: string | undefined; sequence: number } | undefined {
  const link = entry.extra[KEY] as { parent?: JsonValue; sequence?: JsonValue } | undefined;
  if (typeof link !== 'object' || link === null || typeof link.sequence !== 'number') return undefined;
  return { parent: typeof link.parent === 'string' ? link.parent : undefined, sequence: link.sequence };
}

/**
 * A chain of checkpoints kept in a {@link SnapshotStore}: each new checkpoint's parent is
 * the latest one. Parent links and sequence numbers are stored in each checkpoint's
 * metadata record (written atomically with it), so a new process opening the same store
 * sees the same chain; there is no separate index file that could disagree.
 *
 * Deleting a checkpoint in the middle records a gap: its children keep their parent link
 * (nothing else is rewritten, so a delete is one atomic removal), `parentMissing` is true
 * for them and `ancestors()` stops there.
 */
export class CheckpointManager {
  readonly store: SnapshotStore;

  /** A manager over `store`, a backend, or a directory path. */
  constructor(store: SnapshotStore | StorageBackend | string, options: SnapshotStoreOptions = {}) {
    this.store = store instanceof SnapshotStore ? store : new SnapshotStore(store, options);
  }

  /** Saves `snapshot` as checkpoint `id`, whose parent is the latest checkpoint; returns its chain info. */
  async createCheckpoint(id: string, snapshot: PackedSnapshot, metadata?: SnapshotMetadata): Promise<CheckpointInfo> {
    validateId(id);
    if (metadata !== undefined && metadata.id !== id) throw new PackError('InvalidInput', `the metadata is for "${metadata.id}", not checkpoint "${id}": use metadata.withId("${id}")`);
    return this.store.withWriteLock(async () => {
      const chain = await this.#chain();
      if (chain.some((c) => c.id === id)) {
        throw new PackError('InvalidCheckpoint', `checkpoint "${id}" already exists: choose a new id or deleteCheckpoint("${id}") first`);
      }
      const latest = chain[chain.length - 1];
      const parent = latest?.id;
      const sequence = (latest?.sequence ?? 0) + 1;
      const meta = metadata ?? new SnapshotMetadata(id, { worldTime: snapshot.worldTime, schemaVersion: snapshot.schemaVersion });
      await this.store.saveUnlocked(snapshot, meta, { [KEY]: parent === undefined ? { sequence } : { parent, sequence } });
      return { id, parent, sequence, parentMissing: false, metadata: meta };
    });
  }

  /** Loads checkpoint `id` (optionally only some components); PackError 'SnapshotNotFound' when missing. */
  async loadCheckpoint(id: string, options: LoadOptions = {}): Promise<LoadedCheckpoint> {
    const entry = await this.store.loadEntry(id, options);
    const link = linkOf(entry);
    if (link === undefined) throw new PackError('InvalidCheckpoint', `"${id}" is a snapshot of this store but not a checkpoint (no chain link)`);
    const parentMissing = link.parent !== undefined && !(await this.store.exists(link.parent));
    return { id, ...link, parentMissing, metadata: entry.metadata, snapshot: entry.snapshot };
  }

  /** Deletes checkpoint `id`; its children keep a link to it (a recorded gap). True when it existed. */
  async deleteCheckpoint(id: string): Promise<boolean> {
    return this.store.delete(id);
  }

  async #chain(): Promise<CheckpointInfo[]> {
    const entries = await this.store.entries();
    const out: CheckpointInfo[] = [];
    for (const entry of entries) {
      const link = linkOf(entry);
      if (link !== undefined) out.push({ id: entry.metadata.id, ...link, parentMissing: false, metadata: entry.metadata });
    }
    out.sort((a, b) => a.sequence - b.sequence);
    const ids = new Set(out.map((c) => c.id));
    for (const c of out) c.parentMissing = c.parent !== undefined && !ids.has(c.parent);
    return out;
  }

  /** Every checkpoint, oldest first (creation order). */
  async listCheckpoints(): Promise<CheckpointInfo[]> {
    return this.#chain();
  }

  /** The chain in order, oldest first (same as listCheckpoints). */
  async chain(): Promise<CheckpointInfo[]> {
    return this.#chain();
  }

  /** The latest checkpoint, or undefined when there is none. */
  async latest(): Promise<CheckpointInfo | undefined> {
    const chain = await this.#chain();
    return chain[chain.length - 1];
  }

  /** The ancestors of `id`, nearest first, following parent links until the first checkpoint or a gap. */
  async ancestors(id: string): Promise<CheckpointInfo[]> {
    validateId(id);
    const chain = await this.#chain();
    const byId = new Map(chain.map((c) => [c.id, c]));
    const start = byId.get(id);
    if (start === undefined) throw new PackError('SnapshotNotFound', `no checkpoint "${id}": listCheckpoints() shows the existing ones`);
    const out: CheckpointInfo[] = [];
    const seen = new Set([id]);
    let parent = start.parent;
    while (parent !== undefined) {
      const node = byId.get(parent);
      if (node === undefined) break;
      if (seen.has(parent)) throw new PackError('InvalidCheckpoint', `the parent links of "${id}" form a cycle at "${parent}": the metadata files were edited`);
      seen.add(parent);
      out.push(node);
      parent = node.parent;
    }
    return out;
  }

  /** Deletes all but the `keep` latest checkpoints; returns the deleted ids. */
  async pruneOldCheckpoints(keep: number): Promise<string[]> {
    if (!Number.isInteger(keep) || keep < 0) throw new PackError('InvalidInput', `keep must be a non-negative integer, got ${keep}`);
    return this.store.withWriteLock(async () => {
      const chain = await this.#chain();
      const doomed = chain.slice(0, Math.max(0, chain.length - keep)).map((c) => c.id);
      for (const id of doomed) await this.store.deleteUnlocked(id);
      return doomed;
    });
  }

  /** Deletes every checkpoint; returns how many were deleted. */
  async clear(): Promise<number> {
    return (await this.pruneOldCheckpoints(0)).length;
  }
}
