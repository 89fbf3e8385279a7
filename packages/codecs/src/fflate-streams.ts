import { CodecError, type CodecName, sizeMismatch } from './codec.js';
import type { FflateStream } from './inflate-bounded.js';
import { type ChunkProcessor, OutputBudget } from './streams.js';

/** A stream processor over an fflate compressor (Deflate, Gzip). */
export function fflateCompressor(stream: FflateStream): ChunkProcessor {
  let emitTo: ((out: Uint8Array) => void) | undefined;
  stream.ondata = (chunk) => {
    if (chunk.length > 0) emitTo?.(chunk);
  };
  return {
    push(chunk, emit) {
      emitTo = emit;
      stream.push(chunk, false);
    },
    finish(emit) {
      emitTo = emit;
      stream.push(new Uint8Array(0), true);
    },
    dispose() {
      emitTo = undefined;
    },
  };
}

/** A stream processor over an fflate decompressor (Inflate, Gunzip) that must produce exactly `expectedSize` bytes. */
export function fflateDecompressor(name: CodecName, stream: FflateStream, expectedSize: number): ChunkProcessor {
  const budget = new OutputBudget(name, expectedSize);
  let emitTo: ((out: Uint8Array) => void) | undefined;
  let ended = false;
  stream.ondata = (chunk, final) => {
    budget.add(chunk.length);
    if (chunk.length > 0) emitTo?.(chunk);
    if (final) ended = true;
  };
  const feed = (chunk: Uint8Array, final: boolean): void => {
    try {
      stream.push(chunk, final);
    } catch (error) {
      if (error instanceof CodecError) throw error;
      throw new CodecError(name, `the stream is corrupt or truncated (${(error as Error).message}): the section cannot be read`, { cause: error });
    }
  };
  return {
    push(chunk, emit) {
      emitTo = emit;
      // Slices bound the excess a hostile stream can produce before the budget stops it.
      for (let at = 0; at < chunk.length; at += 16 * 1024) feed(chunk.subarray(at, at + 16 * 1024), false);
    },
    finish(emit) {
      emitTo = emit;
      if (!ended) feed(new Uint8Array(0), true);
      if (!ended) throw new CodecError(name, 'the stream is truncated: the section is incomplete');
      budget.end();
    },
    dispose() {
      emitTo = undefined;
    },
  };
}

/** Runs a native zlib call, turning its errors into CodecErrors (an oversized output into a size mismatch). */
export function nativeCall(name: CodecName, expectedSize: number, call: () => Uint8Array): Uint8Array {
  let out: Uint8Array;
  try {
    out = call();
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw sizeMismatch(name, `more than ${expectedSize}`, expectedSize);
    }
    throw new CodecError(name, `the stream is corrupt or truncated (${(error as Error).message}): the section cannot be read`, { cause: error });
  }
  if (out.length !== expectedSize) throw sizeMismatch(name, out.length, expectedSize);
  return out;
}
