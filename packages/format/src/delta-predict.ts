// Predicted temporal deltas (docs/format.md §13.3, the "lin" field encoding): a float field of
// a world that moves steadily is predicted from two earlier snapshots, the base o and a
// reference p, as o + scale × (o − p), and the delta stores the XOR of each new value's bits
// with the prediction's. Where the prediction is exact or off by an ulp or two, the XOR is
// zero bytes but for its lowest, so a moving column costs almost nothing once shuffled.
//
// The arithmetic must give the same bits on every reader: binary64, rounded after each
// operation, in the order d = o − p, e = scale × d, v = o + e (JavaScript never fuses), then v
// rounded to f32 for an f32 field. A NaN prediction takes o's bits, copied through an integer
// view: V8 may rewrite a NaN's payload when it passes through a number.
import { applyXor, entropyBits, MIN_GAIN, SAMPLE, valueBytes } from './delta-xor.js';
import type { Column, PackedSnapshot } from './model.js';

/** When `diff` stores a float field as the XOR of its bits with a linear prediction. */
export type PredictMode = 'auto' | 'always' | 'never';

/** An earlier snapshot a delta predicts from: value = base + scale × (base − reference). */
export interface DeltaReference {
  /** The reference snapshot R. */
  snapshot: PackedSnapshot;
  /** A finite number: for base K+1, reference K and target K+d, d − 1. */
  scale: number;
  /** R's `snapshotHash` when already known (saves hashing it). */
  hash?: Uint8Array;
}

/**
 * The `scale` that predicts `target` from `base` and `reference` (value = base + scale ×
 * (base − reference)). Values moving at a steady rate move in proportion to world time, so it
 * is the ratio of the world time elapsed since `base` to that between `reference` and `base`
 * (irregular steps included); when world time does not tell (it stands still between them, or
 * the ratio is not finite), the same ratio of `positions` (frame or sequence numbers).
 */
export function predictionScale(
  reference: PackedSnapshot,
  base: PackedSnapshot,
  target: PackedSnapshot,
  positions: readonly [reference: number, base: number, target: number],
): number {
  const span = base.worldTime - reference.worldTime;
  const byTime = (target.worldTime - base.worldTime) / span;
  if (span !== 0 && Number.isFinite(byTime)) return byTime;
  return (positions[2] - positions[1]) / (positions[1] - positions[0]);
}

/** The field types a predicted ("lin") change may hold. */
export type PredictedType = 'f32' | 'f64';

/** True when a field of `type` may be stored as a predicted change. */
export function isPredictable(type: unknown): type is PredictedType {
  return type === 'f32' || type === 'f64';
}

/** Per byte plane of one value type, the counts of each byte value in a sample. */
function planes(width: number): Uint16Array {
  return new Uint16Array(256 * width);
}

/** Bits of the order-0 entropy of each plane of `counts`, summed. */
function planeBits(counts: Uint16Array, width: number, sampled: number): number {
  let bits = 0;
  for (let plane = 0; plane < 256 * width; plane += 256) bits += entropyBits(counts, plane, sampled);
  return bits;
}

/**
 * What a sample says of a whole float column `next`: `lin` when it is estimated to compress
 * better as its XOR with the prediction from `before` (the base column, rows matching one to
 * one) and `reference` than as its values and, when `againstXor`, than as its XOR with
 * `before` (which needs no reference); `xor` when the XOR with `before` is estimated to beat
 * the values (what `xorPays` answers for the same rows, so it is not sampled twice).
 * Estimated, as for "xor", from the order-0 entropy of the byte planes of a sample.
 */
export function linEstimate(
  type: PredictedType,
  before: Column['values'],
  reference: Column['values'],
  next: Column['values'],
  scale: number,
  againstXor: boolean,
): { lin: boolean; xor: boolean } {
  const width = type === 'f32' ? 4 : 8;
  const n = (next as ArrayLike<number>).length;
  if (n === 0) return { lin: false, xor: false };
  const plain = planes(width);
  const xor = planes(width);
  const lin = planes(width);
  const sampled =
    type === 'f32' && LITTLE_ENDIAN
      ? sample32(before as Float32Array, reference as Float32Array, next as Float32Array, scale, plain, xor, lin)
      : sampleBytes(width, before, reference, next, scale, plain, xor, lin);
  const linBits = planeBits(lin, width, sampled);
  const plainBits = planeBits(plain, width, sampled);
  const xorBits = planeBits(xor, width, sampled);
  return { lin: linBits < plainBits * MIN_GAIN && (!againstXor || linBits < xorBits * MIN_GAIN), xor: xorBits < plainBits * MIN_GAIN };
}

