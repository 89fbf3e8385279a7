// Small byte helpers of the crypto tier: base64 without Node's Buffer (so the browser build
// needs nothing), random bytes from the platform's secure source, constant-time comparison, and
// errors. Hex comes from @tx2/pack-format.
import { PackError, type PackErrorCode } from '@tx2/pack-format';

/** Throws a PackError with `code` and a message that says what went wrong and what to do. */
export function fail(code: PackErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new PackError(code, message, details ? { details } : {});
}

/** A plain Uint8Array view of `bytes` (a Node Buffer or other subclass becomes a plain view, no copy). */
export function plain(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Checks that `value` is a Uint8Array, naming `what` otherwise. */
export function requireBytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) fail('InvalidInput', `${what} must be a Uint8Array, got ${describe(value)}`);
  return plain(value);
}

/** A short description of a value's type for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return typeof value;
}

/** Fills `out` from the platform's cryptographically secure random source (crypto.getRandomValues). */
export function secureRandom(out: Uint8Array): void {
  const crypto = globalThis.crypto;
  if (crypto === undefined || typeof crypto.getRandomValues !== 'function') {
    fail('Encryption', 'no secure random source: this platform lacks crypto.getRandomValues (Node.js 20+ and every current browser have it)');
  }
  // getRandomValues fills at most 65,536 bytes per call.
  for (let at = 0; at < out.length; at += 65536) crypto.getRandomValues(out.subarray(at, Math.min(out.length, at + 65536)));
}

/** Fills a byte array with random bytes, such as a nonce or a salt. */
export type RandomSource = (out: Uint8Array) => void;

/** Returns `length` bytes from `random`. */
export function randomBytes(length: number, random: RandomSource = secureRandom): Uint8Array {
  const out = new Uint8Array(length);
  random(out);
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;
// The URL-safe alphabet (RFC 4648 section 5) decodes too.
B64_INDEX['-'.charCodeAt(0)] = 62;
B64_INDEX['_'.charCodeAt(0)] = 63;

/** Standard base64 (RFC 4648 section 4) with padding. */
export function toBase64(bytes: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += B64[n >>> 18]! + B64[(n >>> 12) & 63]! + B64[(n >>> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    s += `${B64[n >>> 18]! + B64[(n >>> 12) & 63]!}==`;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    s += `${B64[n >>> 18]! + B64[(n >>> 12) & 63]! + B64[(n >>> 6) & 63]!}=`;
  }
  return s;
}

/** Decodes standard or URL-safe base64, padded or not; undefined when it is not base64. */
export function fromBase64(text: string): Uint8Array | undefined {
  const s = text.replace(/=+$/, '');
  if (s.length % 4 === 1 || text.length - s.length > 2) return undefined;
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let at = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c]! : -1;
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (acc >>> bits) & 0xff;
    }
  }
  // Leftover bits must be zero (a canonical encoding).
  if ((acc & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

/** True when both arrays hold the same bytes; takes the same time wherever they differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
