// Schema migrations through the store: a checkpoint chain saved under schema 1 (a full
// checkpoint and deltas) loads under schema 2; deltas apply in schema 1, only the result migrates.
import { addField, createPackedSnapshot, defineMigrations, getColumn, type PackedSnapshot } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { CheckpointManager, MemoryBackend, SnapshotStore } from '../src/index.js';

const migrations = defineMigrations([{ from: 1, to: 2, migrate: addField('Pos', 'z', 'f32', 0) }]);

/** 1000 entities; tick `t` moves entity 0 only, so checkpoints after the first are deltas. */
const tick = (t: number): PackedSnapshot => {
  const x = Float32Array.from({ length: 1000 }, (_, i) => i);
  x[0] = t;
  return createPackedSnapshot({ timestamp: t, schemaVersion: 1, entities: Array.from({ length: 1000 }, (_, i) => i), components: [{ id: 'Pos', fields: { x } }] });
};

describe('migrations on load', () => {
  it('a checkpoint chain of schema 1 loads migrated, each checkpoint lazily', async () => {
    const manager = new CheckpointManager(new MemoryBackend(), { incremental: { fullEvery: 10 } });
    for (let t = 0; t < 4; t++) await manager.createCheckpoint(`c${t}`, tick(t));
    const last = await manager.loadCheckpoint('c3', { migrations });
    expect(last.storage.kind).toBe('delta');
    expect(last.snapshot.schemaVersion).toBe(2);
    expect(getColumn(last.snapshot, 'Pos', 'x', 'f32')).toStrictEqual(getColumn(tick(3), 'Pos', 'x', 'f32'));
    expect(getColumn(last.snapshot, 'Pos', 'z', 'f32')).toStrictEqual(new Float32Array(1000));
    // Loading without migrations still gives the snapshot as saved, and the chain is intact.
    expect((await manager.loadCheckpoint('c2')).snapshot.schemaVersion).toBe(1);
    expect((await manager.loadCheckpoint('c0', { migrations, components: ['Pos'] })).snapshot.schemaVersion).toBe(2);
  });

  it('SnapshotStore.load migrates, and refuses a save newer than the running schema', async () => {
    const store = new SnapshotStore(new MemoryBackend());
    await store.save(tick(5), 's');
    expect((await store.load('s', { migrations })).snapshot.schemaVersion).toBe(2);
    await store.save({ ...tick(5), schemaVersion: 3 }, 'newer');
    await expect(store.load('newer', { migrations })).rejects.toMatchObject({ code: 'VersionMismatch' });
    await expect(store.load('s', { migrations: {} as never })).rejects.toMatchObject({ code: 'InvalidInput' });
  });
});
