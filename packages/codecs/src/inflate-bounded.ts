import type { FlateStreamHandler } from 'fflate';
import { CodecError, type CodecName, sizeMismatch } from './codec.js';

/** fflate's streaming decompressors (Inflate, Gunzip) as used here. */
export interface FflateStream {
  ondata: FlateStreamHandler;
  push(chunk: Uint8Array, final?: boolean): void;
}

// Input is fed in slices so that a hostile stream is stopped after at most
// 1032 x 16 KiB of excess output (Deflate's best ratio is about 1032:1).
const SLICE = 16 * 1024;

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
    for (let at = 0; at < stored.length; at += SLICE) stream.push(stored.subarray(at, at + SLICE), at + SLICE >= stored.length);
  } catch (error) {
    if (error instanceof CodecError) throw error;
    throw new CodecError(name, `the stream is corrupt or truncated (${(error as Error).message}): the section cannot be read`, { cause: error });
  }
  if (!ended) throw new CodecError(name, 'the stream is truncated: the section is incomplete');
  if (written !== expectedSize) throw sizeMismatch(name, written, expectedSize);
  return out;
}
