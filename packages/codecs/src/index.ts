// @tx2/pack-codecs: compression codecs and column filters for tx2-pack snapshots.
// Codecs load lazily (`loadCodec`, `createCodecRegistry`); afterwards they are synchronous.
export {
  type Codec,
  type CodecName,
  type CodecLevels,
  type LevelPreset,
  CodecError,
  resolveLevel,
} from './codec.js';
export { noneCodec } from './none.js';
export { CodecId, FilterId } from '@tx2/pack-format';
export { NONE_LEVELS, LZ4_LEVELS, ZSTD_LEVELS, DEFLATE_LEVELS, GZIP_LEVELS } from './levels.js';
export type { ZstdOptions } from './zstd.js';
export type { ZlibCodecOptions } from './deflate.js';
export { shuffleFilter, shuffleInto, unshuffleInto, shuffleImplementation } from './shuffle.js';
export { deltaFilter, deltaEncodeInto, deltaDecodeInto } from './delta.js';
export { autoFilter, filterChooser, filterById, type FilterChoice } from './auto-filter.js';
export {
  CODEC_NAMES,
  loadCodec,
  createCodecRegistry,
  codecNameOf,
  type CodecRegistry,
  type LoadCodecOptions,
} from './registry.js';
export { codecsOnDemand } from './on-demand.js';
export { packOptions, readOptions, DEFAULT_PACK, type PackOptionsInput, type ReadOptionsInput } from './options.js';
