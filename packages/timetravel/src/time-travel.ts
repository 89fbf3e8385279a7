import { decodeSnapshot, type DecodeOptions, encodeSnapshot, type EncodeOptions, type PackedSnapshot, PackError, isValidId } from '@tx2/pack-format';
import { checkTime, invalidInput, requireSnapshot } from './errors.js';
import type { Frame } from './frame.js';
import { FrameChain, type FrameInput } from './frame-chain.js';
import { DEFAULT_KEYFRAME_CACHE_BYTES } from './snapshot-cache.js';
import { type KeyframeOptions, keyframePolicy } from './keyframe-policy.js';
import { frameMemory, type TimelineMemory } from './memory-usage.js';
import { readSnapshot, TimedSnapshot } from './timed-snapshot.js';
import { Timeline } from './timeline.js';

/** Options of a {@link TimeTravel}. */
export interface TimeTravelOptions {
  /** How recorded snapshots are encoded (default: `encodeSnapshot` defaults, uncompressed). Pass `packOptions()` of @tx2/pack-codecs to compress. */
  encode?: EncodeOptions;
  /** How they are decoded (pass `readOptions()` of @tx2/pack-codecs when `encode` compresses). `copy` is always true. */
  decode?: DecodeOptions;
  /** Name of the first (active) timeline (default 'main'). */
  timeline?: string;
  /**
   * How frames are stored, a `DeltaPolicy` of @tx2/pack-format (default `{ fullEvery: 32,
   * maxDeltaRatio: 1 }`): a keyframe (full encoded snapshot) at least every `fullEvery`
   * frames, the frames between them as deltas from the frame before (or, when everything
   * moves, from the keyframe: a read applies one delta). `false`: every frame a
   * keyframe, as full snapshots (the most memory, the fastest reads). See {@link KeyframeOptions}.
   */
  keyframes?: KeyframeOptions | false;
  /**
   * Bytes of decoded snapshots kept for reads (default {@link DEFAULT_KEYFRAME_CACHE_BYTES},
   * 32 MiB), pairs dropped before keyframes, least recently used first: keyframes, and in a moving world the frame
   * after each (the pair its predicted deltas start from). A read of a frame whose run is kept
   * costs a copy and one delta instead of a keyframe decode (and, for a predicted frame, a
   * second delta). The two last used are kept whatever the budget (recording diffs against
   * them); `0` keeps only those. Counted in `memoryUsage().workingBytes`. Unused with
   * `keyframes: false`.
   */
  keyframeCacheBytes?: number;
}

/** The `keyframeCacheBytes` option checked: a finite number of bytes >= 0, else PackError('InvalidInput'). */
function cacheBudget(bytes: unknown): number {
  if (bytes === undefined) return DEFAULT_KEYFRAME_CACHE_BYTES;
  if (typeof bytes !== 'number' || !(bytes >= 0) || !Number.isFinite(bytes)) {
    throw new PackError(
      'InvalidInput',
      `keyframeCacheBytes is a number of bytes >= 0 (0 keeps only the snapshots recording needs), got ${typeof bytes === 'number' ? String(bytes) : typeof bytes}`,
      { details: { option: 'keyframeCacheBytes', value: bytes } },
    );
  }
  return bytes;
}

/** An entry given to `replaceTimeline`: a snapshot, or its encoded bytes (a `TimedSnapshot` works too). */
export type TimelineEntry = { time: number; bytes: Uint8Array } | { time: number; snapshot: PackedSnapshot };

/** Largest timeline name length (names are store ids with a suffix added on save). */
export const MAX_TIMELINE_NAME = 100;

/** PackError('InvalidInput') unless `name` can name a timeline (a store id of at most 100 characters). */
export function validateTimelineName(name: string): string {
  if (typeof name !== 'string' || name.length > MAX_TIMELINE_NAME || !isValidId(name)) {
    throw invalidInput(`"${String(name)}" is not a valid timeline name: use 1-${MAX_TIMELINE_NAME} letters, digits and . _ - @ + = (no leading . or -)`);
  }
  return name;
}

