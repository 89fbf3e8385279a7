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
  predictionScale,
  type ResolvedDeltaPolicy,
  type SnapshotDelta,
  snapshotHash,
  withinDeltaRatio,
  withinFullEvery,
} from '@tx2/pack-format';
import { changeByteLength, chainBytesOf, deltaFrame, type DeltaFrame, type Frame, keyFrame, type KeyFrame, keyOf, pairOf, runOf } from './frame.js';
import { snapshotBytes } from './snapshot-bytes.js';
import { DEFAULT_KEYFRAME_CACHE_BYTES, SnapshotCache } from './snapshot-cache.js';
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
  /** A pair whose prediction did not pay (the diff made no predicted field): the rest of its run is diffed against the keyframe. */
  #unpredictable: Frame | undefined;
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
   * Snapshots of the keyframes decoded or recorded last (within the `keyframeCacheBytes` budget,
   * the last one always), never patched: deltas from a keyframe are made against it, and a
   * read of a frame of a kept keyframe's run copies it instead of decoding the keyframe again
   * (a seek costs a copy and one delta).
   */
  readonly #cache: SnapshotCache;

  constructor(policy: ResolvedDeltaPolicy, encode: EncodeOptions, decode: DecodeOptions, cacheBytes: number = DEFAULT_KEYFRAME_CACHE_BYTES) {
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
    // Walk back until the working frame (apply forward from it), a frame whose snapshot is kept, or the keyframe.
    const path: DeltaFrame[] = [];
    let from: Frame = frame;
    while (from.kind === 'delta' && from !== this.#workingFrame && !this.#cache.has(from)) {
      path.push(from);
      const predicted = from.reference !== undefined;
      from = from.base;
      // A predicted delta starts from its pair, kept (made now if need be): the next read of the run starts there too.
      if (predicted && from !== this.#workingFrame) {
        this.#pairSnapshot(from as DeltaFrame);
        break;
      }
    }
    const fromWorking = from === this.#workingFrame;
    const working = this.#working;
    // Forget the working frame while patching: a failure must not leave a half-patched snapshot under its name.
    this.#forget();
    let snapshot = fromWorking ? working! : this.#fromKept(from, working);
    for (let i = path.length - 1; i >= 0; i--) snapshot = this.#apply(snapshot, path[i]!.change, path[i]!.reference);
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

  /**
   * The pristine snapshot of `pair` (the frame after a keyframe that predicted deltas start
   * from; read it, never change it): the kept one, or made now from its keyframe's (into a
   * dropped one's arrays when the cache is full) and kept.
   */
  #pairSnapshot(pair: DeltaFrame): PackedSnapshot {
    const kept = this.#cache.get(pair);
    if (kept !== undefined) return kept;
    const key = this.#keySnapshot(pair.key);
    const reuse = this.#cache.spare(pair.key);
    const snapshot = this.#apply(reuse !== undefined && refillSnapshot(reuse, key) ? reuse : copySnapshot(key), pair.change);
    this.#cache.set(pair, snapshot);
    return snapshot;
  }

  /** The snapshot of `frame` (a keyframe, or a frame whose snapshot is kept) in memory of its own, to be patched: a copy of the kept one, into the arrays of `reuse` when the shapes match. */
  #fromKept(frame: Frame, reuse: PackedSnapshot | undefined): PackedSnapshot {
    const pristine = frame.kind === 'key' ? this.#keySnapshot(frame) : this.#cache.get(frame)!;
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
    if (frame.change instanceof Uint8Array && this.#decode.components === undefined && (frame.base.kind === 'key' || frame.reference !== undefined || this.#cache.has(frame))) {
      // A moving world's frame: a compressed delta from its keyframe, or predicted from the keyframe and the frame after
      // it (its pair), or that pair itself: the kept snapshot it starts from, copied, with that one delta applied. The
      // working snapshot is not involved: no frame read next would start from it.
      const kept = this.#cache.get(frame);
      const own =
        kept !== undefined
          ? copySnapshot(kept)
          : frame.reference !== undefined
            ? this.#apply(copySnapshot(this.#pairSnapshot(frame.base as DeltaFrame)), frame.change, frame.reference)
            : this.#apply(copySnapshot(this.#keySnapshot(frame.base as KeyFrame)), frame.change);
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
      const run = runOf(previous) + 1;
      let { from, reference } = this.#baseFor(previous);
      let delta: SnapshotDelta | undefined;
      let base: PackedSnapshot | undefined;
      if (reference !== undefined) {
        // Predicted from the keyframe and the frame after it (both kept, read only), at the scale of the time elapsed.
        const hashes = { base: this.hashOf(from), reference: this.hashOf(reference) };
        const prior = this.#keySnapshot(reference);
        base = this.#pairSnapshot(from as DeltaFrame);
        const scale = predictionScale(prior, base, snapshot, [0, 1, run]);
        delta = diff(base, snapshot, { baseHash: hashes.base, reference: { snapshot: prior, scale, hash: hashes.reference } });
        if (delta.reference === undefined) {
          // Nothing moved linearly: the delta from the keyframe, as without prediction, for the rest of this run.
          this.#unpredictable = from;
          from = reference;
          reference = undefined;
          delta = undefined;
        }
      }
      // From a keyframe or a pair: its kept snapshot, read only. Otherwise the working snapshot, patched in place below.
      const pristine = from.kind === 'key' || reference !== undefined;
      if (delta === undefined) {
        const baseHash = this.hashOf(from);
        base = from.kind === 'key' ? this.#keySnapshot(from) : this.contentOf(from);
        // diff hashes `snapshot` first, which encodes and so validates it.
        delta = diff(base, snapshot, { baseHash });
      }
      // A value patch is built only when kept: its size decides against the compressed bytes (a predicted delta is always bytes).
      const patchBytes = reference === undefined ? valuePatchByteLength(base!, delta) : undefined;
      let change: ValuePatch | Uint8Array;
      if (patchBytes === undefined) change = encodeDelta(delta, this.#deltaEncode);
      else {
        // Values that all moved (temporal deltas) compress far better than the patch holds them.
        const bytes = this.#compresses && patchBytes >= MIN_COMPRESSED_PATCH ? encodeDelta(delta, this.#deltaEncode) : undefined;
        // Both forms copy what they keep: `delta` may share arrays with the caller's snapshot.
        change = bytes !== undefined && bytes.byteLength < patchBytes ? bytes : toValuePatch(base!, delta)!;
      }
      hash = delta.target;
      this.#lastDelta = { bytes: changeByteLength(change), skipped: 0 };
      this.#fromKey = reference !== undefined || (patchBytes !== undefined && change instanceof Uint8Array);
      if (withinDeltaRatio(this.policy, chainBytesOf(from) + changeByteLength(change), keyOf(previous).bytes.byteLength)) {
        const frame = deltaFrame(from, change, hash, run, reference);
        this.#forget();
        if (!pristine) {
          // A value-only delta updates the working snapshot in place, whatever is kept.
          this.#working = applyValueDelta(base!, delta) ? base : this.#apply(base!, change);
          this.#workingFrame = frame;
        } else if (this.#fromKey && pairOf(frame) === frame) {
          // The first temporal delta of a run: the next frames are predicted from it and the keyframe, so keep its snapshot.
          this.#cache.set(frame, copySnapshot(snapshot));
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
   * made so, one delta is tried anyway, in case the world calmed down; so is the first
   * prediction from a pair (far smaller than the pair's delta, when it pays).
   */
  #mayFit(previous: Frame): boolean {
    const last = this.#lastDelta;
    if (last === undefined || last.skipped >= this.policy.fullEvery) return true;
    const { from, reference } = this.#baseFor(previous);
    // The first prediction from a pair is always tried: the last delta (the pair's own) says nothing of its size.
    if (reference !== undefined && from === previous) return true;
    if (withinDeltaRatio(this.policy, chainBytesOf(from) + last.bytes, keyOf(previous).bytes.byteLength)) return true;
    last.skipped++;
    return false;
  }

  /**
   * What the next delta after `previous` is made from: `previous`; or, while everything moves,
   * the pair of `previous`'s run (the frame after its keyframe) with the keyframe as the
   * reference to predict from, or the keyframe alone when the run has no pair or its
   * prediction did not pay.
   */
  #baseFor(previous: Frame): { from: Frame; reference?: KeyFrame } {
    if (!this.#fromKey) return { from: previous };
    const pair = pairOf(previous);
    if (pair !== undefined && pair !== this.#unpredictable) return { from: pair, reference: pair.key };
    return { from: keyOf(previous) };
  }

  /**
   * `frame` re-attached after `previous`, its new predecessor on the timeline, or made a
   * keyframe when the chain would break the policy. A frame chained on the frame before must
   * have had a predecessor whose snapshot equals that of `previous` (its change is kept); a
   * frame made from a keyframe keeps its change while `previous` is of that keyframe's run,
   * and one predicted from a pair while the pair is still in the run before it (`holds`);
   * either is made again from `previous` otherwise, so no frame ever depends on one the
   * timeline no longer holds.
   */
  rebase(frame: DeltaFrame, previous: Frame, holds: (pair: Frame) => boolean): Frame {
    const run = runOf(previous) + 1;
    if (frame.reference !== undefined) {
      if (keyOf(previous) === frame.reference && withinFullEvery(this.policy, run) && holds(frame.base))
        return deltaFrame(frame.base, frame.change, frame.hash, run, frame.reference);
      return this.makeFrame(previous, { snapshot: this.completeCopyOf(frame) });
    }
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

  /** `snapshot` (owned, the base of `change`) changed into the next frame's: in place for a patch. A predicted change reads the kept snapshot of its `reference`. */
  #apply(snapshot: PackedSnapshot, change: ValuePatch | Uint8Array, reference?: KeyFrame): PackedSnapshot {
    if (!(change instanceof Uint8Array)) {
      applyValuePatch(snapshot, change);
      return snapshot;
    }
    if (reference !== undefined) {
      const prior = this.#keySnapshot(reference);
      const delta = decodeDelta(change, this.#views);
      if (applyValueDelta(snapshot, delta, prior)) return snapshot;
      return applyDelta(snapshot, decodeDelta(change, this.#internal), { verify: false, reference: prior, referenceHash: reference.hash });
    }
    // A compressed delta that only changes values (a moving world's temporal deltas) is read as
    // views of its decompressed payload (copying them would cost as much as decoding) and
    // written (XORed) straight into the snapshot.
    if (this.#compresses && applyValueDelta(snapshot, decodeDelta(change, this.#views))) return snapshot;
    // Decoded with copies: the working snapshot is written in place and must hold no views of stored deltas.
    return applyDelta(snapshot, decodeDelta(change, this.#internal), { verify: false });
  }
}
