import { getColumn, isPackError } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { TimeTravel } from '../src/index.js';
import { world } from './helpers.js';

describe('forkAtTime', () => {
  it('returns the state at or before t; changing it never changes the history', () => {
    const tt = new TimeTravel();
    tt.record(0, world(0));
    tt.record(10, world(10));
    expect(tt.forkAtTime(-1)).toBeUndefined();
    const fork = tt.forkAtTime(9.9)!;
    expect(fork.worldTime).toBe(0);
    const x = getColumn(fork, 'Position', 'x', 'f32');
    const y = getColumn(fork, 'Position', 'y', 'f64');
    x.fill(42);
    y[0] = 1e9;
    fork.entities[0] = 77;
    fork.worldTime = 5;
    const fork2 = tt.forkAtTime(0)!;
    expect([...getColumn(fork2, 'Position', 'x', 'f32')]).toEqual([0, 1, 2]);
    expect(getColumn(fork2, 'Position', 'y', 'f64')[0]).toBe(0);
    expect(fork2.entities[0]).toBe(1);
    expect(x.buffer).not.toBe(getColumn(fork2, 'Position', 'x', 'f32').buffer);
    expect(getColumn(tt.seekToTime(0)!.snapshot, 'Position', 'x', 'f32')[0]).toBe(0);
  });

  it('two forks of the same time share no memory', () => {
    const tt = new TimeTravel();
    tt.record(1, world(1));
    const a = tt.forkAtTime(1)!;
    const b = tt.forkAtTime(1)!;
    getColumn(a, 'Position', 'x', 'f32')[1] = -1;
    expect(getColumn(b, 'Position', 'x', 'f32')[1]).toBe(2);
  });
});

describe('named timelines', () => {
  it('fork a timeline, record on it, switch, list, delete; the original is untouched', () => {
    const tt = new TimeTravel();
    for (let t = 0; t < 5; t++) tt.record(t, world(t));
    expect(tt.timeline).toBe('main');
    tt.forkTimeline('what-if', 2);
    expect(tt.listTimelines()).toEqual(['main', 'what-if']);
    expect(tt.timeline).toBe('main');
    tt.switchTimeline('what-if');
    expect(tt.times()).toEqual([0, 1, 2]);
    expect(tt.currentTime).toBe(2);
    tt.record(2, world(200));
    tt.record(3, world(300));
    tt.record(2.5, world(250));
    tt.pruneBefore(1);
    expect(tt.times()).toEqual([1, 2, 2.5, 3]);
    expect(tt.snapshotAtOrAfter(3)?.snapshot.worldTime).toBe(300);
    tt.switchTimeline('main');
    expect(tt.times()).toEqual([0, 1, 2, 3, 4]);
    expect(tt.snapshotAtOrAfter(2)?.snapshot.worldTime).toBe(2);
    expect(tt.snapshotAtOrAfter(3)?.snapshot.worldTime).toBe(3);
    expect(tt.currentTime).toBeUndefined();
    expect(tt.deleteTimeline('what-if')).toBe(true);
    expect(tt.deleteTimeline('what-if')).toBe(false);
    expect(tt.listTimelines()).toEqual(['main']);
    expect(tt.length).toBe(5);
  });

  it('a fork before every entry is empty; errors are typed', () => {
    const tt = new TimeTravel({ timeline: 'base' });
    tt.record(5, world(5));
    tt.forkTimeline('early', 1);
    tt.switchTimeline('early');
    expect(tt.length).toBe(0);
    expect(tt.current).toBeUndefined();
    const invalid = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return isPackError(err, 'InvalidInput');
      }
      return false;
    };
    expect(invalid(() => tt.deleteTimeline('early'))).toBe(true);
    expect(invalid(() => tt.forkTimeline('base', 1))).toBe(true);
    expect(invalid(() => tt.forkTimeline('../x', 1))).toBe(true);
    expect(invalid(() => tt.forkTimeline('ok', Number.NaN))).toBe(true);
    expect(invalid(() => tt.switchTimeline('nope'))).toBe(true);
    expect(invalid(() => new TimeTravel({ timeline: '' }))).toBe(true);
  });
});
