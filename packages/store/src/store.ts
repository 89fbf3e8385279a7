import {
  type ByteSource,
  checkSnapshot,
  ContainerKind,
  createSha256,
  HEADER_SIZE,
  isValidId,
  type Migrations,
  migrateSnapshot,
  PackError,
  type PackedSnapshot,
  readHeader,
  sha256 as sha256Of,
  toHex,
  validateId,
} from '@tx2/pack-format';
import { openDirectory } from '#directory';
import type { StorageBackend } from './backend.js';
import { checkedBackend } from './checked-backend.js';
import { checkBytes, checkSnapshotObject, checkTimeout, describeValue, optionsObject } from './errors.js';
import { linkOf } from './incremental.js';
import { EMBEDDED_KEY, embedRecord, takeEmbedded } from './embedded-record.js';
import { type JsonValue, metadataForWorld, SnapshotMetadata, type SnapshotMetadataRecord } from './metadata.js';
import { SnapshotReader } from './reader.js';
import { collectGarbage, DEFAULT_POOL_MIN_BYTES, isPooled, joinContainer, POOLED_MAGIC, type SectionPoolOptions, sectionKey, splitContainer } from './section-pool.js';
import { newSaveId } from './save-id.js';
import { SnapshotWriter } from './writer.js';

/** Suffix of snapshot files. */
export const SNAPSHOT_SUFFIX = '.tx2pack';
/** Suffix of metadata files. */
export const META_SUFFIX = '.meta.json';
const META_FORMAT = 'tx2-pack-store/1';
/** Snapshot files larger than this are loaded through byte ranges (the SHA-256 is then not re-checked; section CRCs are). */
const LARGE_FILE = 32 << 20;

/** Options of a {@link SnapshotStore}. */
export interface SnapshotStoreOptions {
  /** How snapshots are encoded (default `SnapshotWriter.create()`: zstd level 1). */
  writer?: SnapshotWriter;
  /** How snapshots are decoded (default `SnapshotReader.create()`). */
  reader?: SnapshotReader;
  /** How long a write waits for another writer's lock before failing (default 10 s). */
  lockTimeoutMs?: number;
  /**
   * Store section payloads of at least `minBytes` (default 4096) once each, by content
   * (`<sha256>.tx2section`), shared by every file that holds the same bytes (default false
   * here; a CheckpointManager turns it on). Ignored for encrypted writers. Saves with it
   * encode in memory instead of streaming.
   */
  dedupeSections?: SectionPoolOptions | boolean;
}

/** What `<id>.meta.json` holds: the metadata plus what ties it to its snapshot file. */
export interface StoreRecord {
  format: typeof META_FORMAT;
  /** Random id of the save that wrote the pair; also embedded in the snapshot. */
  saveId: string;
  /** Size and SHA-256 (hex) of the snapshot file. */
  size: number;
  sha256: string;
  metadata: SnapshotMetadataRecord;
  /** Fields of upper layers (the checkpoint manager keeps its parent link here). */
  extra: Record<string, JsonValue>;
}

/** A loaded snapshot with its metadata. */
export interface StoredSnapshot {
  snapshot: PackedSnapshot;
  metadata: SnapshotMetadata;
}

/** One listed entry: its metadata and the store record's extra fields. */
export interface StoreEntry {
  metadata: SnapshotMetadata;
  extra: Readonly<Record<string, JsonValue>>;
}

/** A stored container as {@link SnapshotStore.loadStored} returns it: a decoded snapshot, or a delta container's bytes. */
export type StoredContainer =
  | ({ kind: 'snapshot' } & StoredSnapshot & { extra: Record<string, JsonValue> })
  | { kind: 'delta'; container: Uint8Array; metadata: SnapshotMetadata; extra: Record<string, JsonValue> };

/** Options of {@link SnapshotStore.load}. */
export interface LoadOptions {
  /** Load only these components, reading only their sections when the backend supports ranges. */
  components?: readonly string[];
  /** Schema migrations (`defineMigrations` of @tx2/pack-format) applied to the loaded snapshot; checkpoint chains migrate only their result. */
  migrations?: Migrations;
}

