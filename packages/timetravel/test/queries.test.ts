import { getColumn, isPackError } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { TimeTravel } from '../src/index.js';
import { tagOf, world } from './helpers.js';

const typed = (code: string) => (err: unknown) => isPackError(err, code as never);

describe('TimeTravel queries', () => {
  it('an empty timeline answers nothing cleanly', () => {
    const tt = new TimeTravel();
    expect(tt.length).toBe(0);
    expect(tt.seekToTime(5)).toBeUndefined();
    expect(tt.snapshotAtOrBefore(5)).toBeUndefined();
    expect(tt.snapshotAtOrAfter(5)).toBeUndefined();
    expect(tt.current).toBeUndefined();
    expect(tt.currentTime).toBeUndefined();
    expect(tt.earliestTime).toBeUndefined();
    expect(tt.latestTime).toBeUndefined();
    expect(tt.forkAtTime(5)).toBeUndefined();
    expect(tt.pruneBefore(5)).toBe(0);
    expect(tt.pruneAfter(5)).toBe(0);
    expect(tt.times()).toEqual([]);
    tt.clear();
  });

  it('one element answers every query with it (or nothing on the wrong side)', () => {
    const tt = new TimeTravel();
    tt.record(10, world(10));
    expect(tt.seekToTime(-1000)?.time).toBe(10);
    expect(tt.seekToTime(1e9)?.time).toBe(10);
    expect(tt.snapshotAtOrBefore(9)).toBeUndefined();
    expect(tt.snapshotAtOrBefore(10)?.time).toBe(10);
    expect(tt.snapshotAtOrAfter(11)).toBeUndefined();
    expect(tagOf(tt.snapshotAtOrAfter(10)?.snapshot)).toBe(10);
    expect(tt.currentTime).toBe(10);
    expect(tt.earliestTime).toBe(10);
    expect(tt.latestTime).toBe(10);
  });

  it('keeps out-of-order records in time order and replaces at an existing time', () => {
    const tt = new TimeTravel();
    for (const t of [5, -3, 12, 0, 7.5]) tt.record(t, world(t));
    expect(tt.times()).toEqual([-3, 0, 5, 7.5, 12]);
    tt.record(5, world(500));
    expect(tt.length).toBe(5);
    expect(tagOf(tt.snapshotAtOrAfter(5)?.snapshot)).toBe(500);
    tt.record(-0, world(1));
    expect(tt.times()).toEqual([-3, 0, 5, 7.5, 12]);
    expect(tagOf(tt.snapshotAtOrBefore(0)?.snapshot)).toBe(1);
  });

  it('nearest ties resolve to the earlier entry', () => {
    const tt = new TimeTravel();
    tt.record(0, world(0));
    tt.record(10, world(10));
    expect(tt.seekToTime(5)?.time).toBe(0);
    expect(tt.seekToTime(5.0001)?.time).toBe(10);
    expect(tt.currentTime).toBe(10);
  });

  it('prunes, keeps the cursor unless its entry is pruned, clears', () => {
    const tt = new TimeTravel();
    for (let t = 0; t < 10; t++) tt.record(t, world(t));
    tt.seekToTime(4);
    expect(tt.pruneBefore(3)).toBe(3);
    expect(tt.earliestTime).toBe(3);
    expect(tt.currentTime).toBe(4);
    expect(tt.pruneAfter(6.5)).toBe(3);
    expect(tt.latestTime).toBe(6);
    expect(tt.times()).toEqual([3, 4, 5, 6]);
    expect(tt.pruneBefore(5)).toBe(2);
    expect(tt.current).toBeUndefined();
    tt.clear();
    expect(tt.length).toBe(0);
    expect(tt.latestTime).toBeUndefined();
  });

  it('rejects NaN, infinities and non-numbers with a typed error', () => {
    const tt = new TimeTravel();
    tt.record(1, world(1));
    for (const bad of [Number.NaN, Infinity, -Infinity, '3' as never]) {
      expect(() => tt.record(bad, world(0))).toThrow(expect.objectContaining({ code: 'InvalidInput' }));
      expect(() => tt.seekToTime(bad)).toSatisfy(() => {
        try {
          tt.seekToTime(bad);
          return false;
        } catch (err) {
          return typed('InvalidInput')(err);
        }
      });
      expect(() => tt.snapshotAtOrBefore(bad)).toThrow(/finite number/);
      expect(() => tt.snapshotAtOrAfter(bad)).toThrow(/finite number/);
      expect(() => tt.pruneBefore(bad)).toThrow(/finite number/);
      expect(() => tt.pruneAfter(bad)).toThrow(/finite number/);
      expect(() => tt.forkAtTime(bad)).toThrow(/finite number/);
    }
    expect(tt.length).toBe(1);
    expect(() => tt.record(2, { entities: [1] } as never)).toThrow();
    expect(tt.length).toBe(1);
  });

  it('isolates the history from the recorded objects and from read snapshots', () => {
    const tt = new TimeTravel();
    const w = world(1);
    tt.record(1, w);
    getColumn(w, 'Position', 'x', 'f32')[0] = 999;
    const read = tt.seekToTime(1)!.snapshot;
    expect(getColumn(read, 'Position', 'x', 'f32')[0]).toBe(1);
    getColumn(read, 'Position', 'x', 'f32')[0] = -5;
    expect(getColumn(tt.current!.snapshot, 'Position', 'x', 'f32')[0]).toBe(1);
  });
});
