// The codec conformance suite: every codec (and every implementation path of a codec)
// runs the same tests.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { isPackError, type PackError } from '@tx2/pack-format';
import { type Codec, CodecError } from '../../src/index.js';
import { compressibleBytes, mixedBytes, randomBytes, sameBytes } from './data.js';
import { chunked, pipe } from './streams.js';

/** The PackError `fn` throws (fails the test when it throws nothing or something else). */
function packErrorOf(fn: () => unknown): PackError {
  try {
    fn();
  } catch (error) {
    expect(isPackError(error), String(error)).toBe(true);
    return error as PackError;
  }
  throw new Error('expected a PackError');
}

/** Runs the shared suite against the codec `load` returns. */
export function codecConformance(label: string, load: () => Promise<Codec>): void {
  describe(`codec conformance: ${label}`, () => {
    let codec: Codec;
    beforeAll(async () => {
      codec = await load();
    });

    const roundTrip = (raw: Uint8Array, level?: number): Uint8Array => {
      const stored = codec.compress(raw, level);
      const back = codec.decompress(stored, raw.length);
      expect(back.length).toBe(raw.length);
      expect(sameBytes(back, raw)).toBe(true);
      return stored;
    };

    it('round-trips empty input', () => {
      roundTrip(new Uint8Array(0));
    });

    it('round-trips 1 byte', () => {
      roundTrip(new Uint8Array([0x2a]));
    });

    it('round-trips random (incompressible) bytes', () => {
      roundTrip(randomBytes(100_000, 3));
    });

    it('shrinks highly compressible bytes', () => {
      const raw = compressibleBytes(1 << 20);
      const stored = roundTrip(raw);
      if (codec.name !== 'none') expect(stored.length).toBeLessThan(raw.length / 10);
    });

    it('round-trips a large 8 MiB section', () => {
      roundTrip(mixedBytes(8 << 20));
    });

    it('round-trips input that is a view into a larger buffer, at an odd offset', () => {
      const big = mixedBytes(70_001);
      roundTrip(big.subarray(3, 65_540));
    });

    it('accepts every level from min to max and the presets, and rejects others with PackError InvalidInput', () => {
      const raw = mixedBytes(64 * 1024);
      const { min, max } = codec.levels;
      const step = Math.max(1, Math.floor((max - min) / 6));
      for (let level = min; level <= max; level += step) roundTrip(raw, level);
      roundTrip(raw, max);
      for (const preset of Object.values(codec.levels.presets)) roundTrip(raw, preset);
      expect(codec.levels.default).toBeGreaterThanOrEqual(min);
      for (const bad of [min - 1, max + 1, 1.5, Number.NaN]) {
        const error = packErrorOf(() => codec.compress(raw, bad));
        expect(error.code).toBe('InvalidInput');
        expect(error.message).toMatch(new RegExp(`^${codec.name} level must be an integer from ${min} to ${max}`));
        expect(error.details).toEqual({ codec: codec.name, level: bad, min, max });
        expect(() => codec.compressStream(bad)).toThrow(/level must be/);
      }
    });

    it('throws a PackError Decompression (still a CodecError) when the expected size is smaller or larger than the content', () => {
      const raw = mixedBytes(50_000);
      const stored = codec.compress(raw);
      for (const wrong of [raw.length - 1, raw.length + 1, 0, raw.length * 2]) {
        const error = packErrorOf(() => codec.decompress(stored, wrong));
        expect(error.code).toBe('Decompression');
        expect(error).toBeInstanceOf(CodecError);
        expect(error.details.codec).toBe(codec.name);
      }
      for (const invalid of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        const error = packErrorOf(() => codec.decompress(stored, invalid));
        expect(error.code).toBe('InvalidInput');
        expect(error.details).toMatchObject({ codec: codec.name, expectedSize: invalid });
      }
    });

    it('only PackErrors leave it: what is not a Uint8Array is InvalidInput, in calls and in streams', async () => {
      for (const bad of ['bytes', null, undefined, [1, 2, 3], new Uint16Array(4)]) {
        const compressing = packErrorOf(() => codec.compress(bad as never));
        expect(compressing.code).toBe('InvalidInput');
        expect(compressing.message).toMatch(/the data to compress must be a Uint8Array/);
        expect(packErrorOf(() => codec.decompress(bad as never, 3)).code).toBe('InvalidInput');
      }
      const failed = await pipe(codec.decompressStream(3), ['abc' as never]).catch((error: unknown) => error);
      expect(isPackError(failed, 'InvalidInput')).toBe(true);
      expect((failed as PackError).details.codec).toBe(codec.name);
    });

    it('refuses an expected size the frame cannot possibly reach, before allocating it', () => {
      if (codec.name === 'none') return;
      const stored = codec.compress(new Uint8Array(10));
      expect(() => codec.decompress(stored, 2 ** 40)).toThrow(/cannot expand|expected/);
    });

    it('still works after a failed call', () => {
      const raw = mixedBytes(20_000);
      const stored = codec.compress(raw);
      expect(packErrorOf(() => codec.decompress(stored.subarray(0, stored.length >> 1), raw.length)).code).toBe('Decompression');
      roundTrip(raw);
    });

    it('streams: compressStream output decodes with decompress, and compress output with decompressStream', async () => {
      const raw = mixedBytes(300_000);
      const streamed = await pipe(codec.compressStream(), chunked(raw, [1, 7000, 65536, 123_457]));
      expect(sameBytes(codec.decompress(streamed, raw.length), raw)).toBe(true);
      const stored = codec.compress(raw);
      const back = await pipe(codec.decompressStream(raw.length), chunked(stored, [1, 3, 4096, 50_000]));
      expect(sameBytes(back, raw)).toBe(true);
      const empty = await pipe(codec.compressStream(), []);
      expect(codec.decompress(empty, 0).length).toBe(0);
    });

    it('streams: a wrong expected size or a truncated frame fails the stream with a PackError Decompression', async () => {
      const raw = mixedBytes(100_000);
      const stored = codec.compress(raw);
      const failures = [pipe(codec.decompressStream(raw.length - 1), [stored]), pipe(codec.decompressStream(raw.length + 1), [stored])];
      if (codec.name !== 'none') failures.push(pipe(codec.decompressStream(raw.length), [stored.subarray(0, stored.length - 3)]));
      for (const failure of failures) {
        const error = await failure.catch((e: unknown) => e);
        expect(isPackError(error, 'Decompression')).toBe(true);
        expect(error).toBeInstanceOf(CodecError);
      }
    });

    it('fuzz: truncated or bit-flipped frames decode to the right size or throw a PackError Decompression', () => {
      const raws = [mixedBytes(3000), compressibleBytes(20_000), randomBytes(500, 9)];
      const frames = raws.map((r) => codec.compress(r));
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: raws.length - 1 }),
          fc.oneof(
            fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
            fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
            fc.record({ kind: fc.constant('garbage' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
          ),
          (which, damage) => {
            const frame = frames[which]!.slice();
            let input: Uint8Array;
            if (damage.kind === 'truncate') input = frame.subarray(0, damage.at % Math.max(1, frame.length));
            else if (damage.kind === 'flip') {
              frame[damage.at % frame.length]! ^= 1 << damage.bit;
              input = frame;
            } else {
              const at = damage.at % frame.length;
              input = new Uint8Array([...frame.subarray(0, at), ...damage.bytes, ...frame.subarray(at)]);
            }
            try {
              const out = codec.decompress(input, raws[which]!.length);
              expect(out.length).toBe(raws[which]!.length);
            } catch (error) {
              expect(isPackError(error, 'Decompression'), String(error)).toBe(true);
              expect(error).toBeInstanceOf(CodecError);
            }
          },
        ),
        { numRuns: 300, seed: 42 },
      );
    });
  });
}
