// The one-call inflate of small sections (src/inflate-bounded.ts, used by the fflate paths of
// deflate and gzip): exact output or undefined, never more than the expected size; the codecs
// fall back to the streaming path, whose verdicts hold (two gzip members, bad trailers, too much).
import { deflateSync, gzipSync, inflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { CodecError, loadCodec } from '../src/index.js';
import { inflateOneShot, inflateSlice } from '../src/inflate-bounded.js';
import { mixedBytes, sameBytes } from './helpers/data.js';

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};
const inflate = (s: Uint8Array, out: Uint8Array) => inflateSync(s, { out });

describe('inflateOneShot', () => {
  const raw = mixedBytes(40_000);
  const stored = deflateSync(raw, { level: 6 });

  it('gives exactly the expected bytes', () => {
    const out = inflateOneShot(stored, raw.length, inflate);
    expect(out?.length).toBe(raw.length);
    expect(sameBytes(out!, raw)).toBe(true);
  });

  it('gives undefined for a stream longer or shorter than expected, truncated, or empty', () => {
    expect(inflateOneShot(stored, raw.length - 1, inflate)).toBeUndefined();
    expect(inflateOneShot(stored, raw.length + 1, inflate)).toBeUndefined();
    expect(inflateOneShot(stored.subarray(0, stored.length - 10), raw.length, inflate)).toBeUndefined();
    expect(inflateOneShot(new Uint8Array(0), 0, inflate)).toBeUndefined();
  });

  it('a bomb is cut at the expected size: undefined, no output beyond it', () => {
    const bomb = deflateSync(new Uint8Array(60_000_000), { level: 9 });
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(inflateOneShot(bomb, 1000, inflate)).toBeUndefined();
  });

  it('leaves sections of more than 64 KiB stored to the streaming path', () => {
    // Incompressible bytes (xorshift), so the stored stream is about as long as the data.
    const big = new Uint8Array(100_000);
    for (let i = 0, x = 1; i < big.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      big[i] = x & 0xff;
    }
    const z = deflateSync(big, { level: 1 });
    expect(z.length).toBeGreaterThan(64 * 1024);
    expect(inflateOneShot(z, big.length, inflate)).toBeUndefined();
  });

  it('the streaming slice grows with the section, from 16 to 64 KiB', () => {
    expect(inflateSlice(0)).toBe(16 * 1024);
    expect(inflateSlice(128 * 1024)).toBe(16 * 1024);
    expect(inflateSlice(256 * 1024)).toBe(32 * 1024);
    expect(inflateSlice(100 * 1024 * 1024)).toBe(64 * 1024);
  });
});

describe('the fflate codecs around it', () => {
  const a = mixedBytes(30_000);

  it('gzip: two identical members are still two (the one-call path does not take them for one)', async () => {
    const codec = await loadCodec('gzip', { native: false });
    const one = gzipSync(a, { mtime: 0 });
    const two = concat(one, one);
    expect(sameBytes(codec.decompress(two, 2 * a.length), concat(a, a))).toBe(true);
    expect(() => codec.decompress(two, a.length)).toThrow(CodecError);
  });

  it('gzip: a wrong trailer is refused', async () => {
    const codec = await loadCodec('gzip', { native: false });
    const bad = gzipSync(a, { mtime: 0 });
    bad[bad.length - 6]! ^= 1;
    expect(() => codec.decompress(bad, a.length)).toThrow(CodecError);
  });

  it('deflate and gzip decode sections of every size around the one-call limit, as native zlib does', async () => {
    for (const name of ['deflate', 'gzip'] as const) {
      const pure = await loadCodec(name, { native: false });
      const native = await loadCodec(name);
      for (const n of [0, 1, 1000, 60_000, 70_000, 300_000]) {
        const raw = mixedBytes(n);
        const stored = native.compress(raw, 1);
        expect(sameBytes(pure.decompress(stored, n), raw)).toBe(true);
        expect(() => pure.decompress(stored, n + 1)).toThrow(CodecError);
        if (n > 0) expect(() => pure.decompress(stored, n - 1)).toThrow(CodecError);
      }
    }
  });
});
