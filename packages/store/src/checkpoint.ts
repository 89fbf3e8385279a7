import {
  type ApplyOptions,
  applyDelta,
  bytesEqual,
  diff,
  encodeDelta,
  fromHex,
  hashHex,
  isPackError,
  migrateSnapshot,
  PackError,
  type PackedSnapshot,
  type SnapshotDelta,
  snapshotHash,
  validateId,
} from '@tx2/pack-format';
import { type DeltaPolicy, predictionScale, type ResolvedDeltaPolicy, withinDeltaRatio, withinFullEvery } from '@tx2/pack-format';
import type { StorageBackend } from './backend.js';
import { checkSnapshotObject, describeValue, malformedSnapshotError, optionsObject } from './errors.js';
import { type CheckpointLink, type CheckpointStorage, type FullReason, linkOf, linkRecord, resolveIncremental, usableReference } from './incremental.js';
import { metadataForWorld, SnapshotMetadata } from './metadata.js';
import { type CachedSnapshot, copySnapshot, SnapshotCache } from './snapshot-cache.js';
import { checkLoadOptions, type LoadOptions, META_SUFFIX, parseRecord, SnapshotStore, type SnapshotStoreOptions, type StoreRecord, type StoredContainer } from './store.js';

/** A checkpoint's place in the chain. */
export interface CheckpointInfo {
  id: string;
  /** The checkpoint that was the latest when this one was created (undefined for the first). */
  parent: string | undefined;
  /** Creation order: 1 for the first checkpoint of a store, then increasing. */
  sequence: number;
  /** True when `parent` was deleted: the chain has a gap before this checkpoint. */
  parentMissing: boolean;
  /** Full snapshot, or delta against a base checkpoint (always present: deletes rebase dependents first). */
  storage: CheckpointStorage;
  /** `snapshotHash` of the checkpoint's snapshot (hex); undefined when saved with `incremental: false` or before incremental storage existed. */
  hash: string | undefined;
  metadata: SnapshotMetadata;
}

/** A loaded checkpoint. */
export interface LoadedCheckpoint extends CheckpointInfo {
  snapshot: PackedSnapshot;
}

/** What `createCheckpoint` returns: the chain info, the stored size, and why it is full when it is. */
export interface CreatedCheckpoint extends CheckpointInfo {
  /** Size of the stored container (the delta, or the full snapshot), before section deduplication. */
  bytes: number;
  /** Why the checkpoint was stored in full (undefined for a delta). */
  fullReason: FullReason | undefined;
}

/** Options of a {@link CheckpointManager}: those of its store, plus incremental storage and caching. */
export interface CheckpointManagerOptions extends SnapshotStoreOptions {
  /**
   * Store checkpoints as deltas against their parent, by a `DeltaPolicy` of @tx2/pack-format
   * (default `{ fullEvery: 10, maxDeltaRatio: 0.5 }`); false stores every checkpoint in full.
   */
  incremental?: DeltaPolicy | false;
  /** Rebuilt snapshots kept in memory besides the latest checkpoint's (default 4; 0 keeps only the latest). */
  cacheSize?: number;
}

/** Options of `createCheckpoint`. */
export interface CreateCheckpointOptions {
  /** The checkpoint this one continues (default: the latest); naming an older one starts a branch. */
  parent?: string;
  metadata?: SnapshotMetadata;
}

/** The metadata and parent of `createCheckpoint`'s third argument (metadata alone, or options). */
function checkpointOptions(options: SnapshotMetadata | CreateCheckpointOptions | undefined): CreateCheckpointOptions {
  if (options === undefined || options instanceof SnapshotMetadata) return options === undefined ? {} : { metadata: options };
  const checked = optionsObject(options, 'the third argument of createCheckpoint (SnapshotMetadata or { parent, metadata })') as CreateCheckpointOptions;
  if (checked.metadata !== undefined && !(checked.metadata instanceof SnapshotMetadata))
    throw new PackError('InvalidInput', `createCheckpoint expects SnapshotMetadata or no metadata, got ${describeValue(checked.metadata)}`, {
      details: { option: 'metadata' },
    });
  if (checked.parent !== undefined) validateId(checked.parent);
  return checked;
}

/** Records kept parsed by a manager (see #parsed). */
const PARSED_RECORDS = 8;

/**
 * True when the record keys among a backend's keys `all` are exactly `keys`: one pass, no sort
 * and no filtered copy, as a chain of thousands is checked at every creation.
 */
function sameRecordKeys(all: readonly string[], keys: ReadonlySet<string>): boolean {
  let count = 0;
  for (const key of all) {
    if (!key.endsWith(META_SUFFIX)) continue;
    if (!keys.has(key)) return false;
    count++;
  }
  return count === keys.size;
}

/** True when `delta` only overwrites values of existing rows (no entity, row, component, metadata or order change). */
function valuesOnly(delta: SnapshotDelta): boolean {
  if (delta.metadata !== undefined || delta.entities !== undefined || delta.entityMetadata !== undefined || delta.componentOrder !== undefined) return false;
  if (delta.removedComponents.length > 0) return false;
  return delta.components.every((c) => c.change === 'unchanged' || (c.change === 'patched' && c.rows === undefined && c.added === undefined));
}

