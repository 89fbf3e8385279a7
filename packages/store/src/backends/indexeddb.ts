import { PackError } from '@tx2/pack-format';
import type { ReleaseLock, StorageBackend } from '../backend.js';
import { checkBytes, checkRange } from '../errors.js';
import { browserStorageError, checkFileKey } from './storage-errors.js';
import { CHUNK_SIZE, CHUNKS, chunkRange, FILES, FLUSH_BYTES, HEAD_BYTES, INLINE_MAX, joinChunks, type Manifest, newGeneration, PENDING, readRecord } from './indexeddb-records.js';
import { acquireWebLock } from './web-lock.js';

/** Options of an {@link IndexedDBBackend}. */
export interface IndexedDBBackendOptions {
  /** Commit each write durably before it resolves (IndexedDB's 'strict' durability; default true). */
  durable?: boolean;
  /** Describes this writer to other tabs in lock-timeout messages (default: the page URL and a random tag). */
  owner?: string;
}

const DATABASE_PREFIX = 'tx2pack:';
// Version 1 had the `files` store only (one Blob per key); version 2 adds `chunks` and `pending`.
const DATABASE_VERSION = 2;
const ALL_STORES = [FILES, CHUNKS, PENDING];

/** A promise of an IndexedDB request's result. */
function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Resolves when `tx` commits; rejects with the error that aborted it. */
function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new DOMException('the transaction was aborted', 'AbortError'));
    tx.onerror = (event) => event.preventDefault();
  });
}

/** Aborts `tx` unless it has already finished. */
function tryAbort(tx: IDBTransaction): void {
  try {
    tx.abort();
  } catch {
    // Already committed or aborted.
  }
}

/** Deletes the chunks of `record`, the `files` record of `key` (none for an inline, old-layout or unreadable one). */
function deleteChunksOf(chunks: IDBObjectStore, key: string, record: unknown): void {
  const gen = (record as Partial<Manifest> | undefined)?.gen;
  if (!(record instanceof Blob) && typeof gen === 'string') chunks.delete(chunkRange(key, gen));
}

/** `bytes` when it spans its whole buffer, else a copy that does (IndexedDB would store the whole buffer of a view). */
function ownBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

/**
 * A backend keeping its files in one IndexedDB database (`tx2pack:<name>`) of the page's origin:
 * the default for saves in a browser. A small value is one record; a larger one is cut into
 * chunks under a new generation, and a small manifest naming that generation replaces the old one
 * in the same transaction that deletes the old chunks, so a reader sees the old bytes or the new
 * ones. `putStream` writes chunks as the pieces come (memory stays at a few MiB whatever the
 * size) and swaps the manifest in a last transaction; a failed write (a full quota, a closed tab,
 * a failing source) leaves the old value, and its chunks are removed then or by the next writer.
 * Partial reads load only the chunks they need. Values written by earlier versions (one Blob per
 * key) are read as they are. The write lock is a Web Lock shared by every tab and worker of the origin.
 */
export class IndexedDBBackend implements StorageBackend {
  readonly name: string;
  readonly #database: string;
  readonly #durability: IDBTransactionDurability;
  readonly #owner: string | undefined;
  #db: Promise<IDBDatabase> | undefined;
  /** Generations this object is streaming now: the sweep of abandoned writes leaves them alone. */
  readonly #streaming = new Set<string>();
  #swept = false;

