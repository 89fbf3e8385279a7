// The nodes a timeline is made of. Frames are immutable once made, so timelines (and
// TimedSnapshots handed out earlier) share them freely: a delta frame names its base frame
// object, and keeps rebuilding the same snapshot whatever later happens to the timelines.
import { patchByteLength, type ValuePatch } from './value-patch.js';

/** A frame stored whole: an encoded snapshot (`encodeSnapshot` with the TimeTravel's options, or bytes given to `recordEncoded`). */
export interface KeyFrame {
  readonly kind: 'key';
  readonly bytes: Uint8Array;
  /** `snapshotHash` of the frame's snapshot, memoized once known (the base hash of the next diff). */
  hash: Uint8Array | undefined;
}

/**
 * A frame stored as the changes from `base`: `diff(base, frame)` as a {@link ValuePatch} when
 * it only changes numeric values, otherwise as `encodeDelta` bytes. `base` is the frame just
 * before it on its timeline, or (for the compressed temporal deltas of a world where everything
 * moves) the keyframe of its run, so that reading it applies one delta whatever its place; or,
 * for a predicted delta, the frame just after that keyframe (`reference` is then the keyframe:
 * values are predicted from the two, linearly, and the delta holds what the prediction missed).
 */
export interface DeltaFrame {
  readonly kind: 'delta';
  readonly change: ValuePatch | Uint8Array;
  /** Bytes `change` holds. */
  readonly byteLength: number;
  hash: Uint8Array | undefined;
  readonly base: Frame;
  /** For a predicted delta (`SnapshotDelta.reference` set): the keyframe it predicts from with `base`, the frame after it. */
  readonly reference?: KeyFrame;
  /** The keyframe the chain starts from. */
  readonly key: KeyFrame;
  /** Deltas from `key` to this frame, this one included (1 when `base` is the keyframe). */
  readonly depth: number;
  /** Frames from `key` to this one on its timeline when it was made, this one included (what `fullEvery` bounds). */
  readonly run: number;
  /** Bytes of those deltas. */
  readonly chainBytes: number;
}

/** One recorded frame. */
export type Frame = KeyFrame | DeltaFrame;

/** A keyframe holding `bytes`. */
export function keyFrame(bytes: Uint8Array, hash?: Uint8Array): KeyFrame {
  return { kind: 'key', bytes, hash };
}

/** A delta frame of `change` on top of `base` (its chain figures derived from `base`), the `run`-th frame of its run (default: just after `base`), predicted from `base` and `reference` when given. */
export function deltaFrame(base: Frame, change: ValuePatch | Uint8Array, hash?: Uint8Array, run: number = runOf(base) + 1, reference?: KeyFrame): DeltaFrame {
  const byteLength = changeByteLength(change);
  return {
    kind: 'delta',
    change,
    byteLength,
    hash,
    base,
    ...(reference === undefined ? {} : { reference }),
    key: base.kind === 'key' ? base : base.key,
    depth: depthOf(base) + 1,
    run,
    chainBytes: chainBytesOf(base) + byteLength,
  };
}

/** Bytes a stored change holds. */
export function changeByteLength(change: ValuePatch | Uint8Array): number {
  return change instanceof Uint8Array ? change.byteLength : patchByteLength(change);
}

/** Bytes a frame holds: its encoding or its change. */
export function frameByteLength(frame: Frame): number {
  return frame.kind === 'key' ? frame.bytes.byteLength : frame.byteLength;
}

/** Deltas applied to rebuild `frame` from its keyframe (0 for a keyframe). */
export function depthOf(frame: Frame): number {
  return frame.kind === 'key' ? 0 : frame.depth;
}

/** Frames from `frame`'s keyframe to it on its timeline (0 for a keyframe). */
export function runOf(frame: Frame): number {
  return frame.kind === 'key' ? 0 : frame.run;
}

/** Delta bytes applied to rebuild `frame` from its keyframe. */
export function chainBytesOf(frame: Frame): number {
  return frame.kind === 'key' ? 0 : frame.chainBytes;
}

/** The keyframe `frame` is rebuilt from (itself for a keyframe). */
export function keyOf(frame: Frame): KeyFrame {
  return frame.kind === 'key' ? frame : frame.key;
}

/** The frame after a keyframe that predicted deltas are made from: `frame` itself when it is one (a compressed delta from its keyframe, first of its run), `frame`'s base when `frame` is predicted from it; else undefined. */
export function pairOf(frame: Frame): DeltaFrame | undefined {
  if (frame.kind === 'key') return undefined;
  if (frame.reference !== undefined) return frame.base as DeltaFrame;
  return frame.base === frame.key && frame.run === 1 && frame.change instanceof Uint8Array ? frame : undefined;
}
