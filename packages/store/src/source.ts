import type { FileHandle } from 'node:fs/promises';
import { PackError } from '@tx2/pack-format';
import { ioError } from './errors.js';

/** Random access to the bytes of one snapshot: a file handle, a backend entry or an array. */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** Reads exactly `length` bytes at `offset` (PackError 'Truncated' when the source is shorter). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A source over bytes already in memory. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: async (offset, length) => {
      if (offset + length > bytes.length) throw new PackError('Truncated', 'the snapshot ends before a structure it declares: the file is incomplete');
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** A source reading an open file with positioned reads (the caller closes the handle). */
export async function fileSource(handle: FileHandle, path: string): Promise<ByteSource> {
  let size: number;
  try {
    size = (await handle.stat()).size;
  } catch (error) {
    throw ioError('stat', path, error);
  }
  return {
    size,
    read: async (offset, length) => {
      const out = new Uint8Array(length);
      let got = 0;
      try {
        while (got < length) {
          const { bytesRead } = await handle.read(out, got, length - got, offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
      } catch (error) {
        throw ioError('read', path, error);
      }
      if (got !== length) throw new PackError('Truncated', `${path} ends before a structure it declares: the file is incomplete`);
      return out;
    },
  };
}
