// A ByteSource handed to a reader may be the application's own code (a file handle wrapper, HTTP
// ranges, a storage entry): what it answers is checked, and its foreign failures wrapped, before
// the reader uses them. A source that answers null, a plain array or too few bytes, or throws a
// RangeError, is then PackError('Io') naming the read (a short read: 'Truncated'), not a TypeError
// from inside the reader or a short read decoded as if it were whole.
import { isBytes } from './bytes.js';
import { isPackError, PackError } from './errors.js';
import type { ByteSource } from './source.js';

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';

function shortly(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return Object.prototype.toString.call(value).slice(8, -1);
  return typeof value;
}

function sourceFailure(error: unknown, offset: number, length: number): PackError {
  if (isPackError(error)) return error;
  const message = error instanceof Error ? error.message : shortly(error);
  return new PackError('Io', `the byte source failed reading ${length} bytes at ${offset}: ${message}`, { cause: error, details: { offset, length } });
}

function checkedBytes(bytes: unknown, offset: number, length: number): Uint8Array {
  if (!isBytes(bytes)) {
    throw new PackError('Io', `the byte source answered ${shortly(bytes)} for ${length} bytes at ${offset}, not a Uint8Array: the source is broken`, {
      details: { offset, length },
    });
  }
  const got = bytes.length;
  // Fewer bytes than asked for: the data is not there (a file cut short under its declared size).
  if (got < length) {
    throw new PackError('Truncated', `the byte source answered ${got} bytes for a read of ${length} at ${offset}: the data ends early, the file is incomplete`, {
      details: { offset, length, got },
    });
  }
  if (got > length) {
    throw new PackError('Io', `the byte source answered ${got} bytes for a read of ${length} at ${offset}: a source must answer exactly the bytes asked for`, {
      details: { offset, length, got },
    });
  }
  return bytes;
}

/** Runs one call of the source: its synchronous throw, its rejection and its answer are checked the same way. */
function call<T>(run: () => unknown, check: (answer: unknown) => T, offset: number, length: number): T | Promise<T> {
  let answer: unknown;
  try {
    answer = run();
  } catch (error) {
    throw sourceFailure(error, offset, length);
  }
  if (!isThenable(answer)) return check(answer);
  return Promise.resolve(answer).then(check, (error: unknown) => {
    throw sourceFailure(error, offset, length);
  });
}

/** `source` with its size read once and every read checked; `what` names the reader in the error for a source that is no source. */
export function checkedSource(source: ByteSource, what: string): ByteSource {
  let size: unknown;
  let inMemory: unknown;
  try {
    size = source.size;
    inMemory = source.inMemory;
  } catch (error) {
    throw sourceFailure(error, 0, 0);
  }
  if (!Number.isSafeInteger(size) || (size as number) < 0) {
    throw new PackError('InvalidInput', `${what}: the source size must be a non-negative integer, got ${shortly(size)}${typeof size === 'number' ? ` ${size}` : ''}`);
  }
  const read = (offset: number, length: number): Uint8Array | Promise<Uint8Array> =>
    call(
      () => source.read(offset, length),
      (answer) => checkedBytes(answer, offset, length),
      offset,
      length,
    );
  const checked: { -readonly [K in keyof ByteSource]: ByteSource[K] } = { size: size as number, read };
  if (inMemory === true) checked.inMemory = true;
  const readInto = typeof source.readInto === 'function' ? source.readInto : undefined;
  if (readInto !== undefined) {
    checked.readInto = (offset: number, target: Uint8Array): void | Promise<void> =>
      call(
        () => readInto.call(source, offset, target),
        () => undefined,
        offset,
        target.length,
      );
  }
  return checked;
}
