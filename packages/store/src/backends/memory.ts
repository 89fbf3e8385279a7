import { PackError } from '@tx2/pack-format';
import { acquireWithin, Mutex } from '../async-mutex.js';
import type { ReleaseLock, StorageBackend } from '../backend.js';
import { checkBytes, checkRange, checkTimeout } from '../errors.js';

/** A backend holding its files in a Map: for tests, browsers and ephemeral stores. Bytes are copied in and out. */
export class MemoryBackend implements StorageBackend {
  readonly name = 'memory';
  readonly #files = new Map<string, Uint8Array>();
  readonly #lock = new Mutex();

  /** The bytes under `key` (a copy), or undefined. */
  async get(key: string): Promise<Uint8Array | undefined> {
    return this.#files.get(key)?.slice();
  }

  /** Stores a copy of `bytes` under `key` (atomic: one Map assignment). */
  async put(key: string, bytes: Uint8Array): Promise<void> {
    checkBytes(bytes);
    this.#files.set(key, bytes.slice());
  }

  /** Stores the concatenation of `pieces` under `key`. */
  async putStream(key: string, pieces: AsyncIterable<Uint8Array>): Promise<void> {
    const parts: Uint8Array[] = [];
    let length = 0;
    for await (const piece of pieces) {
      parts.push(piece.slice());
      length += piece.length;
    }
    const out = new Uint8Array(length);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    this.#files.set(key, out);
  }

  /** Removes `key`; true when it existed. */
  async delete(key: string): Promise<boolean> {
    return this.#files.delete(key);
  }

  /** Every key. */
  async list(): Promise<string[]> {
    return [...this.#files.keys()];
  }

  /** True when `key` exists. */
  async has(key: string): Promise<boolean> {
    return this.#files.has(key);
  }

  /** Reads a byte range of `key` (a copy). */
  async readRange(key: string, offset: number, length: number): Promise<Uint8Array | undefined> {
    checkRange(offset, length);
    return this.#files.get(key)?.slice(offset, offset + length);
  }

  /** The size of `key`, or undefined. */
  async size(key: string): Promise<number | undefined> {
    return this.#files.get(key)?.length;
  }

  /** Takes the in-process write lock (PackError 'Io' after `timeoutMs`). */
  async lock(timeoutMs: number): Promise<ReleaseLock> {
    checkTimeout(timeoutMs, 'the lock timeout');
    const release = await acquireWithin(
      this.#lock,
      timeoutMs,
      () => new PackError('Io', `the memory store is locked by another writer for more than ${timeoutMs} ms: retry later`),
    );
    let released = false;
    return async () => {
      if (!released) release();
      released = true;
    };
  }
}