const snapshotKey = (id: string): string => `${id}${SNAPSHOT_SUFFIX}`;
const metaKey = (id: string): string => `${id}${META_SUFFIX}`;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function parseRecord(bytes: Uint8Array, id: string): StoreRecord {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw new PackError('InvalidFormat', `the metadata file of "${id}" is not valid JSON: it was modified outside the store; delete "${id}" or restore the file`, { cause });
  }
  const r = value as Partial<StoreRecord>;
  if (typeof r !== 'object' || r === null || r.format !== META_FORMAT || typeof r.saveId !== 'string' || typeof r.size !== 'number' || typeof r.sha256 !== 'string') {
    throw new PackError('InvalidFormat', `the metadata file of "${id}" is not a ${META_FORMAT} record: it was modified outside the store; delete "${id}" or restore the file`);
  }
  if (r.extra !== undefined && (typeof r.extra !== 'object' || r.extra === null || Array.isArray(r.extra))) {
    throw new PackError('InvalidFormat', `the metadata file of "${id}" has malformed extra fields: it was modified outside the store; delete "${id}" or restore the file`);
  }
  const metadata = SnapshotMetadata.fromJSON(r.metadata);
  if (metadata.id !== id) throw new PackError('InvalidFormat', `the metadata file of "${id}" names snapshot "${metadata.id}": it was renamed outside the store`);
  return { format: META_FORMAT, saveId: r.saveId, size: r.size, sha256: r.sha256, metadata: metadata.toJSON(), extra: (r.extra ?? {}) as Record<string, JsonValue> };
}

/** Throws PackError('InvalidInput') unless `options` are LoadOptions; returns them (or {}). */
export function checkLoadOptions(options: LoadOptions | undefined): LoadOptions {
  const checked = optionsObject(options, 'load options');
  const { components } = checked;
  if (components !== undefined && (!Array.isArray(components) || components.some((c) => typeof c !== 'string'))) {
    throw new PackError('InvalidInput', `load options: components must be a list of component ids, got ${describeValue(components)}`);
  }
  const { migrations } = checked;
  if (migrations !== undefined && (typeof migrations !== 'object' || migrations === null || !Array.isArray(migrations.steps) || typeof migrations.current !== 'number')) {
    throw new PackError('InvalidInput', 'load options: migrations must come from defineMigrations');
  }
  return checked;
}

const BACKEND_METHODS = ['get', 'put', 'delete', 'list', 'has', 'lock'] as const;

/** Throws PackError('InvalidInput') unless `backend` has the required StorageBackend methods. */
function checkBackend(backend: unknown): StorageBackend {
  const missing = typeof backend === 'object' && backend !== null ? BACKEND_METHODS.filter((m) => typeof (backend as Record<string, unknown>)[m] !== 'function') : BACKEND_METHODS;
  if (missing.length > 0) {
    throw new PackError(
      'InvalidInput',
      `a store needs a directory path or a StorageBackend, got ${describeValue(backend)}${missing.length < BACKEND_METHODS.length ? ` (missing ${missing.join(', ')})` : ''}`,
    );
  }
  return checkedBackend(backend as StorageBackend);
}

/**
 * A directory (or any {@link StorageBackend}) of snapshots: `<id>.tx2pack` beside
 * `<id>.meta.json`.
 *
 * Consistency: a save writes the snapshot first and the metadata file last, each with an
 * atomic put, under the store's write lock. Both carry the same random `saveId` (the
 * snapshot inside its world metadata, with the whole metadata record). A crash between
 * the two leaves the new snapshot beside the previous metadata: `load` sees the saveIds
 * differ, returns the snapshot with the metadata embedded in it (the new save, complete)
 * and rewrites the metadata file. A snapshot without any metadata file (a first save
 * interrupted, or a delete — which removes the metadata first — interrupted) is not listed
 * and does not exist for `load` until `recover(id)` or a new save.
 */
export class SnapshotStore {
  readonly backend: StorageBackend;
  readonly writer: SnapshotWriter;
  readonly reader: SnapshotReader;
  readonly lockTimeoutMs: number;
  /** Smallest pooled section payload, or undefined when saves do not deduplicate sections. */
  readonly dedupeMinBytes: number | undefined;

