import { crc32 as zlibCrc32 } from 'node:zlib';

// Node's zlib.crc32 (Node >= 20.15) is native and about 4-8x faster than the
// JavaScript slicing-by-8 loop used in browsers (crc32.browser.ts).

/** CRC-32 of `bytes`, continuing from `initial` (a previous result); native zlib. */
export function crc32(bytes: Uint8Array, initial = 0): number {
  return zlibCrc32(bytes, initial);
}

/** Which implementation this build uses. */
export const crc32Implementation: string = 'node:zlib';
