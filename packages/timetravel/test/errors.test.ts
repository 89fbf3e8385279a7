// Only PackError leaves @tx2/pack-timetravel: arguments that are not what the API takes are
// InvalidInput, and an internal inconsistency is Internal, never a raw TypeError.
import { diff, snapshotHash } from '@tx2/pack-format';
import { MemoryBackend, SnapshotStore } from '@tx2/pack-store';
import { describe, expect, it } from 'vitest';
import { TimedSnapshot, TimeTravel } from '../src/index.js';
import { loadTimeline, saveTimeline } from '../src/persistence.js';
import { applyValuePatch, toValuePatch } from '../src/value-patch.js';
import { world } from './helpers.js';
import { packErrorOf } from '../../../test-support/pack-errors.js';

describe('bad arguments are InvalidInput', () => {
  it('options and snapshots that are not what they should be, on the first record and on later (delta) ones', async () => {
    expect((await packErrorOf(() => new TimeTravel(null as never))).message).toMatch(/^new TimeTravel takes an options object, got null/);
    const tt = new TimeTravel();
    for (const bad of [
      null,
      undefined,
      {},
      { entities: [1], components: [] },
      { entities: new Uint32Array(1), components: null },
      { entities: new Uint32Array(1), components: [null] },
    ]) {
      const error = await packErrorOf(() => tt.record(0, bad as never));
      expect(error.code).toBe('InvalidInput');
      expect(error.message).toMatch(/^record expects a PackedSnapshot/);
    }
    tt.record(0, world(0));
    expect((await packErrorOf(() => tt.record(1, { ...world(1), components: null } as never))).code).toBe('InvalidInput');
    expect((await packErrorOf(() => tt.encode(null as never))).message).toMatch(/^encode expects a PackedSnapshot/);
    // Nothing was recorded by the failed calls.
    expect(tt.times()).toEqual([0]);
  });

  it('replaceTimeline refuses what is not a list of entries, changing nothing', async () => {
    const tt = new TimeTravel();
    tt.record(0, world(0));
    expect((await packErrorOf(() => tt.replaceTimeline('main', null as never))).message).toMatch(/takes an iterable of entries/);
    expect((await packErrorOf(() => tt.replaceTimeline('main', [null] as never))).message).toMatch(/an entry is null/);
    expect((await packErrorOf(() => tt.replaceTimeline('main', [{ time: 1, snapshot: 3 }] as never))).message).toMatch(
      /^replaceTimeline \(the entry at time 1\) expects a PackedSnapshot/,
    );
    expect(tt.times()).toEqual([0]);
  });

  it('TimedSnapshot needs bytes or a frame source, and a finite time', async () => {
    for (const source of [null, 5, { bytes: 1 }, 'abc']) expect((await packErrorOf(() => new TimedSnapshot(0, source as never))).code).toBe('InvalidInput');
    expect((await packErrorOf(() => new TimedSnapshot(Number.NaN, new Uint8Array(0)))).message).toMatch(/time must be a finite number/);
    expect((await packErrorOf(() => new TimedSnapshot(0, new Uint8Array(0), null as never))).code).toBe('InvalidInput');
  });

  it('saveTimeline and loadTimeline need a TimeTravel', async () => {
    const store = new SnapshotStore(new MemoryBackend());
    expect((await packErrorOf(() => saveTimeline(null as never, store))).message).toMatch(/^saveTimeline takes the TimeTravel/);
    expect((await packErrorOf(() => loadTimeline({} as never, store, 'main'))).message).toMatch(/^loadTimeline takes the TimeTravel/);
    const tt = new TimeTravel();
    tt.record(3, world(3));
    expect(await saveTimeline(tt, store)).toBe(1);
    expect(await loadTimeline(tt, store, 'main', 'copy')).toBe(1);
  });
});

describe('internal consistency', () => {
  it('a value patch applied to a snapshot it does not fit is PackError Internal, not a TypeError', async () => {
    const base = world(1);
    const next = world(2);
    const patch = toValuePatch(base, diff(base, next, { baseHash: snapshotHash(base) }))!;
    expect(patch).toBeDefined();
    const error = await packErrorOf(() => applyValuePatch({ ...world(1), components: [] }, patch));
    expect(error.code).toBe('Internal');
    expect(error.details).toEqual({ component: 0, field: expect.any(Number) });
  });
});
