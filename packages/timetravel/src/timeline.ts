import { checkTime } from './errors.js';
import { atOrAfterIndex, atOrBeforeIndex, lowerBound, nearestIndex } from './sorted-search.js';

/**
 * One timeline: encoded snapshots kept sorted by time (parallel arrays of times and
 * bytes). Recording at an existing time replaces that entry. The bytes are never
 * modified after recording, so timelines may share them.
 */
export class Timeline {
  readonly times: number[] = [];
  readonly frames: Uint8Array[] = [];
  /** The time of the current entry (set by seeks), or undefined. */
  cursor: number | undefined;

  /** Number of recorded times. */
  get length(): number {
    return this.times.length;
  }

  /** Inserts `bytes` at `time` in order (O(log n) search; appending in time order is O(1)); returns its index. */
  record(time: number, bytes: Uint8Array): number {
    const t = checkTime(time, 'record');
    const n = this.times.length;
    if (n === 0 || this.times[n - 1]! < t) {
      this.times.push(t);
      this.frames.push(bytes);
      return n;
    }
    const i = lowerBound(this.times, t);
    if (this.times[i] === t) {
      this.frames[i] = bytes;
    } else {
      this.times.splice(i, 0, t);
      this.frames.splice(i, 0, bytes);
    }
    return i;
  }

  /** Index nearest to `t` (earlier on a tie), -1 when empty. */
  nearest(t: number): number {
    return nearestIndex(this.times, checkTime(t, 'seekToTime'));
  }

  /** Index of the latest time <= `t`, or -1. */
  atOrBefore(t: number): number {
    return atOrBeforeIndex(this.times, checkTime(t, 'snapshotAtOrBefore'));
  }

  /** Index of the earliest time >= `t`, or -1. */
  atOrAfter(t: number): number {
    return atOrAfterIndex(this.times, checkTime(t, 'snapshotAtOrAfter'));
  }

  /** Removes every entry with time < `t`; returns how many. */
  pruneBefore(t: number): number {
    const cut = lowerBound(this.times, checkTime(t, 'pruneBefore'));
    this.times.splice(0, cut);
    this.frames.splice(0, cut);
    return cut;
  }

  /** Removes every entry with time > `t`; returns how many. */
  pruneAfter(t: number): number {
    const keep = atOrBeforeIndex(this.times, checkTime(t, 'pruneAfter')) + 1;
    const removed = this.times.length - keep;
    this.times.length = keep;
    this.frames.length = keep;
    return removed;
  }

  /** Removes every entry. */
  clear(): void {
    this.cursor = undefined;
    this.times.length = 0;
    this.frames.length = 0;
  }

  /** A new timeline with the entries of this one up to and including time `t` (bytes shared, immutable). */
  copyUntil(t: number): Timeline {
    const copy = new Timeline();
    const end = atOrBeforeIndex(this.times, t) + 1;
    for (let i = 0; i < end; i++) {
      copy.times.push(this.times[i]!);
      copy.frames.push(this.frames[i]!);
    }
    return copy;
  }
}
