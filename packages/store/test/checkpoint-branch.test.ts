import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { snapshotsEqual } from '@tx2/pack-format';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointManager, SnapshotMetadata } from '../src/index.js';
import { makeWorld } from './helpers/world.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('CheckpointManager branches (createCheckpoint with a parent)', () => {
  it('links a checkpoint to the named parent, stores it against that parent, and keeps the link across a restart', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tx2-branch-'));
    dirs.push(dir);
    const m = new CheckpointManager(dir);
    await m.createCheckpoint('t100', makeWorld(20, 1));
    await m.createCheckpoint('t110', makeWorld(20, 2));
    await m.createCheckpoint('t120', makeWorld(20, 3));
    // Restored from t110 and played differently: a second branch off t110.
    const forked = makeWorld(20, 7);
    const b = await m.createCheckpoint('t120-b', forked, { parent: 't110', metadata: new SnapshotMetadata('t120-b').withTag('branch') });
    expect(b.parent).toBe('t110');
    expect(b.sequence).toBe(4);
    if (b.storage.kind === 'delta') expect(b.storage.base).toBe('t110');
    const next = await m.createCheckpoint('t130-b', makeWorld(20, 8), { parent: 't120-b' });
    expect(next.parent).toBe('t120-b');
    // Without a parent the latest checkpoint is the parent, as before.
    expect((await m.createCheckpoint('t140', makeWorld(20, 9))).parent).toBe('t130-b');

    const again = new CheckpointManager(dir);
    const byId = new Map((await again.listCheckpoints()).map((c) => [c.id, c]));
    expect(byId.get('t120-b')!.parent).toBe('t110');
    expect(byId.get('t120')!.parent).toBe('t110');
    expect((await again.ancestors('t130-b')).map((c) => c.id)).toEqual(['t120-b', 't110', 't100']);
    const loaded = await again.loadCheckpoint('t120-b');
    expect(snapshotsEqual(loaded.snapshot, forked)).toBe(true);
    expect(loaded.metadata.tags).toEqual(['branch']);
  });

  it('refuses a parent that does not exist and writes nothing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tx2-branch-'));
    dirs.push(dir);
    const m = new CheckpointManager(dir);
    await m.createCheckpoint('a', makeWorld(3, 1));
    const error = await m.createCheckpoint('b', makeWorld(3, 2), { parent: 'ghost' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'InvalidCheckpoint', details: { checkpoint: 'b', parent: 'ghost' } });
    expect((error as Error).message).toMatch(/parent checkpoint "ghost" does not exist/);
    expect((await m.listCheckpoints()).map((c) => c.id)).toEqual(['a']);
    await expect(m.createCheckpoint('c', makeWorld(3, 2), { parent: '../x' })).rejects.toMatchObject({ code: 'InvalidInput' });
    await expect(m.createCheckpoint('c', makeWorld(3, 2), { metadata: {} as SnapshotMetadata })).rejects.toMatchObject({ code: 'InvalidInput' });
    await expect(m.createCheckpoint('c', makeWorld(3, 2), 'a' as unknown as SnapshotMetadata)).rejects.toMatchObject({ code: 'InvalidInput' });
  });
});
