import type { PackedSnapshot } from '@tx2/pack-format';
import { booleanOption, invalidInput, optionsOf, sourceError } from './errors.js';
import type { CheckpointSource, ReplayDirection, ReplayFrame } from './frame.js';
import { delay, frameInterval, type PlayOptions, type PlayResult } from './playback.js';
import { SnapshotCache } from './snapshot-cache.js';

/** Options of a {@link ReplayEngine}. */
export interface ReplayEngineOptions {
  /** Wrap around at both ends (default false). */
  loop?: boolean;
  /** How many lazily loaded snapshots stay in memory: a count of decoded snapshots, not bytes (default 4, at least 1). */
  cacheSize?: number;
  /** Load the next checkpoint in the direction of travel in the background after each move (default true). */
  prefetch?: boolean;
}

/** Options of {@link ReplayEngine.frames}. */
export interface FramesOptions {
  /** Direction of travel (default 'forward'). */
  direction?: ReplayDirection;
  /** Start at this index instead of the current one. */
  from?: number;
}

/** A callback receiving each frame that playback shows. */
export type FrameListener = (frame: ReplayFrame) => void;

interface Entry {
  id: string;
  /** Present for checkpoints added with a snapshot; absent for lazy ones. */
  snapshot?: PackedSnapshot;
  source?: CheckpointSource;
}

/**
 * Steps, seeks and plays through a sequence of checkpoints.
 *
 * Checkpoints added with `addCheckpoint` are kept as given (the engine does not copy
 * them). Checkpoints from `loadFromManager` are kept as ids only: a snapshot is loaded
 * when its checkpoint is visited, kept in a small LRU cache (`cacheSize`), and the next
 * checkpoint in the direction of travel is prefetched. Navigation is asynchronous for that
 * reason; the cursor (`index`) moves synchronously when a navigation method is called.
 *
 * At an end, `next()` / `previous()` wrap around when `loop` is on; otherwise they stay
 * and resolve to `undefined` (no exception). `seek` outside `0..length-1` rejects with
 * `PackError('InvalidInput')`.
 */
export class ReplayEngine {
  /** Whether `next` / `previous` wrap around at the ends. */
  loop: boolean;
  readonly cacheSize: number;
  readonly prefetch: boolean;
  #entries: Entry[] = [];
  #index = -1;
  #cache: SnapshotCache;
  #listeners = new Set<FrameListener>();
  #playToken = 0;
  #cancelWait: (() => void) | undefined;
  #playing = false;

  /** An empty engine. */
  constructor(options?: ReplayEngineOptions) {
    const given = optionsOf(options, 'new ReplayEngine');
    const cacheSize = given.cacheSize ?? 4;
    this.loop = booleanOption(given.loop, 'loop') ?? false;
    this.prefetch = booleanOption(given.prefetch, 'prefetch') ?? true;
    this.#cache = new SnapshotCache(cacheSize);
    this.cacheSize = cacheSize;
  }

  /** Number of checkpoints. */
  get length(): number {
    return this.#entries.length;
  }

  /** The current position, or -1 when the engine is empty. */
  get index(): number {
    return this.#index;
  }

  /** True at the first checkpoint (and when empty). */
  get isAtStart(): boolean {
    return this.#index <= 0;
  }

  /** True at the last checkpoint (and when empty). */
  get isAtEnd(): boolean {
    return this.#index === this.#entries.length - 1;
  }

  /** True while `play` is running. */
  get isPlaying(): boolean {
    return this.#playing;
  }

  /** The checkpoint ids in replay order. */
  ids(): string[] {
    return this.#entries.map((e) => e.id);
  }

