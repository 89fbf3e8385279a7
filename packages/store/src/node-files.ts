// Snapshot files and spooled streams: the Node.js-only I/O around SnapshotWriter and
// SnapshotReader (exported by `@tx2/pack-store/node`, never by the portable main entry).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PackError, type PackedSnapshot } from '@tx2/pack-format';
import { NodeFsBackend } from './backends/node-fs.js';
import type { ByteStream } from './byte-stream.js';
import { ioError } from './errors.js';
import { fileSource } from './file-source.js';
import { SnapshotReader } from './reader.js';
import { spoolToTempFile } from './spool.js';
import { SnapshotWriter } from './writer.js';

/**
 * Writes `snapshot` to `file` with `writer`'s settings, section by section (bounded memory),
 * atomically and durably (temporary file in the same directory, fsync, rename over `file`,
 * fsync of the directory); returns the size in bytes.
 */
export async function writeSnapshotFile(file: string, snapshot: PackedSnapshot, writer: SnapshotWriter = SnapshotWriter.create()): Promise<number> {
  let total = 0;
  await new NodeFsBackend(path.dirname(file), { create: false }).putWith(path.basename(file), async (handle) => {
    for await (const piece of writer.encodeStream(snapshot)) {
      let at = 0;
      while (at < piece.length) at += (await handle.write(piece, at, piece.length - at)).bytesWritten;
      total += piece.length;
    }
  });
  return total;
}

/** Decodes the snapshot in `file` with `reader`'s settings (partially, with `withComponents`, reading only those sections); PackError 'SnapshotNotFound' when it does not exist. */
export async function readSnapshotFile(file: string, reader: SnapshotReader = SnapshotReader.create()): Promise<PackedSnapshot> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new PackError('SnapshotNotFound', `no snapshot file at ${file}: check the path`, { details: { path: file } });
    }
    throw ioError('open', file, error);
  }
  try {
    return await reader.readFromSource(await fileSource(handle, file));
  } finally {
    await handle.close().catch(() => {});
  }
}

/**
 * Decodes a snapshot from a Node.js Readable, a web ReadableStream or any async iterable of
 * bytes, spooled to a private temporary file (removed afterwards) and decoded from there
 * component by component: the whole file is never held in memory.
 */
export async function readSnapshotStream(stream: ByteStream, reader: SnapshotReader = SnapshotReader.create()): Promise<PackedSnapshot> {
  const spooled = await spoolToTempFile(stream);
  try {
    return await readSnapshotFile(spooled.file, reader);
  } finally {
    await spooled.remove();
  }
}
