// Byte-shuffle (as in Blosc): the bytes of fixed-width values are spread into planes, byte
// 0 of every value first, then byte 1, ... Floats and small integers then present long runs
// of similar bytes (signs and exponents, high zero bytes) that compressors code well.
// Bytes past the last whole value are kept in place at the end.
//
// 4- and 8-byte values use a tiny WebAssembly SIMD module (wasm/shuffle.c, ~2.5 KB, compiled
// synchronously on first use) about 7x faster than JavaScript; everything else, and any
// runtime without WebAssembly SIMD, uses the typed-array loops below, which give identical bytes.
import { FilterId, type SectionFilter } from '@tx2/pack-format';
import { checkFilterArgs, sectionFilter } from './section-filter.js';
import { decodeBase64 } from './wasm/instance.js';
import { SHUFFLE_WASM_BASE64 } from './wasm/shuffle-binary.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** True when the 4x4 word transposition applies: little-endian host, aligned buffers, a multiple of 4 values. */
function wordPath(src: Uint8Array, dst: Uint8Array, width: number, count: number): boolean {
  return LITTLE_ENDIAN && (width === 4 || width === 8) && count % 4 === 0 && src.byteOffset % 4 === 0 && dst.byteOffset % 4 === 0;
}

interface ShuffleWasm {
  readonly memory: WebAssembly.Memory;
  tx_shuffle4(src: number, dst: number, count: number): void;
  tx_unshuffle4(src: number, dst: number, count: number): void;
  tx_shuffle8(src: number, dst: number, count: number): void;
  tx_unshuffle8(src: number, dst: number, count: number): void;
}

// Below this many values the copies in and out of WebAssembly memory cost more than they save.
const SIMD_MIN_VALUES = 64;
// Values per pass through the module's memory (64 or 128 KiB of values, the same again of planes).
const SIMD_CHUNK_VALUES = 16384;
let simd: ShuffleWasm | null | undefined;
let simdBase = 0;

/** The SIMD module, instantiated on first use; null where WebAssembly SIMD is unavailable (or blocked). */
function simdModule(): ShuffleWasm | null {
  if (simd !== undefined) return simd;
  simd = null;
  try {
    const bytes = decodeBase64(SHUFFLE_WASM_BASE64);
    if (typeof WebAssembly === 'object' && WebAssembly.validate(bytes)) {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
      simd = instance.exports as unknown as ShuffleWasm;
      simdBase = simd.memory.buffer.byteLength; // the module's own data and stack lie below
    }
  } catch {
    simd = null;
  }
  return simd;
}

/** Which implementation handles 4- and 8-byte values here: 'simd' (WebAssembly) or 'js'. */
export function shuffleImplementation(): 'simd' | 'js' {
  return simdModule() === null ? 'js' : 'simd';
}

/**
 * Runs the SIMD kernel when it applies; false when the caller must use the JavaScript loops.
 * Values go through the module's memory in chunks of SIMD_CHUNK_VALUES, so that memory stays
 * small whatever the section size, and `dst` (which may be another module's memory) receives
 * each chunk's slice of every plane directly.
 */
function simdShuffle(inverse: boolean, src: Uint8Array, width: number, dst: Uint8Array, count: number): boolean {
  if ((width !== 4 && width !== 8) || count < SIMD_MIN_VALUES) return false;
  const wasm = simdModule();
  if (wasm === null) return false;
  const chunk = Math.min(count, SIMD_CHUNK_VALUES);
  const span = chunk * width;
  const needed = simdBase + 2 * span;
  const have = wasm.memory.buffer.byteLength;
  if (needed > have) {
    try {
      wasm.memory.grow(Math.ceil((needed - have) / 65536));
    } catch {
      return false; // no memory to spare: the loops need none
    }
  }
  const memory = new Uint8Array(wasm.memory.buffer);
  const values = simdBase;
  const planes = simdBase + span;
  for (let first = 0; first < count; first += chunk) {
    const n = Math.min(chunk, count - first);
    if (inverse) {
      for (let p = 0; p < width; p++) memory.set(src.subarray(p * count + first, p * count + first + n), planes + p * n);
      (width === 4 ? wasm.tx_unshuffle4 : wasm.tx_unshuffle8)(planes, values, n);
      dst.set(memory.subarray(values, values + n * width), first * width);
    } else {
      memory.set(src.subarray(first * width, (first + n) * width), values);
      (width === 4 ? wasm.tx_shuffle4 : wasm.tx_shuffle8)(values, planes, n);
      for (let p = 0; p < width; p++) dst.set(memory.subarray(planes + p * n, planes + (p + 1) * n), p * count + first);
    }
  }
  const whole = count * width;
  if (whole < src.length) dst.set(src.subarray(whole), whole);
  return true;
}

/** Writes the byte-shuffle of `src` (values of `width` bytes) into `dst`, which must have the same length; PackError('InvalidInput') otherwise. */
export function shuffleInto(src: Uint8Array, width: number, dst: Uint8Array): Uint8Array {
  checkFilterArgs('shuffle', 'shuffle', src, width, dst, 'InvalidInput');
  if (simdShuffle(false, src, width, dst, Math.floor(src.length / width))) return dst;
  return portableShuffleInto(src, width, dst);
}

/** Writes the inverse of `shuffleInto` into `dst`; PackError('InvalidInput') on bad arguments. */
export function unshuffleInto(src: Uint8Array, width: number, dst: Uint8Array): Uint8Array {
  checkFilterArgs('shuffle', 'unshuffle', src, width, dst, 'InvalidInput');
  if (simdShuffle(true, src, width, dst, Math.floor(src.length / width))) return dst;
  return portableUnshuffleInto(src, width, dst);
}