  /** Appends a checkpoint held in memory (not copied); the first one added becomes current. */
  addCheckpoint(id: string, snapshot: PackedSnapshot): void {
    if (typeof id !== 'string' || id === '') throw invalidInput('addCheckpoint needs a non-empty checkpoint id');
    if (typeof snapshot !== 'object' || snapshot === null || !(snapshot.entities instanceof Uint32Array)) {
      throw invalidInput(`addCheckpoint("${id}") needs a PackedSnapshot (createPackedSnapshot / fromWorldSnapshot builds one)`);
    }
    this.#entries.push({ id, snapshot });
    if (this.#index < 0) this.#index = 0;
  }

  /** Replaces the content with the chain of `manager` (ids only, loaded lazily); the cursor goes to the start. Returns the count. */
  async loadFromManager(manager: CheckpointSource): Promise<number> {
    if (typeof manager !== 'object' || manager === null || typeof manager.listCheckpoints !== 'function' || typeof manager.loadCheckpoint !== 'function') {
      throw invalidInput('loadFromManager needs a CheckpointManager of @tx2/pack-store, or any object with listCheckpoints() and loadCheckpoint(id)');
    }
    let list: unknown;
    try {
      list = await manager.listCheckpoints();
    } catch (error) {
      throw sourceError(error, 'listCheckpoints() of the checkpoint source', {});
    }
    if (!Array.isArray(list)) throw invalidInput(`listCheckpoints() of the checkpoint source must resolve to an array of { id }, got ${typeof list}`);
    // By index, not list.map: map skips the holes of a sparse list, which would leave entries without an id.
    const ids: string[] = [];
    for (let index = 0; index < list.length; index++) {
      let id: unknown;
      try {
        const c: unknown = list[index];
        id = typeof c === 'object' && c !== null ? (c as { id?: unknown }).id : undefined;
      } catch (error) {
        throw sourceError(error, `reading entry ${index} of listCheckpoints() of the checkpoint source`, { index });
      }
      if (typeof id !== 'string' || id === '') throw invalidInput(`listCheckpoints() of the checkpoint source listed an entry without an id at position ${index}`, { index });
      ids.push(id);
    }
    this.clear();
    this.#entries = ids.map((id) => ({ id, source: manager }));
    this.#index = this.#entries.length > 0 ? 0 : -1;
    return this.#entries.length;
  }

  /** Removes every checkpoint, empties the cache and stops playback. */
  clear(): void {
    this.pause();
    this.#entries = [];
    this.#index = -1;
    this.#cache.clear();
  }

  /** The current frame, or undefined when empty. */
  async current(): Promise<ReplayFrame | undefined> {
    if (this.#index < 0) return undefined;
    return this.#frame(this.#index, 'forward');
  }

  /** Moves one checkpoint forward; undefined (staying put) at the end with loop off, or when empty. */
  async next(): Promise<ReplayFrame | undefined> {
    return this.#step('forward');
  }

  /** Moves one checkpoint back; undefined (staying put) at the start with loop off, or when empty. */
  async previous(): Promise<ReplayFrame | undefined> {
    return this.#step('backward');
  }

  /** Moves to `index`; PackError('InvalidInput') when it is not an integer in 0..length-1. */
  async seek(index: number): Promise<ReplayFrame> {
    if (!Number.isInteger(index) || index < 0 || index >= this.#entries.length) {
      throw invalidInput(
        this.#entries.length === 0 ? `seek(${String(index)}): the replay is empty` : `seek(${String(index)}) is out of range: valid indexes are 0..${this.#entries.length - 1}`,
      );
    }
    const direction: ReplayDirection = index >= this.#index ? 'forward' : 'backward';
    this.#index = index;
    return this.#frame(index, direction);
  }

  /** Moves to the first checkpoint; undefined when empty. */
  async seekToStart(): Promise<ReplayFrame | undefined> {
    return this.#entries.length === 0 ? undefined : this.seek(0);
  }

  /** Moves to the last checkpoint; undefined when empty. */
  async seekToEnd(): Promise<ReplayFrame | undefined> {
    if (this.#entries.length === 0) return undefined;
    this.#index = this.#entries.length - 1;
    return this.#frame(this.#index, 'backward');
  }

  /** Calls `listener` with every frame that `play` shows; returns a function that unsubscribes it. */
  onFrame(listener: FrameListener): () => void {
    if (typeof listener !== 'function') throw invalidInput(`onFrame takes a function, got ${typeof listener}`);
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Plays from the current checkpoint: advances one checkpoint per frame interval
   * (`1000 / (fps * speed)` ms) in `direction`, calling the `onFrame` listeners with each
   * frame shown (the current one first). Resolves 'ended' at the end with loop off, or
   * 'paused' after `pause()`. A new `play` pauses the previous one.
   */
  async play(options: PlayOptions = {}): Promise<PlayResult> {
    const interval = frameInterval(options);
    const direction = options.direction ?? 'forward';
    this.pause();
    const token = ++this.#playToken;
    this.#playing = true;
    try {
      if (this.#index < 0) return 'ended';
      let frame: ReplayFrame | undefined = await this.#frame(this.#index, direction);
      let due = performance.now();
      while (token === this.#playToken) {
        this.#emit(frame);
        due += interval;
        const wait = delay(due - performance.now());
        this.#cancelWait = wait.cancel;
        await wait.done;
        if (token !== this.#playToken) break;
        frame = await this.#step(direction);
        if (token !== this.#playToken) break;
        if (frame === undefined) return 'ended';
        if (performance.now() > due + interval) due = performance.now(); // too slow: do not try to catch up
      }
      return 'paused';
    } finally {
      if (token === this.#playToken) this.#playing = false;
    }
  }

  /** Stops playback (the cursor stays where it is). */
  pause(): void {
    this.#playToken++;
    this.#playing = false;
    this.#cancelWait?.();
    this.#cancelWait = undefined;
  }

  /**
   * Iterates from the current checkpoint (or `from`) in `direction`, moving the cursor,
   * until the end of the replay; with loop on it wraps and stops after one full cycle.
   */
  async *frames(options?: FramesOptions): AsyncGenerator<ReplayFrame, void, undefined> {
    const given = optionsOf(options, 'frames');
    const direction = given.direction ?? 'forward';
    if (direction !== 'forward' && direction !== 'backward') throw invalidInput(`frames: direction must be 'forward' or 'backward', got ${String(direction)}`);
    if (this.#entries.length === 0) return;
    let frame: ReplayFrame | undefined = given.from === undefined ? await this.current() : await this.seek(given.from);
    for (let shown = 0; frame !== undefined && shown < this.#entries.length; shown++) {
      yield frame;
      if (shown + 1 >= this.#entries.length) break;
      frame = await this.#step(direction);
    }
  }

  /** `for await (const frame of engine)`: every checkpoint from the first to the last. */
  [Symbol.asyncIterator](): AsyncGenerator<ReplayFrame, void, undefined> {
    return this.frames({ from: this.#entries.length === 0 ? undefined : 0 });
  }

  #step(direction: ReplayDirection): Promise<ReplayFrame | undefined> {
    const n = this.#entries.length;
    if (n === 0) return Promise.resolve(undefined);
    let target = this.#index + (direction === 'forward' ? 1 : -1);
    if (target < 0 || target >= n) {
      if (!this.loop) return Promise.resolve(undefined);
      target = (target + n) % n;
    }
    this.#index = target;
    return this.#frame(target, direction);
  }

  async #frame(index: number, direction: ReplayDirection): Promise<ReplayFrame> {
    const entry = this.#entries[index]!;
    const snapshot = entry.snapshot ?? (await this.#load(index, entry));
    if (this.prefetch) this.#prefetch(index, direction);
    return { index, id: entry.id, snapshot };
  }

  #load(index: number, entry: Entry): Promise<PackedSnapshot> {
    const source = entry.source!;
    return this.#cache.get(index, async () => {
      let loaded: { snapshot: PackedSnapshot } | undefined;
      try {
        loaded = await source.loadCheckpoint(entry.id);
      } catch (error) {
        throw sourceError(error, `loading checkpoint "${entry.id}"`, { checkpoint: entry.id, index });
      }
      const snapshot = typeof loaded === 'object' && loaded !== null ? loaded.snapshot : undefined;
      if (typeof snapshot !== 'object' || snapshot === null || !(snapshot.entities instanceof Uint32Array)) {
        throw invalidInput(`loadCheckpoint("${entry.id}") of the checkpoint source did not resolve to { snapshot } with a PackedSnapshot`, { checkpoint: entry.id, index });
      }
      return snapshot;
    });
  }

  #prefetch(index: number, direction: ReplayDirection): void {
    const n = this.#entries.length;
    let target = index + (direction === 'forward' ? 1 : -1);
    if (target < 0 || target >= n) {
      if (!this.loop) return;
      target = (target + n) % n;
    }
    const entry = this.#entries[target]!;
    if (entry.snapshot !== undefined || this.#cache.has(target)) return;
    // Errors surface when the checkpoint is visited (the failed load is dropped from the cache).
    this.#load(target, entry).catch(() => {});
  }

  #emit(frame: ReplayFrame): void {
    for (const listener of [...this.#listeners]) listener(frame);
  }
}