  /** A store over `backend`, or, under Node, over the directory `backend` when it is a path (a NodeFsBackend; elsewhere a path is refused). */
  constructor(backend: StorageBackend | string, options?: SnapshotStoreOptions) {
    this.backend = typeof backend === 'string' ? openDirectory(backend) : checkBackend(backend);
    const { writer, reader, lockTimeoutMs, dedupeSections } = optionsObject(options, 'SnapshotStore options');
    this.writer = writer ?? SnapshotWriter.create();
    this.reader = reader ?? SnapshotReader.create();
    this.lockTimeoutMs = lockTimeoutMs === undefined ? 10_000 : checkTimeout(lockTimeoutMs, 'lockTimeoutMs');
    const dedupe = dedupeSections ?? false;
    if (typeof dedupe !== 'boolean') optionsObject(dedupe, 'dedupeSections (true, false or { minBytes })');
    const minBytes = dedupe === true ? DEFAULT_POOL_MIN_BYTES : dedupe === false ? undefined : (dedupe.minBytes ?? DEFAULT_POOL_MIN_BYTES);
    if (minBytes !== undefined && (!Number.isInteger(minBytes) || minBytes < 1))
      throw new PackError('InvalidInput', `dedupeSections.minBytes must be a positive integer, got ${describeValue(minBytes)}`);
    this.dedupeMinBytes = minBytes;
  }

  /** True when this store's saves move large section payloads to shared objects (dedupe on, writer not encrypted). */
  get poolsSections(): boolean {
    return this.dedupeMinBytes !== undefined && !this.writer.encrypts;
  }

  /** Runs `fn` holding the store's write lock (across processes for the filesystem backend). */
  async withWriteLock<T>(fn: () => Promise<T>): Promise<T> {
    if (typeof fn !== 'function') throw new PackError('InvalidInput', `withWriteLock expects a function, got ${describeValue(fn)}`);
    const release = await this.backend.lock(this.lockTimeoutMs);
    try {
      return await fn();
    } finally {
      await release();
    }
  }

  /** Saves `snapshot` under `metadata.id` (or the id given), replacing any previous save atomically; returns the stored metadata. */
  async save(snapshot: PackedSnapshot, metadata: SnapshotMetadata | string): Promise<SnapshotMetadata> {
    return this.withWriteLock(() => this.saveUnlocked(snapshot, metadata, {}));
  }

