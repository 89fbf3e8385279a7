// @tx2/pack-codecs/workers under Node.js (the `node` export condition): the pool's workers are
// worker_threads running compress-worker.node.js.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PackError } from '@tx2/pack-format';
import type { CompressReply } from './compress-worker.js';
import { type CompressionPool, type CompressionPoolOptions, createPoolOn, type PoolPlatform } from './compression-pool.js';

export { POOL_DEFAULTS, type CompressionPool, type CompressionPoolOptions } from './compression-pool.js';

const nodeThreads: PoolPlatform = {
  parallelism: availableParallelism,
  spawn(events) {
    // The thread gets the process's Node options but not those that only apply to a main script
    // (`node --input-type=module -e ...` would make the worker refuse its own file).
    const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--input-type'));
    const worker = new Worker(new URL('./compress-worker.node.js', import.meta.url), { execArgv });
    worker.on('message', (reply: CompressReply) => events.reply(reply));
    worker.on('error', (error) => events.fail(new PackError('Compression', `a compression worker failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) =>
      events.fail(
        new PackError('Compression', `a compression worker stopped (exit code ${code}) with sections in flight: encode again, or without the pool`, {
          details: { exitCode: code },
        }),
      ),
    );
    // An idle pool never keeps the process alive; a job in flight does. (After the listeners:
    // adding a 'message' listener refs the worker's port again.)
    worker.unref();
    return {
      send: (request, transfer) => worker.postMessage(request, transfer),
      busy: (busy) => (busy ? worker.ref() : worker.unref()),
      terminate: async () => {
        await worker.terminate();
      },
    };
  },
};

/**
 * Starts a pool of worker threads that compress the sections of large snapshots in parallel
 * (import it from '@tx2/pack-codecs/workers'). Output bytes are those of `encodeSnapshot`.
 * Idle workers do not keep the process alive; `close()` stops them.
 */
export function createCompressionPool(options: CompressionPoolOptions = {}): Promise<CompressionPool> {
  return createPoolOn(nodeThreads, options);
}
