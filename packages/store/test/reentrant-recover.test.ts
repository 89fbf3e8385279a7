import { type PackedSnapshot, snapshotsEqual } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { CheckpointManager, MemoryBackend, type ReleaseLock, type StorageBackend } from '../src/index.js';
import { EvolvingWorld } from './helpers/evolving-world.js';

/**
 * A memory backend that fails one put of a chosen key (as if the process died there) and
 * records every lock request made while the lock is already held: a request that can only
 * wait for its own holder.
 */
class WatchedBackend implements StorageBackend {
  readonly name = 'watched-memory';
  readonly inner = new MemoryBackend();
  failKey: string | undefined;
  held = 0;
  nestedRequests = 0;
  lockFailures: unknown[] = [];

  get(key: string): Promise<Uint8Array | undefined> {
    return this.inner.get(key);
  }
  async put(key: string, bytes: Uint8Array): Promise<void> {
    if (key === this.failKey) {
      this.failKey = undefined;
      throw new Error(`injected failure writing ${key}`);
    }
    return this.inner.put(key, bytes);
  }
  putStream(key: string, pieces: AsyncIterable<Uint8Array>): Promise<void> {
    return this.inner.putStream(key, pieces);
  }
  delete(key: string): Promise<boolean> {
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
  async lock(timeoutMs: number): Promise<ReleaseLock> {
    if (this.held > 0) this.nestedRequests++;
    let release: ReleaseLock;
    try {
      release = await this.inner.lock(timeoutMs);
    } catch (error) {
      this.lockFailures.push(error);
      throw error;
    }
    this.held++;
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      this.held--;
      await release();
    };
  }
}

describe('recovery while the checkpoint manager holds the write lock', () => {
  it('createCheckpoint after a crash mid-rebase repairs the rebased checkpoint without waiting for its own lock', async () => {
    const backend = new WatchedBackend();
    // A tiny lock timeout: a lock request waiting for its own holder fails at once instead of stalling.
    const options = { incremental: { fullEvery: 10, maxDeltaRatio: Number.POSITIVE_INFINITY }, lockTimeoutMs: 1, cacheSize: 0 };
    const world = new EvolvingWorld(7, 300);
    const saved = new Map<string, PackedSnapshot>();
    let manager = new CheckpointManager(backend, options);
    for (let i = 0; i < 3; i++) {
      const snapshot = world.step(0.02).snapshot();
      saved.set(`c${i}`, snapshot);
      await manager.createCheckpoint(`c${i}`, snapshot);
    }
    expect((await manager.listCheckpoints()).map((c) => c.storage.kind)).toEqual(['full', 'delta', 'delta']);

    // Deleting c0 rewrites c1 in full (file, then metadata): the process dies before the metadata.
    backend.failKey = 'c1.meta.json';
    await expect(manager.deleteCheckpoint('c0')).rejects.toThrow(/injected failure/);
    const before = (await manager.store.record('c1'))!;
    expect(before.extra.checkpoint).toMatchObject({ storage: 'delta' });

    // A new process creates the next checkpoint: it rebuilds c2 through c1 and repairs c1's metadata.
    manager = new CheckpointManager(backend, options);
    const next = world.step(0.02).snapshot();
    saved.set('c3', next);
    const created = await manager.createCheckpoint('c3', next);
    expect(created.storage).toMatchObject({ kind: 'delta', base: 'c2' });
    expect(backend.nestedRequests).toBe(0);
    expect(backend.lockFailures).toEqual([]);

    const after = (await manager.store.record('c1'))!;
    expect(after.saveId).not.toBe(before.saveId);
    expect(after.extra.checkpoint).toMatchObject({ storage: 'full' });
    for (const c of await manager.listCheckpoints()) {
      expect(snapshotsEqual((await manager.loadCheckpoint(c.id)).snapshot, saved.get(c.id)!), c.id).toBe(true);
    }
  });
});
