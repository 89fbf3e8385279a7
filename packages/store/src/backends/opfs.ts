import { PackError } from '@tx2/pack-format';
import type { ReleaseLock, StorageBackend } from '../backend.js';
import { checkBytes, checkRange } from '../errors.js';
import { browserStorageError, checkFileKey } from './storage-errors.js';
import { acquireWebLock, withWebLock } from './web-lock.js';

/** Options of an {@link OPFSBackend}. */
export interface OPFSBackendOptions {
  /** Describes this writer to other tabs in lock-timeout messages (default: the page URL and a random tag). */
  owner?: string;
}

// Temporary files are dot files: list() never shows them and no key can name one.
const TEMP_PREFIX = '.tmp-';
const TEMP_LOCK_INFIX = '\u0000writing:';
const MOVE_LOCK_INFIX = '\u0000move:';

// Parts of the File System API that TypeScript's DOM library does not declare yet (Chromium has them).
interface MovableFileHandle extends FileSystemFileHandle {
  move(destination: FileSystemDirectoryHandle, name: string): Promise<void>;
}
interface IterableDirectoryHandle extends FileSystemDirectoryHandle {
  entries(): AsyncIterableIterator<[string, FileSystemHandle]>;
}

/** True when `error` says the file or directory does not exist. */
function isNotFound(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === 'NotFoundError';
}

/**
 * A backend keeping its files in a directory of the Origin Private File System
 * (`navigator.storage.getDirectory()`), for large saves and streaming: pieces are written to disk
 * as they come, and partial reads slice the file. A write goes to a temporary file that is moved
 * over the old one once complete, so a reader sees the old bytes or the new ones, and a failed
 * write (a full quota, a closed tab, a failing source) leaves the old ones. The write lock is a
 * Web Lock shared by every tab and worker of the origin.
 */
export class OPFSBackend implements StorageBackend {
  readonly name: string;
  readonly #directory: string;
  readonly #owner: string | undefined;
  readonly #lockName: string;
  #dir: Promise<FileSystemDirectoryHandle> | undefined;

  /** A backend on the OPFS directory `tx2pack-<name>` (created on first use). */
  constructor(name = 'default', options: OPFSBackendOptions = {}) {
    if (typeof name !== 'string' || !/^[\w.-]{1,200}$/.test(name) || name.startsWith('.')) {
      throw new PackError('InvalidInput', `an OPFS store needs a name of 1 to 200 letters, digits, '_', '-' or '.', got ${JSON.stringify(name)}`);
    }
    this.#directory = `tx2pack-${name}`;
    this.#lockName = `tx2pack-opfs:${name}`;
    this.name = `opfs:${name}`;
    this.#owner = options.owner;
  }

  /** True when this context has the Origin Private File System with writable streams. */
  static supported(): boolean {
    return (
      typeof globalThis.navigator?.storage?.getDirectory === 'function' &&
      typeof FileSystemFileHandle === 'function' &&
      'createWritable' in FileSystemFileHandle.prototype &&
      'move' in FileSystemFileHandle.prototype
    );
  }

