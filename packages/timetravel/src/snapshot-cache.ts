import type { PackedSnapshot } from '@tx2/pack-format';
import type { Frame } from './frame.js';
import { snapshotBytes } from './snapshot-bytes.js';

/** The `keyframeCacheBytes` budget used when none is given: 32 MiB (80 decoded keyframes of 10,000 entities with ten f32 fields). */
export const DEFAULT_KEYFRAME_CACHE_BYTES = 32 * 1024 * 1024;

/** Snapshots kept whatever the budget: the last keyframe and the frame after it, which recording diffs against. */
const ALWAYS_KEPT = 2;

/**
 * Decoded snapshots of frames that reads start from (keyframes, and the frame after a keyframe
 * that moving-world deltas predict from, its pair), kept within a byte budget: pairs dropped
 * before keyframes (a pair is rebuilt from its keyframe with one delta, a keyframe costs a
 * decode), each least recently used first. The two most recently used are always kept,
 * whatever the budget: recording diffs against them. Snapshots kept here are pristine: read
 * them, never change them.
 */
export class SnapshotCache {
  readonly #budget: number;
  /** In least-recently-used-first order (a hit moves its entry to the end). */
  readonly #entries = new Map<Frame, { snapshot: PackedSnapshot; bytes: number }>();
  #bytes = 0;

  /** A cache holding at most `budget` bytes of snapshots (besides the two most recently used). */
  constructor(budget: number) {
    this.#budget = budget;
  }

  /** Bytes of the snapshots held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The kept snapshot of `frame` (marked as just used), or undefined. */
  get(frame: Frame): PackedSnapshot | undefined {
    const entry = this.#entries.get(frame);
    if (entry === undefined) return undefined;
    this.#entries.delete(frame);
    this.#entries.set(frame, entry);
    return entry.snapshot;
  }

  /** True when `frame`'s snapshot is kept (without marking it used). */
  has(frame: Frame): boolean {
    return this.#entries.has(frame);
  }

  /** Keeps `snapshot` (owned by the cache from now on) as `frame`'s, dropping the least recently used ones beyond the budget. */
  set(frame: Frame, snapshot: PackedSnapshot): void {
    this.delete(frame);
    const bytes = snapshotBytes(snapshot);
    this.#entries.set(frame, { snapshot, bytes });
    this.#bytes += bytes;
    while (this.#bytes > this.#budget && this.#entries.size > ALWAYS_KEPT) {
      const victim = this.#victim(this.#entries.size - ALWAYS_KEPT);
      if (victim === undefined) break;
      this.delete(victim);
    }
  }

  /**
   * Takes out, for its arrays to be written over, the snapshot that would be dropped next
   * (other than `except`'s) when storing one more of its size would exceed the budget;
   * undefined otherwise. It is no longer kept: the caller owns it.
   */
  spare(except?: Frame): PackedSnapshot | undefined {
    const victim = this.#victim(this.#entries.size, except);
    const entry = victim === undefined ? undefined : this.#entries.get(victim)!;
    if (entry === undefined || this.#bytes + entry.bytes <= this.#budget) return undefined;
    this.delete(victim!);
    return entry.snapshot;
  }

  /** The frame to drop next among the `among` least recently used (never `except`): the least recently used pair, else keyframe. */
  #victim(among: number, except?: Frame): Frame | undefined {
    let key: Frame | undefined;
    let seen = 0;
    for (const frame of this.#entries.keys()) {
      if (seen++ >= among) break;
      if (frame === except) continue;
      if (frame.kind === 'delta') return frame;
      key ??= frame;
    }
    return key;
  }

  /** Drops `frame`'s snapshot, if kept. */
  delete(frame: Frame): void {
    const entry = this.#entries.get(frame);
    if (entry === undefined) return;
    this.#entries.delete(frame);
    this.#bytes -= entry.bytes;
  }
}
