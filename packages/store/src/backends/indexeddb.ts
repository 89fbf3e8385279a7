import { PackError } from '@tx2/pack-format';
import type { ReleaseLock, StorageBackend } from '../backend.js';
import { checkBytes, checkRange } from '../errors.js';
import { browserStorageError, checkFileKey } from './storage-errors.js';
import { acquireWebLock } from './web-lock.js';

/** Options of an {@link IndexedDBBackend}. */
export interface IndexedDBBackendOptions {
  /** Commit each write durably before it resolves (IndexedDB's 'strict' durability; default true). */
  durable?: boolean;
  /** Describes this writer to other tabs in lock-timeout messages (default: the page URL and a random tag). */
  owner?: string;
}

const FILES = 'files';
const DATABASE_PREFIX = 'tx2pack:';

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

/**
 * A backend keeping its files in one IndexedDB database (`tx2pack:<name>`) of the page's origin:
 * the default for saves in a browser. Each file is one Blob record, written in one transaction,
 * so a reader sees the old bytes or the new ones and a failed write (a full quota, a closed tab)
 * leaves the old ones; partial reads slice the Blob without loading the rest. The write lock is a
 * Web Lock shared by every tab and worker of the origin.
 */
export class IndexedDBBackend implements StorageBackend {
  readonly name: string;
  readonly #database: string;
  readonly #durability: IDBTransactionDurability;
  readonly #owner: string | undefined;
  #db: Promise<IDBDatabase> | undefined;

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
      const request = factory.open(this.#database, 1);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(FILES)) request.result.createObjectStore(FILES);
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

  /** Runs `work` in one transaction on the files store; resolves with its result once the transaction has committed. */
  async #transact<T>(mode: IDBTransactionMode, action: string, key: string | undefined, work: (files: IDBObjectStore) => Promise<T> | T): Promise<T> {
    try {
      const db = await this.#open();
      const tx = db.transaction(FILES, mode, { durability: this.#durability });
      const commit = committed(tx);
      let result: T;
      try {
        result = await work(tx.objectStore(FILES));
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

  /** The Blob stored under `key`, or undefined. */
  #blob(key: string): Promise<Blob | undefined> {
    return this.#transact('readonly', 'read', key, (files) => done(files.get(key)) as Promise<Blob | undefined>);
  }

  /** The bytes stored under `key`, or undefined. */
  async get(key: string): Promise<Uint8Array | undefined> {
    checkFileKey(key);
    const blob = await this.#blob(key);
    if (blob === undefined) return undefined;
    return this.#read(key, blob);
  }

  /** The bytes of `blob` (read outside any transaction: a stored Blob outlives it). */
  async #read(key: string, blob: Blob): Promise<Uint8Array> {
    try {
      return new Uint8Array(await blob.arrayBuffer());
    } catch (error) {
      throw await browserStorageError(this.name, 'read', key, error);
    }
  }

  /** Stores a copy of `bytes` under `key` in one transaction (all or nothing). */
  async put(key: string, bytes: Uint8Array): Promise<void> {
    checkFileKey(key);
    checkBytes(bytes);
    await this.#putBlob(key, new Blob([bytes as Uint8Array<ArrayBuffer>]));
  }

  async #putBlob(key: string, blob: Blob): Promise<void> {
    await this.#transact('readwrite', 'save', key, (files) => {
      files.put(blob, key);
    });
  }

  /** Stores the concatenation of `pieces` under `key`: gathered into one Blob, then written in one transaction. */
  async putStream(key: string, pieces: AsyncIterable<Uint8Array>): Promise<void> {
    checkFileKey(key);
    const parts: Uint8Array<ArrayBuffer>[] = [];
    for await (const piece of pieces) {
      checkBytes(piece);
      // A copy: the caller may reuse its buffer after yielding it.
      parts.push(piece.slice() as Uint8Array<ArrayBuffer>);
    }
    await this.#putBlob(key, new Blob(parts));
  }

  /** Removes `key`; true when it existed. */
  async delete(key: string): Promise<boolean> {
    checkFileKey(key);
    return this.#transact('readwrite', 'delete', key, async (files) => {
      const existed = (await done(files.getKey(key))) !== undefined;
      if (existed) files.delete(key);
      return existed;
    });
  }

  /** Every key. */
  async list(): Promise<string[]> {
    const keys = await this.#transact('readonly', 'list', undefined, (files) => done(files.getAllKeys()));
    return keys.filter((key): key is string => typeof key === 'string');
  }

  /** True when `key` exists. */
  async has(key: string): Promise<boolean> {
    checkFileKey(key);
    return (await this.#transact('readonly', 'read', key, (files) => done(files.getKey(key)))) !== undefined;
  }

  /** Reads `length` bytes of `key` from `offset` through a Blob slice. */
  async readRange(key: string, offset: number, length: number): Promise<Uint8Array | undefined> {
    checkFileKey(key);
    checkRange(offset, length);
    const blob = await this.#blob(key);
    if (blob === undefined) return undefined;
    return this.#read(key, blob.slice(offset, offset + length));
  }

  /** The size of `key` in bytes, or undefined. */
  async size(key: string): Promise<number | undefined> {
    checkFileKey(key);
    return (await this.#blob(key))?.size;
  }

  /** Takes the store's Web Lock (every tab and worker of the origin), waiting up to `timeoutMs`; then PackError('Io') naming the holder. */
  lock(timeoutMs: number): Promise<ReleaseLock> {
    return acquireWebLock(this.#database, timeoutMs, this.#owner);
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