/** True where typed arrays hold the low byte of a word first (the byte order `sample32` reads planes in). */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * Counts the byte planes of a sample of an f32 column (values, XOR with `o`, XOR with the
 * prediction) a word at a time: the counts `sampleBytes` makes, in a loop V8 keeps
 * monomorphic (the sample is a large part of a predicted checkpoint's cost). Returns the rows sampled.
 */
function sample32(o: Float32Array, p: Float32Array, next: Float32Array, scale: number, plain: Uint16Array, xor: Uint16Array, lin: Uint16Array): number {
  const n = next.length;
  const was = new Uint32Array(o.buffer, o.byteOffset, n);
  const now = new Uint32Array(next.buffer, next.byteOffset, n);
  const scratch = new Float32Array(1);
  const bits = new Uint32Array(scratch.buffer);
  const step = Math.max(1, Math.ceil(n / SAMPLE));
  let sampled = 0;
  for (let r = 0; r < n; r += step) {
    const x = o[r]!;
    const v = x + scale * (x - p[r]!);
    const base = was[r]!;
    let predicted = base;
    // A NaN prediction takes the base value's own bits (never its value read back).
    if (!Number.isNaN(v)) {
      scratch[0] = v;
      predicted = bits[0]!;
    }
    const value = now[r]!;
    const changed = value ^ base;
    const missed = value ^ predicted;
    plain[value & 255]!++;
    plain[256 + ((value >>> 8) & 255)]!++;
    plain[512 + ((value >>> 16) & 255)]!++;
    plain[768 + (value >>> 24)]!++;
    xor[changed & 255]!++;
    xor[256 + ((changed >>> 8) & 255)]!++;
    xor[512 + ((changed >>> 16) & 255)]!++;
    xor[768 + (changed >>> 24)]!++;
    lin[missed & 255]!++;
    lin[256 + ((missed >>> 8) & 255)]!++;
    lin[512 + ((missed >>> 16) & 255)]!++;
    lin[768 + (missed >>> 24)]!++;
    sampled++;
  }
  return sampled;
}

/** Counts the byte planes of a sample of a float column of `width` bytes, byte by byte (any type, any byte order). Returns the rows sampled. */
function sampleBytes(
  width: number,
  before: Column['values'],
  reference: Column['values'],
  next: Column['values'],
  scale: number,
  plain: Uint16Array,
  xor: Uint16Array,
  lin: Uint16Array,
): number {
  const n = (next as ArrayLike<number>).length;
  const a = valueBytes(before);
  const b = valueBytes(next);
  const scratch = width === 4 ? new Float32Array(2) : new Float64Array(2);
  const s = valueBytes(scratch);
  const step = Math.max(1, Math.ceil(n / SAMPLE));
  const o = before as Float32Array | Float64Array;
  const p = reference as Float32Array | Float64Array;
  let sampled = 0;
  for (let r = 0; r < n; r += step) {
    const v = o[r]! + scale * (o[r]! - p[r]!);
    if (!Number.isNaN(v)) scratch[0] = v;
    else {
      // NaN: the base value's own bits, copied as integers.
      s.set(a.subarray(r * width, (r + 1) * width));
    }
    const at = r * width;
    for (let k = 0, plane = 0; k < width; k++, plane += 256) {
      const value = b[at + k]!;
      plain[plane + value]!++;
      xor[plane + (value ^ a[at + k]!)]!++;
      lin[plane + (value ^ s[k]!)]!++;
    }
    sampled++;
  }
  return sampled;
}

/**
 * The predicted ("lin") column of a whole float field: for each row r, the bits of `next[r]`
 * XOR the bits of the prediction from `before[r]` and `reference[r]` (rows match one to one).
 */
export function linColumn(type: PredictedType, before: Column['values'], reference: Column['values'], next: Column['values'], scale: number): Float32Array | Float64Array {
  const n = (next as ArrayLike<number>).length;
  const out = type === 'f32' ? new Float32Array(n) : new Float64Array(n);
  valueBytes(out).set(valueBytes(before));
  predictInPlace(out, reference as Float32Array | Float64Array, scale);
  applyXor(type, out, next);
  return out;
}

/**
 * Applies a predicted change in place: `target` holds the base column (rows matching the
 * reference's one to one) and becomes the new column, prediction bits XOR `payload` bits.
 */
export function applyLin(target: Float32Array | Float64Array, reference: Float32Array | Float64Array, scale: number, payload: Float32Array | Float64Array): void {
  predictInPlace(target, reference, scale);
  applyXor(target instanceof Float32Array ? 'f32' : 'f64', target, payload);
}

/**
 * Replaces each value o of `values` by its prediction o + scale × (o − p); where that is NaN,
 * o stays as it is, bits and all (it is never read out and written back as a number).
 */
function predictInPlace(values: Float32Array | Float64Array, reference: Float32Array | Float64Array, scale: number): void {
  // Two copies of one loop, each monomorphic: a float32 store rounds to nearest-even (overflow to ±∞).
  if (values instanceof Float32Array) {
    const p = reference as Float32Array;
    for (let r = 0; r < values.length; r++) {
      const o = values[r]!;
      const v = o + scale * (o - p[r]!);
      if (!Number.isNaN(v)) values[r] = v;
    }
  } else {
    const p = reference as Float64Array;
    for (let r = 0; r < values.length; r++) {
      const o = values[r]!;
      const v = o + scale * (o - p[r]!);
      if (!Number.isNaN(v)) values[r] = v;
    }
  }
}