/** True when two deltas encode to the same bytes (uncompressed: a copy, no hash). */
function sameDelta(a: SnapshotDelta, b: SnapshotDelta): boolean {
  return bytesEqual(encodeDelta(a, { checksums: false }), encodeDelta(b, { checksums: false }));
}

/** Rewraps a storage or decode error so its message names the checkpoint that is broken. */
function broken(id: string, error: unknown, what = 'cannot be loaded'): PackError {
  if (isPackError(error) && error.details.checkpoint !== undefined) return error;
  const code = isPackError(error) ? error.code : 'Io';
  const message = error instanceof Error ? error.message : String(error);
  return new PackError(code, `checkpoint "${id}" ${what}: ${message}`, { cause: error, details: { checkpoint: id } });
}

/** A delta checkpoint read on the way to a rebuild: applied once its base is rebuilt. */
interface PendingDelta {
  id: string;
  saveId: string;
  delta: SnapshotDelta;
  link: CheckpointLink;
}

/**
 * A chain of checkpoints kept in a {@link SnapshotStore}: each new checkpoint's parent is
 * the latest one. Parent links, sequence numbers and storage (full, or delta against a base)
 * are stored in each checkpoint's metadata record (written atomically with it), so a new
 * process opening the same store sees the same chain; there is no separate index file that
 * could disagree.
 *
 * Incremental storage: a checkpoint is stored as a delta against its parent unless the
 * policy asks for a full one. Loading applies the deltas from the nearest full checkpoint
 * (or cached snapshot), verifying every hash. Deleting or pruning a checkpoint that is the
 * base of others first rewrites those dependents as full snapshots, so no delta ever loses
 * its base, even after a crash part-way.
 *
 * Deleting a checkpoint in the middle records a gap: its children keep their parent link,
 * `parentMissing` is true for them and `ancestors()` stops there.
 */
export class CheckpointManager {
  readonly store: SnapshotStore;
  /** The incremental policy, or undefined when every checkpoint is stored in full. */
  readonly incremental: ResolvedDeltaPolicy | undefined;
  readonly #cache: SnapshotCache;
  /** The chain as last read or written by this manager, with the metadata keys it was read from (see #chain). */
  #known: { keys: Set<string>; chain: CheckpointInfo[]; byId: Map<string, CheckpointInfo> } | undefined;
  /**
   * Stored size of the last delta this manager wrote or measured, whether it was a predicted
   * one, and how many checkpoints since were stored in full without trying one: a delta that
   * cannot fit its run is foreseen from the last one of its kind and never computed (see #tryDelta).
   */
  #lastDelta: { bytes: number; predicted: boolean; skipped: number } | undefined;
  /**
   * Store records read during one `createCheckpoint` (under the write lock, so nothing else
   * rewrites them): the latest checkpoint's record is read once, not by each step that needs it.
   * Undefined outside a creation; emptied whenever a stored file is read (a read may repair a record).
   */
  #records: Map<string, StoreRecord | undefined> | undefined;
  /**
   * The last records parsed, by id, with the bytes they were parsed from: the base and
   * reference of a run are read at every creation, and parsed again only when their bytes changed.
   */
  readonly #parsed = new Map<string, { bytes: Uint8Array; record: StoreRecord }>();

  /**
   * A manager over `store`, a backend, or a directory path. A store it creates deduplicates
   * sections (`dedupeSections: true` unless the options say otherwise).
   */
  constructor(store: SnapshotStore | StorageBackend | string, options?: CheckpointManagerOptions) {
    const { incremental, cacheSize, ...storeOptions } = optionsObject(options, 'CheckpointManager options');
    this.store = store instanceof SnapshotStore ? store : new SnapshotStore(store, { dedupeSections: true, ...storeOptions });
    this.incremental = resolveIncremental(incremental);
    const capacity = cacheSize ?? 4;
    if (!Number.isInteger(capacity) || capacity < 0) throw new PackError('InvalidInput', `cacheSize must be a non-negative integer, got ${describeValue(capacity)}`);
    this.#cache = new SnapshotCache(capacity);
  }

  /**
   * Saves `snapshot` as checkpoint `id`, whose parent is the latest checkpoint, or `parent` when
   * given (a branch: e.g. a run restored from an older checkpoint and saved again): as a delta
   * against the parent when the policy allows, in full otherwise. The manager keeps a private
   * copy for the next delta; `snapshot` stays the caller's.
   */
  async createCheckpoint(id: string, snapshot: PackedSnapshot, options?: SnapshotMetadata | CreateCheckpointOptions): Promise<CreatedCheckpoint> {
    validateId(id);
    checkSnapshotObject(snapshot, 'createCheckpoint');
    const { metadata, parent: named } = checkpointOptions(options);
    if (metadata !== undefined && !(metadata instanceof SnapshotMetadata))
      throw new PackError('InvalidInput', `createCheckpoint expects SnapshotMetadata or no metadata, got ${describeValue(metadata)}`);
    if (metadata !== undefined && metadata.id !== id)
      throw new PackError('InvalidInput', `the metadata is for "${metadata.id}", not checkpoint "${id}": use metadata.withId("${id}")`);
    return this.store.withWriteLock(async () => {
      this.#records = new Map();
      try {
        return await this.#create(id, snapshot, named, metadata);
      } finally {
        this.#records = undefined;
      }
    });
  }

