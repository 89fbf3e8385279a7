// The Node (zlib) and browser (slicing-by-8) CRC-32 implementations agree; so do the two
// bytesEqual implementations that live beside them (src/platform.node.ts, src/platform.browser.ts).
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, crc32, platformImplementation } from '../src/index.js';
import { bytesEqual as browserBytesEqual, crc32 as browserCrc32, platformImplementation as browserName } from '../src/platform.browser.js';
import { bytesEqual as nodeBytesEqual, crc32 as nodeCrc32, platformImplementation as nodeName } from '../src/platform.node.js';

const implementations = [
  ['node', nodeCrc32],
  ['browser', browserCrc32],
] as const;

describe('crc32', () => {
  it('names its implementations, and the package (under Node) uses the Node one', () => {
    expect(nodeName).toBe('node');
    expect(browserName).toBe('javascript');
    expect(platformImplementation).toBe('node');
    expect(crc32).toBe(nodeCrc32);
    expect(bytesEqual).toBe(nodeBytesEqual);
  });

  it.each(implementations)('%s: known check values', (_, crc) => {
    expect(crc(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc(new Uint8Array(0))).toBe(0);
    expect(crc(new Uint8Array(0), 0x12345678)).toBe(0x12345678);
    expect(crc(Uint8Array.from([0]))).toBe(0xd202ef8d);
    expect(crc(new TextEncoder().encode('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(crc(new Uint8Array(32).fill(0xff))).toBe(0xff6cab0b);
  });

  it('both agree on random inputs of every length 0..1000, at every alignment', () => {
    const pool = randomBytes(1000 + 8);
    for (let length = 0; length <= 1000; length++) {
      const shift = length % 8;
      const bytes = new Uint8Array(pool.buffer, pool.byteOffset + shift, length);
      const expected = nodeCrc32(bytes);
      expect(browserCrc32(bytes)).toBe(expected);
      expect(expected >>> 0).toBe(expected); // an unsigned 32-bit result
    }
  });

  it('both agree on a few MB', () => {
    const big = new Uint8Array(randomBytes(3 * 1024 * 1024 + 5));
    expect(browserCrc32(big)).toBe(nodeCrc32(big));
    expect(browserCrc32(big.subarray(3))).toBe(nodeCrc32(big.subarray(3)));
  });

  it.each(implementations)('%s: incremental use, crc32(b, crc32(a)) === crc32(a + b)', (_, crc) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
        const ab = new Uint8Array(a.length + b.length);
        ab.set(a);
        ab.set(b, a.length);
        expect(crc(b, crc(a))).toBe(crc(ab));
      }),
      { seed: 20261203, numRuns: 300 },
    );
  });

  it('both agree when continuing from any initial value', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat({ max: 0xffffffff }), (bytes, initial) => {
        expect(browserCrc32(bytes, initial)).toBe(nodeCrc32(bytes, initial));
      }),
      { seed: 20261203, numRuns: 300 },
    );
  });
});

describe('bytesEqual', () => {
  const both = [
    ['node', nodeBytesEqual],
    ['browser', browserBytesEqual],
  ] as const;

  it.each(both)('%s: equal and unequal ranges of every length and alignment', (_, equal) => {
    const pool = new Uint8Array(randomBytes(300 + 16));
    const copy = pool.slice();
    for (let length = 0; length <= 300; length += length < 40 ? 1 : 13) {
      for (const [sa, sb] of [
        [0, 0],
        [4, 8],
        [1, 1],
        [3, 5],
        [0, 7],
      ] as const) {
        const a = pool.subarray(sa, sa + length);
        const b = new Uint8Array(length + sb);
        b.set(a, sb);
        const bv = b.subarray(sb);
        expect(equal(a, bv)).toBe(true);
        if (length > 0) {
          for (const at of [0, length >> 1, length - 1]) {
            bv[at]! ^= 0x01;
            expect(equal(a, bv)).toBe(false);
            bv[at]! ^= 0x01;
          }
          expect(equal(a, bv.subarray(0, length - 1))).toBe(false);
        }
      }
    }
    expect(pool).toStrictEqual(copy);
  });

  it('both agree on random pairs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        expect(browserBytesEqual(a, b)).toBe(nodeBytesEqual(a, b));
        expect(nodeBytesEqual(a, a.slice())).toBe(true);
        expect(browserBytesEqual(a, a.slice())).toBe(true);
      }),
      { seed: 20261203, numRuns: 300 },
    );
  });
});