  /** The store's directory handle (created once). */
  #root(): Promise<FileSystemDirectoryHandle> {
    if (this.#dir === undefined) {
      if (!OPFSBackend.supported()) {
        return Promise.reject(new PackError('Io', 'this context has no Origin Private File System with writable streams: use IndexedDBBackend, or a current browser'));
      }
      this.#dir = navigator.storage.getDirectory().then((root) => root.getDirectoryHandle(this.#directory, { create: true }));
      this.#dir.catch(() => {
        this.#dir = undefined;
      });
    }
    return this.#dir;
  }

  /** The file `key` as a File, or undefined when it does not exist. */
  async #file(key: string): Promise<File | undefined> {
    try {
      const dir = await this.#root();
      return await (await dir.getFileHandle(key)).getFile();
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw await browserStorageError(this.name, 'read', key, error);
    }
  }

  /**
   * Reads `slice` of the file `key`. A File taken before a writer replaced the file is no longer
   * readable (NotReadableError): take the new one and read again, a few times.
   */
  async #readFile(key: string, slice: (file: File) => Blob): Promise<Uint8Array | undefined> {
    for (let attempt = 1; ; attempt++) {
      const file = await this.#file(key);
      if (file === undefined) return undefined;
      try {
        return new Uint8Array(await slice(file).arrayBuffer());
      } catch (error) {
        if ((error as { name?: unknown } | undefined)?.name === 'NotReadableError' && attempt < 5) continue;
        throw await browserStorageError(this.name, 'read', key, error);
      }
    }
  }

  /** The bytes stored under `key`, or undefined. */
  async get(key: string): Promise<Uint8Array | undefined> {
    checkFileKey(key);
    return this.#readFile(key, (file) => file);
  }

  /**
   * Writes `pieces` to a temporary file, then moves it over `key` (a rename in one directory):
   * readers see the old file or the new one. While it writes, the writer holds a Web Lock named
   * after its temporary file, so a later writer can tell a live write from one whose tab died.
   */
  async #write(key: string, pieces: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
    const temp = `${TEMP_PREFIX}${crypto.randomUUID()}`;
    await withWebLock(`${this.#lockName}${TEMP_LOCK_INFIX}${temp}`, async () => {
      let writable: FileSystemWritableFileStream | undefined;
      let dir: FileSystemDirectoryHandle | undefined;
      let written = 0;
      let pending = 0;
      try {
        dir = await this.#root();
        const handle = await dir.getFileHandle(temp, { create: true });
        writable = await handle.createWritable({ keepExistingData: false });
        for await (const piece of pieces) {
          checkBytes(piece);
          pending = piece.length;
          if (piece.length > 0) await writable.write(piece as Uint8Array<ArrayBuffer>);
          written += piece.length;
          pending = 0;
        }
        const stream = writable;
        writable = undefined;
        await stream.close();
        // Two moves onto one file at once fail (the destination is locked): one at a time per key, across tabs.
        const target = dir;
        await withWebLock(`${this.#lockName}${MOVE_LOCK_INFIX}${key}`, () => (handle as MovableFileHandle).move(target, key));
      } catch (error) {
        await writable?.abort().catch(() => {});
        await dir?.removeEntry(temp).catch(() => {});
        throw await browserStorageError(this.name, 'save', key, error, written + pending);
      }
    });
  }

  /** Removes temporary files whose writer is gone (its tab closed or crashed mid-write); called holding the store's lock. */
  async #removeAbandonedTemps(): Promise<void> {
    try {
      const dir = await this.#root();
      const live = new Set((await navigator.locks.query()).held?.map((lock) => lock.name) ?? []);
      for await (const [name] of (dir as IterableDirectoryHandle).entries()) {
        if (name.startsWith(TEMP_PREFIX) && !name.endsWith('.crswap') && !live.has(`${this.#lockName}${TEMP_LOCK_INFIX}${name}`)) {
          await dir.removeEntry(name).catch(() => {});
        }
      }
    } catch {
      // Best effort: a leftover temporary file costs space, never correctness (list skips it).
    }
  }

  /** Stores a copy of `bytes` under `key`, atomically (the old bytes until the write completes). */
  async put(key: string, bytes: Uint8Array): Promise<void> {
    checkFileKey(key);
    checkBytes(bytes);
    // A copy first: the caller may change its array while the write is under way.
    await this.#write(key, [bytes.slice()]);
  }

  /** Streams `pieces` into `key` as they come, atomically like `put`; a failing source leaves the old bytes. */
  async putStream(key: string, pieces: AsyncIterable<Uint8Array>): Promise<void> {
    checkFileKey(key);
    await this.#write(key, pieces);
  }

  /** Removes `key`; true when it existed. */
  async delete(key: string): Promise<boolean> {
    checkFileKey(key);
    try {
      await (await this.#root()).removeEntry(key);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw await browserStorageError(this.name, 'delete', key, error);
    }
  }

  /** Every key (the browser's swap files and other dot files excluded). */
  async list(): Promise<string[]> {
    try {
      const keys: string[] = [];
      for await (const [name, handle] of ((await this.#root()) as IterableDirectoryHandle).entries()) {
        if (handle.kind === 'file' && !name.startsWith('.') && !name.endsWith('.crswap')) keys.push(name);
      }
      return keys;
    } catch (error) {
      throw await browserStorageError(this.name, 'list', undefined, error);
    }
  }

  /** True when `key` exists. */
  async has(key: string): Promise<boolean> {
    checkFileKey(key);
    try {
      await (await this.#root()).getFileHandle(key);
      return true;
    } catch (error) {
      if (isNotFound(error) || (error as { name?: unknown } | undefined)?.name === 'TypeMismatchError') return false;
      throw await browserStorageError(this.name, 'read', key, error);
    }
  }

  /** Reads `length` bytes of `key` from `offset` through a File slice. */
  async readRange(key: string, offset: number, length: number): Promise<Uint8Array | undefined> {
    checkFileKey(key);
    checkRange(offset, length);
    return this.#readFile(key, (file) => file.slice(offset, offset + length));
  }

  /** The size of `key` in bytes, or undefined. */
  async size(key: string): Promise<number | undefined> {
    checkFileKey(key);
    return (await this.#file(key))?.size;
  }

  /** Takes the store's Web Lock (every tab and worker of the origin), waiting up to `timeoutMs`; then PackError('Io') naming the holder. */
  async lock(timeoutMs: number): Promise<ReleaseLock> {
    const release = await acquireWebLock(this.#lockName, timeoutMs, this.#owner);
    await this.#removeAbandonedTemps();
    return release;
  }

  /** Deletes the OPFS directory `tx2pack-<name>` and every file in it. */
  static async destroy(name: string): Promise<void> {
    try {
      await (await navigator.storage.getDirectory()).removeEntry(`tx2pack-${name}`, { recursive: true });
    } catch (error) {
      if (!isNotFound(error)) throw await browserStorageError(`opfs:${name}`, 'delete the directory', undefined, error);
    }
  }
}
