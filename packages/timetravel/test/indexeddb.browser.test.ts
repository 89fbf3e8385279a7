import { createPackedSnapshot, getColumn, type PackedSnapshot } from '@tx2/pack-format';
import { IndexedDBBackend, OPFSBackend, SnapshotStore } from '@tx2/pack-store';
import { afterAll, describe, expect, it } from 'vitest';
import { TimeTravel } from '../src/index.js';
import { loadTimeline, savedTimelines, saveTimeline } from '../src/persistence.js';

const idb: string[] = [];
const opfs: string[] = [];
afterAll(async () => {
  await Promise.all(idb.map((n) => IndexedDBBackend.destroy(n)));
  await Promise.all(opfs.map((n) => OPFSBackend.destroy(n)));
});

/** A world of 40 moving entities at time `t`. */
function world(t: number): PackedSnapshot {
  const n = 40;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = i + ((i % 5) - 2) * t;
  return createPackedSnapshot({ entities: Array.from({ length: n }, (_, i) => i + 1), worldTime: t, components: [{ id: 'Position', fields: { x } }] });
}

describe('time travel end to end in Chromium', () => {
  it('records, scrubs, forks, and a timeline saved to IndexedDB loads into a new TimeTravel', async () => {
    const tt = new TimeTravel();
    for (let t = 0; t < 40; t++) tt.record(t, world(t));
    const at = tt.seekToTime(17.2);
    expect(at?.time).toBe(17);
    expect(getColumn(at!.snapshot, 'Position', 'x', 'f32')).toEqual(getColumn(world(17), 'Position', 'x', 'f32'));
    const fork = tt.forkAtTime(10);
    expect(getColumn(fork!, 'Position', 'x', 'f32')).toEqual(getColumn(world(10), 'Position', 'x', 'f32'));

    const name = `tt-${crypto.randomUUID()}`;
    idb.push(name);
    const store = new SnapshotStore(new IndexedDBBackend(name));
    expect(await saveTimeline(tt, store, 'main')).toBe(40);
    expect(await savedTimelines(new IndexedDBBackend(name))).toEqual(['main']);
    const back = new TimeTravel();
    expect(await loadTimeline(back, new IndexedDBBackend(name), 'main')).toBe(40);
    expect(back.length).toBe(40);
    for (const t of [0, 13, 31, 39]) {
      expect(getColumn(back.seekToTime(t)!.snapshot, 'Position', 'x', 'f32')).toEqual(getColumn(world(t), 'Position', 'x', 'f32'));
    }
  });

  it('a timeline saves to and loads from OPFS too', async () => {
    const name = `tt-${crypto.randomUUID()}`;
    opfs.push(name);
    const tt = new TimeTravel();
    for (let t = 0; t < 10; t++) tt.record(t, world(t));
    await saveTimeline(tt, new OPFSBackend(name), 'main');
    const back = new TimeTravel();
    expect(await loadTimeline(back, new OPFSBackend(name), 'main')).toBe(10);
    expect(back.seekToTime(9)!.snapshot.worldTime).toBe(9);
  });
});
