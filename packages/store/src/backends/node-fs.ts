import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { PackError } from '@tx2/pack-format';
import { acquireWithin, Mutex } from '../async-mutex.js';
import type { ReleaseLock, StorageBackend } from '../backend.js';
import { checkBytes, checkRange, checkTimeout, describeValue, ioError, optionsObject } from '../errors.js';

/** Name of the lock file in a store directory. */
export const LOCK_FILE = '.tx2pack.lock';
const TEMP_SUFFIX = '.tmp';

/** Options of {@link NodeFsBackend}. */
export interface NodeFsBackendOptions {
  /** Create the directory when missing (default true). */
  create?: boolean;
  /** fsync files and the directory on every put (default true; turn off only for throwaway data). */
  durable?: boolean;
}

function checkKey(key: string): string {
  if (typeof key !== 'string') throw new PackError('InvalidInput', `invalid storage key ${describeValue(key)}: keys are plain file names`);
  if (key.length === 0 || key.includes('/') || key.includes('\\') || key.startsWith('.') || key.includes('\0')) {
    throw new PackError('InvalidInput', `invalid storage key ${JSON.stringify(key)}: keys are plain file names`);
  }
  return key;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

// Opening with O_NOFOLLOW fails (ELOOP; EMLINK on FreeBSD) when the name is a symlink, so a link
// planted in the store directory is never read through. O_NONBLOCK keeps a planted FIFO from
// blocking the open; the fstat below then refuses it. Platforms without these flags (Windows)
// get 0 and the lstat check instead.
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
const NON_BLOCK = constants.O_NONBLOCK ?? 0;
/** Most bytes read from a lock file: its owner line is short, and a hostile one must not be read whole. */
const LOCK_READ_LIMIT = 512;

function fileType(stat: { isSymbolicLink(): boolean; isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (stat.isSymbolicLink()) return 'symbolic link';
  if (stat.isDirectory()) return 'directory';
  if (stat.isFIFO()) return 'FIFO';
  if (stat.isSocket()) return 'socket';
  return 'special file';
}

/** PackError('Io') for a store file that is not a regular file (a planted symlink, a directory, a device...). */
function notRegular(file: string, type: string): PackError {
  return new PackError(
    'Io',
    `${file} is a ${type}, not a regular file: the store never follows links or reads special files in its directory; remove it (it was not created by the store)`,
    {
      details: { path: file, fileType: type },
    },
  );
}

function isLinkRefusal(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return NO_FOLLOW !== 0 && (code === 'ELOOP' || code === 'EMLINK');
}

/** Opens `file` for reading without following a symlink; refuses anything but a regular file. Rejects with ENOENT when missing. */
async function openRegular(file: string): Promise<fs.FileHandle> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | NO_FOLLOW | NON_BLOCK);
  } catch (error) {
    if (isLinkRefusal(error)) throw notRegular(file, 'symbolic link');
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw notRegular(file, fileType(stat));
    if (NO_FOLLOW === 0) {
      const link = await fs.lstat(file);
      if (!link.isFile()) throw notRegular(file, fileType(link));
    }
    return handle;
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}

/** Throws unless the name `file` is missing or a regular file (checked before a rename replaces it). */
async function checkReplaceable(file: string): Promise<void> {
  const stat = await fs.lstat(file).catch((error: unknown) => {
    if (isMissing(error)) return undefined;
    throw error;
  });
  if (stat !== undefined && !stat.isFile()) throw notRegular(file, fileType(stat));
}

/** The owner a lock file names, for messages: `pid N on host H` when well formed, else "an unknown holder". */
function describeLockHolder(content: string | undefined): { text: string; pid?: number; host?: string } {
  const match = /^(\d{1,10})@([A-Za-z0-9._-]{1,64})\n/.exec(content ?? '');
  if (match === null) return { text: 'an unknown holder' };
  const pid = Number(match[1]);
  return { text: `process ${pid} on host ${match[2]}`, pid, host: match[2] };
}

/** True when process `pid` runs on this machine (EPERM: it exists but belongs to another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A backend storing each key as a file in one directory. `put` is atomic and durable:
 * write a temporary file in the same directory, fsync it, rename it over the old file,
 * fsync the directory. The write lock is an exclusive lock file (`O_CREAT|O_EXCL`)
 * holding the owner's pid and host; a lock left by a dead process on this host is broken.
 */
export class NodeFsBackend implements StorageBackend {
  readonly name: string;
  readonly dir: string;
  readonly #durable: boolean;
  readonly #create: boolean;
  readonly #local = new Mutex();
  #ready: Promise<void> | undefined;

  /** A backend over directory `dir` (created on first write unless `create` is false). */
  constructor(dir: string, options?: NodeFsBackendOptions) {
    if (typeof dir !== 'string' || dir.length === 0 || dir.includes('\0')) {
      throw new PackError('InvalidInput', `the store directory must be a non-empty path without NUL characters, got ${describeValue(dir)}`);
    }
    const { durable, create } = optionsObject(options, 'NodeFsBackend options');
    this.dir = path.resolve(dir);
    this.name = `fs:${this.dir}`;
    this.#durable = durable ?? true;
    this.#create = create ?? true;
  }

