import type { FlateStreamHandler } from 'fflate';
import { CodecError, type CodecName, sizeMismatch } from './codec.js';

/** fflate's streaming decompressors (Inflate, Gunzip) as used here. */
export interface FflateStream {
  ondata: FlateStreamHandler;
  push(chunk: Uint8Array, final?: boolean): void;
}

// Input is fed in slices so that a hostile stream is stopped after at most 1032 x one slice of
// excess output (Deflate's best ratio is about 1032:1). fflate pays for every push (it regrows
// its output buffer from its 32 KiB window and copies the window and the output), so a large
// section goes in larger slices: an eighth of the expected output, between 16 and 64 KiB. The
// excess stays within 1032 x 64 KiB and, for sections under 128 KiB, 1032 x 16 KiB as before.
const MIN_SLICE = 16 * 1024;
const MAX_SLICE = 64 * 1024;

/** The input slice for a section of `expectedSize` bytes. */
export function inflateSlice(expectedSize: number): number {
  return Math.min(MAX_SLICE, Math.max(MIN_SLICE, Math.floor(expectedSize / 8)));
}

// A section of at most ONE_SHOT_UP_TO stored bytes is inflated by one call straight into its
// output buffer: no stream, no regrown buffers, no copies (streaming costs 2-3 times as much in
// browsers). The buffer has one spare byte, so a stream that produces more than expected shows:
// fflate drops writes past the end, so a hostile stream costs work (at most 1032 x 64 KiB bytes)
// but no memory. Whatever fails there is redone by the streaming path, which says what is wrong.
const ONE_SHOT_UP_TO = 64 * 1024;

/**
 * Decompresses `stored` into exactly `expectedSize` bytes by one call of `inflate` (fflate's
 * inflateSync or gunzipSync with `out`), or returns undefined when that is not possible or fails.
 */
export function inflateOneShot(stored: Uint8Array, expectedSize: number, inflate: (stored: Uint8Array, out: Uint8Array) => Uint8Array): Uint8Array | undefined {
  if (stored.length === 0 || stored.length > ONE_SHOT_UP_TO) return undefined;
  const out = new Uint8Array(expectedSize + 1);
  let produced: Uint8Array;
  try {
    produced = inflate(stored, out);
  } catch {
    return undefined;
  }
  // fflate returns out.subarray(0, bytes written), clamped to the buffer: expectedSize + 1 means more.
  if (produced.buffer !== out.buffer || produced.byteOffset !== 0 || produced.length !== expectedSize) return undefined;
  return out.subarray(0, expectedSize);
}

/**
 * Decompresses `stored` with a fresh fflate stream into exactly `expectedSize` bytes, never
 * holding more; `observe` sees each output chunk in order (gzip checks its members with it).
 */
export function inflateBounded(name: CodecName, stream: FflateStream, stored: Uint8Array, expectedSize: number, observe?: (chunk: Uint8Array) => void): Uint8Array {
  const out = new Uint8Array(expectedSize);
  let written = 0;
  let ended = false;
  stream.ondata = (chunk, final) => {
    if (written + chunk.length > expectedSize) throw sizeMismatch(name, `more than ${expectedSize}`, expectedSize);
    out.set(chunk, written);
    written += chunk.length;
    observe?.(chunk);
    if (final) ended = true;
  };
  try {
    if (stored.length === 0) stream.push(stored, true);
    const slice = inflateSlice(expectedSize);
    for (let at = 0; at < stored.length; at += slice) stream.push(stored.subarray(at, at + slice), at + slice >= stored.length);
  } catch (error) {
    if (error instanceof CodecError) throw error;
    throw new CodecError(name, `the stream is corrupt or truncated (${(error as Error).message}): the section cannot be read`, { cause: error });
  }
  if (!ended) throw new CodecError(name, 'the stream is truncated: the section is incomplete');
  if (written !== expectedSize) throw sizeMismatch(name, written, expectedSize);
  return out;
}
