// @tx2/pack-codecs/workers: section compression on Node.js worker threads (Node only; the
// main entry stays browser-safe).
export { createCompressionPool, POOL_DEFAULTS, type CompressionPool, type CompressionPoolOptions } from './compression-pool.js';
