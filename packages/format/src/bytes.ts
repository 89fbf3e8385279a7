// The byte helpers every tier needs (u64 fields, alignment, hex, id equality), written once
// here: upper tiers import them instead of keeping copies.
import { PackError } from './errors.js';
import { ALIGNMENT } from './layout.js';

export { sameIds } from './arrays.js';
export { bytesOf } from './byte-view.js';

const U32 = 2 ** 32;

/** Rounds `n` up to the container alignment (8 bytes). */
export function align(n: number): number {
  const rest = n % ALIGNMENT;
  return rest === 0 ? n : n + ALIGNMENT - rest;
}

/** Writes `value` (an integer below 2^53) as a little-endian u64 at `offset`. */
export function setU64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value % U32, true);
  view.setUint32(offset + 4, Math.floor(value / U32), true);
}

/** Reads a little-endian u64 at `offset`; InvalidFormat when it does not fit a JavaScript number exactly. */
export function getU64(view: DataView, offset: number, what = 'a 64-bit field'): number {
  const high = view.getUint32(offset + 4, true);
  if (high >= 0x200000) throw new PackError('InvalidFormat', `${what} is larger than 2^53: the file is corrupt`, { details: { offset } });
  return high * U32 + view.getUint32(offset, true);
}

/** A DataView over exactly the bytes of `bytes`. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Bytes as lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!];
  return out;
}

/** True when `value` is a Uint8Array, also one made in another realm (a worker's, a vm context's), where `instanceof` fails. */
export function isBytes(value: unknown): value is Uint8Array {
  return Object.prototype.toString.call(value) === '[object Uint8Array]';
}

/** True when `text` is a SHA-256 digest as this project writes it: exactly 64 lowercase hex digits. */
export function isSha256Hex(text: unknown): text is string {
  return typeof text === 'string' && /^[0-9a-f]{64}$/.test(text);
}

/** Lowercase or uppercase hex as bytes; InvalidInput when `hex` is not an even run of hex digits. */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new PackError('InvalidInput', 'expected an even number of hex digits');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