/**
 * Snapshots recorded at arbitrary times, queried by time, on one or more named timelines.
 *
 * **Isolation.** `record` encodes the snapshot at once (as a keyframe or as a delta from the
 * frame before), so later changes to the caller's objects or typed arrays never reach the
 * history; every read decodes (or rebuilds) into memory of its own, so a returned snapshot
 * (and a fork) shares no memory with the history.
 *
 * **Keyframes and deltas.** By default a frame is stored as the changes from the frame before
 * it, with a keyframe (full encoded snapshot) at least every 32 frames; reading a frame's
 * snapshot rebuilds it from its keyframe, and the last rebuilt frame is kept so that stepping
 * forward costs one delta. When everything moves (compressed temporal deltas), frames are
 * stored as the changes from their keyframe instead, so any read applies one delta.
 * `keyframes: false` stores every frame whole. `memoryUsage()` reports the bytes held.
 *
 * **Order.** Entries are kept sorted by time whatever the recording order; recording at a
 * time already recorded replaces that entry. Times are finite numbers (negative allowed;
 * -0 equals 0); NaN and ±Infinity are `PackError('InvalidInput')`.
 *
 * **Nearest.** `seekToTime(t)` picks the entry nearest to `t`; on a tie (t exactly halfway
 * between two entries) the **earlier** entry wins. Queries are binary searches, O(log n).
 *
 * **Empty.** On an empty timeline every query returns `undefined`; prunes return 0.
 */
export class TimeTravel {
  readonly #encode: EncodeOptions;
  readonly #decode: DecodeOptions;
  readonly #timelines = new Map<string, Timeline>();
  readonly #chain: FrameChain;
  /** The frame behind each entry handed out, so that `replaceTimeline` can re-record it whole. */
  readonly #frameOf = new WeakMap<TimedSnapshot, Frame>();
  #active: string;

  /** An empty time travel with one empty timeline. */
  constructor(options: TimeTravelOptions = {}) {
    if (typeof options !== 'object' || options === null) throw invalidInput(`new TimeTravel takes an options object, got ${options === null ? 'null' : typeof options}`);
    this.#encode = options.encode ?? {};
    this.#decode = { ...options.decode, copy: true };
    this.#chain = new FrameChain(keyframePolicy(options.keyframes), this.#encode, this.#decode, cacheBudget(options.keyframeCacheBytes));
    this.#active = validateTimelineName(options.timeline ?? 'main');
    this.#timelines.set(this.#active, new Timeline());
  }

