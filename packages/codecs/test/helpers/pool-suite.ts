// The CompressionPool suite both builds run: Node worker threads (compression-pool.test.ts) and
// Web Workers in Chromium (compression-pool.browser.test.ts). Both import the pool and the codecs
// from dist/ (the workers run the built worker script); every test compares the pool's bytes with
// encodeSnapshot's.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPackedSnapshot, decodeSnapshot, encodeSnapshot, isPackError, type PackedSnapshot } from '@tx2/pack-format';
import type * as Codecs from '../../src/index.js';
import type * as Workers from '../../src/workers.node.js';
import VECTORS from '../vectors/pool-sample.expected.json';
import { sampleSnapshot, snapshotBytesEqual } from './data.js';

/** What a run of the suite tests. */
export interface PoolSuiteTarget {
  /** The `/workers` build under test. */
  workers: Pick<typeof Workers, 'createCompressionPool'>;
  /** The main entry of the same build (the pool only takes codecs that build loaded). */
  codecs: typeof Codecs;
  /** Deflate and gzip vectors hold bytes of Node's native zlib: check them only where it is used. */
  nativeZlib: boolean;
}

const sha256 = async (bytes: Uint8Array): Promise<string> =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))].map((b) => b.toString(16).padStart(2, '0')).join('');

