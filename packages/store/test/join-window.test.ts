// A pooled snapshot is joined from its section objects a few at a time (their latencies overlap),
// with the same result and the same refusal as one object after the other.
import { snapshotsEqual } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { MemoryBackend, SECTION_SUFFIX, SnapshotStore } from '../src/index.js';
import { makeWorld } from './helpers/world.js';

/** A memory backend whose reads take a while, counting how many are in flight at once. */
class SlowBackend extends MemoryBackend {
  inFlight = 0;
  mostInFlight = 0;
  override async get(key: string): Promise<Uint8Array | undefined> {
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 2));
    this.inFlight--;
    return super.get(key);
  }
}

async function pooledStore(): Promise<{ backend: SlowBackend; store: SnapshotStore; sections: string[] }> {
  const backend = new SlowBackend();
  const store = new SnapshotStore(backend, { dedupeSections: { minBytes: 64 } });
  await store.save(makeWorld(2000), 'slot');
  const sections = (await backend.list()).filter((k) => k.endsWith(SECTION_SUFFIX)).sort();
  return { backend, store, sections };
}

describe('joining a pooled snapshot', () => {
  it('asks for several section objects at once, never more than four, and rebuilds the same snapshot', async () => {
    const { backend, store, sections } = await pooledStore();
    expect(sections.length).toBeGreaterThan(4);
    backend.mostInFlight = 0;
    const loaded = await store.load('slot');
    expect(snapshotsEqual(loaded.snapshot, makeWorld(2000))).toBe(true);
    expect(backend.mostInFlight).toBeGreaterThan(1);
    expect(backend.mostInFlight).toBeLessThanOrEqual(4);
  });

  it('a missing or damaged object is refused as before, whichever of them fails', async () => {
    const { backend, store, sections } = await pooledStore();
    await backend.delete(sections.at(-1)!);
    await expect(store.load('slot')).rejects.toMatchObject({ code: 'SnapshotNotFound' });
    const again = await pooledStore();
    const victim = again.sections[0]!;
    const bytes = (await again.backend.get(victim))!;
    bytes[bytes.length - 1]! ^= 1;
    await again.backend.put(victim, bytes);
    await expect(again.store.load('slot')).rejects.toMatchObject({ code: 'ChecksumMismatch', details: { id: 'slot' } });
  });
});
