import { createPackedSnapshot } from '@tx2/pack-format';
import { CheckpointManager, MemoryBackend } from '@tx2/pack-store';
import { describe, expect, it } from 'vitest';
import { ReplayEngine, SnapshotCache } from '../src/index.js';
import { countingSource, world } from './helpers.js';

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('lazy loading from a checkpoint manager', () => {
  it('keeps ids only until a checkpoint is visited', async () => {
    const source = countingSource(100);
    const e = new ReplayEngine({ prefetch: false });
    expect(await e.loadFromManager(source)).toBe(100);
    expect(e.ids()[99]).toBe('c99');
    expect(source.loads).toEqual([]);
    const f = await e.seek(42);
    expect(f.snapshot.worldTime).toBe(42);
    expect(source.loads).toEqual(['c42']);
  });

  it('prefetches the next checkpoint in the direction of travel', async () => {
    const source = countingSource(10);
    const e = new ReplayEngine();
    await e.loadFromManager(source);
    await e.current();
    await settle();
    expect(source.loads).toEqual(['c0', 'c1']);
    await e.next(); // c1 from the cache, prefetches c2
    await settle();
    expect(source.loads).toEqual(['c0', 'c1', 'c2']);
    await e.seek(6);
    await e.previous(); // backward: c5, prefetches c4
    await settle();
    expect(source.loads.slice(3)).toEqual(['c6', 'c7', 'c5', 'c4']);
  });

  it('prefetch wraps with loop on and stops at the end with loop off', async () => {
    const on = countingSource(3);
    const e = new ReplayEngine({ loop: true });
    await e.loadFromManager(on);
    await e.seekToEnd();
    await settle();
    expect(on.loads).toEqual(['c2', 'c1']);
    await e.next();
    await settle();
    expect(on.loads).toEqual(['c2', 'c1', 'c0']); // c0 visited; its prefetch of c1 hits the cache
    const off = countingSource(3);
    const f = new ReplayEngine();
    await f.loadFromManager(off);
    await f.seekToEnd();
    await settle();
    expect(off.loads).toEqual(['c2', 'c1']);
  });

  it('holds at most cacheSize snapshots and reloads evicted ones', async () => {
    const source = countingSource(20);
    const e = new ReplayEngine({ cacheSize: 2, prefetch: false });
    await e.loadFromManager(source);
    for (let i = 0; i < 20; i++) await e.seek(i);
    expect(source.loads.length).toBe(20);
    await e.seek(19); // cached
    await e.seek(18); // cached
    expect(source.loads.length).toBe(20);
    await e.seek(0); // evicted: loaded again
    expect(source.loads.length).toBe(21);
  });

  it('a failed load rejects that visit and is retried on the next', async () => {
    let fail = true;
    const e = new ReplayEngine({ prefetch: false });
    await e.loadFromManager({
      listCheckpoints: async () => [{ id: 'a' }],
      loadCheckpoint: async () => {
        if (fail) throw new Error('disk on fire');
        return { snapshot: world(1) };
      },
    });
    await expect(e.current()).rejects.toThrow(/disk on fire/);
    fail = false;
    expect((await e.current())?.snapshot.worldTime).toBe(1);
  });

  it('replays a real CheckpointManager chain', async () => {
    const manager = new CheckpointManager(new MemoryBackend());
    for (let i = 0; i < 5; i++) await manager.createCheckpoint(`t${i}`, world(i));
    const e = new ReplayEngine({ cacheSize: 2 });
    await e.loadFromManager(manager);
    const seen: number[] = [];
    for await (const f of e) seen.push(f.snapshot.worldTime);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    const back: string[] = [];
    for await (const f of e.frames({ direction: 'backward' })) back.push(f.id);
    expect(back).toEqual(['t4', 't3', 't2', 't1', 't0']);
    const big = createPackedSnapshot({ entities: [7], components: [{ id: 'A', fields: { v: new Float64Array([3]) } }] });
    e.addCheckpoint('mem', big);
    expect((await e.seekToEnd())?.snapshot).toBe(big);
  });

  it('SnapshotCache evicts the least recently used entry', async () => {
    const cache = new SnapshotCache(2);
    const load = (t: number) => () => Promise.resolve(world(t));
    await cache.get(1, load(1));
    await cache.get(2, load(2));
    await cache.get(1, load(99)); // hit: 1 becomes most recent
    await cache.get(3, load(3)); // evicts 2
    expect(cache.has(1) && cache.has(3) && !cache.has(2)).toBe(true);
    expect((await cache.get(1, load(99))).worldTime).toBe(1);
    expect(cache.size).toBe(2);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
