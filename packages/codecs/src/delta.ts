// Delta: each fixed-width little-endian unsigned integer is replaced by its difference
// from the previous one (wrapping), the first kept as is. Sorted ids such as entity sets
// become runs of small numbers. Bytes past the last whole value are kept in place.
import { FilterId, type SectionFilter } from '@tx2/pack-format';
import { checkFilterArgs, sectionFilter } from './section-filter.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Writes the deltas of `src` (values of `width` bytes) into `dst`, which must have the same length; PackError('InvalidInput') otherwise. */
export function deltaEncodeInto(src: Uint8Array, width: number, dst: Uint8Array): Uint8Array {
  checkFilterArgs('delta', 'delta', src, width, dst, 'InvalidInput');
  const count = Math.floor(src.length / width);
  if (width === 4 && LITTLE_ENDIAN && src.byteOffset % 4 === 0 && dst.byteOffset % 4 === 0) {
    const s = new Uint32Array(src.buffer, src.byteOffset, count);
    const d = new Uint32Array(dst.buffer, dst.byteOffset, count);
    let previous = 0;
    for (let i = 0; i < count; i++) {
      const v = s[i]!;
      d[i] = v - previous;
      previous = v;
    }
  } else if (width === 1) {
    let previous = 0;
    for (let i = 0; i < count; i++) {
      const v = src[i]!;
      dst[i] = v - previous;
      previous = v;
    }
  } else {
    // Any width: byte-wise subtraction with borrow, least significant byte first.
    for (let i = count - 1; i >= 0; i--) {
      let borrow = 0;
      const at = i * width;
      for (let b = 0; b < width; b++) {
        const diff = src[at + b]! - (i === 0 ? 0 : src[at - width + b]!) - borrow;
        dst[at + b] = diff;
        borrow = diff < 0 ? 1 : 0;
      }
    }
  }
  const whole = count * width;
  if (whole < src.length) dst.set(src.subarray(whole), whole);
  return dst;
}

/** Writes the inverse of `deltaEncodeInto` (running sums) into `dst`; PackError('InvalidInput') on bad arguments. */
export function deltaDecodeInto(src: Uint8Array, width: number, dst: Uint8Array): Uint8Array {
  checkFilterArgs('delta', 'undelta', src, width, dst, 'InvalidInput');
  const count = Math.floor(src.length / width);
  if (width === 4 && LITTLE_ENDIAN && src.byteOffset % 4 === 0 && dst.byteOffset % 4 === 0) {
    const s = new Uint32Array(src.buffer, src.byteOffset, count);
    const d = new Uint32Array(dst.buffer, dst.byteOffset, count);
    let sum = 0;
    for (let i = 0; i < count; i++) {
      sum = (sum + s[i]!) >>> 0;
      d[i] = sum;
    }
  } else if (width === 1) {
    let sum = 0;
    for (let i = 0; i < count; i++) {
      sum = (sum + src[i]!) & 0xff;
      dst[i] = sum;
    }
  } else {
    for (let i = 0; i < count; i++) {
      let carry = 0;
      const at = i * width;
      for (let b = 0; b < width; b++) {
        const total = src[at + b]! + (i === 0 ? 0 : dst[at - width + b]!) + carry;
        dst[at + b] = total;
        carry = total > 0xff ? 1 : 0;
      }
    }
  }
  const whole = count * width;
  if (whole < src.length) dst.set(src.subarray(whole), whole);
  return dst;
}

/** The delta filter (filter id 2) for `encodeSnapshot` / `decodeSnapshot`. */
export const deltaFilter: SectionFilter = sectionFilter(FilterId.Delta, 'delta', ['delta', 'undelta'], deltaEncodeInto, deltaDecodeInto);
