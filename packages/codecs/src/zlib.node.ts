// The Node.js implementation of `#zlib`: the native zlib shipped with Node.js.
import { deflateRawSync, gunzipSync, gzipSync, inflateRawSync } from 'node:zlib';
import type { ZlibFastPath } from './zlib-fast-path.js';

const view = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
// maxOutputLength makes zlib stop (with a RangeError) as soon as the output is too large.
const limit = (expected: number) => ({ maxOutputLength: Math.max(expected, 1) });

/** Native Deflate and gzip from `node:zlib`. */
export const zlibFastPath: ZlibFastPath | undefined = {
  deflateRaw: (raw, level) => view(deflateRawSync(raw, { level })),
  inflateRaw: (stored, expected) => view(inflateRawSync(stored, limit(expected))),
  gzip: (raw, level) => view(gzipSync(raw, { level })),
  gunzip: (stored, expected) => view(gunzipSync(stored, limit(expected))),
};
