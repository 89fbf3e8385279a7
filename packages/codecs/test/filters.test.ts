// Byte-shuffle and delta: exact layouts, round trips for every width and alignment, and the automatic choice.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FilterId, isPackError, SectionKind } from '@tx2/pack-format';
import { sameBytes } from './helpers/data.js';
import { autoFilter, deltaDecodeInto, deltaEncodeInto, deltaFilter, filterById, filterChooser, shuffleFilter, shuffleInto, unshuffleInto } from '../src/index.js';
import { portableShuffleInto, portableUnshuffleInto, shuffleImplementation } from '../src/shuffle.js';

/** The code and details of the PackError `fn` throws. */
function codeOf(fn: () => unknown): { code: string; details: Record<string, unknown> } {
  try {
    fn();
  } catch (error) {
    expect(isPackError(error), String(error)).toBe(true);
    const { code, details } = error as { code: string; details: Record<string, unknown> };
    return { code, details };
  }
  throw new Error('expected a PackError');
}

/** The definition of byte-shuffle, written the slow obvious way. */
function referenceShuffle(src: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(src.length);
  const count = Math.floor(src.length / width);
  for (let b = 0; b < width; b++) for (let i = 0; i < count; i++) out[b * count + i] = src[i * width + b]!;
  out.set(src.subarray(count * width), count * width);
  return out;
}

/** The definition of delta on little-endian unsigned integers of `width` bytes. */
function referenceDelta(src: Uint8Array, width: number): Uint8Array {
  const out = src.slice();
  const count = Math.floor(src.length / width);
  const value = (i: number) => {
    let v = 0n;
    for (let b = width - 1; b >= 0; b--) v = (v << 8n) | BigInt(src[i * width + b]!);
    return v;
  };
  const mod = 1n << BigInt(8 * width);
  for (let i = 0; i < count; i++) {
    let d = (value(i) - (i === 0 ? 0n : value(i - 1)) + mod) % mod;
    for (let b = 0; b < width; b++) {
      out[i * width + b] = Number(d & 0xffn);
      d >>= 8n;
    }
  }
  return out;
}

/** `bytes` copied into a buffer at byte offset `offset`, to exercise unaligned views. */
function at(bytes: Uint8Array, offset: number): Uint8Array {
  const buffer = new Uint8Array(bytes.length + offset);
  buffer.set(bytes, offset);
  return buffer.subarray(offset);
}

const widths = fc.constantFrom(1, 2, 3, 4, 5, 8, 16);

describe('byte-shuffle', () => {
  it('spreads the bytes of each value into planes (4-byte values)', () => {
    const src = new Uint8Array([1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24, 31, 32, 33, 34, 99]);
    expect([...shuffleFilter.encode(src, 4)]).toEqual([1, 11, 21, 31, 2, 12, 22, 32, 3, 13, 23, 33, 4, 14, 24, 34, 99]);
  });

  it('matches the definition and round-trips for every width, length and alignment', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), widths, fc.integer({ min: 0, max: 7 }), (bytes, width, offset) => {
        const src = at(bytes, offset);
        const shuffled = shuffleInto(src, width, at(new Uint8Array(src.length), (offset * 3) % 8));
        expect([...shuffled]).toEqual([...referenceShuffle(src, width)]);
        expect([...unshuffleInto(shuffled, width, at(new Uint8Array(src.length), offset % 4))]).toEqual([...src]);
      }),
      { seed: 20261203, numRuns: 500 },
    );
  });

  it('uses WebAssembly SIMD on Node.js, and both paths give the bytes of the definition for every width, length and alignment', () => {
    expect(shuffleImplementation()).toBe('simd');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 3000 }), fc.constantFrom(4, 8), fc.integer({ min: 0, max: 7 }), (bytes, width, offset) => {
        const src = at(bytes, offset);
        const reference = referenceShuffle(src, width);
        const fast = shuffleInto(src, width, at(new Uint8Array(src.length), (offset * 5) % 8));
        const portable = portableShuffleInto(src, width, at(new Uint8Array(src.length), offset % 4));
        expect([...fast]).toEqual([...reference]);
        expect([...portable]).toEqual([...reference]);
        expect([...unshuffleInto(reference, width, new Uint8Array(src.length))]).toEqual([...src]);
        expect([...portableUnshuffleInto(reference, width, at(new Uint8Array(src.length), 3))]).toEqual([...src]);
      }),
      { seed: 20261203, numRuns: 300 },
    );
  });

  it('shuffles large columns (4 MiB) identically on both paths', () => {
    const floats = new Float32Array(1 << 20).map((_, i) => Math.fround(Math.cos(i) * 1000));
    const src = new Uint8Array(floats.buffer);
    for (const width of [4, 8]) {
      const fast = shuffleInto(src, width, new Uint8Array(src.length));
      expect(sameBytes(fast, portableShuffleInto(src, width, new Uint8Array(src.length)))).toBe(true);
      expect(sameBytes(unshuffleInto(fast, width, new Uint8Array(src.length)), src)).toBe(true);
    }
  });

  it('takes the word path on large aligned float columns and agrees with the definition', () => {
    const floats = new Float64Array(4096).map((_, i) => Math.sin(i) * 1e6);
    for (const width of [4, 8]) {
      const src = new Uint8Array(floats.buffer);
      expect(sameBytes(portableShuffleInto(src, width, new Uint8Array(src.length)), referenceShuffle(src, width))).toBe(true);
      expect(sameBytes(portableUnshuffleInto(referenceShuffle(src, width), width, new Uint8Array(src.length)), src)).toBe(true);
      expect(sameBytes(shuffleFilter.decode(shuffleFilter.encode(src, width), width), src)).toBe(true);
    }
  });

  it('rejects an invalid width: Decompression through the filter (a corrupt descriptor), InvalidInput when called directly', () => {
    for (const width of [0, -1, 1.5, 65536, Number.NaN]) {
      expect(codeOf(() => shuffleFilter.decode(new Uint8Array(8), width))).toEqual({ code: 'Decompression', details: { filter: 'shuffle', width } });
      expect(codeOf(() => shuffleFilter.encode(new Uint8Array(8), width))).toEqual({ code: 'Compression', details: { filter: 'shuffle', width } });
      expect(codeOf(() => shuffleInto(new Uint8Array(8), width, new Uint8Array(8)))).toEqual({ code: 'InvalidInput', details: { filter: 'shuffle', width } });
      expect(codeOf(() => portableUnshuffleInto(new Uint8Array(8), width, new Uint8Array(8))).code).toBe('InvalidInput');
    }
  });

  it('rejects outputs of another length and what is not a Uint8Array with InvalidInput', () => {
    expect(codeOf(() => shuffleInto(new Uint8Array(8), 4, new Uint8Array(7)))).toEqual({ code: 'InvalidInput', details: { filter: 'shuffle', inputLength: 8, outputLength: 7 } });
    expect(codeOf(() => unshuffleInto(new Uint8Array(8), 4, new Uint8Array(9))).code).toBe('InvalidInput');
    expect(codeOf(() => shuffleInto([1, 2] as never, 1, new Uint8Array(2))).code).toBe('InvalidInput');
    expect(codeOf(() => unshuffleInto(new Uint8Array(2), 1, 'out' as never)).code).toBe('InvalidInput');
    expect(codeOf(() => shuffleFilter.decode(null as never, 4)).code).toBe('Decompression');
  });
});

