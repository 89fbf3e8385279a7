import { PackError } from '@tx2/pack-format';
import { MemoryBackend, type ReleaseLock, type StorageBackend } from '../../src/index.js';

/**
 * A memory backend whose k-th write (put, putStream or delete) after `failAt(k)` throws
 * without doing anything, as if the process died there: what is stored afterwards is exactly
 * what a crash at that point leaves. Reads and the lock always work.
 */
export class FailingBackend implements StorageBackend {
  readonly name = 'failing-memory';
  readonly inner: MemoryBackend;
  #countdown = Number.POSITIVE_INFINITY;
  /** Writes done since the last `failAt`. */
  writes = 0;

  constructor(inner = new MemoryBackend()) {
    this.inner = inner;
  }

  /** Makes the `k`-th write from now fail (1 = the next one); Infinity disarms. */
  failAt(k: number): void {
    this.#countdown = k;
    this.writes = 0;
  }

  #write(): void {
    this.writes++;
    if (--this.#countdown === 0) {
      this.#countdown = Number.POSITIVE_INFINITY;
      throw new PackError('Io', `injected failure at write ${this.writes}`);
    }
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.inner.get(key);
  }
  async put(key: string, bytes: Uint8Array): Promise<void> {
    this.#write();
    return this.inner.put(key, bytes);
  }
  async putStream(key: string, pieces: AsyncIterable<Uint8Array>): Promise<void> {
    this.#write();
    return this.inner.putStream(key, pieces);
  }
  async delete(key: string): Promise<boolean> {
    this.#write();
    return this.inner.delete(key);
  }
  list(): Promise<string[]> {
    return this.inner.list();
  }
  has(key: string): Promise<boolean> {
    return this.inner.has(key);
  }
  readRange(key: string, offset: number, length: number): Promise<Uint8Array | undefined> {
    return this.inner.readRange(key, offset, length);
  }
  size(key: string): Promise<number | undefined> {
    return this.inner.size(key);
  }
  lock(timeoutMs: number): Promise<ReleaseLock> {
    return this.inner.lock(timeoutMs);
  }
}

/** Total bytes stored in `backend`, and those of section objects. */
export async function storedBytes(backend: MemoryBackend): Promise<{ total: number; sections: number; sectionObjects: number }> {
  let total = 0;
  let sections = 0;
  let sectionObjects = 0;
  for (const key of await backend.list()) {
    const size = (await backend.size(key)) ?? 0;
    total += size;
    if (key.endsWith('.tx2section')) {
      sections += size;
      sectionObjects++;
    }
  }
  return { total, sections, sectionObjects };
}
