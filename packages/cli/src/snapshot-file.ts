// Reading and writing .tx2pack files: whole-file reads with progress, the encrypted/plain
// split, decoding with the codecs a file uses, and atomic writes.
import { open, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  type ByteSource,
  CipherId,
  ContainerKind,
  decodeSnapshot,
  HEADER_SIZE,
  HeaderFlags,
  MAGIC,
  type PackedSnapshot,
  readHeader,
  readSnapshot,
  type SnapshotHeader,
} from '@tx2/pack-format';
import { readOptions } from '@tx2/pack-codecs';
import { decryptSnapshot, encryptionInfo, type DecryptionKeyInput, type EncryptionInfo } from '@tx2/pack-crypto';
import { CliError, ExitCode, toCliError } from './errors.js';
import { keyRequired } from './keys.js';
import type { Output } from './output.js';

/** A .tx2pack file read into memory, with what its header says. */
export interface SnapshotFile {
  path: string;
  bytes: Uint8Array;
  header: SnapshotHeader;
  /** What the header says about the key; undefined for a plain file. */
  encryption: EncryptionInfo | undefined;
}

const READ_CHUNK = 8 * 1024 * 1024;
/** First bytes of a @tx2/pack-store file whose sections live in the store's shared pool (`TX2PREF\0`). */
export const POOLED_MAGIC: Uint8Array = new TextEncoder().encode('TX2PREF\0');

/** Runs `fn`, naming `file` in any error it throws. */
export async function inFile<T>(file: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const cli = toCliError(error);
    if (cli.message.includes(file)) throw cli;
    throw new CliError(`${file}: ${cli.message}`, cli.exitCode, { cause: cli.cause ?? error });
  }
}

/** Reads a whole file, with a progress bar when that is slow. */
export async function readWholeFile(file: string, output: Output): Promise<Uint8Array> {
  const info = await stat(file);
  if (info.isDirectory()) throw new CliError(`${file} is a directory: name a .tx2pack file (ls, show, rm and prune take directories)`, ExitCode.Usage);
  const handle = await open(file, 'r');
  try {
    const bytes = new Uint8Array(info.size);
    const progress = output.progress(`reading ${path.basename(file)}`, info.size);
    let at = 0;
    while (at < bytes.length) {
      const { bytesRead } = await handle.read(bytes, at, Math.min(READ_CHUNK, bytes.length - at), at);
      if (bytesRead === 0) break;
      at += bytesRead;
      progress.advance(bytesRead);
    }
    progress.finish();
    return at === bytes.length ? bytes : bytes.subarray(0, at);
  } finally {
    await handle.close();
  }
}

/** Refuses bytes that do not start a standalone container (a pooled store entry, another kind of file). */
function checkSignature(file: string, bytes: Uint8Array): void {
  if (POOLED_MAGIC.every((b, i) => bytes[i] === b)) {
    const id = path.basename(file).replace(/\.tx2pack$/, '');
    throw new CliError(
      `${file} is a store entry whose sections live in its store's shared pool, not a standalone file: use \`tx2pack show ${path.dirname(file)} ${id}\``,
      ExitCode.Usage,
    );
  }
  if (bytes.length < MAGIC.length || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new CliError(`${file} is not a tx2pack file (it does not start with the TX2PACK signature): check the path`, ExitCode.Corrupt);
  }
}

/** Reads a .tx2pack file and its header; a file that is not a container is a clear error. */
export async function readSnapshotFile(file: string, output: Output): Promise<SnapshotFile> {
  const bytes = await readWholeFile(file, output);
  checkSignature(file, bytes);
  return inFile(file, () => ({ path: file, bytes, header: readHeader(bytes), encryption: encryptionInfo(bytes) }));
}

/** The plain container of a file: the bytes themselves, or decrypted (every tag checked) with `key`. */
export async function plainContainer(file: SnapshotFile, key: DecryptionKeyInput | undefined): Promise<Uint8Array> {
  if (file.encryption === undefined) return file.bytes;
  if (key === undefined) throw keyRequired(file.path, file.encryption.fingerprint, file.encryption.kdf !== undefined);
  return inFile(file.path, () => decryptSnapshot(file.bytes, key));
}

/** Decodes a snapshot file (decrypting it with `key` when it is encrypted). */
export async function decodeSnapshotFile(file: SnapshotFile, key: DecryptionKeyInput | undefined): Promise<PackedSnapshot> {
  if (file.header.kind === ContainerKind.Delta) {
    throw new CliError(`${file.path} holds a delta, not a snapshot: \`tx2pack inspect\` shows what it changes`, ExitCode.Usage);
  }
  const plain = await plainContainer(file, key);
  return inFile(file.path, async () => decodeSnapshot(plain, await readOptions({ bytes: plain })));
}

/** Writes `bytes` to `file` atomically: a temporary file in the same directory (created with `mode`), then a rename. */
export async function writeFileAtomic(file: string, bytes: Uint8Array, mode = 0o666): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, bytes, { flush: true, mode });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Decodes a plain snapshot file through random-access reads (the reader fetches the sections it
 * needs; the file is never held whole as well as decoded), with a progress report over the bytes
 * read. Resolves to undefined for an encrypted file or a delta, which take the whole-file route.
 */
export async function readPlainSnapshot(file: string, output: Output): Promise<{ packed: PackedSnapshot; header: SnapshotHeader; size: number } | undefined> {
  const info = await stat(file);
  if (info.isDirectory()) throw new CliError(`${file} is a directory: name a .tx2pack file (ls, show, rm and prune take directories)`, ExitCode.Usage);
  const handle = await open(file, 'r');
  try {
    const first = new Uint8Array(Math.min(info.size, HEADER_SIZE));
    await handle.read(first, 0, first.length, 0);
    checkSignature(file, first);
    const header = await inFile(file, () => readHeader(first));
    if (header.kind !== ContainerKind.Snapshot || (header.flags & HeaderFlags.Encrypted) !== 0 || header.cipher !== CipherId.None) return undefined;
    const progress = output.progress(`reading ${path.basename(file)}`, info.size);
    const source: ByteSource = {
      size: info.size,
      read: async (offset, length) => {
        const bytes = new Uint8Array(length);
        const { bytesRead } = await handle.read(bytes, 0, length, offset);
        progress.advance(bytesRead);
        return bytesRead === length ? bytes : bytes.subarray(0, bytesRead);
      },
    };
    try {
      return { packed: await inFile(file, async () => readSnapshot(source, await readOptions())), header, size: info.size };
    } finally {
      progress.finish();
    }
  } finally {
    await handle.close();
  }
}

/** Writes `pieces` to `file` atomically as they come (a temporary file in the same directory, flushed, then a rename); returns the bytes written. */
export async function writePiecesAtomic(file: string, pieces: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, mode = 0o666): Promise<number> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let written = 0;
  try {
    const handle = await open(temporary, 'w', mode);
    try {
      for await (const piece of pieces) {
        const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
        await handle.write(bytes);
        written += bytes.length;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
    return written;
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
