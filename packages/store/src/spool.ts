import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ByteStream, streamPieces } from './byte-stream.js';
import { ioError } from './errors.js';

/** Writes a byte stream to a new private temporary file; returns its path and a remover. */
export async function spoolToTempFile(stream: ByteStream): Promise<{ file: string; remove: () => Promise<void> }> {
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
    for await (const bytes of streamPieces(stream)) {
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
