// Streams of bytes as the store accepts them: a web ReadableStream, a Node.js Readable or any
// async iterable of byte arrays.

/** A stream of bytes the reader accepts. */
export type ByteStream = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/** The pieces of `stream` as an async iterable (a web ReadableStream is read through its reader: not every runtime makes it iterable). */
export function streamPieces(stream: ByteStream): AsyncIterable<Uint8Array> {
  return typeof (stream as ReadableStream).getReader === 'function' ? readerPieces(stream as ReadableStream<Uint8Array>) : (stream as AsyncIterable<Uint8Array>);
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
    const bytes = typeof piece === 'string' ? new TextEncoder().encode(piece) : piece;
    pieces.push(bytes);
    total += bytes.length;
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
