import type { FileHandle } from 'node:fs/promises';
import { type ByteSource, PackError } from '@tx2/pack-format';
import { ioError } from './errors.js';

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
      const out = new Uint8Array(checkRange(offset, length));
      await readInto(offset, out);
      return out;
    },
    readInto,
  };
  function checkRange(offset: number, length: number): number {
    if (offset < 0 || length < 0 || offset + length > size)
      throw new PackError('Truncated', `${path} ends before a structure it declares: the file is incomplete`, { details: { path, offset, length, size } });
    return length;
  }
  /** Fills `out` with the bytes at `offset` (positioned reads, so concurrent reads do not interfere). */
  async function readInto(offset: number, out: Uint8Array): Promise<void> {
    const length = checkRange(offset, out.length);
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
    if (got !== length) throw new PackError('Truncated', `${path} ends before a structure it declares: the file is incomplete`, { details: { path, offset, length } });
  }
}
