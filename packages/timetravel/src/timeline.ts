import { checkTime } from './errors.js';
import type { Frame } from './frame.js';
import type { FrameChain, FrameInput } from './frame-chain.js';
import { atOrAfterIndex, atOrBeforeIndex, lowerBound, nearestIndex } from './sorted-search.js';

/**
 * One timeline: frames kept sorted by time (parallel arrays of times and frames). Each delta
 * frame's base is the frame just before it, or a frame earlier in its run (its keyframe, or
 * the pair a predicted delta starts from), and the first frame is a keyframe; every change
 * (insert, replace, prune) restores that, so memory is the keyframes plus one delta per other
 * frame. Frames are immutable, so timelines may share them.
 */
export class Timeline {
  readonly times: number[] = [];
  readonly frames: Frame[] = [];
  /** The time of the current entry (set by seeks), or undefined. */
  cursor: number | undefined;

  /** Number of recorded times. */
  get length(): number {
    return this.times.length;
  }

  /**
   * Records `input` at `time` in order (O(log n) search; appending in time order is O(1)
   * besides making the frame), replacing an entry at the same time; returns its index.
   * A frame that followed the insertion point is re-expressed from the new one.
   */
  record(time: number, input: FrameInput, chain: FrameChain): number {
    const t = checkTime(time, 'record');
    const n = this.times.length;
    const i = n === 0 || this.times[n - 1]! < t ? n : lowerBound(this.times, t);
    const replace = i < n && this.times[i] === t;
    const next = this.frames[replace ? i + 1 : i];
    // The successor's snapshot, taken before the new frame moves the chain's working snapshot.
    const nextSnapshot = next?.kind === 'delta' ? chain.completeCopyOf(next) : undefined;
    const frame = chain.makeFrame(i > 0 ? this.frames[i - 1] : undefined, input);
    if (replace) {
      this.frames[i] = frame;
    } else {
      this.times.splice(i, 0, t);
      this.frames.splice(i, 0, frame);
    }
    if (nextSnapshot !== undefined) {
      this.frames[i + 1] = chain.makeFrame(frame, { snapshot: nextSnapshot });
      this.#relink(i + 2, chain);
    }
    return i;
  }

  /** Re-attaches the delta frames from index `from` on to their new predecessors, up to the first one already attached. */
  #relink(from: number, chain: FrameChain): void {
    for (let j = from; j < this.frames.length; j++) {
      const frame = this.frames[j]!;
      if (frame.kind === 'key' || frame.base === this.frames[j - 1]) return;
      this.frames[j] = chain.rebase(frame, this.frames[j - 1]!, (pair) => this.#heldBefore(pair, j));
    }
  }

  /** True when `frame` is on this timeline in the run that ends just before index `j` (between its keyframe and `j`). */
  #heldBefore(frame: Frame, j: number): boolean {
    for (let i = j - 1; i >= 0; i--) {
      const f = this.frames[i]!;
      if (f === frame) return true;
      if (f.kind === 'key') return false;
    }
    return false;
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

  /** Removes every entry with time < `t` (a delta frame left first becomes a keyframe); returns how many. */
  pruneBefore(t: number, chain: FrameChain): number {
    const cut = lowerBound(this.times, checkTime(t, 'pruneBefore'));
    if (cut === 0) return 0;
    const first = this.frames[cut];
    // Made before splicing: should it throw, the timeline is unchanged.
    const key = first === undefined ? undefined : chain.toKeyframe(first);
    this.times.splice(0, cut);
    this.frames.splice(0, cut);
    if (key !== undefined) {
      this.frames[0] = key;
      this.#relink(1, chain);
    }
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

  /** A new timeline with the entries of this one up to and including time `t` (frames shared, immutable). */
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