  /** The body of `createCheckpoint`, under the write lock. */
  async #create(id: string, snapshot: PackedSnapshot, named: string | undefined, metadata: SnapshotMetadata | undefined): Promise<CreatedCheckpoint> {
    const chain = await this.#knownChain();
    const byId = this.#known?.chain === chain ? this.#known.byId : new Map(chain.map((c) => [c.id, c]));
    if (byId.has(id)) {
      throw new PackError('InvalidCheckpoint', `checkpoint "${id}" already exists: choose a new id or deleteCheckpoint("${id}") first`);
    }
    const latest = chain[chain.length - 1];
    const base = named === undefined ? latest : byId.get(named);
    if (base === undefined && named !== undefined) {
      throw new PackError('InvalidCheckpoint', `parent checkpoint "${named}" does not exist: name an existing checkpoint (listCheckpoints) or omit \`parent\``, {
        details: { checkpoint: id, parent: named },
      });
    }
    const parent = base?.id;
    const sequence = (latest?.sequence ?? 0) + 1;
    const meta = metadata ?? metadataForWorld(id, snapshot);
    if (this.incremental === undefined) {
      // Every checkpoint in full: no copy and no hash, so huge worlds stream as plain saves do.
      await this.store.saveUnlocked(snapshot, meta, linkRecord({ parent, sequence, storage: { kind: 'full' }, hash: undefined, fullBytes: undefined }));
      const bytes = (await this.store.record(id))?.size ?? 0;
      const info: CheckpointInfo = { id, parent, sequence, parentMissing: false, storage: { kind: 'full' }, hash: undefined, metadata: meta };
      this.#remember(info);
      return { ...info, bytes, fullReason: 'incremental-off' };
    }
    let own: PackedSnapshot;
    let hashBytes: Uint8Array;
    try {
      own = copySnapshot(snapshot);
      // The hash is kept with the checkpoint (link, cache): format need not remember it too.
      hashBytes = snapshotHash(own, { remember: false });
    } catch (error) {
      throw malformedSnapshotError(snapshot, error);
    }
    const hash = hashHex(hashBytes);

