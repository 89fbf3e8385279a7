// The worker pool (@tx2/pack-codecs/workers), run from the build: Node worker threads load the
// built worker script. Every test compares the pool's bytes with encodeSnapshot's.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPackedSnapshot, decodeSnapshot, isPackError, type PackedSnapshot } from '@tx2/pack-format';
import type { CompressionPool } from '../src/compression-pool.js';
import { CODEC_NAMES, createCodecRegistry, packOptions, readOptions, shuffleFilter, type CodecRegistry } from '../src/index.js';
import { encodeSnapshot } from './helpers/format.js';
import { sampleSnapshot, snapshotBytesEqual } from './helpers/data.js';

// The worker threads run the built worker script, so the pool is imported from the build.
const WORKERS_ENTRY = fileURLToPath(new URL('../dist/workers.js', import.meta.url));
const { createCompressionPool } = (await import(WORKERS_ENTRY)) as typeof import('../src/workers.js');
const VECTORS = JSON.parse(readFileSync(new URL('./vectors/pool-sample.expected.json', import.meta.url), 'utf8')) as {
  entities: number;
  cases: { codec: 'zstd' | 'lz4' | 'deflate' | 'gzip'; level: number; filter: 'auto' | 'none'; length: number; sha256: string }[];
};

let pool: CompressionPool;
let registry: CodecRegistry;
// Thresholds at zero: every section goes to a worker, however small.
beforeAll(async () => {
  pool = await createCompressionPool({ threads: 2, minSectionBytes: 0, minSnapshotBytes: 0 });
  registry = await createCodecRegistry();
});
afterAll(async () => {
  await pool.close();
});

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('CompressionPool output', () => {
  it.each(VECTORS.cases.map((c) => [`${c.codec}-${c.level} filter ${c.filter}`, c] as const))('%s: the committed vector, and encodeSnapshot byte for byte', async (_, vector) => {
    const packed = sampleSnapshot(VECTORS.entities);
    const options = await packOptions({ codec: vector.codec, level: vector.level, filter: vector.filter });
    const single = encodeSnapshot(packed, options);
    const parallel = await pool.encode(packed, options);
    expect(parallel.length).toBe(vector.length);
    expect(sha256(parallel)).toBe(vector.sha256);
    expect(sha256(single)).toBe(vector.sha256);
    expect(snapshotBytesEqual(decodeSnapshot(parallel, await readOptions({ bytes: parallel })), packed)).toBe(true);
  });

  it('property: random worlds, codecs, levels, filters and checksums give encodeSnapshot bytes', async () => {
    const column = fc.oneof(fc.constant('f32' as const), fc.constant('u16' as const), fc.constant('f64' as const), fc.constant('u8' as const));
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
          expect(sha256(parallel)).toBe(sha256(encodeSnapshot(packed, options)));
        },
      ),
      { numRuns: 40, seed: 15 },
    );
  });

  it('a custom filter chooser runs on the calling thread and gives the same bytes', async () => {
    const packed = sampleSnapshot(5000);
    const custom = { ...shuffleFilter, id: shuffleFilter.id };
    const options = { ...(await packOptions({ codec: 'zstd', level: 3 })), filter: () => custom };
    expect(sha256(await pool.encode(packed, options))).toBe(sha256(encodeSnapshot(packed, options)));
  });

  it('with default thresholds a small world is encoded on the calling thread, a large one on the workers: same bytes', async () => {
    const defaults = await createCompressionPool({ threads: 1 });
    try {
      const options = await packOptions();
      for (const n of [100, 400_000]) {
        const packed = sampleSnapshot(n);
        expect(sha256(await defaults.encode(packed, options))).toBe(sha256(encodeSnapshot(packed, options)));
      }
      // Without a codec the pool is encodeSnapshot.
      expect(sha256(await defaults.encode(sampleSnapshot(10), {}))).toBe(sha256(encodeSnapshot(sampleSnapshot(10), {})));
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
    expect(sha256(await pool.encode(sampleSnapshot(500), good))).toBe(sha256(encodeSnapshot(sampleSnapshot(500), good)));
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

  it('bad options and foreign codecs are PackError InvalidInput', async () => {
    for (const options of [{ threads: 0 }, { threads: 1.5 }, { minSectionBytes: -1 }, { minSnapshotBytes: Number.NaN }]) {
      const error = await createCompressionPool(options).catch((e: unknown) => e);
      expect(isPackError(error, 'InvalidInput'), JSON.stringify(options)).toBe(true);
    }
    expect(isPackError(await createCompressionPool(null as never).catch((e: unknown) => e), 'InvalidInput')).toBe(true);
    const foreign = { id: 9, name: 'mine', compress: (raw: Uint8Array) => raw, decompress: (raw: Uint8Array) => raw };
    expect(isPackError(await pool.encode(sampleSnapshot(10), { codec: foreign as never }).catch((e: unknown) => e), 'InvalidInput')).toBe(true);
    expect(isPackError(await pool.encode(sampleSnapshot(10), null as never).catch((e: unknown) => e), 'InvalidInput')).toBe(true);
  });
});

describe('CompressionPool lifetime', () => {
  // A script that encodes on the pool, then closes it or forgets to: both must end by themselves.
  // With 4 threads some get no section at all: an unused thread must not hold the process either.
  it.each([
    ['closes the pool', 'await pool.close();', 2],
    ['forgets to close the pool', '', 2],
    ['forgets to close a pool with idle threads', '', 4],
  ])('a script that %s exits on its own', (_, ending, threads) => {
    const script = `
      import { createPackedSnapshot } from '@tx2/pack-format';
      import { packOptions } from '@tx2/pack-codecs';
      import { createCompressionPool } from ${JSON.stringify(WORKERS_ENTRY)};
      const x = new Float32Array(300000).map((_, i) => Math.sin(i));
      const packed = createPackedSnapshot({ entities: new Uint32Array(300000).map((_, i) => i), components: [{ id: 'P', fields: { x } }] });
      const pool = await createCompressionPool({ threads: ${threads}, minSectionBytes: 0, minSnapshotBytes: 0 });
      const bytes = await pool.encode(packed, await packOptions());
      ${ending}
      console.log('encoded', bytes.length);
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 120_000 });
    expect(run.error, run.stderr).toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^encoded \d+/);
  });
});

it('the README example of the worker pool runs as written', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const code = /## Worker threads \(Node\.js\)[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code, 'README.md has no ```js example under "## Worker threads (Node.js)"').toBeTruthy();
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', code!], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 120_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout.trim()).toBe('true');
});

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
