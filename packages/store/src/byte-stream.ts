// Streams of bytes as the store accepts them: a web ReadableStream, a Node.js Readable or any
// async iterable of byte arrays.
import { isBytes, isPackError, PackError } from '@tx2/pack-format';
import { describeValue } from './errors.js';

/** A stream of bytes the reader accepts. */
export type ByteStream = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/**
 * The pieces of `stream` as byte arrays (a web ReadableStream is read through its reader: not
 * every runtime makes it iterable; strings, which Node streams in text mode yield, are UTF-8
 * encoded). What is not a stream is PackError('InvalidInput'), a piece that is not bytes too,
 * and a failure of the stream itself PackError('Io') with the original as `cause`.
 */
export async function* streamPieces(stream: ByteStream): AsyncGenerator<Uint8Array> {
  const isReader = typeof (stream as ReadableStream | null)?.getReader === 'function';
  if (!isReader && typeof (stream as AsyncIterable<Uint8Array> | null)?.[Symbol.asyncIterator] !== 'function') {
    throw new PackError('InvalidInput', `expected a byte stream (a web ReadableStream, a Node.js Readable or an async iterable of Uint8Arrays), got ${describeValue(stream)}`);
  }
  const pieces = isReader ? readerPieces(stream as ReadableStream<Uint8Array>) : (stream as AsyncIterable<unknown>);
  let index = 0;
  const iterator = pieces[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await iterator.next();
      } catch (error) {
        if (isPackError(error)) throw error;
        throw new PackError('Io', `reading the byte stream failed after ${index} pieces: ${error instanceof Error ? error.message : describeValue(error)}`, {
          cause: error,
          details: { piece: index },
        });
      }
      if (next.done === true) return;
      const piece = next.value;
      if (typeof piece === 'string') yield new TextEncoder().encode(piece);
      else if (isBytes(piece)) yield piece;
      else throw new PackError('InvalidInput', `piece ${index} of the byte stream is ${describeValue(piece)}, not a Uint8Array`, { details: { piece: index } });
      index++;
    }
  } finally {
    // Stops the source when the reader gives up early (a refused piece, a failure downstream).
    await iterator.return?.().catch(() => {});
  }
}

async function* readerPieces(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Every byte of `stream` in one array (strings, which Node streams in text mode yield, are UTF-8 encoded). */
export async function collectStream(stream: ByteStream): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  let total = 0;
  for await (const piece of streamPieces(stream)) {
    pieces.push(piece);
    total += piece.length;
  }
  if (pieces.length === 1) return pieces[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}
