import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { PackError } from '@tx2/pack-format';
import { acquireWithin, Mutex } from '../async-mutex.js';
import type { ReleaseLock, StorageBackend } from '../backend.js';
import { ioError } from '../errors.js';

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
  if (key.length === 0 || key.includes('/') || key.includes('\\') || key.startsWith('.') || key.includes('\0')) {
    throw new PackError('InvalidInput', `invalid storage key ${JSON.stringify(key)}: keys are plain file names`);
  }
  return key;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
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
  constructor(dir: string, options: NodeFsBackendOptions = {}) {
    this.dir = path.resolve(dir);
    this.name = `fs:${this.dir}`;
    this.#durable = options.durable ?? true;
    this.#create = options.create ?? true;
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
        throw ioError('open the store directory', this.dir, error);
      }
    })();
    return this.#ready;
  }

  /** The bytes of file `key`, or undefined when it does not exist. */
  async get(key: string): Promise<Uint8Array | undefined> {
    const file = this.#path(key);
    try {
      const buffer = await fs.readFile(file);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw ioError('read', file, error);
    }
  }

  /** Writes `bytes` to file `key` atomically and durably (temp file, fsync, rename, fsync directory). */
  async put(key: string, bytes: Uint8Array): Promise<void> {
    const file = this.#path(key);
    await this.#ensureDir();
    const temp = path.join(this.dir, `.${key}.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, written, Math.min(bytes.length - written, 1 << 30), written);
        written += bytesWritten;
      }
      if (this.#durable) await handle.sync();
      await handle.close();
      handle = undefined;
      await fs.rename(temp, file);
    } catch (error) {
      await handle?.close().catch(() => {});
      await fs.rm(temp, { force: true }).catch(() => {});
      throw ioError('write', file, error);
    }
    if (this.#durable) await this.#syncDir();
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
      await fs.rename(temp, file);
    } catch (error) {
      await handle?.close().catch(() => {});
      await fs.rm(temp, { force: true }).catch(() => {});
      if (error instanceof PackError) throw error;
      throw ioError('write', file, error);
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
      if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw ioError('fsync the directory', this.dir, error);
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
      throw ioError('delete', file, error);
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
      throw ioError('list', this.dir, error);
    }
  }

  /** True when file `key` exists. */
  async has(key: string): Promise<boolean> {
    return (await this.size(key)) !== undefined;
  }

  /** Reads `length` bytes of file `key` from `offset`. */
  async readRange(key: string, offset: number, length: number): Promise<Uint8Array | undefined> {
    const file = this.#path(key);
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(file, 'r');
      const out = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await handle.read(out, got, length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got === length ? out : out.subarray(0, got);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw ioError('read', file, error);
    } finally {
      await handle?.close().catch(() => {});
    }
  }

  /** The size of file `key`, or undefined. */
  async size(key: string): Promise<number | undefined> {
    const file = this.#path(key);
    try {
      return (await fs.stat(file)).size;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw ioError('stat', file, error);
    }
  }

  /** Opens file `key` for reading, or undefined when missing (the caller closes it). */
  async open(key: string): Promise<fs.FileHandle | undefined> {
    const file = this.#path(key);
    try {
      return await fs.open(file, 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw ioError('open', file, error);
    }
  }

  /**
   * Takes the directory's write lock: first in this process, then across processes
   * through the lock file. Waits (polling) up to `timeoutMs`, then PackError('Io').
   */
  async lock(timeoutMs: number): Promise<ReleaseLock> {
    await this.#ensureDir();
    const deadline = Date.now() + timeoutMs;
    const file = path.join(this.dir, LOCK_FILE);
    const releaseLocal = await acquireWithin(this.#local, timeoutMs, () => new PackError('Io', `the store ${this.dir} is locked by another writer in this process for more than ${timeoutMs} ms: retry later`, { details: { lockFile: file } }));
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
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError('create the lock file', file, error);
        } finally {
          await fs.rm(temp, { force: true }).catch(() => {});
        }
        if (taken) break;
        const holder = await fs.readFile(file, 'utf8').catch(() => undefined);
        if (holder !== undefined && (await this.#breakIfStale(file, holder))) continue;
        if (Date.now() >= deadline) {
          throw new PackError('Io', `the store ${this.dir} is locked by ${holder?.split('\n')[0] ?? 'another process'} for more than ${timeoutMs} ms: wait for it to finish, or delete ${file} if that process is gone`, {
            details: { lockFile: file, holder },
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
        const holder = await fs.readFile(file, 'utf8').catch(() => undefined);
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

  /** Removes a lock file whose owner process is dead on this host; true when removed. */
  async #breakIfStale(file: string, holder: string): Promise<boolean> {
    const match = /^(\d+)@(.*)$/.exec(holder.split('\n')[0] ?? '');
    if (match === null) {
      // A lock file cut short by a crash during its own creation: stale once it is old.
      const stat = await fs.stat(file).catch(() => undefined);
      if (stat !== undefined && Date.now() - stat.mtimeMs > 10_000) {
        await fs.unlink(file).catch(() => {});
        return true;
      }
      return false;
    }
    const pid = Number(match[1]);
    if (match[2] !== hostname() || pid === process.pid || processAlive(pid)) return false;
    // Re-read just before unlinking, so a lock freshly taken by a live process is kept.
    const again = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (again !== holder) return again === undefined;
    await fs.unlink(file).catch(() => {});
    return true;
  }
}
