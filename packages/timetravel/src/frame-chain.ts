import {
  applyDelta,
  decodeDelta,
  decodeSnapshot,
  type DecodeOptions,
  diff,
  encodeDelta,
  encodeSnapshot,
  type EncodeOptions,
  migrateSnapshot,
  type PackedSnapshot,
  type ResolvedDeltaPolicy,
  snapshotHash,
  withinDeltaRatio,
  withinFullEvery,
} from '@tx2/pack-format';
import { changeByteLength, chainBytesOf, deltaFrame, type DeltaFrame, type Frame, keyFrame, type KeyFrame, keyOf, runOf } from './frame.js';
import { snapshotBytes } from './snapshot-bytes.js';
import { SnapshotCache } from './snapshot-cache.js';
import { copySnapshot } from './snapshot-copy.js';
import { refillSnapshot } from './snapshot-refill.js';
import { applyValueDelta, applyValuePatch, toValuePatch, type ValuePatch, valuePatchByteLength } from './value-patch.js';

/** Value patches of at least this many bytes are also tried as compressed deltas (smaller ones are kept as they are: faster to apply). */
const MIN_COMPRESSED_PATCH = 4096;

/** What a new frame is made from: a snapshot, encoded bytes, or both (the same content). */
export interface FrameInput {
  snapshot?: PackedSnapshot;
  /** Encoded bytes of the snapshot, kept as the keyframe when the frame becomes one. */
  bytes?: Uint8Array;
}

/**
 * Makes and reads the frames of every timeline of one TimeTravel: decides keyframe or delta
 * (by its delta policy, the `keyframes` option), rebuilds a frame's snapshot from its keyframe, and keeps
 * the last rebuilt (or recorded) frame's snapshot as a working copy, so that the next
 * frame, recorded or read, costs one delta rather than a whole chain.
 */
export class FrameChain {
  readonly policy: ResolvedDeltaPolicy;
  readonly #encode: EncodeOptions;
  /** True when the encode options compress: a delta frame is then kept as compressed bytes when they are smaller than its value patch. */
  readonly #compresses: boolean;
  /**
   * Bytes of the last delta frame made, and how many frames since were made keyframes without
   * trying a delta: a delta that cannot fit its run is predicted from it and never computed.
   */
  #lastDelta: { bytes: number; skipped: number } | undefined;
  /**
   * True when the last delta made was a compressed temporal delta (everything moved): the next
   * delta is then made from the keyframe of the run rather than from the frame before, so a
   * read applies one delta (a moving world's deltas cost about half a keyframe each to
   * decode) and a run's deltas are no longer bounded together. Sparse changes stay chained
   * (each delta small, applied in microseconds).
   */
  #fromKey = false;
  /** Deltas never leave memory: same codec as keyframes, no checksums. */
  readonly #deltaEncode: EncodeOptions;
  /** The caller's decode options (copy forced), for snapshots handed out. */
  readonly #decode: DecodeOptions;
  /**
   * Decodes of our own frames: always copying (the working snapshot is written in place and
   * must share no memory), every component, no CRC checks (the bytes never left memory).
   */
  readonly #internal: DecodeOptions;
  /** `#internal` without copies: for deltas whose values are copied out at once. */
  readonly #views: DecodeOptions;
  // The working snapshot: the content of #workingFrame, owned by this chain alone and patched
  // in place as deltas are applied. Never handed out, never kept by anyone else.
  #workingFrame: Frame | undefined;
  #working: PackedSnapshot | undefined;
  /**
   * Snapshots of the keyframes decoded or recorded last (within the `keyframeCache` budget,
   * the last one always), never patched: deltas from a keyframe are made against it, and a
   * read of a frame of a kept keyframe's run copies it instead of decoding the keyframe again
   * (a seek costs a copy and one delta).
   */
  readonly #cache: SnapshotCache;

