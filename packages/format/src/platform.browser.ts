// Pure-JavaScript versions of the byte loops that Node runs natively (platform.node.ts);
// tests prove both builds agree.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of zlib and gzip.
// Slicing-by-8: eight lookup tables let the loop consume 8 bytes per iteration, several
// times faster than the classic byte-at-a-time table loop.
const TABLES = new Int32Array(256 * 8);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLES[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = TABLES[n]!;
  for (let t = 1; t < 8; t++) {
    c = TABLES[c & 0xff]! ^ (c >>> 8);
    TABLES[t * 256 + n] = c;
  }
}

/** CRC-32 of `bytes`, continuing from `initial` (a previous result); pure JavaScript. */
export function crc32(bytes: Uint8Array, initial = 0): number {
  const T = TABLES;
  let crc = ~initial;
  let i = 0;
  const end8 = bytes.length - (bytes.length & 7);
  while (i < end8) {
    const a = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) ^ crc;
    crc =
      T[1792 + (a & 0xff)]! ^
      T[1536 + ((a >>> 8) & 0xff)]! ^
      T[1280 + ((a >>> 16) & 0xff)]! ^
      T[1024 + (a >>> 24)]! ^
      T[768 + bytes[i + 4]!]! ^
      T[512 + bytes[i + 5]!]! ^
      T[256 + bytes[i + 6]!]! ^
      T[bytes[i + 7]!]!;
    i += 8;
  }
  while (i < bytes.length) crc = T[(crc ^ bytes[i++]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** True when both byte ranges are equal. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  // Compare 4 bytes at a time where both are aligned for it.
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0) {
    const words = n >>> 2;
    const wa = new Int32Array(a.buffer, a.byteOffset, words);
    const wb = new Int32Array(b.buffer, b.byteOffset, words);
    for (let i = 0; i < words; i++) if (wa[i] !== wb[i]) return false;
    for (let i = words * 4; i < n; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** SHA-256 of `bytes` (@noble/hashes). */
export function sha256(bytes: Uint8Array): Uint8Array {
  return nobleSha256(bytes);
}

/** A SHA-256 computed piece by piece (for bytes that are streamed, never held whole). */
export interface Sha256Hasher {
  /** Adds `bytes` to the hashed data. */
  update(bytes: Uint8Array): void;
  /** The SHA-256 of everything added (call once). */
  digest(): Uint8Array;
}

/** A new incremental SHA-256 (@noble/hashes). */
export function createSha256(): Sha256Hasher {
  const hash = nobleSha256.create();
  return { update: (bytes) => void hash.update(bytes), digest: () => hash.digest() };
}

/** Which implementation this build uses. */
export const platformImplementation: string = 'javascript';