    const attempt = await this.#tryDelta(byId, base, own, hashBytes, sequence);
    let link: CheckpointLink;
    let fullReason: FullReason | undefined;
    let record: { saveId: string; size: number } | undefined;
    if ('container' in attempt) {
      link = { parent, sequence, storage: attempt.storage, hash, fullBytes: attempt.fullBytes, deltaBytes: attempt.deltaBytes };
      // The save says what it recorded: no read back.
      record = await this.store.saveContainerUnlocked(id, attempt.container, meta, linkRecord(link));
    } else {
      fullReason = attempt.fullReason;
      link = { parent, sequence, storage: { kind: 'full' }, hash, fullBytes: undefined };
      await this.store.saveUnlocked(own, meta, linkRecord(link));
      record = await this.store.record(id);
    }
    const bytes = record?.size ?? 0;
    if (record !== undefined) {
      this.#cache.setLatest({ id, saveId: record.saveId, hash, recorded: hash, snapshot: own });
      // The snapshots the next checkpoint of this run predicts from stay in memory (none after a full one).
      this.#cache.setAnchors('anchors' in attempt ? attempt.anchors : []);
    }
    const info: CheckpointInfo = { id, parent, sequence, parentMissing: false, storage: link.storage, hash, metadata: meta };
    this.#remember(info);
    return { ...info, bytes, fullReason };
  }

  /** The hash of a cached or loaded snapshot, computed once and checked against its record: a mismatch names the damaged checkpoint. */
  #verify(entry: CachedSnapshot): string {
    if (entry.hash !== undefined) return entry.hash;
    const hash = hashHex(snapshotHash(entry.snapshot));
    if (entry.recorded !== undefined && hash !== entry.recorded) {
      throw new PackError('ChecksumMismatch', `checkpoint "${entry.id}" is damaged: its snapshot does not match the hash recorded when it was saved`, {
        details: { checkpoint: entry.id, expected: entry.recorded, actual: hash },
      });
    }
    entry.hash = hash;
    return hash;
  }

  /**
   * What a delta after `parent` is made from. A run is a full checkpoint F, then F+1 (a delta
   * against F), then deltas against F+1 that predict their floats from F and F+1 (so a load
   * applies at most two deltas); a run where prediction did not pay chains each delta on its
   * parent instead, as before predicted deltas existed.
   */
  #plan(byId: ReadonlyMap<string, CheckpointInfo>, parent: CheckpointInfo): { base: CheckpointInfo; reference?: CheckpointInfo } {
    const storage = parent.storage;
    if (storage.kind === 'full') return { base: parent };
    if (storage.reference !== undefined) {
      const base = byId.get(storage.base);
      const reference = byId.get(storage.reference.id);
      if (base !== undefined && reference !== undefined) return { base, reference };
    } else if (storage.depth === 1 && storage.runIndex === 1) {
      const reference = byId.get(storage.base);
      if (reference?.storage.kind === 'full') return { base: parent, reference };
    }
    return { base: parent };
  }

  /** The delta container for a checkpoint after `parent`, or why it is stored in full. */
  async #tryDelta(
    byId: ReadonlyMap<string, CheckpointInfo>,
    parent: CheckpointInfo | undefined,
    next: PackedSnapshot,
    nextHash: Uint8Array,
    sequence: number,
  ): Promise<{ container: Uint8Array; storage: CheckpointStorage; fullBytes: number; deltaBytes: number; anchors: CachedSnapshot[] } | { fullReason: FullReason }> {
    const policy = this.incremental;
    if (policy === undefined) return { fullReason: 'incremental-off' };
    if (parent === undefined) return { fullReason: 'first' };
    const runIndex = (parent.storage.kind === 'delta' ? parent.storage.runIndex : 0) + 1;
    if (!withinFullEvery(policy, runIndex)) return { fullReason: 'full-every' };
    let plan = this.#plan(byId, parent);
    let base: CachedSnapshot;
    let baseHex: string;
    let reference: CachedSnapshot | undefined;
    let referenceHex: string | undefined;
    try {
      base = await this.#rebuild(plan.base.id, true);
      baseHex = this.#verify(base);
      if (plan.reference !== undefined) {
        reference = await this.#rebuild(plan.reference.id, true);
        referenceHex = this.#verify(reference);
      }
    } catch {
      // The new checkpoint does not need a damaged parent: it is stored in full, and loading the parent still reports the damage.
      return { fullReason: 'base-unreadable' };
    }
    const { fullBytes, deltaBytes: before } = await this.#runBytes(parent);
    // Never pay for a delta that will be thrown away: when the last one measured would not fit
    // in this run, this one (of a world changing at the same pace) would not either. Every
    // `fullEvery` checkpoints stored so, one is tried anyway, in case the world calmed down.
    // A predicted delta is far smaller than a plain one: each is foreseen only from the last of its kind.
    const last = this.#lastDelta;
    const sameKind = last !== undefined && last.predicted === (plan.reference !== undefined);
    if (fullBytes !== undefined && last !== undefined && sameKind && last.skipped < policy.fullEvery && !withinDeltaRatio(policy, before + last.bytes, fullBytes)) {
      last.skipped++;
      return { fullReason: 'max-delta-ratio' };
    }
    let delta: SnapshotDelta;
    if (plan.reference !== undefined && reference !== undefined && referenceHex !== undefined) {
      const scale = predictionScale(reference.snapshot, base.snapshot, next, [plan.reference.sequence, plan.base.sequence, sequence]);
      delta = diff(base.snapshot, next, {
        baseHash: fromHex(baseHex),
        nextHash,
        reference: { snapshot: reference.snapshot, scale, hash: fromHex(referenceHex) },
      });
      if (delta.reference === undefined && plan.base.id !== parent.id) {
        // Prediction did not pay (the world stopped moving linearly): chain on the parent.
        try {
          base = await this.#rebuild(parent.id, true);
          baseHex = this.#verify(base);
        } catch {
          return { fullReason: 'base-unreadable' };
        }
        plan = { base: parent };
        delta = diff(base.snapshot, next, { baseHash: fromHex(baseHex), nextHash });
      }
    } else {
      delta = diff(base.snapshot, next, { baseHash: fromHex(baseHex), nextHash });
    }
    const predicted = delta.reference !== undefined && plan.reference !== undefined && reference !== undefined && referenceHex !== undefined;
    const container = await this.store.writer.encodeDelta(delta);
    this.#lastDelta = { bytes: container.length, predicted, skipped: 0 };
    // The deltas of a run add up: together they may hold at most maxDeltaRatio of its full checkpoint.
    const deltaBytes = before + container.length;
    if (fullBytes !== undefined && !withinDeltaRatio(policy, deltaBytes, fullBytes)) return { fullReason: 'max-delta-ratio' };
    // A delta is written only once it is known to read back: its id lists are within the
    // reader's limits, and it decodes to the very delta made (diff and applyDelta rebuild `next`
    // bit for bit, which their own tests prove). A delta that only overwrites values cannot
    // exceed the limits (every id list it holds comes with the values it addresses), so it is
    // trusted as full saves are, and not decoded again (in a world where everything moves,
    // reading it back would cost half a save).
    if (!valuesOnly(delta)) {
      try {
        const decoded: SnapshotDelta = await this.store.reader.decodeDelta(container);
        if (!sameDelta(decoded, delta)) return { fullReason: 'delta-check-failed' };
      } catch {
        return { fullReason: 'delta-check-failed' };
      }
    }
    const depth = (plan.base.storage.kind === 'delta' ? plan.base.storage.depth : 0) + 1;
    const storage: CheckpointStorage = { kind: 'delta', base: plan.base.id, baseHash: baseHex, depth, runIndex };
    let anchors: CachedSnapshot[] = [];
    if (predicted) {
      storage.reference = { id: plan.reference!.id, hash: referenceHex!, scale: delta.reference!.scale };
      anchors = [base, reference!];
    } else if (depth === 1) {
      // The full checkpoint of the run: the next checkpoint predicts from it and this one.
      anchors = [base];
    }
    return { container, storage, fullBytes: fullBytes ?? container.length, deltaBytes, anchors };
  }

  /** Stored sizes of the run `latest` ends: its full checkpoint (undefined when unknown) and its deltas so far (0 when unrecorded). */
  async #runBytes(latest: CheckpointInfo): Promise<{ fullBytes: number | undefined; deltaBytes: number }> {
    const record = await this.#record(latest.id);
    if (latest.storage.kind === 'delta') {
      const link = linkOf(record?.extra ?? {});
      if (link?.fullBytes !== undefined) return { fullBytes: link.fullBytes, deltaBytes: link.deltaBytes ?? 0 };
    }
    return { fullBytes: record?.size, deltaBytes: 0 };
  }

  /**
   * The snapshot of checkpoint `id` (a private copy: never hand it out): from the cache, or
   * rebuilt from the nearest full checkpoint or cached ancestor by applying deltas. Every
   * base a delta is applied to is hash-checked first, and every result by applyDelta; a full
   * checkpoint loaded for itself is checked by the store (SHA-256 or CRCs), its hash later.
   * With `cacheFull` false, a full checkpoint that needs no delta is returned uncached and
   * `owned` (the caller may hand it out). `locked` says the caller holds the write lock (a
   * crash-interrupted rewrite found on the way is then repaired without taking it again).
   */
  async #rebuild(id: string, locked: boolean, cacheFull = true, outer: ReadonlySet<string> = new Set()): Promise<CachedSnapshot & { owned?: boolean }> {
    if (outer.has(id))
      throw new PackError('InvalidCheckpoint', `the delta bases and references of checkpoint "${id}" form a cycle: the metadata files were edited`, {
        details: { checkpoint: id },
      });
    const pending: PendingDelta[] = [];
    const seen = new Set<string>();
    let current = id;
    let base: CachedSnapshot;
    for (;;) {
      if (seen.has(current))
        throw new PackError('InvalidCheckpoint', `the delta bases of checkpoint "${id}" form a cycle at "${current}": the metadata files were edited`, {
          details: { checkpoint: current },
        });
      seen.add(current);
      const dependent = pending[pending.length - 1];
      let record: StoreRecord | undefined;
      try {
        record = locked ? await this.#record(current) : await this.store.record(current);
      } catch (error) {
        throw broken(current, error);
      }
      if (record === undefined) {
        if (dependent === undefined) throw new PackError('SnapshotNotFound', `no checkpoint "${id}": listCheckpoints() shows the existing ones`, { details: { id } });
        throw new PackError(
          'InvalidCheckpoint',
          `checkpoint "${dependent.id}" is a delta against "${current}", which is missing (deleted outside the manager): "${dependent.id}" cannot be rebuilt`,
          {
            details: { checkpoint: dependent.id, base: current },
          },
        );
      }
      const cached = this.#cache.get(current, record.saveId);
      if (cached !== undefined) {
        base = cached;
        break;
      }
      let stored: StoredContainer;
      // Reading a file may repair a record a crash left behind: records read before are stale.
      this.#records?.clear();
      try {
        stored = locked ? await this.store.loadStoredUnlocked(current) : await this.store.loadStored(current);
      } catch (error) {
        throw broken(current, error);
      } finally {
        this.#records?.clear();
      }
      const link = linkOf(stored.extra);
      if (link === undefined)
        throw new PackError('InvalidCheckpoint', `"${current}" is a snapshot of this store but not a checkpoint (no chain link)`, { details: { checkpoint: current } });
      if (stored.kind === 'snapshot') {
        base = { id: current, saveId: record.saveId, hash: undefined, recorded: link.hash, snapshot: stored.snapshot };
        // A full checkpoint loaded for itself goes to the caller as is: a huge world is not held twice.
        if (!cacheFull && pending.length === 0) return { ...base, owned: true };
        this.#cache.set(base);
        break;
      }
      if (link.storage.kind !== 'delta' || link.hash === undefined) {
        throw new PackError('InvalidCheckpoint', `checkpoint "${current}" holds a delta but its metadata names no base: its metadata file was edited`, {
          details: { checkpoint: current },
        });
      }
      let delta: SnapshotDelta;
      try {
        delta = await this.store.reader.decodeDelta(stored.container);
      } catch (error) {
        throw broken(current, error, 'is damaged: its delta cannot be decoded');
      }
      const predicted = delta.reference;
      const named = link.storage.reference;
      if (named !== undefined && !usableReference(named)) {
        throw new PackError('InvalidCheckpoint', `checkpoint "${current}" names a damaged reference in its metadata: its metadata file was edited`, {
          details: { checkpoint: current },
        });
      }
      const sameReference =
        predicted === undefined ? named === undefined : named !== undefined && hashHex(predicted.hash) === named.hash && Object.is(predicted.scale, named.scale);
      if (hashHex(delta.target) !== link.hash || hashHex(delta.base) !== link.storage.baseHash || !sameReference) {
        throw new PackError('ChecksumMismatch', `checkpoint "${current}" is damaged: its delta names other snapshots than its metadata does`, { details: { checkpoint: current } });
      }
      pending.push({ id: current, saveId: record.saveId, delta, link });
      current = link.storage.base;
    }
    // Fast path: only the last result is hash-checked. Its hash covers every snapshot it was
    // built from, so the ones on the way (and a reference) are applied unchecked and kept
    // unverified (hash undefined), to be checked when used for themselves. When the last check
    // fails, the chain is applied again checking every step, to name the damaged checkpoint.
    try {
      return await this.#applyChain(pending, base, locked, [...outer, id], false);
    } catch (error) {
      if (!isPackError(error)) throw error;
    }
    return await this.#applyChain(pending, base, locked, [...outer, id], true);
  }

  /**
   * Applies the deltas of `pending` (last first) to `start`; with `checkEach`, every base,
   * reference and result is hash-checked, else only the last result (against its recorded hash).
   */
  async #applyChain(pending: PendingDelta[], start: CachedSnapshot, locked: boolean, outer: string[], checkEach: boolean): Promise<CachedSnapshot> {
    let base = start;
    // Snapshots rebuilt on the way, by id: a predicted delta's reference is usually one of them.
    const built = new Map<string, CachedSnapshot>([[base.id, base]]);
    for (let i = pending.length - 1; i >= 0; i--) {
      const step = pending[i]!;
      const baseId = base.id;
      const last = i === 0;
      const storage = step.link.storage as Extract<CheckpointStorage, { kind: 'delta' }>;
      const options: ApplyOptions = checkEach ? { baseHash: fromHex(this.#verify(base)) } : { baseHash: fromHex(storage.baseHash), verify: last };
      const named = storage.reference;
      if (named !== undefined) {
        const reference = await this.#reference(step.id, named.id, named.hash, built, locked, new Set(outer), checkEach);
        options.reference = reference.snapshot;
        options.referenceHash = fromHex(named.hash);
      }
      let snapshot: PackedSnapshot;
      try {
        snapshot = applyDelta(base.snapshot, step.delta, options);
      } catch (error) {
        const why = isPackError(error, 'DeltaBaseMismatch')
          ? `it is a delta against "${baseId}", but the verified snapshot of "${baseId}" is not the one it was made from ("${baseId}" was replaced outside the manager, or "${step.id}" is damaged)`
          : `rebuilding it from "${baseId}" failed, so "${step.id}" is damaged`;
        const code = isPackError(error) ? error.code : 'InvalidCheckpoint';
        throw new PackError(code, `checkpoint "${step.id}" cannot be loaded: ${why}: ${(error as Error).message}`, {
          cause: error,
          details: { checkpoint: step.id, base: baseId },
        });
      }
      // A checked result matches the delta's target, which is the recorded hash.
      const checked = checkEach || last;
      base = { id: step.id, saveId: step.saveId, hash: checked ? step.link.hash : undefined, recorded: step.link.hash, snapshot };
      this.#cache.set(base);
      built.set(base.id, base);
    }
    return base;
  }

  /**
   * The verified snapshot of checkpoint `referenceId`, which the predicted delta of `dependent`
   * was made from with hash `expected`: one rebuilt on the way, or rebuilt now (`outer` holds
   * the checkpoints whose rebuilds are under way, so edited metadata cannot loop).
   */
  async #reference(
    dependent: string,
    referenceId: string,
    expected: string,
    built: ReadonlyMap<string, CachedSnapshot>,
    locked: boolean,
    outer: ReadonlySet<string>,
    check = true,
  ): Promise<CachedSnapshot> {
    let reference = built.get(referenceId);
    if (reference === undefined) {
      if (!(await this.store.exists(referenceId))) {
        throw new PackError(
          'InvalidCheckpoint',
          `checkpoint "${dependent}" is a delta predicted from "${referenceId}", which is missing (deleted outside the manager): "${dependent}" cannot be rebuilt`,
          { details: { checkpoint: dependent, reference: referenceId } },
        );
      }
      reference = await this.#rebuild(referenceId, locked, true, outer);
    }
    // Unchecked, a wrong reference shows as a wrong result, and the chain is applied again checked.
    if (!check) return reference;
    const actual = this.#verify(reference);
    if (actual !== expected) {
      throw new PackError(
        'DeltaBaseMismatch',
        `checkpoint "${dependent}" cannot be loaded: it is predicted from "${referenceId}", but the verified snapshot of "${referenceId}" is not the one it was made from ("${referenceId}" was replaced outside the manager, or "${dependent}" is damaged)`,
        { details: { checkpoint: dependent, reference: referenceId, which: 'reference', expected, actual } },
      );
    }
    return reference;
  }

  /**
   * Loads checkpoint `id` (optionally only some components), rebuilding a delta from its
   * base chain; PackError 'SnapshotNotFound' when missing. A damaged checkpoint or base is a
   * PackError whose message and `details.checkpoint` name the broken checkpoint.
   */
  async loadCheckpoint(id: string, loadOptions?: LoadOptions): Promise<LoadedCheckpoint> {
    validateId(id);
    const options = checkLoadOptions(loadOptions);
    // Loading may repair a record a crash left half rewritten: read the chain again next time.
    this.#known = undefined;
    const record = await this.store.record(id);
    // No metadata file: the store's error says whether an orphaned file can be recovered.
    if (record === undefined) await this.store.load(id);
    const link = linkOf(record!.extra);
    if (link === undefined) throw new PackError('InvalidCheckpoint', `"${id}" is a snapshot of this store but not a checkpoint (no chain link)`);
    let snapshot: PackedSnapshot;
    let current = record!;
    if (link.storage.kind === 'full' && options.components !== undefined && this.#cache.get(id, record!.saveId) === undefined) {
      // A partial read of a full checkpoint stays partial: only the components' sections are read.
      const entry = await this.store.load(id, { components: options.components });
      snapshot = entry.snapshot;
      current = { ...current, metadata: entry.metadata.toJSON(), extra: entry.extra };
    } else {
      const rebuilt = await this.#rebuild(id, false, false);
      snapshot = rebuilt.owned === true ? rebuilt.snapshot : copySnapshot(rebuilt.snapshot);
      if (options.components !== undefined) {
        const have = new Set(snapshot.components.map((c) => c.id));
        const unknown = options.components.find((c) => !have.has(c));
        if (unknown !== undefined) throw new PackError('InvalidInput', `component "${unknown}" is not in checkpoint "${id}" (it has: ${[...have].join(', ') || 'none'})`);
        const wanted = new Set(options.components);
        snapshot.components = snapshot.components.filter((c) => wanted.has(c.id));
      }
      // A crash-interrupted rewrite is repaired while loading: report the record as it is now.
      current = (await this.store.record(id)) ?? current;
    }
    // Deltas apply to the snapshots they were made from: only the result is migrated.
    if (options.migrations !== undefined) snapshot = migrateSnapshot(snapshot, options.migrations);
    const info = linkOf(current.extra) ?? link;
    const parentMissing = info.parent !== undefined && !(await this.store.exists(info.parent));
    return {
      id,
      parent: info.parent,
      sequence: info.sequence,
      parentMissing,
      storage: info.storage,
      hash: info.hash,
      metadata: SnapshotMetadata.fromJSON(current.metadata),
      snapshot,
    };
  }

  /**
   * Deletes checkpoint `id`; its children keep a link to it (a recorded gap). Checkpoints
   * stored as deltas against it are first rewritten as full snapshots. True when it existed.
   */
  async deleteCheckpoint(id: string): Promise<boolean> {
    validateId(id);
    return this.store.withWriteLock(async () => {
      const chain = await this.#chain();
      this.#known = undefined;
      const doomed = new Set([id]);
      await this.#rebaseDependents(chain, doomed);
      const existed = await this.store.deleteUnlocked(id, { collect: false });
      this.#cache.delete(id);
      await this.#sweepOrphans(0);
      await this.store.collectSectionsUnlocked();
      return existed;
    });
  }

  /**
   * Rewrites as full snapshots the kept checkpoints whose delta base or reference is about to be deleted.
   * Each rewrite is one save (file, then metadata); until the deletes run every base is
   * still there, so a crash at any point leaves every checkpoint loadable.
   */
  async #rebaseDependents(chain: CheckpointInfo[], doomed: ReadonlySet<string>): Promise<void> {
    for (const c of chain) {
      if (doomed.has(c.id) || c.storage.kind !== 'delta') continue;
      if (!doomed.has(c.storage.base) && (c.storage.reference === undefined || !doomed.has(c.storage.reference.id))) continue;
      const rebuilt = await this.#rebuild(c.id, true);
      const link: CheckpointLink = { parent: c.parent, sequence: c.sequence, storage: { kind: 'full' }, hash: this.#verify(rebuilt), fullBytes: undefined };
      await this.store.saveUnlocked(rebuilt.snapshot, c.metadata, linkRecord(link));
    }
  }

  /**
   * Removes files left by deletes a crash interrupted (metadata gone, file still there), so
   * they stop holding section objects: orphaned deltas (never recoverable: they carry no
   * record) and orphaned full checkpoints up to sequence `upTo`. Other orphans (such as an
   * interrupted creation of a full checkpoint) are left to `SnapshotStore.recover`.
   */
  async #sweepOrphans(upTo: number): Promise<void> {
    for (const id of await this.store.orphans()) {
      const found = await this.store.inspectFile(id).catch(() => undefined);
      if (found === undefined) continue;
      const link = found.kind === 'snapshot' ? linkOf(found.extra) : undefined;
      if (found.kind === 'delta' || (link !== undefined && link.sequence <= upTo)) await this.store.deleteUnlocked(id, { collect: false });
    }
  }

  /**
   * Every checkpoint, by sequence. Reading every record costs a read and a parse per checkpoint,
   * so the chain is kept between calls and read again only when the store's set of records
   * changed (another manager or process created or deleted one) or this manager changed a record.
   */
  async #chain(): Promise<CheckpointInfo[]> {
    return (await this.#knownChain()).map((c) => ({ ...c }));
  }

  /** The chain as kept (not a copy: the caller must not change it), read again when it may be stale (see #chain). */
  async #knownChain(): Promise<CheckpointInfo[]> {
    const all = await this.store.backend.list();
    const known = this.#known;
    if (known !== undefined && sameRecordKeys(all, known.keys) && (await this.#latestUnchanged(known.chain))) return known.chain;
    const chain = await this.#readChain();
    this.#known = { keys: new Set(all.filter((key) => key.endsWith(META_SUFFIX))), chain, byId: new Map(chain.map((c) => [c.id, c])) };
    return chain;
  }

  /** The store record of `id`, read once per `createCheckpoint` (see #records). */
  async #record(id: string): Promise<StoreRecord | undefined> {
    const records = this.#records;
    if (records?.has(id)) return records.get(id);
    validateId(id);
    const bytes = await this.store.backend.get(`${id}${META_SUFFIX}`);
    let record: StoreRecord | undefined;
    const parsed = this.#parsed.get(id);
    if (bytes === undefined) this.#parsed.delete(id);
    else if (parsed !== undefined && bytesEqual(parsed.bytes, bytes)) record = parsed.record;
    else {
      record = parseRecord(bytes, id);
      this.#parsed.delete(id);
      this.#parsed.set(id, { bytes, record });
      // A run's full checkpoint, reference and base, and a few more.
      if (this.#parsed.size > PARSED_RECORDS) this.#parsed.delete(this.#parsed.keys().next().value!);
    }
    records?.set(id, record);
    return record;
  }

  /** True when the latest checkpoint of `chain` still has the record it had (a record rewritten in place keeps its key). */
  async #latestUnchanged(chain: CheckpointInfo[]): Promise<boolean> {
    const latest = chain[chain.length - 1];
    if (latest === undefined) return true;
    const link = linkOf((await this.#record(latest.id))?.extra ?? {});
    return link !== undefined && link.sequence === latest.sequence && link.hash === latest.hash && link.storage.kind === latest.storage.kind;
  }

  /** Adds `info`, just created by this manager, to the kept chain (unless a read since already holds it). */
  #remember(info: CheckpointInfo): void {
    const known = this.#known;
    const key = `${info.id}${META_SUFFIX}`;
    if (known === undefined || known.keys.has(key)) return;
    known.keys.add(key);
    const kept = { ...info };
    known.chain.push(kept);
    known.byId.set(kept.id, kept);
  }

  async #readChain(): Promise<CheckpointInfo[]> {
    const entries = await this.store.entries();
    const out: CheckpointInfo[] = [];
    for (const entry of entries) {
      const link = linkOf(entry.extra);
      if (link !== undefined) {
        out.push({ id: entry.metadata.id, parent: link.parent, sequence: link.sequence, parentMissing: false, storage: link.storage, hash: link.hash, metadata: entry.metadata });
      }
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

  /**
   * The chain in order, oldest first (same as listCheckpoints).
   * @deprecated use `listCheckpoints()`, which returns the same list.
   */
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

  /**
   * Deletes all but the `keep` latest checkpoints; returns the deleted ids. A kept delta whose
   * base is deleted is rewritten in full first; deletes run newest first, so a crash part-way
   * never leaves a delta without its base. Unreferenced section objects are collected last.
   */
  async pruneOldCheckpoints(keep: number): Promise<string[]> {
    if (!Number.isInteger(keep) || keep < 0) throw new PackError('InvalidInput', `keep must be a non-negative integer, got ${describeValue(keep)}`);
    return this.store.withWriteLock(async () => {
      const chain = await this.#chain();
      this.#known = undefined;
      const doomed = chain.slice(0, Math.max(0, chain.length - keep)).map((c) => c.id);
      await this.#rebaseDependents(chain, new Set(doomed));
      // Dependents have higher sequence numbers than their bases: newest first keeps every remaining base.
      for (const id of [...doomed].reverse()) {
        await this.store.deleteUnlocked(id, { collect: false });
        this.#cache.delete(id);
      }
      // Files of earlier interrupted deletes older than every kept checkpoint go too (all of them when nothing is kept).
      const oldestKept = chain[doomed.length]?.sequence;
      await this.#sweepOrphans(keep === 0 ? Number.POSITIVE_INFINITY : oldestKept === undefined ? 0 : oldestKept - 1);
      await this.store.collectSectionsUnlocked();
      return doomed;
    });
  }

  /** Deletes every checkpoint; returns how many were deleted. */
  async clear(): Promise<number> {
    return (await this.pruneOldCheckpoints(0)).length;
  }
}
