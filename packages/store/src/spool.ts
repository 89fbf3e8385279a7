import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ioError } from './errors.js';

/** Writes a byte stream to a new private temporary file; returns its path and a remover. */
export async function spoolToTempFile(stream: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): Promise<{ file: string; remove: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'tx2-pack-spool-')).catch((error: unknown) => {
    throw ioError('create a temporary directory in', tmpdir(), error);
  });
  const file = path.join(dir, `${randomBytes(6).toString('hex')}.tx2pack`);
  const remove = async (): Promise<void> => {
    await fs.rm(dir, { recursive: true, force: true }).catch(() => {});
  };
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'wx', 0o600);
    const iterable: AsyncIterable<Uint8Array> =
      typeof (stream as ReadableStream).getReader === 'function' ? readerIterable(stream as ReadableStream<Uint8Array>) : (stream as AsyncIterable<Uint8Array>);
    for await (const piece of iterable) {
      const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
      let at = 0;
      while (at < bytes.length) at += (await handle.write(bytes, at, bytes.length - at)).bytesWritten;
    }
    await handle.close();
    handle = undefined;
    return { file, remove };
  } catch (error) {
    await handle?.close().catch(() => {});
    await remove();
    if ((error as NodeJS.ErrnoException).code !== undefined && typeof (error as NodeJS.ErrnoException).syscall === 'string') throw ioError('spool the stream to', file, error);
    throw error;
  }
}

async function* readerIterable(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
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
