// Every codec, and both implementations of Deflate and gzip, through the conformance suite.
import { describe, expect, it } from 'vitest';
import { CODEC_NAMES, CodecId, codecNameOf, loadCodec, noneCodec } from '../src/index.js';
import { codecConformance } from './helpers/conformance.js';
import { mixedBytes, sameBytes } from './helpers/data.js';
import { CodecId as FormatCodecId } from '@tx2/pack-format';

codecConformance('none', async () => noneCodec);
codecConformance('lz4', () => loadCodec('lz4'));
codecConformance('zstd (auto blocks)', () => loadCodec('zstd'));
codecConformance('zstd (128 KiB blocks)', () => loadCodec('zstd', { zstd: { blockSize: 0 } }));
codecConformance('deflate (node:zlib fast path)', () => loadCodec('deflate', { native: true }));
codecConformance('deflate (fflate, no Node APIs)', () => loadCodec('deflate', { native: false }));
codecConformance('gzip (node:zlib fast path)', () => loadCodec('gzip', { native: true }));
codecConformance('gzip (fflate, no Node APIs)', () => loadCodec('gzip', { native: false }));

describe('the native and pure-JavaScript Deflate/gzip paths', () => {
  it.each(['deflate', 'gzip'] as const)('%s: each decodes the output of the other identically', async (name) => {
    const native = await loadCodec(name, { native: true });
    const pure = await loadCodec(name, { native: false });
    for (const level of [1, 6, 9]) {
      const raw = mixedBytes(400_000 + level);
      expect(sameBytes(pure.decompress(native.compress(raw, level), raw.length), raw)).toBe(true);
      expect(sameBytes(native.decompress(pure.compress(raw, level), raw.length), raw)).toBe(true);
    }
  });
});

describe('codec ids', () => {
  it('match the ids the format stores', async () => {
    expect(CodecId).toBe(FormatCodecId);
    for (const name of CODEC_NAMES) {
      const codec = await loadCodec(name);
      expect(codec.name).toBe(name);
      expect(codecNameOf(codec.id)).toBe(name);
    }
  });
});