/** Declares the suite for `target`. */
export function poolSuite({ workers, codecs, nativeZlib }: PoolSuiteTarget): void {
  const { createCompressionPool } = workers;
  const { CODEC_NAMES, createCodecRegistry, loadCodec, packOptions, readOptions, shuffleFilter } = codecs;
  let pool: Workers.CompressionPool;
  let registry: Codecs.CodecRegistry;
  // Thresholds at zero: every section goes to a worker, however small.
  beforeAll(async () => {
    pool = await createCompressionPool({ threads: 2, minSectionBytes: 0, minSnapshotBytes: 0 });
    registry = await createCodecRegistry();
  });
  afterAll(async () => {
    await pool.close();
  });

  describe('CompressionPool output', () => {
    it.each(VECTORS.cases.map((c) => [`${c.codec}-${c.level} filter ${c.filter}`, c] as const))('%s: the committed vector, and encodeSnapshot byte for byte', async (_, vector) => {
      const packed = sampleSnapshot(VECTORS.entities);
      const options = await packOptions({ codec: vector.codec as Codecs.CodecName, level: vector.level, filter: vector.filter as 'auto' | 'none' });
      const single = encodeSnapshot(packed, options);
      const parallel = await pool.encode(packed, options);
      expect(await sha256(parallel)).toBe(await sha256(single));
      if (nativeZlib || (vector.codec !== 'deflate' && vector.codec !== 'gzip')) {
        expect(parallel.length).toBe(vector.length);
        expect(await sha256(parallel)).toBe(vector.sha256);
      }
      expect(snapshotBytesEqual(decodeSnapshot(parallel, await readOptions({ bytes: parallel })), packed)).toBe(true);
    });

    it('property: random worlds, codecs, levels, filters and checksums give encodeSnapshot bytes', async () => {
      const column = fc.constantFrom('f32' as const, 'u16' as const, 'f64' as const, 'u8' as const);
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 3000 }),
          fc.array(column, { minLength: 1, maxLength: 4 }),
          fc.constantFrom(...CODEC_NAMES),
          fc.constantFrom('fast' as const, 'default' as const, 'best' as const),
          fc.constantFrom('auto' as const, 'none' as const, 'shuffle' as const, 'delta' as const),
          fc.boolean(),
          fc.integer({ min: 0, max: 1000 }),
          async (n, types, codecName, level, filter, checksums, seed) => {
            const packed = randomWorld(n, types, seed);
            const options = await packOptions({ codec: registry.get(codecName)!, level, filter, checksums });
            const parallel = await pool.encode(packed, options);
            expect(await sha256(parallel)).toBe(await sha256(encodeSnapshot(packed, options)));
          },
        ),
        { numRuns: 40, seed: 15 },
      );
    });

    it('a custom filter chooser runs on the calling thread and gives the same bytes', async () => {
      const packed = sampleSnapshot(5000);
      const custom = { ...shuffleFilter, id: shuffleFilter.id };
      const options = { ...(await packOptions({ codec: 'zstd', level: 3 })), filter: () => custom };
      expect(await sha256(await pool.encode(packed, options))).toBe(await sha256(encodeSnapshot(packed, options)));
    });

    it('a codec loaded with other options is loaded the same way on the workers: same bytes', async () => {
      const packed = sampleSnapshot(20_000);
      for (const load of [{ zstd: { blockSize: 0 } }, { zstd: { blockSize: 4096 } }, { native: false }]) {
        const codec = await loadCodec('native' in load ? 'deflate' : 'zstd', load);
        const options = await packOptions({ codec, level: 'default', filter: 'none' });
        const single = encodeSnapshot(packed, options);
        expect(await sha256(await pool.encode(packed, options)), JSON.stringify(load)).toBe(await sha256(single));
      }
      // The options change the bytes, so a worker with defaults would have written others.
      const defaults = await packOptions({ codec: 'zstd', filter: 'none' });
      const small = await packOptions({ codec: await loadCodec('zstd', { zstd: { blockSize: 4096 } }), filter: 'none' });
      expect(await sha256(encodeSnapshot(packed, defaults))).not.toBe(await sha256(encodeSnapshot(packed, small)));
    });

    it('encodes started together on one pool all finish, each with its own encodeSnapshot bytes', async () => {
      // One worker, every section sent to it: each encode must get its turn, whichever started first.
      const one = await createCompressionPool({ threads: 1, minSectionBytes: 0, minSnapshotBytes: 0 });
      try {
        const worlds = [sampleSnapshot(3000), randomWorld(4000, ['f32', 'u16'], 3), sampleSnapshot(500), randomWorld(2500, ['f64'], 9)];
        const options = await Promise.all([
          packOptions({ codec: 'zstd', level: 3 }),
          packOptions({ codec: 'lz4' }),
          packOptions({ codec: 'zstd' }),
          packOptions({ codec: 'deflate' }),
        ]);
        const parallel = await Promise.all(worlds.map((world, i) => one.encode(world, options[i]!)));
        for (const [i, world] of worlds.entries()) expect(await sha256(parallel[i]!)).toBe(await sha256(encodeSnapshot(world, options[i]!)));
      } finally {
        await one.close();
      }
    });

    it('a custom filter that throws fails only its own encode, with a PackError', async () => {
      const broken = {
        ...shuffleFilter,
        encode: (): Uint8Array => {
          throw new Error('filter broke');
        },
      };
      const packed = sampleSnapshot(3000);
      const bad = { ...(await packOptions({ codec: 'zstd' })), filter: () => broken };
      const good = await packOptions({ codec: 'zstd' });
      const [failed, fine] = await Promise.all([pool.encode(packed, bad).catch((e: unknown) => e), pool.encode(packed, good)]);
      expect(isPackError(failed), String(failed)).toBe(true);
      expect(await sha256(fine as Uint8Array)).toBe(await sha256(encodeSnapshot(packed, good)));
    });

    it('a section compressed on the calling thread that fails fails the encode; the sections on the workers are dropped', async () => {
      // Sections under 30 kB stay on the calling thread: the 1-byte flags (20 kB) meet the broken filter there.
      const mixed = await createCompressionPool({ threads: 1, minSectionBytes: 30_000, minSnapshotBytes: 0 });
      try {
        const broken = {
          ...shuffleFilter,
          encode: (): Uint8Array => {
            throw new Error('filter broke');
          },
          encodeInto: undefined,
        };
        const packed = sampleSnapshot(20_000);
        const options = { ...(await packOptions({ codec: 'zstd' })), filter: (info: { width: number }) => (info.width === 1 ? broken : shuffleFilter) };
        const error = await mixed.encode(packed, options).catch((e: unknown) => e);
        expect(isPackError(error), String(error)).toBe(true);
        const good = await packOptions({ codec: 'zstd' });
        expect(await sha256(await mixed.encode(packed, good))).toBe(await sha256(encodeSnapshot(packed, good)));
      } finally {
        await mixed.close();
      }
    });

    it('with default thresholds a small world is encoded on the calling thread, a large one on the workers: same bytes', async () => {
      const defaults = await createCompressionPool({ threads: 1 });
      try {
        const options = await packOptions();
        for (const n of [100, 400_000]) {
          const packed = sampleSnapshot(n);
          expect(await sha256(await defaults.encode(packed, options))).toBe(await sha256(encodeSnapshot(packed, options)));
        }
        // Without a codec the pool is encodeSnapshot.
        expect(await sha256(await defaults.encode(sampleSnapshot(10), {}))).toBe(await sha256(encodeSnapshot(sampleSnapshot(10), {})));
      } finally {
        await defaults.close();
      }
    });
  });

  describe('CompressionPool failures are PackErrors', () => {
    it('a codec error inside a worker comes back as a PackError with its code and details', async () => {
      const options = { ...(await packOptions({ codec: 'zstd' })), level: 99 };
      const error = await pool.encode(sampleSnapshot(500), options).catch((e: unknown) => e);
      expect(isPackError(error, 'InvalidInput'), String(error)).toBe(true);
      expect((error as { details: Record<string, unknown> }).details).toMatchObject({ codec: 'zstd', level: 99 });
      // The pool still works afterwards.
      const good = await packOptions({ codec: 'zstd' });
      expect(await sha256(await pool.encode(sampleSnapshot(500), good))).toBe(await sha256(encodeSnapshot(sampleSnapshot(500), good)));
    });

    it('closing the pool during an encode rejects it with PackError Compression; a closed pool refuses work', async () => {
      const own = await createCompressionPool({ threads: 2, minSectionBytes: 0, minSnapshotBytes: 0 });
      const options = await packOptions({ codec: 'zstd', level: 3 });
      const pending = own.encode(sampleSnapshot(200_000), options).catch((e: unknown) => e);
      await own.close();
      await own.close();
      const error = await pending;
      expect(isPackError(error, 'Compression'), String(error)).toBe(true);
      expect((error as { details: Record<string, unknown> }).details).toMatchObject({ reason: 'closed' });
      const after = await own.encode(sampleSnapshot(10), await packOptions()).catch((e: unknown) => e);
      expect(isPackError(after, 'InvalidInput'), String(after)).toBe(true);
    });

    it('bad options, foreign codecs and copies of codecs are PackError InvalidInput', async () => {
      for (const options of [{ threads: 0 }, { threads: 1.5 }, { minSectionBytes: -1 }, { minSnapshotBytes: Number.NaN }, { load: 'zstd' as never }]) {
        const error = await createCompressionPool(options).catch((e: unknown) => e);
        expect(isPackError(error, 'InvalidInput'), JSON.stringify(options)).toBe(true);
      }
      expect(isPackError(await createCompressionPool(null as never).catch((e: unknown) => e), 'InvalidInput')).toBe(true);
      const foreign = { id: 9, name: 'mine', compress: (raw: Uint8Array) => raw, decompress: (raw: Uint8Array) => raw };
      expect(isPackError(await pool.encode(sampleSnapshot(10), { codec: foreign as never }).catch((e: unknown) => e), 'InvalidInput')).toBe(true);
      expect(isPackError(await pool.encode(sampleSnapshot(10), null as never).catch((e: unknown) => e), 'InvalidInput')).toBe(true);
      // A wrapper named like a built-in codec: the workers could not run its code, so it is refused.
      const zstd = await loadCodec('zstd');
      const wrapper = { ...zstd, compress: (raw: Uint8Array, level?: number) => zstd.compress(raw, level) };
      const refused = await pool.encode(sampleSnapshot(10), { codec: wrapper }).catch((e: unknown) => e);
      expect(isPackError(refused, 'InvalidInput'), String(refused)).toBe(true);
      expect((refused as { details: Record<string, unknown> }).details).toMatchObject({ codec: 'zstd' });
    });

    it("the deprecated load option must match the codec's own: a mismatch is refused, a match or another codec's options accepted", async () => {
      const own = await createCompressionPool({ threads: 1, load: { zstd: { blockSize: 4096 } }, minSectionBytes: 0, minSnapshotBytes: 0 });
      try {
        const packed = sampleSnapshot(2000);
        const mismatch = await own.encode(packed, await packOptions({ codec: 'zstd' })).catch((e: unknown) => e);
        expect(isPackError(mismatch, 'InvalidInput'), String(mismatch)).toBe(true);
        expect((mismatch as { details: Record<string, unknown> }).details).toMatchObject({
          option: 'load',
          codec: 'zstd',
          pool: { zstd: { blockSize: 4096 } },
          codecLoadedWith: { zstd: { blockSize: 'auto' } },
        });
        for (const options of [await packOptions({ codec: await loadCodec('zstd', { zstd: { blockSize: 4096 } }) }), await packOptions({ codec: 'lz4' })]) {
          expect(await sha256(await own.encode(packed, options))).toBe(await sha256(encodeSnapshot(packed, options)));
        }
      } finally {
        await own.close();
      }
    });
  });
}

/** A world of `n` entities with one component per column type, values from `seed` (smooth and noisy parts). */
function randomWorld(n: number, types: readonly ('f32' | 'u16' | 'f64' | 'u8')[], seed: number): PackedSnapshot {
  const entities = new Uint32Array(n).map((_, i) => 3 * i + ((i * seed) % 3));
  let s = seed + 1;
  const next = (): number => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s / 2 ** 32;
  };
  const make = { f32: Float32Array, u16: Uint16Array, f64: Float64Array, u8: Uint8Array };
  return createPackedSnapshot({
    entities,
    timestamp: 1_700_000_000_000 + seed,
    components: types.map((type, c) => ({
      id: `C${c}`,
      fields: { v: new make[type](n).map((_, i) => (i % 2 === 0 ? Math.floor(i / 8) : Math.floor(next() * 200))) },
    })),
  });
}