  get #line(): Timeline {
    return this.#timelines.get(this.#active)!;
  }

  #at(line: Timeline, index: number): TimedSnapshot | undefined {
    return index < 0 ? undefined : this.#entry(line.times[index]!, line.frames[index]!);
  }

  #entry(time: number, frame: Frame): TimedSnapshot {
    const chain = this.#chain;
    // Every frame a keyframe: each read decodes its bytes. Otherwise the chain reads (a kept keyframe is copied, not decoded).
    const entry =
      frame.kind === 'key' && chain.policy.fullEvery === 1
        ? new TimedSnapshot(time, frame.bytes, this.#decode)
        : new TimedSnapshot(time, { bytes: () => chain.bytesOf(frame), snapshot: () => chain.copyOf(frame) }, this.#decode);
    this.#frameOf.set(entry, frame);
    return entry;
  }

  /** Records `snapshot` at `time` on the active timeline (in time order; replaces an entry at the same time). */
  record(time: number, snapshot: PackedSnapshot): void {
    const t = checkTime(time, 'record');
    this.#line.record(t, { snapshot: requireSnapshot(snapshot, 'record') }, this.#chain);
  }

  /**
   * Records already encoded snapshot bytes at `time`: a private copy is kept when the frame
   * is a keyframe. Unless `keyframes` is false they are decoded first (with the decode
   * options), to make a delta or serve the next one, so malformed bytes throw here.
   */
  recordEncoded(time: number, bytes: Uint8Array): void {
    const t = checkTime(time, 'recordEncoded');
    if (!(bytes instanceof Uint8Array)) throw invalidInput('recordEncoded expects the Uint8Array of encodeSnapshot');
    this.#line.record(t, { bytes: bytes.slice() }, this.#chain);
  }

  /** Moves to the entry nearest to `t` (the earlier on a tie) and returns it; undefined when empty. Its snapshot is read (rebuilt) on first access. */
  seekToTime(t: number): TimedSnapshot | undefined {
    const line = this.#line;
    const i = line.nearest(t);
    if (i < 0) return undefined;
    line.cursor = line.times[i]!;
    return this.#at(line, i);
  }

  /** The latest entry at or before `t` (does not move the cursor); undefined when none. */
  snapshotAtOrBefore(t: number): TimedSnapshot | undefined {
    return this.#at(this.#line, this.#line.atOrBefore(t));
  }

  /** The earliest entry at or after `t` (does not move the cursor); undefined when none. */
  snapshotAtOrAfter(t: number): TimedSnapshot | undefined {
    return this.#at(this.#line, this.#line.atOrAfter(t));
  }

  /** The entry of the last seek (undefined before any seek, or once that entry is pruned or cleared). */
  get current(): TimedSnapshot | undefined {
    const line = this.#line;
    if (line.cursor === undefined) return undefined;
    const i = line.atOrBefore(line.cursor);
    return i >= 0 && line.times[i] === line.cursor ? this.#at(line, i) : undefined;
  }

  /** The time of `current`, or undefined. */
  get currentTime(): number | undefined {
    return this.current?.time;
  }

  /** The earliest recorded time, or undefined when empty. */
  get earliestTime(): number | undefined {
    return this.#line.times[0];
  }

  /** The latest recorded time, or undefined when empty. */
  get latestTime(): number | undefined {
    const times = this.#line.times;
    return times[times.length - 1];
  }

  /** Number of entries on the active timeline. */
  get length(): number {
    return this.#line.length;
  }

  /** The recorded times of the active timeline, ascending (a copy). */
  times(): number[] {
    return [...this.#line.times];
  }

  /** Removes entries with time < `t` from the active timeline; returns how many. */
  pruneBefore(t: number): number {
    return this.#line.pruneBefore(t, this.#chain);
  }

  /** Removes entries with time > `t` from the active timeline; returns how many. */
  pruneAfter(t: number): number {
    return this.#line.pruneAfter(t);
  }

  /** Removes every entry of the active timeline. */
  clear(): void {
    this.#line.clear();
  }

  /**
   * An independent copy of the state at `t`: the snapshot recorded at or before `t`,
   * decoded into memory of its own (changing it never changes the history); undefined
   * when nothing was recorded at or before `t`.
   */
  forkAtTime(t: number): PackedSnapshot | undefined {
    const line = this.#line;
    const i = line.atOrBefore(t);
    return i < 0 ? undefined : this.#chain.copyOf(line.frames[i]!);
  }

  /** The name of the active timeline. */
  get timeline(): string {
    return this.#active;
  }

  /** The names of every timeline, in creation order. */
  listTimelines(): string[] {
    return [...this.#timelines.keys()];
  }

  /** True when a timeline `name` exists. */
  hasTimeline(name: string): boolean {
    return this.#timelines.has(name);
  }

  /**
   * Creates timeline `name` holding the active timeline's entries up to and including
   * time `t` (its cursor at the last of them); the active timeline is unchanged and stays
   * active. Frames are immutable, so both timelines share them safely (and their memory).
   */
  forkTimeline(name: string, t: number): void {
    validateTimelineName(name);
    const time = checkTime(t, 'forkTimeline');
    if (this.#timelines.has(name)) throw invalidInput(`timeline "${name}" already exists: deleteTimeline("${name}") first or choose another name`);
    const fork = this.#line.copyUntil(time);
    fork.cursor = fork.times[fork.length - 1];
    this.#timelines.set(name, fork);
  }

  /** Makes timeline `name` active; PackError('InvalidInput') when it does not exist. */
  switchTimeline(name: string): void {
    this.#lineNamed(name);
    this.#active = name;
  }

  /** Deletes timeline `name` (not the active one); true when it existed. */
  deleteTimeline(name: string): boolean {
    if (name === this.#active) throw invalidInput(`cannot delete the active timeline "${name}": switchTimeline() to another one first`);
    return this.#timelines.delete(name);
  }

  #lineNamed(name: string): Timeline {
    const line = this.#timelines.get(name);
    if (line === undefined)
      throw invalidInput(
        `no timeline "${String(name)}": listTimelines() shows ${this.listTimelines()
          .map((n) => `"${n}"`)
          .join(', ')}`,
      );
    return line;
  }

  /**
   * The entries of timeline `name` (default the active one), oldest first, for persistence
   * and tools. Cheap: the bytes of a frame stored as a delta are only encoded when read
   * (read them in time order: each then costs one delta, an encode and a decode).
   */
  entries(name: string = this.#active): TimedSnapshot[] {
    const line = this.#lineNamed(name);
    return line.times.map((_, i) => this.#at(line, i)!);
  }

  /**
   * Replaces (or creates) timeline `name` with `entries`, recorded in the order given: each
   * a snapshot, or encoded bytes (kept as given when they become a keyframe), or a
   * `TimedSnapshot` (its snapshot is read). Throws, changing nothing, on an invalid entry.
   */
  replaceTimeline(name: string, entries: Iterable<TimelineEntry>): void {
    validateTimelineName(name);
    if (typeof (entries as Iterable<TimelineEntry> | null)?.[Symbol.iterator] !== 'function')
      throw invalidInput('replaceTimeline takes an iterable of entries { time, snapshot } or { time, bytes }');
    const line = new Timeline();
    for (const e of entries) {
      if (typeof e !== 'object' || e === null) throw invalidInput(`replaceTimeline: an entry is ${e === null ? 'null' : typeof e}, not { time, snapshot } or { time, bytes }`);
      line.record(e.time, this.#inputOf(e), this.#chain);
    }
    this.#timelines.set(name, line);
  }

  #inputOf(entry: TimelineEntry): FrameInput {
    if (entry instanceof TimedSnapshot) {
      const frame = this.#frameOf.get(entry);
      // One of ours: its whole snapshot (a `decode.components` option must not drop the rest).
      return { snapshot: frame === undefined ? readSnapshot(entry) : this.#chain.completeCopyOf(frame) };
    }
    if ('snapshot' in entry && entry.snapshot !== undefined) return { snapshot: requireSnapshot(entry.snapshot, `replaceTimeline (the entry at time ${String(entry.time)})`) };
    const bytes = (entry as { bytes?: unknown }).bytes;
    if (!(bytes instanceof Uint8Array)) throw invalidInput(`replaceTimeline: the entry at time ${String(entry.time)} has neither a snapshot nor encoded bytes`);
    return { bytes };
  }

  /**
   * Bytes held by timeline `name`, or by every timeline when omitted (frames shared between
   * timelines counted once): keyframes, deltas, and the working snapshot kept for quick reads.
   */
  memoryUsage(name?: string): TimelineMemory {
    const lines = name === undefined ? [...this.#timelines.values()] : [this.#lineNamed(name)];
    return frameMemory(
      lines.map((line) => line.frames),
      this.#chain.workingBytes(),
    );
  }

  /** Decodes recorded bytes with this time travel's decode options (a copy). */
  decode(bytes: Uint8Array): PackedSnapshot {
    return decodeSnapshot(bytes, this.#decode);
  }

  /** Encodes a snapshot with this time travel's encode options. */
  encode(snapshot: PackedSnapshot): Uint8Array {
    return encodeSnapshot(requireSnapshot(snapshot, 'encode'), this.#encode);
  }
}
