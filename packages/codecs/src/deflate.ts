// Raw Deflate (RFC 1951) through fflate, with Node.js's native zlib as a fast path.
import { CodecId } from '@tx2/pack-format';
import { Deflate, deflateSync, Inflate, inflateSync } from 'fflate';
import { zlibFastPath } from '#zlib';
import { checkExpectedSize, checkLevel, checkPlausible, type Codec, guarded, requireBytes } from './codec.js';
import { DEFLATE_LEVELS } from './levels.js';
import { inflateBounded, inflateOneShot } from './inflate-bounded.js';
import { fflateCompressor, fflateDecompressor, nativeCall } from './fflate-streams.js';
import { processorStream } from './streams.js';

/** Options of the Deflate and gzip codecs. */
export interface ZlibCodecOptions {
  /** Use Node.js's native zlib when it is there (default true); false forces the pure-JavaScript path. */
  native?: boolean;
}

// Deflate's best ratio: 258 bytes per 2-bit code, about 1032:1.
const MAX_RATIO = 1032;

/** Loads the raw-Deflate codec. */
export async function loadDeflate(options: ZlibCodecOptions = {}): Promise<Codec> {
  const native = options.native === false ? undefined : zlibFastPath;
  const codec: Codec = {
    id: CodecId.Deflate,
    name: 'deflate',
    levels: DEFLATE_LEVELS,
    compress(raw, level) {
      const lv = checkLevel('deflate', DEFLATE_LEVELS, level);
      requireBytes('deflate', raw, 'the data to compress');
      return guarded('deflate', 'Compression', () => (native !== undefined ? native.deflateRaw(raw, lv) : deflateSync(raw, { level: lv as 1 })));
    },
    decompress(stored, expectedSize) {
      requireBytes('deflate', stored, 'the data to decompress');
      checkExpectedSize('deflate', expectedSize);
      checkPlausible('deflate', stored, expectedSize, MAX_RATIO, 64);
      if (native !== undefined) return nativeCall('deflate', expectedSize, () => native.inflateRaw(stored, expectedSize));
      return guarded(
        'deflate',
        'Decompression',
        () => inflateOneShot(stored, expectedSize, (s, out) => inflateSync(s, { out })) ?? inflateBounded('deflate', new Inflate(), stored, expectedSize),
      );
    },
    compressStream(level) {
      const lv = checkLevel('deflate', DEFLATE_LEVELS, level);
      return processorStream('deflate', 'Compression', () => fflateCompressor(new Deflate({ level: lv as 1 })));
    },
    decompressStream(expectedSize) {
      checkExpectedSize('deflate', expectedSize);
      return processorStream('deflate', 'Decompression', () => fflateDecompressor('deflate', new Inflate(), expectedSize));
    },
  };
  return Object.freeze(codec);
}