describe('delta', () => {
  it('stores sorted ids as small steps', () => {
    const ids = new Uint32Array([1000, 1001, 1003, 1010, 0xffffffff, 5]);
    const out = new Uint32Array(deltaFilter.encode(new Uint8Array(ids.buffer), 4).buffer);
    expect([...out]).toEqual([1000, 1, 2, 7, 0xffffffff - 1010, 6]);
  });

  it('matches the definition and round-trips for every width, length and alignment', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), widths, fc.integer({ min: 0, max: 7 }), (bytes, width, offset) => {
        const src = at(bytes, offset);
        const encoded = deltaEncodeInto(src, width, at(new Uint8Array(src.length), (offset + 1) % 4));
        expect([...encoded]).toEqual([...referenceDelta(src, width)]);
        expect([...deltaDecodeInto(encoded, width, at(new Uint8Array(src.length), offset % 3))]).toEqual([...src]);
      }),
      { seed: 20261203, numRuns: 500 },
    );
  });

  it('rejects an invalid width or output with a PackError: Decompression through the filter, InvalidInput when called directly', () => {
    expect(codeOf(() => deltaFilter.decode(new Uint8Array(8), 0))).toEqual({ code: 'Decompression', details: { filter: 'delta', width: 0 } });
    expect(codeOf(() => deltaFilter.encode(new Uint8Array(8), 70_000)).code).toBe('Compression');
    expect(codeOf(() => deltaEncodeInto(new Uint8Array(8), 0, new Uint8Array(8))).code).toBe('InvalidInput');
    expect(codeOf(() => deltaDecodeInto(new Uint8Array(8), 4, new Uint8Array(4)))).toEqual({ code: 'InvalidInput', details: { filter: 'delta', inputLength: 8, outputLength: 4 } });
    expect(codeOf(() => deltaDecodeInto(undefined as never, 4, new Uint8Array(4))).code).toBe('InvalidInput');
  });
});

describe('choosing filters', () => {
  it('auto: delta for entity sets, byte-shuffle for numeric columns of 2+ bytes, nothing for bytes', () => {
    expect(autoFilter({ kind: SectionKind.EntitySet, width: 4, rawLength: 400 })).toBe(deltaFilter);
    expect(autoFilter({ kind: SectionKind.Column, width: 4, type: 'f32', rawLength: 400 })).toBe(shuffleFilter);
    expect(autoFilter({ kind: SectionKind.Column, width: 8, type: 'i64', rawLength: 400 })).toBe(shuffleFilter);
    expect(autoFilter({ kind: SectionKind.Column, width: 2, type: 'u16', rawLength: 400 })).toBe(shuffleFilter);
    expect(autoFilter({ kind: SectionKind.Column, width: 1, type: 'u8', rawLength: 400 })).toBeUndefined();
  });

  it('can be overridden: none, always shuffle, always delta, or a function', () => {
    const info = { kind: SectionKind.Column, width: 4, type: 'u32' as const, rawLength: 40 };
    expect(filterChooser('none')).toBeUndefined();
    expect(filterChooser('shuffle')!(info)).toBe(shuffleFilter);
    expect(filterChooser('delta')!(info)).toBe(deltaFilter);
    const mine = () => deltaFilter;
    expect(filterChooser(mine)).toBe(mine);
    expect(() => filterChooser('zigzag' as never)).toThrow(/unknown filter choice/);
  });

  it('finds filters by the id stored in descriptors', () => {
    expect(filterById(FilterId.ByteShuffle)).toBe(shuffleFilter);
    expect(filterById(FilterId.Delta)).toBe(deltaFilter);
    expect(filterById(FilterId.None)).toBeUndefined();
    expect(filterById(99)).toBeUndefined();
  });
});
