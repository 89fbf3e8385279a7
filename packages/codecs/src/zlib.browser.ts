// The browser (and any non-Node.js) implementation of `#zlib`: none, fflate is used.
import type { ZlibFastPath } from './zlib-fast-path.js';

/** No native Deflate outside Node.js: the codecs use fflate. */
export const zlibFastPath: ZlibFastPath | undefined = undefined;
