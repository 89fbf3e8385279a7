// gzip (RFC 1952) through fflate, with Node.js's native zlib as a fast path.
import { CodecId, crc32 } from '@tx2/pack-format';
import { Gunzip, Gzip, gzipSync } from 'fflate';
import { zlibFastPath } from '#zlib';
import { checkExpectedSize, checkLevel, checkPlausible, type Codec, CodecError, guarded, requireBytes } from './codec.js';
import { GZIP_LEVELS } from './levels.js';
import type { ZlibCodecOptions } from './deflate.js';
import { fflateCompressor, fflateDecompressor, nativeCall } from './fflate-streams.js';
import { inflateBounded } from './inflate-bounded.js';
import { type ChunkProcessor, processorStream } from './streams.js';


const MAX_RATIO = 1032;

/** Loads the gzip codec. */
export async function loadGzip(options: ZlibCodecOptions = {}): Promise<Codec> {
  const native = options.native === false ? undefined : zlibFastPath;
  const codec: Codec = {
    id: CodecId.Gzip,
    name: 'gzip',
    levels: GZIP_LEVELS,
    compress(raw, level) {
      const lv = checkLevel('gzip', GZIP_LEVELS, level);
      requireBytes('gzip', raw, 'the data to compress');
      // mtime 0 keeps the output deterministic (as zlib does).
      return guarded('gzip', 'Compression', () => (native !== undefined ? native.gzip(raw, lv) : gzipSync(raw, { level: lv as 1, mtime: 0 })));
    },
    decompress(stored, expectedSize) {
      requireBytes('gzip', stored, 'the data to decompress');
      checkExpectedSize('gzip', expectedSize);
      checkPlausible('gzip', stored, expectedSize, MAX_RATIO, 64);
      if (native !== undefined) return nativeCall('gzip', expectedSize, () => native.gunzip(stored, expectedSize));
      return guarded('gzip', 'Decompression', () => {
        const gunzip = new Gunzip();
        let members = 1;
        gunzip.onmember = () => members++;
        const out = inflateBounded('gzip', gunzip, stored, expectedSize);
        // fflate does not check the trailer: do it (for the usual single-member stream).
        if (members === 1) checkTrailer(stored.subarray(Math.max(0, stored.length - 8)), crc32(out), out.length);
        return out;
      });
    },
    compressStream(level) {
      const lv = checkLevel('gzip', GZIP_LEVELS, level);
      return processorStream('gzip', 'Compression', () => fflateCompressor(new Gzip({ level: lv as 1, mtime: 0 })));
    },
    decompressStream(expectedSize) {
      checkExpectedSize('gzip', expectedSize);
      return processorStream('gzip', 'Decompression', () => checkedGunzip(expectedSize));
    },
  };
  return Object.freeze(codec);
}

/** Throws unless `trailer` (the last 8 bytes) holds the CRC-32 and the size modulo 2^32 of the output. */
function checkTrailer(trailer: Uint8Array, crc: number, size: number): void {
  if (trailer.length < 8) throw new CodecError('gzip', 'the stream has no trailer: the section is truncated');
  const view = new DataView(trailer.buffer, trailer.byteOffset, 8);
  if (view.getUint32(0, true) !== crc >>> 0 || view.getUint32(4, true) !== size % 2 ** 32) {
    throw new CodecError('gzip', 'the CRC-32 or size in the gzip trailer does not match the data: the section is corrupt or truncated');
  }
}

/** A streaming gunzip that also checks the trailer of a single-member stream. */
function checkedGunzip(expectedSize: number): ChunkProcessor {
  const gunzip = new Gunzip();
  let members = 1;
  gunzip.onmember = () => members++;
  const inner = fflateDecompressor('gzip', gunzip, expectedSize);
  let crc = 0;
  let size = 0;
  const tail = new Uint8Array(8);
  let tailLength = 0;
  const counted = (emit: (out: Uint8Array) => void) => (out: Uint8Array) => {
    crc = crc32(out, crc);
    size += out.length;
    emit(out);
  };
  return {
    push(chunk, emit) {
      // Keep the last 8 input bytes: the trailer, once the input ends.
      if (chunk.length >= 8) tail.set(chunk.subarray(chunk.length - 8));
      else {
        tail.copyWithin(0, chunk.length);
        tail.set(chunk, 8 - chunk.length);
      }
      tailLength = Math.min(8, tailLength + chunk.length);
      inner.push(chunk, counted(emit));
    },
    finish(emit) {
      inner.finish(counted(emit));
      if (members === 1) checkTrailer(tail.subarray(8 - tailLength), crc, size);
    },
    dispose: () => inner.dispose(),
  };
}
