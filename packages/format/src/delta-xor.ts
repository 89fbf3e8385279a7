// Temporal deltas of numeric fields (docs/format.md §13.3, the "xor" field encoding): a field
// whose values all moved a little is stored as the XOR of each value's bits with the bits it
// held before, not as the new values. Floats that changed slowly keep their sign, exponent and
// high mantissa bits, so the XOR's high bytes are zero; the byte-shuffle filter gathers them
// into planes of zeros that any codec shrinks to almost nothing.
import { bytesOf } from './byte-view.js';
import { allocate, type Words, wordsOf } from './delta-rows.js';
import { FIELD_TYPES, type FieldType } from './field-types.js';
import type { Column } from './model.js';

/** When `diff` stores a whole numeric field as a temporal (XOR) delta. */
export type XorMode = 'auto' | 'always' | 'never';

/** Values sampled to estimate whether the XOR compresses better than the values. */
export const SAMPLE = 1024;

/** `c * log2(c)` for every count a sample can reach: the entropy without a logarithm per byte value. */
const C_LOG_C = Float64Array.from({ length: SAMPLE + 1 }, (_, c) => (c === 0 ? 0 : c * Math.log2(c)));

/** The XOR must be estimated at least this much smaller than the values (it costs a pass to apply). */
export const MIN_GAIN = 0.9;

/** The bytes of a numeric column's values. */
export function valueBytes(values: Column['values']): Uint8Array {
  return bytesOf(values as unknown as ArrayBufferView);
}

/** Order-0 entropy, in bits, of the bytes counted in `counts` (`total` ≤ SAMPLE of them, from `from`): total·log2(total) − Σ c·log2(c). */
export function entropyBits(counts: Uint16Array, from: number, total: number): number {
  let sum = 0;
  for (let i = from; i < from + 256; i++) sum += C_LOG_C[counts[i]!]!;
  return C_LOG_C[total]! - sum;
}

/**
 * True when a whole numeric column `next` is estimated to compress better as its XOR with
 * `before` (each target row's value before the patch, `source[r]` its base row, -1 for an added
 * row, undefined when rows match one to one). The estimate is the order-0 entropy of each byte
 * plane (what byte-shuffle then a codec's entropy stage see) over an even sample of rows.
 */
export function xorPays(type: FieldType, before: Column['values'], next: Column['values'], source: Int32Array | undefined): boolean {
  const width = FIELD_TYPES[type].width;
  const n = (next as ArrayLike<unknown>).length;
  if (width === 0 || n === 0) return false;
  const a = valueBytes(before);
  const b = valueBytes(next);
  const step = Math.max(1, Math.ceil(n / SAMPLE));
  const plain = new Uint16Array(256 * width);
  const xor = new Uint16Array(256 * width);
  let sampled = 0;
  for (let r = 0; r < n; r += step) {
    const from = source === undefined ? r : source[r]!;
    const at = r * width;
    const was = from * width;
    for (let k = 0, plane = 0; k < width; k++, plane += 256) {
      const value = b[at + k]!;
      plain[plane + value]!++;
      xor[plane + (from < 0 ? 0 : value ^ a[was + k]!)]!++;
    }
    sampled++;
  }
  let plainBits = 0;
  let xorBits = 0;
  for (let plane = 0; plane < 256 * width; plane += 256) {
    plainBits += entropyBits(plain, plane, sampled);
    xorBits += entropyBits(xor, plane, sampled);
  }
  return xorBits < plainBits * MIN_GAIN;
}

/** XORs word views `x` and `y` into `out` (all of one class and length). */
function xorInto(out: Words['words'], x: Words['words'], y: Words['words']): void {
  // 32-bit words (every type but the narrow ones) in their own loop: one element kind keeps V8's access monomorphic.
  if (out instanceof Uint32Array) xorInto32(out, x as Uint32Array, y as Uint32Array);
  else for (let i = 0; i < out.length; i++) out[i] = x[i]! ^ y[i]!;
}

function xorInto32(out: Uint32Array, x: Uint32Array, y: Uint32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = x[i]! ^ y[i]!;
}

/**
 * The XOR column of a whole numeric field: for each target row `r`, the bits of `next[r]` XOR
 * those of its value before the patch (`before[source[r]]`; zero for an added row, whose value
 * before the patch is already `next[r]`; `before[r]` when `source` is undefined).
 */
export function xorColumn(type: FieldType, before: Column['values'], next: Column['values'], source: Int32Array | undefined): Column['values'] {
  const n = (next as ArrayLike<unknown>).length;
  const out = allocate(type, n);
  const o = out.words!;
  const x = wordsOf(type, before)!;
  const y = wordsOf(type, next)!;
  if (source === undefined) xorInto(o.words, x.words, y.words);
  else {
    const per = o.per;
    for (let r = 0; r < n; r++) {
      const from = source[r]!;
      for (let w = 0; w < per; w++) o.words[r * per + w] = from < 0 ? 0 : x.words[from * per + w]! ^ y.words[r * per + w]!;
    }
  }
  return out.values as Column['values'];
}

/** XORs `delta` (an XOR column of the same type and length) into `target` in place: the patched column. */
export function applyXor(type: FieldType, target: Column['values'], delta: Column['values']): void {
  const t = wordsOf(type, target)!;
  const d = wordsOf(type, delta)!;
  xorInto(t.words, t.words, d.words);
}