/** `shuffleInto` with the JavaScript loops only (the path of runtimes without WebAssembly SIMD). */
export function portableShuffleInto(src: Uint8Array, width: number, dst: Uint8Array): Uint8Array {
  checkFilterArgs('shuffle', 'shuffle', src, width, dst, 'InvalidInput');
  const count = Math.floor(src.length / width);
  const whole = count * width;
  if (wordPath(src, dst, width, count)) {
    const s = new Int32Array(src.buffer, src.byteOffset, whole / 4);
    const d = new Int32Array(dst.buffer, dst.byteOffset, whole / 4);
    transposeValuesToPlanes(s, d, count / 4, width / 4);
  } else if (width === 2) {
    for (let i = 0; i < count; i++) {
      dst[i] = src[2 * i]!;
      dst[count + i] = src[2 * i + 1]!;
    }
  } else {
    for (let b = 0; b < width; b++) {
      const plane = b * count;
      for (let i = 0, at = b; i < count; i++, at += width) dst[plane + i] = src[at]!;
    }
  }
  if (whole < src.length) dst.set(src.subarray(whole), whole);
  return dst;
}

/** Values (words per value: 1 or 2) to planes: planes 4w..4w+3 come from word w of each value. */
function transposeValuesToPlanes(s: Int32Array, d: Int32Array, groups: number, wordsPerValue: number): void {
  const stride = 4 * wordsPerValue;
  for (let w = 0; w < wordsPerValue; w++) {
    const planeBase = 4 * w * groups;
    for (let j = 0; j < groups; j++) {
      const at = j * stride + w;
      const a = s[at]!;
      const b = s[at + wordsPerValue]!;
      const c = s[at + 2 * wordsPerValue]!;
      const e = s[at + 3 * wordsPerValue]!;
      const t0 = (a & 0x00ff00ff) | ((b & 0x00ff00ff) << 8);
      const t1 = ((a >>> 8) & 0x00ff00ff) | (b & 0xff00ff00);
      const t2 = (c & 0x00ff00ff) | ((e & 0x00ff00ff) << 8);
      const t3 = ((c >>> 8) & 0x00ff00ff) | (e & 0xff00ff00);
      d[planeBase + j] = (t0 & 0xffff) | (t2 << 16);
      d[planeBase + groups + j] = (t1 & 0xffff) | (t3 << 16);
      d[planeBase + 2 * groups + j] = (t0 >>> 16) | (t2 & 0xffff0000);
      d[planeBase + 3 * groups + j] = (t1 >>> 16) | (t3 & 0xffff0000);
    }
  }
}

/** Planes back to values: the inverse of `transposeValuesToPlanes`. */
function transposePlanesToValues(s: Int32Array, d: Int32Array, groups: number, wordsPerValue: number): void {
  const stride = 4 * wordsPerValue;
  for (let w = 0; w < wordsPerValue; w++) {
    const planeBase = 4 * w * groups;
    for (let j = 0; j < groups; j++) {
      const a = s[planeBase + j]!;
      const b = s[planeBase + groups + j]!;
      const c = s[planeBase + 2 * groups + j]!;
      const e = s[planeBase + 3 * groups + j]!;
      const t0 = (a & 0x00ff00ff) | ((b & 0x00ff00ff) << 8);
      const t1 = ((a >>> 8) & 0x00ff00ff) | (b & 0xff00ff00);
      const t2 = (c & 0x00ff00ff) | ((e & 0x00ff00ff) << 8);
      const t3 = ((c >>> 8) & 0x00ff00ff) | (e & 0xff00ff00);
      const at = j * stride + w;
      d[at] = (t0 & 0xffff) | (t2 << 16);
      d[at + wordsPerValue] = (t1 & 0xffff) | (t3 << 16);
      d[at + 2 * wordsPerValue] = (t0 >>> 16) | (t2 & 0xffff0000);
      d[at + 3 * wordsPerValue] = (t1 >>> 16) | (t3 & 0xffff0000);
    }
  }
}

/** `unshuffleInto` with the JavaScript loops only. */
export function portableUnshuffleInto(src: Uint8Array, width: number, dst: Uint8Array): Uint8Array {
  checkFilterArgs('shuffle', 'unshuffle', src, width, dst, 'InvalidInput');
  const count = Math.floor(src.length / width);
  const whole = count * width;
  if (wordPath(src, dst, width, count)) {
    const s = new Int32Array(src.buffer, src.byteOffset, whole / 4);
    const d = new Int32Array(dst.buffer, dst.byteOffset, whole / 4);
    transposePlanesToValues(s, d, count / 4, width / 4);
  } else if (width === 2) {
    for (let i = 0; i < count; i++) {
      dst[2 * i] = src[i]!;
      dst[2 * i + 1] = src[count + i]!;
    }
  } else {
    for (let b = 0; b < width; b++) {
      const plane = b * count;
      for (let i = 0, at = b; i < count; i++, at += width) dst[at] = src[plane + i]!;
    }
  }
  if (whole < src.length) dst.set(src.subarray(whole), whole);
  return dst;
}

/** The byte-shuffle filter (filter id 1) for `encodeSnapshot` / `decodeSnapshot`. */
export const shuffleFilter: SectionFilter = sectionFilter(FilterId.ByteShuffle, 'shuffle', ['shuffle', 'unshuffle'], shuffleInto, unshuffleInto);
