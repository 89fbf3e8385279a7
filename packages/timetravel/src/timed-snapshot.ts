import { decodeSnapshot, type DecodeOptions, type PackedSnapshot } from '@tx2/pack-format';
import { checkTime, invalidInput } from './errors.js';

/** Where a {@link TimedSnapshot} gets its bytes and snapshot when they are made on demand (a frame stored as a delta). */
export interface FrameSource {
  /** The encoded full snapshot. */
  bytes(): Uint8Array;
  /** An independent copy of the snapshot. */
  snapshot(): PackedSnapshot;
}

let sourceOf: (entry: TimedSnapshot) => [Uint8Array | FrameSource, DecodeOptions];

/**
 * A recorded snapshot and its time. The snapshot is decoded (or, for a frame stored as a
 * delta, rebuilt from its keyframe) on first access of `snapshot`, into memory of its own
 * that it shares with neither the history nor any other read, and memoized on this object.
 */
export class TimedSnapshot {
  readonly time: number;
  readonly #source: Uint8Array | FrameSource;
  readonly #decode: DecodeOptions;
  #bytes: Uint8Array | undefined;
  #snapshot: PackedSnapshot | undefined;

  static {
    sourceOf = (entry) => [entry.#source, entry.#decode];
  }

  /** Wraps recorded `bytes` (or a source making them on demand) at `time`; `decode` are the options `snapshot` decodes bytes with. */
  constructor(time: number, source: Uint8Array | FrameSource, decode: DecodeOptions = {}) {
    const made = typeof source === 'object' && source !== null && typeof (source as FrameSource).bytes === 'function' && typeof (source as FrameSource).snapshot === 'function';
    if (!(source instanceof Uint8Array) && !made) throw invalidInput('a TimedSnapshot holds encoded bytes (a Uint8Array) or a source { bytes(), snapshot() }');
    if (typeof decode !== 'object' || decode === null) throw invalidInput('the decode options of a TimedSnapshot must be an object');
    this.time = checkTime(time, 'TimedSnapshot');
    this.#source = source;
    this.#decode = decode;
  }

  /**
   * The encoded snapshot (shared with the history: do not modify). A keyframe's bytes as
   * recorded; for a frame stored as a delta, encoded on first access (a rebuild and an
   * encode, with the TimeTravel's encode options) and memoized on this object.
   */
  get bytes(): Uint8Array {
    this.#bytes ??= this.#source instanceof Uint8Array ? this.#source : this.#source.bytes();
    return this.#bytes;
  }

  /** The snapshot, decoded or rebuilt on first access into memory of its own. */
  get snapshot(): PackedSnapshot {
    this.#snapshot ??= readSnapshot(this);
    return this.#snapshot;
  }
}

/** An independent copy of `entry`'s snapshot, not memoized on it (for reading many entries without keeping them all). */
export function readSnapshot(entry: TimedSnapshot): PackedSnapshot {
  const [source, decode] = sourceOf(entry);
  return source instanceof Uint8Array ? decodeSnapshot(source, { ...decode, copy: true }) : source.snapshot();
}
