/**
 * Native Deflate/gzip, where the platform has it (Node.js `node:zlib`). Its output is
 * standard Deflate/gzip that the pure-JavaScript path (fflate) decodes identically, and
 * the other way round; the codecs use it only to go faster.
 */
export interface ZlibFastPath {
  deflateRaw(raw: Uint8Array, level: number): Uint8Array;
  /** Inflates raw Deflate, failing as soon as the output passes `expectedSize`. */
  inflateRaw(stored: Uint8Array, expectedSize: number): Uint8Array;
  gzip(raw: Uint8Array, level: number): Uint8Array;
  /** Decompresses gzip, failing as soon as the output passes `expectedSize`. */
  gunzip(stored: Uint8Array, expectedSize: number): Uint8Array;
}