  /** `save` without taking the lock, with extra record fields: for layers holding the lock already. */
  async saveUnlocked(snapshot: PackedSnapshot, metadata: SnapshotMetadata | string, extra: Record<string, JsonValue>): Promise<SnapshotMetadata> {
    checkSnapshotObject(snapshot, 'save');
    // The writers' own refusals, before the record is added to the world's metadata.
    checkSnapshot(snapshot);
    const meta = typeof metadata === 'string' ? metadataForWorld(metadata, snapshot) : metadata;
    if (!(meta instanceof SnapshotMetadata)) throw new PackError('InvalidInput', 'save expects SnapshotMetadata or an id string');
    const id = validateId(meta.id);
    const saveId = newSaveId();
    const withRecord: PackedSnapshot = { ...snapshot, metadata: embedRecord(snapshot.metadata, { saveId, metadata: meta.toJSON(), extra }) };
    const replaced = await this.#holdsPooled(id);
    let size: number;
    let sha256: string;
    if (this.poolsSections) {
      const container = await this.writer.encode(withRecord);
      ({ size, sha256 } = await this.#putContainer(id, container, true));
    } else {
      ({ size, sha256 } = await this.#putStreamed(id, withRecord));
    }
    const record: StoreRecord = { format: META_FORMAT, saveId, size, sha256, metadata: meta.toJSON(), extra };
    await this.backend.put(metaKey(id), encoder.encode(`${JSON.stringify(record, null, 2)}\n`));
    // The previous file referenced section objects nothing else may need now.
    if (replaced) await this.collectSectionsUnlocked();
    return meta;
  }

  /**
   * Saves an encoded container (a delta made by `SnapshotWriter.encodeDelta`) as `id`,
   * without taking the lock. Such a file carries no embedded record: its metadata file is tied
   * to it by SHA-256 only, so write it only under a new id (a crash before the metadata file
   * leaves a file `load` does not see). Returns the container's size and its record's save id.
   */
  async saveContainerUnlocked(id: string, container: Uint8Array, metadata: SnapshotMetadata, extra: Record<string, JsonValue>): Promise<{ size: number; saveId: string }> {
    validateId(id);
    checkBytes(container);
    if (!(metadata instanceof SnapshotMetadata)) throw new PackError('InvalidInput', `saveContainerUnlocked expects SnapshotMetadata, got ${describeValue(metadata)}`);
    if (metadata.id !== id) throw new PackError('InvalidInput', `the metadata is for "${metadata.id}", not "${id}"`);
    const replaced = await this.#holdsPooled(id);
    const { size, sha256 } = await this.#putContainer(id, container);
    const saveId = newSaveId();
    const record: StoreRecord = { format: META_FORMAT, saveId, size, sha256, metadata: metadata.toJSON(), extra };
    await this.backend.put(metaKey(id), encoder.encode(`${JSON.stringify(record, null, 2)}\n`));
    if (replaced) await this.collectSectionsUnlocked();
    return { size, saveId };
  }

  /** Streams `snapshot` into the file of `id` (or encodes it at once without putStream); returns the container's size and SHA-256. */
  async #putStreamed(id: string, snapshot: PackedSnapshot): Promise<{ size: number; sha256: string }> {
    const hash = createSha256();
    let size = 0;
    if (this.backend.putStream !== undefined) {
      // Section by section: a large world is never held encoded in memory.
      const writer = this.writer;
      await this.backend.putStream(
        snapshotKey(id),
        (async function* () {
          for await (const piece of writer.encodeStream(snapshot)) {
            hash.update(piece);
            size += piece.length;
            yield piece;
          }
        })(),
      );
    } else {
      const bytes = await this.writer.encode(snapshot);
      hash.update(bytes);
      size = bytes.length;
      await this.backend.put(snapshotKey(id), bytes);
    }
    return { size, sha256: toHex(hash.digest()) };
  }

  /** Writes `container` as the file of `id`: pooled when this store dedupes (objects first, then the file naming them); `written` when this store's writer just made it. */
  async #putContainer(id: string, container: Uint8Array, written = false): Promise<{ size: number; sha256: string }> {
    const sha256 = toHex(sha256Of(container));
    const pooled = this.poolsSections ? splitContainer(container, this.dedupeMinBytes!, { written }) : undefined;
    if (pooled === undefined) {
      await this.backend.put(snapshotKey(id), container);
    } else {
      for (const object of pooled.objects) {
        const key = sectionKey(object.sha256);
        // Same hash, same bytes: an existing object is reused (its bytes are checked on every load).
        if (!(await this.backend.has(key))) await this.backend.put(key, object.bytes);
      }
      await this.backend.put(snapshotKey(id), pooled.file);
    }
    return { size: container.length, sha256 };
  }

