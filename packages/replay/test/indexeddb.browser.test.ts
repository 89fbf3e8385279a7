import { createPackedSnapshot, getColumn, type PackedSnapshot } from '@tx2/pack-format';
import { CheckpointManager, IndexedDBBackend, SnapshotMetadata, SnapshotStore } from '@tx2/pack-store';
import { afterAll, describe, expect, it } from 'vitest';
import { ReplayEngine } from '../src/index.js';

const names: string[] = [];
function backend(name = `replay-${crypto.randomUUID()}`): IndexedDBBackend {
  if (!names.includes(name)) names.push(name);
  return new IndexedDBBackend(name);
}
afterAll(async () => {
  await Promise.all(names.map((n) => IndexedDBBackend.destroy(n)));
});

/** A world of 50 moving entities at tick `t`. */
function world(t: number): PackedSnapshot {
  const n = 50;
  const x = new Float32Array(n);
  const vx = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    vx[i] = (i % 7) - 3;
    x[i] = i + vx[i]! * t;
  }
  return createPackedSnapshot({
    entities: Array.from({ length: n }, (_, i) => i + 1),
    worldTime: t,
    components: [{ id: 'Motion', fields: { x, vx } }],
  });
}

describe('store, checkpoints and replay end to end on IndexedDB (Chromium)', () => {
  it('saves and loads slots, lists them, and a new backend object on the same database sees them', async () => {
    const b = backend();
    const store = new SnapshotStore(b);
    await store.save(world(3), new SnapshotMetadata('slot1').withName('Before the boss'));
    await store.save(world(7), new SnapshotMetadata('slot2'));
    const reopened = new SnapshotStore(new IndexedDBBackend(b.name.slice('indexeddb:'.length)));
    const { snapshot, metadata } = await reopened.load('slot1');
    expect(metadata.name).toBe('Before the boss');
    expect(getColumn(snapshot, 'Motion', 'x', 'f32')).toEqual(getColumn(world(3), 'Motion', 'x', 'f32'));
    expect((await reopened.list()).map((e) => e.id).sort()).toEqual(['slot1', 'slot2']);
    await reopened.delete('slot2');
    expect((await store.list()).map((e) => e.id)).toEqual(['slot1']);
  });

  it('records checkpoints every tick (deltas against keyframes) and replays them forward and back', async () => {
    const manager = new CheckpointManager(backend());
    for (let t = 0; t < 20; t++) await manager.createCheckpoint(`tick-${t}`, world(t));
    expect((await manager.listCheckpoints()).length).toBe(20);
    const replay = new ReplayEngine({ cacheSize: 3 });
    expect(await replay.loadFromManager(manager)).toBe(20);
    await replay.seek(12);
    const frame = await replay.current();
    expect(frame?.id).toBe('tick-12');
    expect(getColumn(frame!.snapshot, 'Motion', 'x', 'f32')).toEqual(getColumn(world(12), 'Motion', 'x', 'f32'));
    const back: number[] = [];
    for await (const f of replay.frames({ direction: 'backward' })) back.push(f.snapshot.worldTime);
    expect(back).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });

  it('checkpoints survive a new manager on the same database, and pruning keeps the chain loadable', async () => {
    const b = backend();
    const first = new CheckpointManager(b);
    for (let t = 0; t < 6; t++) await first.createCheckpoint(`tick-${t}`, world(t));
    const second = new CheckpointManager(new IndexedDBBackend(b.name.slice('indexeddb:'.length)));
    expect((await second.listCheckpoints()).map((c) => c.id)).toEqual(['tick-0', 'tick-1', 'tick-2', 'tick-3', 'tick-4', 'tick-5']);
    await second.pruneOldCheckpoints(2);
    const loaded = await second.loadCheckpoint('tick-5');
    expect(loaded.snapshot.worldTime).toBe(5);
    expect((await second.listCheckpoints()).map((c) => c.id)).toEqual(['tick-4', 'tick-5']);
  });
});
