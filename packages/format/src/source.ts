// Random-access byte sources, and the two drivers that let one reader serve both in-memory
// bytes (synchronously, without copying) and files, backends or network ranges (asynchronously).
import { PackError } from './errors.js';

/** Random access to the bytes of one container: memory, a file handle, a storage entry, HTTP ranges. */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** Reads exactly `length` bytes at `offset` (a PackError 'Truncated' when the source is shorter). */
  read(offset: number, length: number): Uint8Array | Promise<Uint8Array>;
  /**
   * Optional: reads exactly `target.length` bytes at `offset` into `target` (a PackError
   * 'Truncated' when the source is shorter). Readers then put bytes they consume at once (large
   * compressed sections) into memory they hold anyway, such as the array the section decodes
   * into, instead of a new array per read left to the garbage collector.
   */
  readInto?(offset: number, target: Uint8Array): void | Promise<void>;
  /** True when reads are views of bytes already in memory (readers then skip coalescing reads). */
  readonly inMemory?: boolean;
}

/** A source over bytes already in memory: reads are views, never copies. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  if (!(bytes instanceof Uint8Array)) throw new PackError('InvalidInput', 'expected the container as a Uint8Array');
  const plain = bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    size: plain.length,
    inMemory: true,
    read: (offset, length) => {
      if (offset < 0 || length < 0 || offset + length > plain.length) {
        throw new PackError('Truncated', 'the container ends before a structure it declares: the file is incomplete', { details: { offset, length, size: plain.length } });
      }
      return plain.subarray(offset, offset + length);
    },
  };
}

/**
 * A reading procedure: yields values that may be promises (reads, hooks) and receives them
 * resolved. Written once, run by {@link runSync} or {@link runAsync}.
 */
export type Steps<T> = Generator<unknown, T, unknown>;

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';

/** Runs `steps` to the end synchronously; a step that returns a promise is an InvalidInput PackError naming `asyncRoute`. */
export function runSync<T>(steps: Steps<T>, asyncRoute: string): T {
  let next = steps.next();
  while (!next.done) {
    if (isThenable(next.value)) {
      (next.value as Promise<unknown>).then(undefined, () => {});
      steps.return(undefined as T);
      throw new PackError('InvalidInput', `this source or hook is asynchronous: use ${asyncRoute}`);
    }
    next = steps.next(next.value);
  }
  return next.value;
}

/** Runs `steps` to the end, awaiting each promise it yields; errors are thrown into the procedure. */
export async function runAsync<T>(steps: Steps<T>): Promise<T> {
  let next = steps.next();
  while (!next.done) {
    let value: unknown;
    try {
      value = await next.value;
    } catch (error) {
      next = steps.throw(error);
      continue;
    }
    next = steps.next(value);
  }
  return next.value;
}
