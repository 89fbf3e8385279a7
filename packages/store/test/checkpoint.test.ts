import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointManager, MemoryBackend, SnapshotMetadata, type StorageBackend } from '../src/index.js';
import { NodeFsBackend } from '../src/node.js';
import { makeWorld } from './helpers/world.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tx2-ckpt-'));
  dirs.push(dir);
  return dir;
}

const backends: [string, () => Promise<StorageBackend>][] = [
  ['memory', async () => new MemoryBackend()],
  ['node fs', async () => new NodeFsBackend(await tempDir())],
];

describe.each(backends)('CheckpointManager on %s', (_, make) => {
  it('links each checkpoint to the latest, lists the chain in order, walks ancestors', async () => {
    const m = new CheckpointManager(await make());
    expect(await m.latest()).toBeUndefined();
    const a = await m.createCheckpoint('a', makeWorld(5, 1));
    const b = await m.createCheckpoint('b', makeWorld(5, 2), new SnapshotMetadata('b').withTag('boss'));
    const c = await m.createCheckpoint('c', makeWorld(5, 3));
    expect([a.parent, b.parent, c.parent]).toEqual([undefined, 'a', 'b']);
    expect((await m.chain()).map((x) => x.id)).toEqual(['a', 'b', 'c']);
    expect((await m.listCheckpoints()).map((x) => x.sequence)).toEqual([1, 2, 3]);
    expect((await m.latest())!.id).toBe('c');
    expect((await m.ancestors('c')).map((x) => x.id)).toEqual(['b', 'a']);
    const loaded = await m.loadCheckpoint('b');
    expect(loaded.parent).toBe('a');
    expect(loaded.metadata.tags).toEqual(['boss']);
    expect(loaded.snapshot.worldTime).toBe(20);
    await expect(m.createCheckpoint('b', makeWorld(1))).rejects.toMatchObject({ code: 'InvalidCheckpoint' });
    await expect(m.createCheckpoint('z', makeWorld(1), new SnapshotMetadata('y'))).rejects.toMatchObject({ code: 'InvalidInput' });
    await expect(m.loadCheckpoint('nope')).rejects.toMatchObject({ code: 'SnapshotNotFound' });
    await expect(m.ancestors('nope')).rejects.toMatchObject({ code: 'SnapshotNotFound' });
  });

  it('deleting a middle checkpoint records a gap: the child keeps its link, ancestors stop there', async () => {
    const m = new CheckpointManager(await make());
    for (const id of ['a', 'b', 'c', 'd']) await m.createCheckpoint(id, makeWorld(3));
    expect(await m.deleteCheckpoint('b')).toBe(true);
    const chain = await m.chain();
    expect(chain.map((x) => [x.id, x.parent, x.parentMissing])).toEqual([
      ['a', undefined, false],
      ['c', 'b', true],
      ['d', 'c', false],
    ]);
    expect((await m.ancestors('d')).map((x) => x.id)).toEqual(['c']);
    expect((await m.loadCheckpoint('c')).parentMissing).toBe(true);
    const e = await m.createCheckpoint('e', makeWorld(3));
    expect(e.parent).toBe('d');
    expect(e.sequence).toBe(5);
  });

  it('pruneOldCheckpoints keeps the newest, clear removes all', async () => {
    const m = new CheckpointManager(await make());
    for (let i = 0; i < 6; i++) await m.createCheckpoint(`c${i}`, makeWorld(2, i));
    expect(await m.pruneOldCheckpoints(2)).toEqual(['c0', 'c1', 'c2', 'c3']);
    expect((await m.chain()).map((x) => x.id)).toEqual(['c4', 'c5']);
    expect((await m.chain())[0]!.parentMissing).toBe(true);
    await expect(m.pruneOldCheckpoints(-1)).rejects.toMatchObject({ code: 'InvalidInput' });
    expect(await m.clear()).toBe(2);
    expect(await m.chain()).toEqual([]);
    const again = await m.createCheckpoint('n', makeWorld(1));
    expect(again.parent).toBeUndefined();
  });
});

describe('CheckpointManager restart', () => {
  it('a new manager over the same directory sees the same chain and continues it', async () => {
    const dir = await tempDir();
    const first = new CheckpointManager(dir);
    for (const id of ['a', 'b', 'c']) await first.createCheckpoint(id, makeWorld(4));
    const second = new CheckpointManager(dir);
    expect((await second.chain()).map((x) => [x.id, x.parent])).toEqual([
      ['a', undefined],
      ['b', 'a'],
      ['c', 'b'],
    ]);
    expect((await second.createCheckpoint('d', makeWorld(4))).parent).toBe('c');
    expect((await second.ancestors('d')).map((x) => x.id)).toEqual(['c', 'b', 'a']);
  });

  it('two managers in one process serialise their writes: one chain, no duplicate sequence', async () => {
    const dir = await tempDir();
    const a = new CheckpointManager(dir);
    const b = new CheckpointManager(dir);
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).createCheckpoint(`x${i}`, makeWorld(3, i))));
    const chain = await a.chain();
    expect(chain.map((c) => c.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (let i = 1; i < chain.length; i++) expect(chain[i]!.parent).toBe(chain[i - 1]!.id);
  });
});
