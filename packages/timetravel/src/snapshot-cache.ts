import type { PackedSnapshot } from '@tx2/pack-format';
import type { Frame } from './frame.js';
import { snapshotBytes } from './snapshot-bytes.js';

/** The `keyframeCacheBytes` budget used when none is given: 32 MiB (80 decoded keyframes of 10,000 entities with ten f32 fields). */
export const DEFAULT_KEYFRAME_CACHE_BYTES = 32 * 1024 * 1024;

/** Snapshots kept whatever the budget: the last keyframe and the frame after it, which recording diffs against. */
const ALWAYS_KEPT = 2;

/**
 * Decoded snapshots of frames that reads start from (keyframes, and the frame after a keyframe
 * that moving-world deltas predict from), kept within a byte budget, least recently used
 * dropped first. The two most recently used are always kept, whatever the budget: recording
 * diffs against them. Snapshots kept here are pristine: read them, never change them.
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
    for (const [old, entry] of this.#entries) {
      if (this.#bytes <= this.#budget || this.#entries.size <= ALWAYS_KEPT) break;
      this.#entries.delete(old);
      this.#bytes -= entry.bytes;
    }
  }

  /**
   * Takes out, for its arrays to be written over, the least recently used snapshot (other
   * than `except`'s) when storing one more of its size would exceed the budget; undefined
   * otherwise. It is no longer kept: the caller owns it.
   */
  spare(except?: Frame): PackedSnapshot | undefined {
    for (const [frame, entry] of this.#entries) {
      if (frame === except) continue;
      if (this.#bytes + entry.bytes <= this.#budget) return undefined;
      this.#entries.delete(frame);
      this.#bytes -= entry.bytes;
      return entry.snapshot;
    }
    return undefined;
  }

  /** Drops `frame`'s snapshot, if kept. */
  delete(frame: Frame): void {
    const entry = this.#entries.get(frame);
    if (entry === undefined) return;
    this.#entries.delete(frame);
    this.#bytes -= entry.bytes;
  }

  /** Drops every snapshot of a frame for which `keep` is false. */
  retain(keep: (frame: Frame) => boolean): void {
    for (const frame of [...this.#entries.keys()]) if (!keep(frame)) this.delete(frame);
  }
}
