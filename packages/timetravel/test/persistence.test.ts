import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getColumn } from '@tx2/pack-format';
import { CheckpointManager, MemoryBackend, SnapshotStore } from '@tx2/pack-store';
import { afterAll, describe, expect, it } from 'vitest';
import { TimeTravel } from '../src/index.js';
import { loadTimeline, savedTimelines, saveTimeline } from '../src/persistence.js';
import { world } from './helpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function filled(): TimeTravel {
  const tt = new TimeTravel();
  for (const t of [3, -1.25, 0, 1e6, 7]) tt.record(t, world(t * 2));
  tt.forkTimeline('alt', 0);
  tt.switchTimeline('alt');
  tt.record(0.5, world(99));
  tt.switchTimeline('main');
  return tt;
}

function same(a: TimeTravel, b: TimeTravel): void {
  expect(b.times()).toEqual(a.times());
  for (const t of a.times()) {
    const x = a.snapshotAtOrAfter(t)!.snapshot;
    const y = b.snapshotAtOrAfter(t)!.snapshot;
    expect(y.worldTime).toBe(x.worldTime);
    expect([...getColumn(y, 'Position', 'x', 'f32')]).toEqual([...getColumn(x, 'Position', 'x', 'f32')]);
    expect([...getColumn(y, 'Position', 'y', 'f64')]).toEqual([...getColumn(x, 'Position', 'y', 'f64')]);
  }
}

describe('persistence', () => {
  it('round trips timelines through a SnapshotStore', async () => {
    const tt = filled();
    const store = new SnapshotStore(new MemoryBackend());
    expect(await saveTimeline(tt, store)).toBe(5);
    expect(await saveTimeline(tt, store, 'alt')).toBe(3);
    expect(await savedTimelines(store)).toEqual(['alt', 'main']);
    const back = new TimeTravel();
    expect(await loadTimeline(back, store, 'main')).toBe(5);
    same(tt, back);
    expect(await loadTimeline(back, store, 'alt', 'restored')).toBe(3);
    back.switchTimeline('restored');
    tt.switchTimeline('alt');
    same(tt, back);
  });

  it('round trips through a directory and a checkpoint manager; a smaller save removes stale entries', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tt-'));
    dirs.push(dir);
    const tt = filled();
    await saveTimeline(tt, dir);
    tt.pruneAfter(0);
    await saveTimeline(tt, dir);
    const back = new TimeTravel();
    await loadTimeline(back, dir, 'main');
    expect(back.times()).toEqual([-1.25, 0]);
    same(tt, back);
    const manager = new CheckpointManager(new MemoryBackend());
    await saveTimeline(tt, manager);
    const again = new TimeTravel();
    expect(await loadTimeline(again, manager, 'main')).toBe(2);
    same(tt, again);
    expect(await loadTimeline(again, manager, 'missing')).toBe(0);
    expect(again.listTimelines()).toEqual(['main', 'missing']);
  });

  it('round trips through a bare StorageBackend; a target that is no store or backend is an InvalidInput PackError', async () => {
    const tt = filled();
    const backend = new MemoryBackend();
    expect(await saveTimeline(tt, backend)).toBe(5);
    expect(await savedTimelines(new SnapshotStore(backend))).toEqual(['main']);
    const back = new TimeTravel();
    expect(await loadTimeline(back, backend, 'main')).toBe(5);
    same(tt, back);
    await expect(saveTimeline(tt, 42 as never)).rejects.toMatchObject({ name: 'PackError', code: 'InvalidInput' });
    await expect(savedTimelines({} as never)).rejects.toMatchObject({ name: 'PackError', code: 'InvalidInput' });
  });
});