  /** A backend on the database `tx2pack:<name>` (created on first use). */
  constructor(name = 'default', options: IndexedDBBackendOptions = {}) {
    if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
      throw new PackError('InvalidInput', `an IndexedDB store needs a name of 1 to 200 characters, got ${JSON.stringify(name)}`);
    }
    this.#database = `${DATABASE_PREFIX}${name}`;
    this.name = `indexeddb:${name}`;
    this.#durability = options.durable === false ? 'relaxed' : 'strict';
    this.#owner = options.owner;
  }

  /** The open database (opened once; reopened if the browser closes it). */
  #open(): Promise<IDBDatabase> {
    if (this.#db === undefined) {
      const factory = globalThis.indexedDB;
      if (factory === undefined) return Promise.reject(new PackError('Io', 'this context has no IndexedDB: use a browser page or worker, or another backend'));
      const request = factory.open(this.#database, DATABASE_VERSION);
      request.onupgradeneeded = () => {
        // From nothing or from version 1: the files (and old Blob values) stay as they are.
        for (const store of ALL_STORES) if (!request.result.objectStoreNames.contains(store)) request.result.createObjectStore(store);
      };
      // Another tab deleting or upgrading the database: let it, and open again next time.
      this.#db = done(request).then((db) => {
        db.onversionchange = () => {
          db.close();
          this.#db = undefined;
        };
        db.onclose = () => {
          this.#db = undefined;
        };
        return db;
      });
      this.#db.catch(() => {
        this.#db = undefined;
      });
    }
    return this.#db;
  }

  /** Runs `work` in one transaction on `stores`; resolves with its result once the transaction has committed. */
  async #transact<T>(stores: string[], mode: IDBTransactionMode, action: string, key: string | undefined, work: (tx: IDBTransaction) => Promise<T> | T): Promise<T> {
    try {
      const db = await this.#open();
      const tx = db.transaction(stores, mode, { durability: this.#durability });
      const commit = committed(tx);
      let result: T;
      try {
        result = await work(tx);
      } catch (error) {
        commit.catch(() => {});
        // Nothing of a failed piece of work is kept.
        tryAbort(tx);
        throw error;
      }
      await commit;
      return result;
    } catch (error) {
      throw await browserStorageError(this.name, action, key, error);
    }
  }

  /** Bytes [start, end) of `key` (the whole value when `end` is undefined), or undefined; one read transaction. */
  async #read(key: string, start: number, end: number | undefined): Promise<Uint8Array | undefined> {
    const found = await this.#transact([FILES, CHUNKS], 'readonly', 'read', key, async (tx) => {
      const m = readRecord(await done(tx.objectStore(FILES).get(key)), key, this.name);
      if (m === undefined || m instanceof Blob) return m;
      const stop = Math.min(end ?? m.size, m.size);
      const from = Math.min(start, stop);
      if (m.data !== undefined) return from === 0 && stop === m.size ? m.data : m.data.slice(from, stop);
      if (m.head !== undefined && stop <= m.head.length) return m.head.slice(from, stop);
      const chunk = m.chunk as number;
      if (stop === from) return new Uint8Array(0);
      const first = Math.floor(from / chunk);
      const last = Math.floor((stop - 1) / chunk);
      const pieces = await done(tx.objectStore(CHUNKS).getAll(chunkRange(key, m.gen as string, first, last)));
      return joinChunks(pieces, m, first, from, stop, key, this.name);
    });
    if (!(found instanceof Blob)) return found;
    // An old-layout value: a stored Blob outlives its transaction, and a slice reads only its part.
    try {
      return new Uint8Array(await (end === undefined && start === 0 ? found : found.slice(start, end)).arrayBuffer());
    } catch (error) {
      throw await browserStorageError(this.name, 'read', key, error);
    }
  }

  /** The bytes stored under `key`, or undefined. */
  async get(key: string): Promise<Uint8Array | undefined> {
    checkFileKey(key);
    return this.#read(key, 0, undefined);
  }

  /** Stores a copy of `bytes` under `key` in one transaction (all or nothing). */
  async put(key: string, bytes: Uint8Array): Promise<void> {
    checkFileKey(key);
    checkBytes(bytes);
    const gen = newGeneration();
    // IndexedDB copies each value when it is put, so `bytes` is never kept.
    await this.#transact(ALL_STORES, 'readwrite', 'save', key, (tx) => {
      if (bytes.length <= INLINE_MAX) return this.#commit(tx, key, { v: 1, size: bytes.length, data: ownBytes(bytes) });
      const chunks = tx.objectStore(CHUNKS);
      let index = 0;
      for (let at = 0; at < bytes.length; at += CHUNK_SIZE) chunks.put(ownBytes(bytes.subarray(at, at + CHUNK_SIZE)), [key, gen, index++]);
      return this.#commit(tx, key, { v: 1, size: bytes.length, gen, chunk: CHUNK_SIZE, head: bytes.slice(0, HEAD_BYTES) });
    });
  }

  /**
   * Puts manifest `m` as the value of `key` in `tx`, and deletes the chunks of the value it
   * replaces. The old manifest is read in the same transaction, after the new chunks are queued.
   */
  async #commit(tx: IDBTransaction, key: string, m: Manifest): Promise<void> {
    const files = tx.objectStore(FILES);
    const old = done(files.get(key));
    files.put(m, key);
    deleteChunksOf(tx.objectStore(CHUNKS), key, await old);
  }

  /**
   * Stores the concatenation of `pieces` under `key` without holding it all: full chunks are
   * committed every few MiB under a new generation (noted as pending), and the manifest replaces
   * the old one in a last transaction. On failure the new chunks are removed and the old value stays.
   */
  async putStream(key: string, pieces: AsyncIterable<Uint8Array>): Promise<void> {
    checkFileKey(key);
    const gen = newGeneration();
    // Full chunks waiting for the next flush, the chunk being filled, and how many are committed.
    let ready: Uint8Array<ArrayBuffer>[] = [];
    let filling = new Uint8Array(CHUNK_SIZE);
    let filled = 0;
    let committedChunks = 0;
    let size = 0;
    let head: Uint8Array | undefined;
    const flush = (): Promise<void> => {
      const batch = ready;
      const first = committedChunks;
      ready = [];
      committedChunks += batch.length;
      return this.#transact([CHUNKS, PENDING], 'readwrite', 'save', key, (tx) => {
        const chunks = tx.objectStore(CHUNKS);
        for (const [i, chunk] of batch.entries()) chunks.put(chunk, [key, gen, first + i]);
        if (first === 0) tx.objectStore(PENDING).put(Date.now(), [key, gen]);
      });
    };
    this.#streaming.add(gen);
    try {
      for await (const piece of pieces) {
        checkBytes(piece);
        size += piece.length;
        // Copied into chunks as it comes: the caller may reuse its buffer after yielding it.
        for (let at = 0; at < piece.length; ) {
          const take = Math.min(CHUNK_SIZE - filled, piece.length - at);
          filling.set(piece.subarray(at, at + take), filled);
          filled += take;
          at += take;
          if (filled === CHUNK_SIZE) {
            head ??= filling.slice(0, HEAD_BYTES);
            ready.push(filling);
            filling = new Uint8Array(CHUNK_SIZE);
            filled = 0;
            if (ready.length * CHUNK_SIZE >= FLUSH_BYTES) await flush();
          }
        }
      }
      const tail = ownBytes(filling.subarray(0, filled));
      const pending = committedChunks > 0;
      await this.#transact(ALL_STORES, 'readwrite', 'save', key, async (tx) => {
        if (!pending && ready.length === 0) return this.#commit(tx, key, { v: 1, size, data: tail });
        const marker = pending ? done(tx.objectStore(PENDING).get([key, gen])) : undefined;
        const chunks = tx.objectStore(CHUNKS);
        for (const [i, chunk] of ready.entries()) chunks.put(chunk, [key, gen, committedChunks + i]);
        if (filled > 0) chunks.put(tail, [key, gen, committedChunks + ready.length]);
        if (pending) tx.objectStore(PENDING).delete([key, gen]);
        await this.#commit(tx, key, { v: 1, size, gen, chunk: CHUNK_SIZE, head: head ?? tail.slice(0, HEAD_BYTES) });
        // Another tab swept this write's chunks as abandoned (it streamed without the lock): fail, keep the old value.
        if (marker !== undefined && (await marker) === undefined) {
          throw new PackError('Io', `the chunks of this save of ${JSON.stringify(key)} in ${this.name} were removed by another writer: save again holding the store's lock`, {
            details: { path: key, backend: this.name },
          });
        }
      });
    } catch (error) {
      if (committedChunks > 0) await this.#dropGeneration(key, gen).catch(() => {});
      // A failing source's own error as a PackError('Io') with it as the cause.
      throw await browserStorageError(this.name, 'save', key, error);
    } finally {
      this.#streaming.delete(gen);
    }
  }

  /** Removes the chunks and pending note of an unfinished write. */
  #dropGeneration(key: string, gen: string): Promise<void> {
    return this.#transact([CHUNKS, PENDING], 'readwrite', 'clean up', key, (tx) => {
      tx.objectStore(CHUNKS).delete(chunkRange(key, gen));
      tx.objectStore(PENDING).delete([key, gen]);
    });
  }

  /** Removes what streamed writes that never finished (a closed tab, a crash) left behind, except this object's own. */
  async #sweep(): Promise<void> {
    const left = await this.#transact([PENDING], 'readonly', 'list', undefined, (tx) => done(tx.objectStore(PENDING).getAllKeys()));
    for (const entry of left) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string' || this.#streaming.has(entry[1])) continue;
      await this.#dropGeneration(entry[0], entry[1]);
    }
  }

  /** Removes `key`; true when it existed. */
  async delete(key: string): Promise<boolean> {
    checkFileKey(key);
    return this.#transact([FILES, CHUNKS], 'readwrite', 'delete', key, async (tx) => {
      const files = tx.objectStore(FILES);
      const m = readRecord(await done(files.get(key)), key, this.name);
      if (m === undefined) return false;
      files.delete(key);
      deleteChunksOf(tx.objectStore(CHUNKS), key, m);
      return true;
    });
  }

  /** Every key. */
  async list(): Promise<string[]> {
    const keys = await this.#transact([FILES], 'readonly', 'list', undefined, (tx) => done(tx.objectStore(FILES).getAllKeys()));
    return keys.filter((key): key is string => typeof key === 'string');
  }

  /** True when `key` exists. */
  async has(key: string): Promise<boolean> {
    checkFileKey(key);
    return (await this.#transact([FILES], 'readonly', 'read', key, (tx) => done(tx.objectStore(FILES).getKey(key)))) !== undefined;
  }

  /** Reads `length` bytes of `key` from `offset`, loading only the chunks (or the Blob slice) they lie in. */
  async readRange(key: string, offset: number, length: number): Promise<Uint8Array | undefined> {
    checkFileKey(key);
    checkRange(offset, length);
    return this.#read(key, offset, offset + length);
  }

  /** The size of `key` in bytes, or undefined. */
  async size(key: string): Promise<number | undefined> {
    checkFileKey(key);
    return this.#transact([FILES], 'readonly', 'read', key, async (tx) => readRecord(await done(tx.objectStore(FILES).get(key)), key, this.name)?.size);
  }

  /**
   * Takes the store's Web Lock (every tab and worker of the origin), waiting up to `timeoutMs`;
   * then PackError('Io') naming the holder. The first lock an object takes also removes what
   * unfinished streamed writes left behind.
   */
  async lock(timeoutMs: number): Promise<ReleaseLock> {
    const release = await acquireWebLock(this.#database, timeoutMs, this.#owner);
    if (!this.#swept) {
      try {
        await this.#sweep();
        this.#swept = true;
      } catch {
        // Left for the next lock: garbage costs space, not correctness.
      }
    }
    return release;
  }

  /** Closes the database connection (the backend reopens it on next use). */
  close(): void {
    void this.#db?.then((db) => db.close()).catch(() => {});
    this.#db = undefined;
  }

  /** Deletes the database `tx2pack:<name>` and every file in it. */
  static async destroy(name: string): Promise<void> {
    try {
      await done(globalThis.indexedDB.deleteDatabase(`${DATABASE_PREFIX}${name}`));
    } catch (error) {
      throw await browserStorageError(`indexeddb:${name}`, 'delete the database', undefined, error);
    }
  }
}
