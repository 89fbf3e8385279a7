// The levels of every codec, kept apart from the codecs so that reading them loads no codec.
import type { CodecLevels } from './codec.js';

/** Zstandard levels: 1 to 22 (20 and up need much more memory), default 3. */
export const ZSTD_LEVELS: CodecLevels = Object.freeze({ min: 1, max: 22, default: 3, presets: Object.freeze({ fast: 1, default: 3, best: 19 }) });

/** LZ4 levels: 1 and 2 are the fast compressor, 3 to 12 the high-compression one (LZ4 HC). */
export const LZ4_LEVELS: CodecLevels = Object.freeze({ min: 1, max: 12, default: 1, presets: Object.freeze({ fast: 1, default: 1, best: 12 }) });

/** Deflate levels 1 (fastest) to 9 (smallest), default 6, as zlib. */
export const DEFLATE_LEVELS: CodecLevels = Object.freeze({ min: 1, max: 9, default: 6, presets: Object.freeze({ fast: 1, default: 6, best: 9 }) });

/** gzip levels 1 (fastest) to 9 (smallest), default 6, as the gzip tool. */
export const GZIP_LEVELS: CodecLevels = Object.freeze({ min: 1, max: 9, default: 6, presets: Object.freeze({ fast: 1, default: 6, best: 9 }) });

/** The identity codec has a single level, 0. */
export const NONE_LEVELS: CodecLevels = Object.freeze({ min: 0, max: 0, default: 0, presets: Object.freeze({ fast: 0, default: 0, best: 0 }) });
