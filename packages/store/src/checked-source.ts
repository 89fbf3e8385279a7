// A ByteSource given to `SnapshotReader.readFromSource` may be the application's own code: what
// its `read` answers is checked, and its foreign failures wrapped, so that a source answering
// null or a plain array, or throwing a RangeError, is a PackError rather than a TypeError (or
// the raw error) from inside the format's reader.
import { type ByteSource, isPackError, PackError } from '@tx2/pack-format';
import { describeValue } from './errors.js';

function sourceFailure(error: unknown, offset: unknown, length: unknown): PackError {
  if (isPackError(error)) return error;
  const message = error instanceof Error ? error.message : describeValue(error);
  return new PackError('Io', `the byte source failed reading ${String(length)} bytes at ${String(offset)}: ${message}`, { cause: error, details: { offset, length } });
}

function checkedBytes(bytes: unknown, offset: number, length: number): Uint8Array {
  if (Object.prototype.toString.call(bytes) === '[object Uint8Array]') return bytes as Uint8Array;
  throw new PackError('Io', `the byte source answered ${describeValue(bytes)} for ${length} bytes at ${offset}, not a Uint8Array: the source is broken`, {
    details: { offset, length },
  });
}

/** `source` with its reads checked (anything that is not a source is passed on, for the reader to refuse). */
export function checkedSource(source: ByteSource): ByteSource {
  if (typeof source !== 'object' || source === null || typeof source.read !== 'function') return source;
  let size: number;
  let inMemory: boolean | undefined;
  try {
    size = source.size;
    inMemory = source.inMemory;
  } catch (error) {
    throw sourceFailure(error, 0, 'size');
  }
  const read = (offset: number, length: number): Uint8Array | Promise<Uint8Array> => {
    let answer: Uint8Array | Promise<Uint8Array>;
    try {
      answer = source.read(offset, length);
    } catch (error) {
      throw sourceFailure(error, offset, length);
    }
    if (typeof (answer as Promise<Uint8Array> | null)?.then !== 'function') return checkedBytes(answer, offset, length);
    return (answer as Promise<Uint8Array>).then(
      (bytes) => checkedBytes(bytes, offset, length),
      (error: unknown) => {
        throw sourceFailure(error, offset, length);
      },
    );
  };
  return inMemory === undefined ? { size, read } : { size, read, inMemory };
}
