// gzip (RFC 1952) through fflate, with Node.js's native zlib as a fast path.
import { CodecId, crc32 } from '@tx2/pack-format';
import { Gunzip, Gzip, gunzipSync, gzipSync } from 'fflate';
import { zlibFastPath } from '#zlib';
import { checkExpectedSize, checkLevel, checkPlausible, type Codec, CodecError, guarded, requireBytes } from './codec.js';
import { GZIP_LEVELS } from './levels.js';
import type { ZlibCodecOptions } from './deflate.js';
import { fflateCompressor, fflateDecompressor, nativeCall } from './fflate-streams.js';
import { inflateBounded, inflateOneShot } from './inflate-bounded.js';
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
        // One member (the usual case) in one call, checked against the trailer at the end. Only
        // when no second member can start: gunzipSync would ignore it, the member check not.
        const whole = mayHoldOneMemberOnly(stored) ? inflateOneShot(stored, expectedSize, (s, out) => gunzipSync(s, { out })) : undefined;
        if (whole !== undefined && trailerMatches(stored.subarray(stored.length - 8), crc32(whole), expectedSize)) return whole;
        // fflate checks no member trailer: check each one as its member ends (RFC 1952 2.2).
        const gunzip = new Gunzip();
        const member = new MemberCheck();
        gunzip.onmember = (offset) => member.end(stored.subarray(offset - 8, offset));
        const out = inflateBounded('gzip', gunzip, stored, expectedSize, (chunk) => member.add(chunk));
        member.end(stored.subarray(Math.max(0, stored.length - 8)));
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

/** False when the gzip magic and method (1f 8b 08) occur past the first header: a second member may start there. */
function mayHoldOneMemberOnly(stored: Uint8Array): boolean {
  for (let at = stored.indexOf(0x1f, 1); at >= 0 && at + 2 < stored.length; at = stored.indexOf(0x1f, at + 1)) {
    if (stored[at + 1] === 0x8b && stored[at + 2] === 0x08) return false;
  }
  return true;
}

/** True when `trailer` (8 bytes) holds the CRC-32 and the size modulo 2^32 of the output. */
function trailerMatches(trailer: Uint8Array, crc: number, size: number): boolean {
  if (trailer.length < 8) return false;
  const view = new DataView(trailer.buffer, trailer.byteOffset, 8);
  return view.getUint32(0, true) === crc >>> 0 && view.getUint32(4, true) === size % 2 ** 32;
}

/** Throws unless `trailer` (8 bytes) holds the CRC-32 and the size modulo 2^32 of the output. */
function checkTrailer(trailer: Uint8Array, crc: number, size: number): void {
  if (trailer.length < 8) throw new CodecError('gzip', 'the stream has no trailer: the section is truncated');
  if (!trailerMatches(trailer, crc, size)) {
    throw new CodecError('gzip', 'the CRC-32 or size in a gzip member trailer does not match its data: the section is corrupt or truncated');
  }
}

/** The CRC-32 and size of the current gzip member's output, checked against its trailer when it ends. */
class MemberCheck {
  #crc = 0;
  #size = 0;

  /** Counts `out`, the next output bytes of the current member. */
  add(out: Uint8Array): void {
    this.#crc = crc32(out, this.#crc);
    this.#size += out.length;
  }

  /** Checks the member that just ended against its 8 trailer bytes; the next member starts from zero. */
  end(trailer: Uint8Array): void {
    checkTrailer(trailer, this.#crc, this.#size);
    this.#crc = 0;
    this.#size = 0;
  }
}

// A member's trailer is read once fflate has parsed the next member's header, which may come
// in a later chunk: the streaming check keeps this much input behind the current chunk.
const TAIL = 128 * 1024;

/** The last TAIL input bytes before the current chunk (a ring), and the current chunk. */
class InputTail {
  readonly #ring = new Uint8Array(TAIL);
  #before = 0;
  #chunk: Uint8Array = new Uint8Array(0);

  /** Makes `chunk` the current chunk. */
  begin(chunk: Uint8Array): void {
    this.#chunk = chunk;
  }

  /** Moves the current chunk behind: its last bytes go into the ring. */
  commit(): void {
    const chunk = this.#chunk;
    const kept = chunk.subarray(Math.max(0, chunk.length - TAIL));
    let at = (this.#before + chunk.length - kept.length) % TAIL;
    for (let done = 0; done < kept.length; ) {
      const n = Math.min(kept.length - done, TAIL - at);
      this.#ring.set(kept.subarray(done, done + n), at);
      done += n;
      at = (at + n) % TAIL;
    }
    this.#before += chunk.length;
    this.#chunk = new Uint8Array(0);
  }

  /** The input bytes [start, start + length) (within the current chunk or the ring). */
  bytes(start: number, length: number): Uint8Array {
    const out = new Uint8Array(Math.max(0, length));
    for (let i = 0; i < out.length; i++) {
      const at = start + i;
      if (at >= this.#before) out[i] = this.#chunk[at - this.#before]!;
      else if (at >= 0 && at >= this.#before - TAIL) out[i] = this.#ring[at % TAIL]!;
      else throw new CodecError('gzip', `a gzip member header is longer than ${TAIL} bytes: its previous member cannot be checked`);
    }
    return out;
  }

  /** The last `length` input bytes (fewer when the input is shorter). */
  last(length: number): Uint8Array {
    const total = this.#before + this.#chunk.length;
    return this.bytes(Math.max(0, total - length), Math.min(length, total));
  }
}

/** A streaming gunzip that checks the trailer of every member. */
function checkedGunzip(expectedSize: number): ChunkProcessor {
  const gunzip = new Gunzip();
  const member = new MemberCheck();
  const input = new InputTail();
  gunzip.onmember = (offset) => member.end(input.bytes(offset - 8, 8));
  const inner = fflateDecompressor('gzip', gunzip, expectedSize);
  const counted = (emit: (out: Uint8Array) => void) => (out: Uint8Array) => {
    member.add(out);
    emit(out);
  };
  return {
    push(chunk, emit) {
      input.begin(chunk);
      inner.push(chunk, counted(emit));
      input.commit();
    },
    finish(emit) {
      inner.finish(counted(emit));
      member.end(input.last(8));
    },
    dispose: () => inner.dispose(),
  };
}
