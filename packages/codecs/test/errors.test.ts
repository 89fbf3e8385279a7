// Only PackError leaves @tx2/pack-codecs: CodecError is a (deprecated) PackError subclass, and
// every bad argument of the public functions is a PackError with a stable code and details.
import { isPackError, PackError } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { CodecError, codecNameOf, createCodecRegistry, filterChooser, loadCodec, noneCodec, resolveLevel } from '../src/index.js';
import { loadZstd } from '../src/zstd.js';
import { packErrorOf } from '../../../test-support/pack-errors.js';

describe('CodecError', () => {
  it('is a PackError: instanceof and isPackError hold, with a stable code and details.codec', () => {
    const error = new CodecError('zstd', 'the frame is corrupt');
    expect(error).toBeInstanceOf(PackError);
    expect(error).toBeInstanceOf(CodecError);
    expect(isPackError(error, 'Decompression')).toBe(true);
    expect(error.message).toBe('zstd: the frame is corrupt');
    expect(error.codec).toBe('zstd');
    expect(error.details).toEqual({ codec: 'zstd' });
    const cause = new Error('inner');
    const compression = new CodecError('lz4', 'failed', { code: 'Compression', cause, details: { level: 3, codec: 'ignored' } });
    expect(compression.code).toBe('Compression');
    expect(compression.cause).toBe(cause);
    // details.codec is always the codec that failed.
    expect(compression.details).toEqual({ level: 3, codec: 'lz4' });
  });

  it('a codec failure is still a CodecError, so `instanceof CodecError` in older code keeps working', async () => {
    const zstd = await loadCodec('zstd');
    const error = await packErrorOf(() => zstd.decompress(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 4));
    expect(error).toBeInstanceOf(CodecError);
    expect(error.code).toBe('Decompression');
    expect(error.details.codec).toBe('zstd');
  });
});

describe('bad arguments are InvalidInput PackErrors', () => {
  it('codecNameOf and loadCodec name the valid codecs', async () => {
    expect(codecNameOf(2)).toBe('zstd');
    const byId = await packErrorOf(() => codecNameOf(9));
    expect(byId.code).toBe('InvalidInput');
    expect(byId.message).toMatch(/^unknown codec id 9: this version knows 0 \(none\), 1 \(lz4\), 2 \(zstd\)/);
    expect(byId.details).toEqual({ codec: 9 });
    const byName = await packErrorOf(() => loadCodec('brotli' as never));
    expect(byName.details).toEqual({ codec: 'brotli' });
    expect((await packErrorOf(() => loadCodec({} as never))).message).toMatch(/^unknown codec Object: use one of none, lz4/);
    expect((await packErrorOf(() => loadCodec('zstd', null as never))).message).toMatch(/options of loadCodec must be an object/);
  });

  it('createCodecRegistry refuses what is not a list of codecs', async () => {
    expect((await packErrorOf(() => createCodecRegistry('zstd' as never))).code).toBe('InvalidInput');
    expect((await packErrorOf(() => createCodecRegistry(['zstd', 'lzma' as never]))).details).toEqual({ codec: 'lzma' });
    expect((await createCodecRegistry(['none'])).get('none')).toBe(noneCodec);
  });

  it('resolveLevel and filterChooser', async () => {
    const zstd = await loadCodec('zstd');
    expect(resolveLevel(zstd, 'best')).toBe(19);
    expect((await packErrorOf(() => resolveLevel(zstd, 'toString' as never))).details).toEqual({ codec: 'zstd', level: 'toString' });
    expect((await packErrorOf(() => resolveLevel(undefined as never, 3))).message).toMatch(/resolveLevel expects a codec/);
    expect((await packErrorOf(() => filterChooser('lzma' as never))).details).toEqual({ filter: 'lzma' });
    expect((await packErrorOf(() => filterChooser(1n as never))).message).toMatch(/^unknown filter choice bigint/);
  });

  it('zstd options', async () => {
    for (const blockSize of [1, 1023, 128 * 1024 + 1, 1.5, 'big']) {
      const error = await packErrorOf(() => loadZstd({ blockSize: blockSize as never }));
      expect(error.code).toBe('InvalidInput');
      expect(error.details).toEqual({ codec: 'zstd', blockSize });
    }
    expect((await packErrorOf(() => loadZstd(null as never))).code).toBe('InvalidInput');
  });
});