  constructor(policy: ResolvedDeltaPolicy, encode: EncodeOptions, decode: DecodeOptions, cacheBytes: number) {
    this.policy = policy;
    this.#encode = encode;
    this.#compresses = encode.codec !== undefined && encode.codec.id !== 0;
    this.#deltaEncode = { ...encode, checksums: false };
    this.#decode = { ...decode, copy: true };
    // Frames chain in the schema they were recorded in; migrations apply only to snapshots handed out.
    this.#internal = { ...decode, components: undefined, verifyChecksums: false, copy: true, migrations: undefined };
    this.#views = { ...this.#internal, copy: false };
    this.#cache = new SnapshotCache(cacheBytes);
  }

  /** The snapshot of `frame` as the chain's working snapshot: read it, never keep or change it; valid until the next call on this chain. */
  contentOf(frame: Frame): PackedSnapshot {
    if (this.#workingFrame === frame) return this.#working!;
    // Walk back until the working frame (apply forward from it) or the keyframe.
    const path: DeltaFrame[] = [];
    let from: Frame = frame;
    while (from.kind === 'delta' && from !== this.#workingFrame) {
      path.push(from);
      from = from.base;
    }
    const fromWorking = from === this.#workingFrame;
    const working = this.#working;
    // Forget the working frame while patching: a failure must not leave a half-patched snapshot under its name.
    this.#forget();
    let snapshot = fromWorking ? working! : this.#fromKeyframe(from as KeyFrame, working);
    for (let i = path.length - 1; i >= 0; i--) snapshot = this.#apply(snapshot, path[i]!.change);
    this.#workingFrame = frame;
    this.#working = snapshot;
    return snapshot;
  }

  /** A keyframe's snapshot in memory of its own: written into the arrays of `reuse` (the old working snapshot) when the shapes match. */
  #decodeKeyframe(bytes: Uint8Array, reuse: PackedSnapshot | undefined): PackedSnapshot {
    if (reuse === undefined) return decodeSnapshot(bytes, this.#internal);
    const views = decodeSnapshot(bytes, this.#views);
    return refillSnapshot(reuse, views) ? reuse : copySnapshot(views);
  }

  /** The pristine snapshot of `key` (read it, never change it): the kept one, or decoded now (into a dropped one's arrays when the cache is full) and kept. */
  #keySnapshot(key: KeyFrame): PackedSnapshot {
    const kept = this.#cache.get(key);
    if (kept !== undefined) return kept;
    // Taken out of the cache first: a failed decode must not leave a half-written snapshot under a name.
    const snapshot = this.#decodeKeyframe(key.bytes, this.#cache.spare());
    this.#cache.set(key, snapshot);
    return snapshot;
  }

  /** `key`'s snapshot in memory of its own, to be patched: a copy of the kept keyframe snapshot, into the arrays of `reuse` when the shapes match. */
  #fromKeyframe(key: KeyFrame, reuse: PackedSnapshot | undefined): PackedSnapshot {
    const pristine = this.#keySnapshot(key);
    return reuse !== undefined && refillSnapshot(reuse, pristine) ? reuse : copySnapshot(pristine);
  }

