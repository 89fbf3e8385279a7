// The worker pool (@tx2/pack-codecs/workers) in Chromium: the browser build of the entry, whose
// Web Workers run dist/compress-worker.browser.js (found by Vite through `new Worker(new URL(...))`,
// as an application's bundler would). The same suite as under Node (helpers/pool-suite.ts).
import { describe, expect, it } from 'vitest';
import { poolSuite } from './helpers/pool-suite.js';

// Through URLs so that typechecking does not need a build; the browser and Vite resolve them.
const workers = (await import(/* @vite-ignore */ new URL('../dist/workers.browser.js', import.meta.url).href)) as typeof import('../src/workers.browser.js');
const codecs = (await import(/* @vite-ignore */ new URL('../dist/index.js', import.meta.url).href)) as typeof import('../src/index.js');

poolSuite({ workers, codecs, nativeZlib: false });

describe('CompressionPool in a browser', () => {
  it('starts module Web Workers, one per thread, and close() terminates them', async () => {
    const started: Worker[] = [];
    const Original = globalThis.Worker;
    // Counts the workers the pool starts and whether they were terminated.
    const terminated = new Set<Worker>();
    globalThis.Worker = class extends Original {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        expect(options?.type).toBe('module');
        started.push(this);
      }
      override terminate(): void {
        terminated.add(this);
        super.terminate();
      }
    };
    try {
      const pool = await workers.createCompressionPool({ threads: 2, minSectionBytes: 0, minSnapshotBytes: 0 });
      expect(started).toHaveLength(0);
      const { sampleSnapshot } = await import('./helpers/data.js');
      await pool.encode(sampleSnapshot(3000), await codecs.packOptions({ codec: 'zstd' }));
      expect(started).toHaveLength(2);
      await pool.close();
      expect(terminated.size).toBe(2);
      expect(started.every((w) => terminated.has(w))).toBe(true);
    } finally {
      globalThis.Worker = Original;
    }
  });

  it('a worker whose script fails becomes PackError Compression, and the next encode starts a fresh one', async () => {
    const Original = globalThis.Worker;
    // The first worker started runs a script that throws at once, as a worker that failed to load would.
    let broken = true;
    globalThis.Worker = class extends Original {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(broken ? URL.createObjectURL(new Blob(['throw new Error("boom")'], { type: 'text/javascript' })) : url, options);
        broken = false;
      }
    };
    try {
      const pool = await workers.createCompressionPool({ threads: 1, minSectionBytes: 0, minSnapshotBytes: 0 });
      const { sampleSnapshot } = await import('./helpers/data.js');
      const options = await codecs.packOptions({ codec: 'zstd' });
      const error = await pool.encode(sampleSnapshot(3000), options).catch((e: unknown) => e);
      expect(codecs.CODEC_NAMES).toContain('zstd');
      expect(String(error)).toMatch(/compression worker failed/);
      expect((error as { code?: string }).code).toBe('Compression');
      const bytes = await pool.encode(sampleSnapshot(3000), options);
      expect(bytes.length).toBeGreaterThan(0);
      await pool.close();
    } finally {
      globalThis.Worker = Original;
    }
  });
});