  /** True when the file of `id` is pooled (without `readRange`: when it exists and this store pools). */
  async #holdsPooled(id: string): Promise<boolean> {
    const key = snapshotKey(id);
    if (this.backend.readRange !== undefined) {
      const head = await this.backend.readRange(key, 0, POOLED_MAGIC.length);
      return head !== undefined && isPooled(head);
    }
    return this.poolsSections && (await this.backend.has(key));
  }

  /** Deletes section objects no stored file references; returns how many. Takes the write lock. */
  async collectSections(): Promise<number> {
    return this.withWriteLock(() => this.collectSectionsUnlocked());
  }

  /** `collectSections` without taking the lock: for layers holding it already. */
  async collectSectionsUnlocked(): Promise<number> {
    return (await collectGarbage(this.backend, SNAPSHOT_SUFFIX)).length;
  }

  /** The store record of `id`, or undefined when it has no metadata file. */
  async record(id: string): Promise<StoreRecord | undefined> {
    validateId(id);
    const bytes = await this.backend.get(metaKey(id));
    return bytes === undefined ? undefined : parseRecord(bytes, id);
  }

  /** Loads snapshot `id` with its metadata and the record's extra fields; PackError 'SnapshotNotFound' when it does not exist. */
  async load(id: string, options: LoadOptions = {}): Promise<StoredSnapshot & { extra: Record<string, JsonValue> }> {
    const stored = await this.loadStored(id, options);
    if (stored.kind === 'delta') {
      throw new PackError('InvalidCheckpoint', `"${id}" is stored as a delta (an incremental checkpoint): load it with CheckpointManager.loadCheckpoint("${id}")`, {
        details: { id },
      });
    }
    const { kind: _, ...entry } = stored;
    if (options.migrations !== undefined) entry.snapshot = migrateSnapshot(entry.snapshot, options.migrations);
    return entry;
  }

  /**
   * Loads snapshot `id` with its metadata and the record's extra fields.
   * @deprecated use `load`, which now returns the extra fields too.
   */
  async loadEntry(id: string, options: LoadOptions = {}): Promise<StoredSnapshot & { extra: Record<string, JsonValue> }> {
    return this.load(id, options);
  }

  /**
   * Loads what `id` holds: a snapshot (decoded, as `load`), or the container bytes of a
   * delta (checked against the SHA-256 in its metadata file), which upper layers decode.
   * For layers above the store (CheckpointManager); applications use `load`.
   */
  async loadStored(id: string, options: LoadOptions = {}): Promise<StoredContainer> {
    return this.#loadStored(id, options, false);
  }

  /** `loadStored` for layers holding the write lock: a metadata file it repairs is rewritten without taking the lock again. */
  async loadStoredUnlocked(id: string, options: LoadOptions = {}): Promise<StoredContainer> {
    return this.#loadStored(id, options, true);
  }

  async #loadStored(id: string, options: LoadOptions | undefined, locked: boolean): Promise<StoredContainer> {
    options = checkLoadOptions(options);
    const record = await this.record(id);
    if (record === undefined) {
      const orphan = await this.backend.has(snapshotKey(id));
      throw new PackError(
        'SnapshotNotFound',
        orphan
          ? `snapshot "${id}" has no metadata file (a save or delete was interrupted, or ${metaKey(id)} was deleted): call recover("${id}") to restore its metadata from the snapshot, or delete("${id}")`
          : `no snapshot "${id}" in ${this.backend.name}: list() shows the saved ids`,
        { details: { id, orphanSnapshot: orphan } },
      );
    }
    let read: PackedSnapshot | Uint8Array;
    try {
      read = await this.#read(id, record, options.components);
    } catch (error) {
      if (error instanceof PackError && error.code !== 'SnapshotNotFound' && error.code !== 'Io' && error.code !== 'InvalidInput') {
        throw new PackError(
          error.code,
          `snapshot "${id}" in ${this.backend.name} cannot be read: ${error.message}. Delete it or save it again; the other snapshots are not affected`,
          { cause: error, details: { id } },
        );
      }
      throw error;
    }
    if (read instanceof Uint8Array) return { kind: 'delta', container: read, metadata: SnapshotMetadata.fromJSON(record.metadata), extra: record.extra };
    const snapshot = read;
    const embedded = takeEmbedded(snapshot, id);
    if (embedded.saveId === record.saveId) {
      return { kind: 'snapshot', snapshot, metadata: SnapshotMetadata.fromJSON(record.metadata), extra: record.extra };
    }
    // The snapshot is from a newer save whose metadata file was not written (crash between
    // the two puts): the embedded metadata is that save's. Repair the metadata file (a caller
    // holding the lock repairs under it: waiting for the lock would wait for itself).
    await (locked ? this.recoverUnlocked(id) : this.recover(id)).catch(() => {});
    return { kind: 'snapshot', snapshot, metadata: SnapshotMetadata.fromJSON(embedded.metadata), extra: embedded.extra };
  }

  /** The container of `id`: the stored bytes, or those rebuilt from a pooled file; undefined when the file is missing. */
  async #container(id: string, whole?: Uint8Array): Promise<Uint8Array | undefined> {
    const bytes = whole ?? (await this.backend.get(snapshotKey(id)));
    if (bytes === undefined || !isPooled(bytes)) return bytes;
    return joinContainer(bytes, this.backend, `snapshot "${id}"`);
  }

  /** Reads the snapshot of `id`, or returns the bytes of a delta container. */
  async #read(id: string, record: StoreRecord, components: readonly string[] | undefined): Promise<PackedSnapshot | Uint8Array> {
    const key = snapshotKey(id);
    const missing = (): never => {
      throw new PackError(
        'SnapshotNotFound',
        `the snapshot file of "${id}" is missing although its metadata exists (it was deleted outside the store): delete("${id}") or save it again`,
        { details: { id } },
      );
    };
    const backend = this.backend;
    const size = backend.size === undefined ? undefined : await backend.size(key);
    // Partial loads, and large files (decoded component by component), read byte ranges of
    // plain snapshot containers; pooled files and deltas are read whole.
    if ((components !== undefined || (size ?? 0) > LARGE_FILE) && backend.readRange !== undefined && backend.size !== undefined) {
      if (size === undefined) return missing();
      const head = (await backend.readRange(key, 0, HEADER_SIZE)) ?? missing();
      if (!isPooled(head) && head.length === HEADER_SIZE && readHeader(head).kind === ContainerKind.Snapshot) {
        const source: ByteSource = {
          size,
          read: async (offset, length) => {
            const bytes = await backend.readRange!(key, offset, length);
            if (bytes === undefined) return missing();
            if (bytes.length !== length) throw new PackError('Truncated', `the snapshot file of "${id}" ends before a structure it declares: the file is incomplete`);
            return bytes;
          },
        };
        return this.reader.withComponents(components).readFromSource(source);
      }
    }
    const bytes = (await this.#container(id)) ?? missing();
    const matches = toHex(sha256Of(bytes)) === record.sha256;
    if (readHeader(bytes).kind === ContainerKind.Delta) {
      // A delta carries no embedded record: its metadata file vouches for it by SHA-256.
      if (!matches) throw new PackError('ChecksumMismatch', `the delta file of "${id}" does not match the SHA-256 in its metadata: it is damaged or was replaced`);
      return bytes;
    }
    const snapshot = await this.reader.withComponents(components).decode(bytes);
    const raw = snapshot.metadata[EMBEDDED_KEY];
    // Same save (saveId) but other bytes: damage the section checksums did not catch (or they were off).
    if (typeof raw === 'string' && raw.includes(`"saveId":"${record.saveId}"`) && !matches) {
      throw new PackError('ChecksumMismatch', `the snapshot file of "${id}" does not match the SHA-256 in its metadata: it is damaged`);
    }
    return snapshot;
  }

  /** Rewrites the metadata file of `id` from the metadata embedded in its snapshot; returns it. */
  async recover(id: string): Promise<SnapshotMetadata> {
    validateId(id);
    return this.withWriteLock(() => this.recoverUnlocked(id));
  }

  /** `recover` without taking the lock: for layers holding the lock already. */
  async recoverUnlocked(id: string): Promise<SnapshotMetadata> {
    validateId(id);
    const bytes = await this.#container(id);
    if (bytes === undefined) throw new PackError('SnapshotNotFound', `no snapshot file for "${id}": nothing to recover`);
    if (readHeader(bytes).kind === ContainerKind.Delta) {
      throw new PackError(
        'SnapshotNotFound',
        `the file of "${id}" is an incremental checkpoint's delta whose metadata was never written (its creation was interrupted): nothing to recover; delete("${id}")`,
        { details: { id } },
      );
    }
    const snapshot = await this.reader.withComponents([]).decode(bytes);
    const embedded = takeEmbedded(snapshot, id);
    const current = await this.backend.get(metaKey(id));
    if (current !== undefined && parseRecord(current, id).saveId === embedded.saveId) return SnapshotMetadata.fromJSON(embedded.metadata);
    const record: StoreRecord = {
      format: META_FORMAT,
      saveId: embedded.saveId,
      size: bytes.length,
      sha256: toHex(sha256Of(bytes)),
      metadata: embedded.metadata,
      extra: embedded.extra,
    };
    await this.backend.put(metaKey(id), encoder.encode(`${JSON.stringify(record, null, 2)}\n`));
    return SnapshotMetadata.fromJSON(embedded.metadata);
  }

  /** Ids whose snapshot file has no metadata file (interrupted saves or deletes), unsorted. */
  async orphans(): Promise<string[]> {
    const keys = new Set(await this.backend.list());
    const out: string[] = [];
    for (const key of keys) {
      if (!key.endsWith(SNAPSHOT_SUFFIX)) continue;
      const id = key.slice(0, -SNAPSHOT_SUFFIX.length);
      if (isValidId(id) && !keys.has(metaKey(id))) out.push(id);
    }
    return out;
  }

  /** What the file of `id` holds, read without its metadata file: a delta, or a snapshot with its embedded record's extra fields. */
  async inspectFile(id: string): Promise<{ kind: 'delta' } | { kind: 'snapshot'; extra: Record<string, JsonValue> } | undefined> {
    validateId(id);
    const bytes = await this.#container(id);
    if (bytes === undefined) return undefined;
    if (readHeader(bytes).kind === ContainerKind.Delta) return { kind: 'delta' };
    const snapshot = await this.reader.withComponents([]).decode(bytes);
    return { kind: 'snapshot', extra: takeEmbedded(snapshot, id).extra };
  }

  /** True when snapshot `id` exists (has its metadata file). */
  async exists(id: string): Promise<boolean> {
    validateId(id);
    return this.backend.has(metaKey(id));
  }

  /** The metadata of every snapshot, oldest first (malformed metadata files are skipped). */
  async list(): Promise<SnapshotMetadata[]> {
    return (await this.entries()).map((e) => e.metadata);
  }

  /** Every snapshot's metadata and extra record fields, oldest first. */
  async entries(): Promise<StoreEntry[]> {
    const keys = await this.backend.list();
    const out: StoreEntry[] = [];
    for (const key of keys) {
      if (!key.endsWith(META_SUFFIX)) continue;
      const id = key.slice(0, -META_SUFFIX.length);
      try {
        const record = await this.record(id);
        if (record !== undefined) out.push({ metadata: SnapshotMetadata.fromJSON(record.metadata), extra: record.extra });
      } catch {
        // A malformed or foreign file: not a snapshot of this store.
      }
    }
    return out.sort((a, b) => a.metadata.createdAt - b.metadata.createdAt || (a.metadata.id < b.metadata.id ? -1 : 1));
  }

  /** Deletes snapshot `id` (metadata first, then the snapshot); true when it existed. */
  async delete(id: string): Promise<boolean> {
    validateId(id);
    return this.withWriteLock(async () => {
      // Deleting the base or reference of an incremental checkpoint would leave its deltas unloadable.
      const dependents = (await this.entries()).filter((e) => {
        const link = linkOf(e.extra);
        return link?.storage.kind === 'delta' && (link.storage.base === id || link.storage.reference?.id === id);
      });
      if (dependents.length > 0) {
        const names = dependents.map((e) => `"${e.metadata.id}"`).join(', ');
        throw new PackError(
          'InvalidCheckpoint',
          `"${id}" is the base or reference of incremental checkpoint${dependents.length === 1 ? '' : 's'} ${names}: delete it with CheckpointManager.deleteCheckpoint, which rewrites them as full snapshots first`,
          {
            details: { id, dependents: dependents.map((e) => e.metadata.id) },
          },
        );
      }
      return this.deleteUnlocked(id);
    });
  }

  /**
   * `delete` without taking the lock: for layers holding the lock already. Section objects only
   * this file used are collected afterwards unless `collect` is false (then call
   * `collectSectionsUnlocked` once after a batch).
   */
  async deleteUnlocked(id: string, options: { collect?: boolean } = {}): Promise<boolean> {
    validateId(id);
    // A file that cannot be inspected (a planted link) is still deleted: unlinking removes the name, never a target.
    const pooled = (options.collect ?? true) && (await this.#holdsPooled(id).catch(() => true));
    const hadMeta = await this.backend.delete(metaKey(id));
    const hadSnapshot = await this.backend.delete(snapshotKey(id));
    if (pooled) await this.collectSectionsUnlocked();
    return hadMeta || hadSnapshot;
  }
}