  #path(key: string): string {
    return path.join(this.dir, checkKey(key));
  }

  async #ensureDir(): Promise<void> {
    this.#ready ??= (async () => {
      try {
        if (this.#create) await fs.mkdir(this.dir, { recursive: true });
        const stat = await fs.stat(this.dir);
        if (!stat.isDirectory()) throw new PackError('Io', `${this.dir} is not a directory: give the store a directory path`);
      } catch (error) {
        this.#ready = undefined;
        if (error instanceof PackError) throw error;
        throw ioError('open the store directory', this.dir, error, this.name);
      }
    })();
    return this.#ready;
  }

  /** The bytes of file `key`, or undefined when it does not exist. */
  async get(key: string): Promise<Uint8Array | undefined> {
    const file = this.#path(key);
    let handle: fs.FileHandle | undefined;
    try {
      handle = await openRegular(file);
      const buffer = await handle.readFile();
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      if (isMissing(error)) return undefined;
      if (error instanceof PackError) throw error;
      throw ioError('read', file, error, this.name);
    } finally {
      await handle?.close().catch(() => {});
    }
  }

  /** Writes `bytes` to file `key` atomically and durably (temp file, fsync, rename, fsync directory). */
  async put(key: string, bytes: Uint8Array): Promise<void> {
    this.#path(key);
    checkBytes(bytes);
    await this.putWith(key, async (handle) => {
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, written, Math.min(bytes.length - written, 1 << 30), written);
        written += bytesWritten;
      }
    });
  }

  /** Writes the concatenation of `pieces` to file `key` with the same atomic, durable protocol as `put`. */
  async putStream(key: string, pieces: AsyncIterable<Uint8Array>): Promise<void> {
    await this.putWith(key, async (handle) => {
      for await (const piece of pieces) {
        let at = 0;
        while (at < piece.length) at += (await handle.write(piece, at, piece.length - at)).bytesWritten;
      }
    });
  }

  /** Writes a file through `write(handle)` with the same atomic protocol as `put` (used for streaming). */
  async putWith(key: string, write: (handle: fs.FileHandle) => Promise<void>): Promise<void> {
    const file = this.#path(key);
    await this.#ensureDir();
    const temp = path.join(this.dir, `.${key}.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      await write(handle);
      if (this.#durable) await handle.sync();
      await handle.close();
      handle = undefined;
      // rename() replaces a symlink rather than writing through it; a planted one is refused all the same.
      await checkReplaceable(file);
      await fs.rename(temp, file);
    } catch (error) {
      await handle?.close().catch(() => {});
      await fs.rm(temp, { force: true }).catch(() => {});
      if (error instanceof PackError) throw error;
      throw ioError('write', file, error, this.name);
    }
    if (this.#durable) await this.#syncDir();
  }

  async #syncDir(): Promise<void> {
    let dir: fs.FileHandle | undefined;
    try {
      dir = await fs.open(this.dir, 'r');
      await dir.sync();
    } catch (error) {
      // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw ioError('fsync the directory', this.dir, error, this.name);
    } finally {
      await dir?.close().catch(() => {});
    }
  }

  /** Deletes file `key` (and fsyncs the directory); true when it existed. */
  async delete(key: string): Promise<boolean> {
    const file = this.#path(key);
    try {
      await fs.unlink(file);
    } catch (error) {
      if (isMissing(error)) return false;
      throw ioError('delete', file, error, this.name);
    }
    if (this.#durable) await this.#syncDir();
    return true;
  }

  /** Every file name in the directory except temporary and lock files (dot files). */
  async list(): Promise<string[]> {
    try {
      const entries = await fs.readdir(this.dir, { withFileTypes: true });
      return entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name);
    } catch (error) {
      if (isMissing(error)) return [];
      throw ioError('list', this.dir, error, this.name);
    }
  }

  /** True when file `key` exists. */
  async has(key: string): Promise<boolean> {
    return (await this.size(key)) !== undefined;
  }

  /** Reads `length` bytes of file `key` from `offset`. */
  async readRange(key: string, offset: number, length: number): Promise<Uint8Array | undefined> {
    const file = this.#path(key);
    checkRange(offset, length);
    let handle: fs.FileHandle | undefined;
    try {
      handle = await openRegular(file);
      // Never allocate more than the file holds: callers may pass a length read from the file itself.
      const available = Math.max(0, Math.min(length, (await handle.stat()).size - offset));
      const out = new Uint8Array(available);
      length = available;
      let got = 0;
      while (got < length) {
        const { bytesRead } = await handle.read(out, got, length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got === length ? out : out.subarray(0, got);
    } catch (error) {
      if (isMissing(error)) return undefined;
      if (error instanceof PackError) throw error;
      throw ioError('read', file, error, this.name);
    } finally {
      await handle?.close().catch(() => {});
    }
  }

  /** The size of file `key`, or undefined. */
  async size(key: string): Promise<number | undefined> {
    const file = this.#path(key);
    try {
      const stat = await fs.lstat(file);
      if (!stat.isFile()) throw notRegular(file, fileType(stat));
      return stat.size;
    } catch (error) {
      if (isMissing(error)) return undefined;
      if (error instanceof PackError) throw error;
      throw ioError('stat', file, error, this.name);
    }
  }

  /** Opens file `key` for reading, or undefined when missing (the caller closes it). */
  async open(key: string): Promise<fs.FileHandle | undefined> {
    const file = this.#path(key);
    try {
      return await openRegular(file);
    } catch (error) {
      if (isMissing(error)) return undefined;
      if (error instanceof PackError) throw error;
      throw ioError('open', file, error, this.name);
    }
  }

  /**
   * Takes the directory's write lock: first in this process, then across processes
   * through the lock file. Waits (polling) up to `timeoutMs`, then PackError('Io').
   */
  async lock(timeoutMs: number): Promise<ReleaseLock> {
    checkTimeout(timeoutMs, 'the lock timeout');
    await this.#ensureDir();
    const deadline = Date.now() + timeoutMs;
    const file = path.join(this.dir, LOCK_FILE);
    const releaseLocal = await acquireWithin(
      this.#local,
      timeoutMs,
      () => new PackError('Io', `the store ${this.dir} is locked by another writer in this process for more than ${timeoutMs} ms: retry later`, { details: { lockFile: file } }),
    );
    const owner = `${process.pid}@${hostname()}`;
    let delay = 2;
    try {
      for (;;) {
        // The lock file appears with its content or not at all: write a temp file, then link it.
        const temp = path.join(this.dir, `.lock.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
        let taken = false;
        try {
          await fs.writeFile(temp, `${owner}\n${new Date().toISOString()}\n`, { flag: 'wx' });
          await fs.link(temp, file);
          taken = true;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError('create the lock file', file, error, this.name);
        } finally {
          await fs.rm(temp, { force: true }).catch(() => {});
        }
        if (taken) break;
        const holder = await readLockFile(file);
        if (await this.#breakIfStale(file, holder)) continue;
        if (Date.now() >= deadline) {
          // The lock file's content is not trusted: only a parsed pid and host reach the message.
          const { text, pid, host } = describeLockHolder(holder);
          throw new PackError('Io', `the store ${this.dir} is locked by ${text} for more than ${timeoutMs} ms: wait for it to finish, or delete ${file} if that process is gone`, {
            details: { lockFile: file, holderPid: pid, holderHost: host },
          });
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 50);
      }
    } catch (error) {
      releaseLocal();
      throw error;
    }
    await this.#removeDeadTemps();
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      try {
        const holder = await readLockFile(file);
        if (holder?.startsWith(`${owner}\n`)) await fs.unlink(file).catch(() => {});
      } finally {
        releaseLocal();
      }
    };
  }

  /** Removes temporary files left by processes that died mid-write (called holding the lock). */
  async #removeDeadTemps(): Promise<void> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      const match = /^\..*\.(\d+)\.[0-9a-f]{12}\.tmp$/.exec(name);
      if (match === null) continue;
      const pid = Number(match[1]);
      if (pid !== process.pid && !processAlive(pid)) await fs.rm(path.join(this.dir, name), { force: true }).catch(() => {});
    }
  }

  /** Removes a lock file whose owner process is dead on this host; true when removed. `holder` is its start (undefined: unreadable). */
  async #breakIfStale(file: string, holder: string | undefined): Promise<boolean> {
    const match = /^(\d+)@(.*)$/.exec(holder?.split('\n')[0] ?? '');
    if (match === null) {
      // A lock file cut short by a crash during its own creation (or not a lock file at all,
      // such as a planted link): stale once it is old. Unlinking removes the name, never a link's target.
      const stat = await fs.lstat(file).catch(() => undefined);
      // A name that cannot be unlinked (a directory) is never broken: the writer times out and says so.
      if (stat !== undefined && Date.now() - stat.mtimeMs > 10_000)
        return fs.unlink(file).then(
          () => true,
          () => false,
        );
      return false;
    }
    const pid = Number(match[1]);
    if (match[2] !== hostname() || pid === process.pid || processAlive(pid)) return false;
    // Re-read just before unlinking, so a lock freshly taken by a live process is kept.
    const again = await readLockFile(file);
    if (again !== holder) return again === undefined;
    await fs.unlink(file).catch(() => {});
    return true;
  }
}

/** The first bytes of the lock file (at most LOCK_READ_LIMIT), or undefined when it is missing, unreadable or not a regular file. */
async function readLockFile(file: string): Promise<string | undefined> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await openRegular(file);
    const buffer = new Uint8Array(LOCK_READ_LIMIT);
    const { bytesRead } = await handle.read(buffer, 0, LOCK_READ_LIMIT, 0);
    return new TextDecoder().decode(buffer.subarray(0, bytesRead));
  } catch {
    return undefined;
  } finally {
    await handle?.close().catch(() => {});
  }
}
