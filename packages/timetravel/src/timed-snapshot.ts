import { decodeSnapshot, type DecodeOptions, type PackedSnapshot } from '@tx2/pack-format';

/**
 * A recorded snapshot and its time. The snapshot is decoded from the recorded bytes on
 * first access of `snapshot` (with `copy: true`, so it shares no memory with the history
 * or any other read) and memoized on this object.
 */
export class TimedSnapshot {
  readonly time: number;
  /** The encoded snapshot as recorded (shared with the history: do not modify). */
  readonly bytes: Uint8Array;
  readonly #decode: DecodeOptions;
  #snapshot: PackedSnapshot | undefined;

  /** Wraps recorded `bytes` at `time`; `decode` are the options used by `snapshot`. */
  constructor(time: number, bytes: Uint8Array, decode: DecodeOptions = {}) {
    this.time = time;
    this.bytes = bytes;
    this.#decode = decode;
  }

  /** The snapshot, decoded on first access into memory of its own. */
  get snapshot(): PackedSnapshot {
    this.#snapshot ??= decodeSnapshot(this.bytes, { ...this.#decode, copy: true });
    return this.#snapshot;
  }
}
