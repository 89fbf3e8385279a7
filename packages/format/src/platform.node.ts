// Node fast paths for the two byte loops the container runs on every call; the browser
// build (platform.browser.ts) does the same in JavaScript, and tests prove they agree.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import type { Sha256Hasher } from './platform.browser.js';
import { jsCrc32 } from './platform.crc32-js.js';

export type { Sha256Hasher } from './platform.browser.js';

// Below this size the cost of calling into native code exceeds the JS loop's.
const NATIVE_FROM = 256;

/** CRC-32 of `bytes`, continuing from `initial` (a previous result); native zlib for all but tiny inputs. */
export function crc32(bytes: Uint8Array, initial = 0): number {
  return bytes.length < NATIVE_FROM ? jsCrc32(bytes, initial) : zlibCrc32(bytes, initial);
}

/** True when both byte ranges are equal; native memcmp. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** SHA-256 of `bytes`; native OpenSSL. */
export function sha256(bytes: Uint8Array): Uint8Array {
  const digest = createHash('sha256').update(bytes).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength).slice();
}

/** SHA-256 of `bytes`, as a promise (the same native call: it takes well under a millisecond). */
export async function sha256Async(bytes: Uint8Array): Promise<Uint8Array> {
  return sha256(bytes);
}

/** Nothing to load in Node.js (native hashing); kept so both builds have the same surface. */
export async function preparePlatform(): Promise<void> {}

/** A new incremental SHA-256; native OpenSSL. */
export function createSha256(): Sha256Hasher {
  const hash = createHash('sha256');
  return {
    update: (bytes) => void hash.update(bytes),
    digest: () => {
      const digest = hash.digest();
      return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength).slice();
    },
  };
}

/** Which implementation this build uses. */
export const platformImplementation: string = 'node';