  /** An independent copy of `frame`'s snapshot (a keyframe decoded with the caller's decode options, as recorded frames always were). */
  copyOf(frame: Frame): PackedSnapshot {
    if (frame.kind === 'key') {
      // Every frame a keyframe (`keyframes: false`): one decode, with the caller's checks, and nothing kept.
      if (this.policy.fullEvery === 1 || this.#decode.components !== undefined) return decodeSnapshot(frame.bytes, this.#decode);
      // Otherwise the kept (or now decoded and kept) snapshot, copied: a copy costs a fraction of a decode.
      const own = copySnapshot(this.#keySnapshot(frame));
      return this.#decode.migrations === undefined ? own : migrateSnapshot(own, this.#decode.migrations);
    }
    if (frame.base.kind === 'key' && frame.change instanceof Uint8Array && this.#decode.components === undefined) {
      // A compressed delta from its keyframe (a moving world): the kept keyframe snapshot, copied, with that one delta
      // applied. The working snapshot is not involved: no frame read next would start from it.
      const own = this.#apply(copySnapshot(this.#keySnapshot(frame.base)), frame.change);
      return this.#decode.migrations === undefined ? own : migrateSnapshot(own, this.#decode.migrations);
    }
    const snapshot = this.contentOf(frame);
    // A partial decode was asked for: honour it the slow way, through an encoding.
    if (this.#decode.components !== undefined) return decodeSnapshot(encodeSnapshot(snapshot, { checksums: false }), this.#decode);
    const migrations = this.#decode.migrations;
    return migrations === undefined ? copySnapshot(snapshot) : migrateSnapshot(copySnapshot(snapshot), migrations);
  }

  /** An independent copy of `frame`'s whole snapshot, whatever the caller's decode options (to record it again). */
  completeCopyOf(frame: Frame): PackedSnapshot {
    if (frame.kind === 'key' && this.policy.fullEvery === 1) return decodeSnapshot(frame.bytes, this.#internal);
    return copySnapshot(frame.kind === 'key' ? this.#keySnapshot(frame) : this.contentOf(frame));
  }

  /** `frame` as encoded full-snapshot bytes: a keyframe's own bytes, or a delta frame's snapshot encoded now (the cost of a rebuild and an encode). */
  bytesOf(frame: Frame): Uint8Array {
    return frame.kind === 'key' ? frame.bytes : encodeSnapshot(this.contentOf(frame), this.#encode);
  }

  /** `snapshotHash` of `frame`'s snapshot, memoized on the frame. */
  hashOf(frame: Frame): Uint8Array {
    frame.hash ??= snapshotHash(frame.kind === 'key' ? this.#keySnapshot(frame) : this.contentOf(frame));
    return frame.hash;
  }

  /**
   * A new frame holding `input`, to follow `previous` on a timeline: a delta from `previous`
   * unless the policy asks for a keyframe. Throws (changing nothing) when the snapshot is not
   * valid, as `encodeSnapshot` would.
   */
  makeFrame(previous: Frame | undefined, input: FrameInput): Frame {
    let hash: Uint8Array | undefined;
    // The caller's bytes are decoded (with the caller's checks, checksums included) whenever
    // frames may be deltas: the next frame will need the snapshot, and bad bytes fail here.
    const snapshot = input.snapshot ?? (this.policy.fullEvery > 1 ? decodeSnapshot(input.bytes!, { ...this.#decode, components: undefined, migrations: undefined }) : undefined);
    if (previous !== undefined && snapshot !== undefined && withinFullEvery(this.policy, runOf(previous) + 1) && this.#mayFit(previous)) {
      const from = this.#baseFor(previous);
      const fromKey = from.kind === 'key';
      const baseHash = this.hashOf(from);
      // From a keyframe: its kept snapshot, read only. Otherwise the working snapshot, patched in place below.
      const base = fromKey ? this.#keySnapshot(from) : this.contentOf(from);
      // diff hashes `snapshot` first, which encodes and so validates it.
      const delta = diff(base, snapshot, { baseHash });
      // A value patch is built only when kept: its size decides against the compressed bytes.
      const patchBytes = valuePatchByteLength(base, delta);
      let change: ValuePatch | Uint8Array;
      if (patchBytes === undefined) change = encodeDelta(delta, this.#deltaEncode);
      else {
        // Values that all moved (temporal deltas) compress far better than the patch holds them.
        const bytes = this.#compresses && patchBytes >= MIN_COMPRESSED_PATCH ? encodeDelta(delta, this.#deltaEncode) : undefined;
        // Both forms copy what they keep: `delta` may share arrays with the caller's snapshot.
        change = bytes !== undefined && bytes.byteLength < patchBytes ? bytes : toValuePatch(base, delta)!;
      }
      hash = delta.target;
      this.#lastDelta = { bytes: changeByteLength(change), skipped: 0 };
      this.#fromKey = patchBytes !== undefined && change instanceof Uint8Array;
      if (withinDeltaRatio(this.policy, chainBytesOf(from) + changeByteLength(change), keyOf(previous).bytes.byteLength)) {
        const frame = deltaFrame(from, change, hash, runOf(previous) + 1);
        this.#forget();
        if (!fromKey) {
          // A value-only delta updates the working snapshot in place, whatever is kept.
          this.#working = applyValueDelta(base, delta) ? base : this.#apply(base, change);
          this.#workingFrame = frame;
        }
        return frame;
      }
    }
    const key = keyFrame(input.bytes ?? encodeSnapshot(snapshot!, this.#encode), hash);
    if (snapshot !== undefined && this.policy.fullEvery > 1) {
      // The next frame is a delta from this one: keep its snapshot now rather than decode the keyframe then.
      this.#forget();
      this.#cache.set(key, input.snapshot === undefined ? snapshot : copySnapshot(snapshot));
    }
    return key;
  }

  /**
   * False when the last delta made would not fit after `previous` under `maxDeltaRatio`: the
   * frame becomes a keyframe without a diff that would be thrown away. Every `fullEvery` frames
   * made so, one delta is tried anyway, in case the world calmed down.
   */
  #mayFit(previous: Frame): boolean {
    const last = this.#lastDelta;
    if (last === undefined || last.skipped >= this.policy.fullEvery) return true;
    if (withinDeltaRatio(this.policy, chainBytesOf(this.#baseFor(previous)) + last.bytes, keyOf(previous).bytes.byteLength)) return true;
    last.skipped++;
    return false;
  }

  /** The frame the next delta after `previous` is made from: `previous`, or its keyframe while everything moves. */
  #baseFor(previous: Frame): Frame {
    return this.#fromKey ? keyOf(previous) : previous;
  }

  /**
   * `frame` re-attached after `previous`, its new predecessor on the timeline, or made a
   * keyframe when the chain would break the policy. A frame chained on the frame before must
   * have had a predecessor whose snapshot equals that of `previous` (its change is kept); a
   * frame made from a keyframe keeps its change while `previous` is of that keyframe's run,
   * and is made again from `previous` otherwise.
   */
  rebase(frame: DeltaFrame, previous: Frame): Frame {
    const run = runOf(previous) + 1;
    if (frame.base.kind === 'key' && frame.base !== previous) {
      if (keyOf(previous) === frame.base && withinFullEvery(this.policy, run)) return deltaFrame(frame.base, frame.change, frame.hash, run);
      return this.makeFrame(previous, { snapshot: this.completeCopyOf(frame) });
    }
    if (withinFullEvery(this.policy, run) && withinDeltaRatio(this.policy, chainBytesOf(previous) + frame.byteLength, keyOf(previous).bytes.byteLength)) {
      return deltaFrame(previous, frame.change, frame.hash, run);
    }
    return this.toKeyframe(frame);
  }

  /** A keyframe with the snapshot of `frame` (the frame itself when it is one). */
  toKeyframe(frame: Frame): Frame {
    if (frame.kind === 'key') return frame;
    const key = keyFrame(encodeSnapshot(this.contentOf(frame), this.#encode), frame.hash);
    this.#workingFrame = key; // same snapshot, new frame
    return key;
  }

  /** Bytes held by the working snapshot and the kept keyframe snapshots (0 when there is none). */
  workingBytes(): number {
    return (this.#working === undefined ? 0 : snapshotBytes(this.#working)) + this.#cache.bytes;
  }

  /** Drops the working snapshot (its memory is freed once nothing else holds it). */
  #forget(): void {
    this.#workingFrame = undefined;
    this.#working = undefined;
  }

  /** `snapshot` (owned, the base of `change`) changed into the next frame's: in place for a patch. */
  #apply(snapshot: PackedSnapshot, change: ValuePatch | Uint8Array): PackedSnapshot {
    if (!(change instanceof Uint8Array)) {
      applyValuePatch(snapshot, change);
      return snapshot;
    }
    // A compressed delta that only changes values (a moving world's temporal deltas) is read as
    // views of its decompressed payload (copying them would cost as much as decoding) and
    // written (XORed) straight into the snapshot.
    if (this.#compresses && applyValueDelta(snapshot, decodeDelta(change, this.#views))) return snapshot;
    // Decoded with copies: the working snapshot is written in place and must hold no views of stored deltas.
    return applyDelta(snapshot, decodeDelta(change, this.#internal), { verify: false });
  }
}
