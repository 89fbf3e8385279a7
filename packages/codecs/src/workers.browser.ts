// @tx2/pack-codecs/workers in browsers (the `default` export condition): the pool's workers are
// module Web Workers running compress-worker.browser.js. The `new Worker(new URL(..., import.meta.url))`
// form is what Vite, webpack 5, Rollup and esbuild-based bundlers recognise: they bundle the
// worker script (and the codecs it loads) as a separate chunk.
import { PackError } from '@tx2/pack-format';
import type { CompressReply } from './compress-worker.js';
import { type CompressionPool, type CompressionPoolOptions, createPoolOn, type PoolPlatform } from './compression-pool.js';

export { POOL_DEFAULTS, type CompressionPool, type CompressionPoolOptions } from './compression-pool.js';

const webWorkers: PoolPlatform = {
  parallelism: () => globalThis.navigator?.hardwareConcurrency ?? 1,
  spawn(events) {
    if (typeof Worker !== 'function') {
      throw new PackError('Compression', 'this runtime has no Web Workers: encode with encodeSnapshot instead of a compression pool', { details: { reason: 'unsupported' } });
    }
    const worker = new Worker(new URL('./compress-worker.browser.js', import.meta.url), { type: 'module' });
    worker.addEventListener('message', (event: MessageEvent<CompressReply>) => events.reply(event.data));
    // A script that does not load (a bundler that did not emit it, a blocked URL) or an error
    // thrown outside a request: the worker is unusable.
    worker.addEventListener('error', (event: ErrorEvent) => {
      event.preventDefault();
      events.fail(
        new PackError('Compression', `a compression worker failed: ${event.message || 'its script did not load (is the bundler emitting compress-worker.browser.js?)'}`, {
          details: { reason: 'worker-error' },
        }),
      );
    });
    worker.addEventListener('messageerror', () =>
      events.fail(new PackError('Compression', 'a compression worker sent a message that could not be read', { details: { reason: 'messageerror' } })),
    );
    return {
      send: (request, transfer) => worker.postMessage(request, transfer),
      // Browsers do not keep a page alive for a worker: nothing to hold or release.
      busy: () => {},
      terminate: async () => worker.terminate(),
    };
  },
};

/**
 * Starts a pool of Web Workers that compress the sections of large snapshots in parallel
 * (import it from '@tx2/pack-codecs/workers'). Output bytes are those of `encodeSnapshot`.
 * `close()` terminates the workers.
 */
export function createCompressionPool(options: CompressionPoolOptions = {}): Promise<CompressionPool> {
  return createPoolOn(webWorkers, options);
}
