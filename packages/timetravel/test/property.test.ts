import fc from 'fast-check';
import { isPackError } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { TimeTravel } from '../src/index.js';
import { world } from './helpers.js';

/** Brute-force reference: last-write-wins map of time -> tag, then linear scans. */
function reference(records: [number, number][]) {
  const map = new Map<number, number>();
  for (const [t, tag] of records) map.set(t === 0 ? 0 : t, tag);
  const times = [...map.keys()].sort((a, b) => a - b);
  return {
    times,
    tagAt: (t: number | undefined) => (t === undefined ? undefined : map.get(t)),
    nearest(q: number): number | undefined {
      let best: number | undefined;
      for (const t of times) if (best === undefined || Math.abs(t - q) < Math.abs(best - q)) best = t; // strict <: the earlier wins ties
      return best;
    },
    atOrBefore: (q: number) => times.filter((t) => t <= q).pop(),
    atOrAfter: (q: number) => times.find((t) => t >= q),
  };
}

// Small integers (many duplicates, ties) and eighths up to ±1e6: exactly representable with exact
// differences, so the reference's distances have no rounding (the engine compares distances in doubles too).
const time = fc.oneof(
  fc.integer({ min: -50, max: 50 }),
  fc.integer({ min: -8e6, max: 8e6 }).map((n) => n / 8),
  fc.constant(-0),
);

describe('nearest-time queries against a brute-force reference', () => {
  it('seekToTime, snapshotAtOrBefore, snapshotAtOrAfter, earliest, latest', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(time, fc.integer({ min: 0, max: 1000 })), { maxLength: 40 }), fc.array(time, { minLength: 1, maxLength: 20 }), (records, queries) => {
        const tt = new TimeTravel();
        for (const [t, tag] of records) tt.record(t, world(tag));
        const ref = reference(records);
        expect(tt.times()).toEqual(ref.times);
        expect(tt.length).toBe(ref.times.length);
        expect(tt.earliestTime).toBe(ref.times[0]);
        expect(tt.latestTime).toBe(ref.times[ref.times.length - 1]);
        for (const q of [...queries, ...ref.times]) {
          const near = tt.seekToTime(q);
          expect(near?.time).toBe(ref.nearest(q));
          expect(near?.snapshot.worldTime).toBe(ref.tagAt(ref.nearest(q)));
          expect(tt.currentTime).toBe(ref.nearest(q));
          expect(tt.snapshotAtOrBefore(q)?.time).toBe(ref.atOrBefore(q));
          expect(tt.snapshotAtOrAfter(q)?.time).toBe(ref.atOrAfter(q));
        }
      }),
      { seed: 20261203, numRuns: 150 },
    );
  });

  it('prunes like the reference', () => {
    fc.assert(
      fc.property(fc.array(time, { maxLength: 30 }), time, time, (times, a, b) => {
        const tt = new TimeTravel();
        for (const t of times) tt.record(t, world(0));
        const ref = reference(times.map((t) => [t, 0]));
        const before = ref.times.filter((t) => t < a).length;
        expect(tt.pruneBefore(a)).toBe(before);
        const kept = ref.times.filter((t) => t >= a);
        expect(tt.pruneAfter(b)).toBe(kept.filter((t) => t > b).length);
        expect(tt.times()).toEqual(kept.filter((t) => t <= b));
      }),
      { seed: 20261203, numRuns: 150 },
    );
  });

  it('NaN is rejected with a typed error wherever a time is taken', () => {
    fc.assert(
      fc.property(fc.array(time, { maxLength: 10 }), (times) => {
        const tt = new TimeTravel();
        for (const t of times) tt.record(t, world(0));
        for (const call of [
          () => tt.record(Number.NaN, world(0)),
          () => tt.seekToTime(Number.NaN),
          () => tt.snapshotAtOrBefore(Number.NaN),
          () => tt.snapshotAtOrAfter(Number.NaN),
        ]) {
          let error: unknown;
          try {
            call();
          } catch (err) {
            error = err;
          }
          expect(isPackError(error, 'InvalidInput')).toBe(true);
        }
      }),
      { seed: 20261203, numRuns: 50 },
    );
  });
});
