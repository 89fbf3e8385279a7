// Compresses the sections of large snapshots on Node.js worker threads. Opt-in: create a pool,
// encode with it, close it. The bytes are exactly encodeSnapshot's (same codec build, level and
// filters on every thread; the format frames the results with its own code).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type EncodeOptions, encodeSnapshot, encodeSnapshotBatched, isPackError, type PackedSnapshot, PackError, PackErrorCode, type SectionJob } from '@tx2/pack-format';
import { filterById } from './auto-filter.js';
import { type Codec, describe } from './codec.js';
import type { CompressReply, CompressRequest, WorkerSetup } from './compress-worker.js';
import { CODEC_NAMES, codecNameOf, type LoadCodecOptions } from './registry.js';

/** Options of {@link createCompressionPool}. */
export interface CompressionPoolOptions {
  /** Worker threads (default: the machine's parallelism, at most 4). */
  threads?: number;
  /** Options the workers load codecs with: give the ones the codec you encode with was loaded with. */
  load?: LoadCodecOptions;
  /** Sections smaller than this are compressed on the calling thread (default 256 KiB): a worker round trip costs more than they do. */
  minSectionBytes?: number;
  /** Snapshots whose sections total fewer raw bytes are encoded on the calling thread, as encodeSnapshot (default 4 MiB). */
  minSnapshotBytes?: number;
}

/** Worker threads that compress snapshot sections in parallel; `close()` it when done. */
export interface CompressionPool {
  /** The number of worker threads. */
  readonly threads: number;
  /** Encodes `packed` like `encodeSnapshot(packed, options)` (same bytes), compressing large sections on the workers. */
  encode(packed: PackedSnapshot, options: EncodeOptions & { codec?: Codec }): Promise<Uint8Array>;
  /** Stops the workers; encodes still running fail with PackError('Compression'). Safe to call twice. */
  close(): Promise<void>;
}

/** Defaults of the size thresholds (see CompressionPoolOptions). */
export const POOL_DEFAULTS = Object.freeze({ minSectionBytes: 256 << 10, minSnapshotBytes: 4 << 20, maxThreads: 4 });

/** Sections sent to one worker before it answers. */
const IN_FLIGHT = 2;

interface Pending {
  resolve(frame: Uint8Array): void;
  reject(error: unknown): void;
}

/** One worker thread per codec: its queue of jobs in flight. */
class CodecWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #failure: PackError | undefined;

  constructor(setup: WorkerSetup) {
    // The thread gets the process's Node options but not those that only apply to a main script
    // (`node --input-type=module -e ...` would make the worker refuse its own file).
    const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--input-type'));
    this.#worker = new Worker(new URL('./compress-worker.js', import.meta.url), { workerData: setup, execArgv });
    this.#worker.on('message', (reply: CompressReply) => this.#settle(reply));
    this.#worker.on('error', (error) =>
      this.#fail(new PackError('Compression', `a compression worker failed: ${error.message}`, { cause: error, details: { codec: setup.codec } })),
    );
    this.#worker.on('exit', (code) =>
      this.#fail(
        new PackError('Compression', `a compression worker stopped (exit code ${code}) with sections in flight: encode again, or without the pool`, {
          details: { codec: setup.codec, exitCode: code },
        }),
      ),
    );
    // An idle pool never keeps the process alive; a job in flight does. (After the listeners:
    // adding a 'message' listener refs the worker's port again.)
    this.#worker.unref();
  }

  /** True once the thread failed or was stopped: it takes no more jobs. */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  get load(): number {
    return this.#pending.size;
  }

  compress(request: Omit<CompressRequest, 'id'>): Promise<Uint8Array> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#next++;
    if (this.#pending.size === 0) this.#worker.ref();
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...request, id } satisfies CompressRequest, [request.input.buffer as ArrayBuffer]);
    });
  }

  async terminate(): Promise<void> {
    this.#fail(
      new PackError('Compression', 'the compression pool was closed while a snapshot was being encoded: close it after the encodes finish', { details: { reason: 'closed' } }),
    );
    await this.#worker.terminate();
  }

  #settle(reply: CompressReply): void {
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if ('frame' in reply) pending.resolve(reply.frame);
    else {
      const { message, code, details } = reply.error;
      const known = code !== undefined && Object.hasOwn(PackErrorCode, code);
      pending.reject(new PackError(known ? (code as PackErrorCode) : 'Compression', message, { details: (details as Record<string, unknown> | undefined) ?? {} }));
    }
  }

  #fail(error: PackError): void {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}

/**
 * Starts a pool of worker threads that compress the sections of large snapshots in parallel
 * (Node.js only: import it from '@tx2/pack-codecs/workers'). Output bytes are those of
 * `encodeSnapshot`. Idle workers do not keep the process alive; `close()` stops them.
 */
export async function createCompressionPool(options: CompressionPoolOptions = {}): Promise<CompressionPool> {
  if (typeof options !== 'object' || options === null) throw new PackError('InvalidInput', `createCompressionPool takes an options object, got ${describe(options)}`);
  const threads = options.threads ?? Math.min(POOL_DEFAULTS.maxThreads, Math.max(1, availableParallelism()));
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new PackError('InvalidInput', `threads must be an integer from 1 to 64, got ${String(options.threads)}`, { details: { option: 'threads', value: options.threads } });
  }
  const minSectionBytes = sizeOption(options.minSectionBytes, POOL_DEFAULTS.minSectionBytes, 'minSectionBytes');
  const minSnapshotBytes = sizeOption(options.minSnapshotBytes, POOL_DEFAULTS.minSnapshotBytes, 'minSnapshotBytes');
  const load = options.load ?? {};
  // Workers per codec name, started on the first snapshot that needs them.
  const workers = new Map<string, CodecWorker[]>();
  let closed = false;

  const workersFor = (codec: Codec): CodecWorker[] => {
    const setup: WorkerSetup = { codec: codecNameOf(codec.name), load };
    // A thread that failed is replaced, so one bad encode does not break the pool.
    const list = (workers.get(codec.name) ?? []).filter((w) => !w.failed);
    while (list.length < threads) list.push(new CodecWorker(setup));
    workers.set(codec.name, list);
    return list;
  };

  const compressAll =
    (codec: Codec, level: number | undefined) =>
    async (jobs: readonly SectionJob[]): Promise<Uint8Array[]> => {
      let total = 0;
      for (const job of jobs) total += job.raw.length;
      // A small snapshot is compressed here, as encodeSnapshot would.
      if (total < minSnapshotBytes) return jobs.map((job) => codec.compress(job.filter === undefined ? job.raw : job.filter.encode(job.raw, job.width), level));
      const list = workersFor(codec);
      const frames = new Array<Uint8Array>(jobs.length);
      // Largest first, each to a worker as it frees up: the big columns finish together.
      const order = jobs.map((_, i) => i).sort((a, b) => jobs[b]!.raw.length - jobs[a]!.raw.length);
      const queue = order.filter((i) => jobs[i]!.raw.length >= minSectionBytes);
      const local = order.filter((i) => jobs[i]!.raw.length < minSectionBytes);
      const request = (job: SectionJob): Omit<CompressRequest, 'id'> => {
        const builtIn = job.filter !== undefined && filterById(job.filter.id) === job.filter;
        // A custom filter runs here; the built-in ones run on the worker, by id. The section is
        // copied (it views the caller's columns) and its copy handed over without another.
        const input = builtIn || job.filter === undefined ? job.raw.slice() : job.filter.encode(job.raw, job.width).slice();
        return { input, filter: builtIn ? job.filter!.id : 0, width: job.width, level: level ?? codec.levels.default };
      };
      await new Promise<void>((resolve, reject) => {
        let next = 0;
        let running = 0;
        let failed = false;
        // At most IN_FLIGHT sections per worker: copies in flight stay bounded, and a worker
        // always has its next section queued while the calling thread is busy.
        const feed = (worker: CodecWorker): void => {
          while (!failed && next < queue.length && worker.load < IN_FLIGHT) {
            const i = queue[next++]!;
            running++;
            worker.compress(request(jobs[i]!)).then(
              (frame) => {
                frames[i] = frame;
                running--;
                if (next >= queue.length && running === 0) resolve();
                else feed(worker);
              },
              (error: unknown) => {
                failed = true;
                reject(error);
              },
            );
          }
        };
        for (const worker of list) feed(worker);
        // Small sections are compressed here while the workers run.
        for (const i of local) {
          const job = jobs[i]!;
          frames[i] = codec.compress(job.filter === undefined ? job.raw : job.filter.encode(job.raw, job.width), level);
        }
        if (queue.length === 0) resolve();
      });
      return frames;
    };

  return Object.freeze({
    threads,
    async encode(packed: PackedSnapshot, encodeOptions: EncodeOptions & { codec?: Codec }): Promise<Uint8Array> {
      if (closed) throw new PackError('InvalidInput', 'the compression pool is closed: create a new one');
      if (typeof encodeOptions !== 'object' || encodeOptions === null)
        throw new PackError('InvalidInput', `encode takes the options of encodeSnapshot, got ${describe(encodeOptions)}`);
      const codec = encodeOptions.codec;
      if (codec === undefined || codec.id === 0) return encodeSnapshot(packed, encodeOptions);
      if (typeof codec.levels !== 'object' || codec.levels === null || !CODEC_NAMES.includes(codec.name)) {
        throw new PackError('InvalidInput', `the pool compresses with the codecs of @tx2/pack-codecs (loadCodec, packOptions), got codec "${String(codec.name)}"`, {
          details: { codec: codec.name },
        });
      }
      try {
        return await encodeSnapshotBatched(packed, encodeOptions, compressAll(codec, encodeOptions.level));
      } catch (error) {
        if (isPackError(error)) throw error;
        throw new PackError('Compression', `compressing on the worker threads failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all([...workers.values()].flat().map((w) => w.terminate()));
      workers.clear();
    },
  });
}

function sizeOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0)
    throw new PackError('InvalidInput', `${name} must be a non-negative integer (bytes), got ${String(value)}`, { details: { option: name, value } });
  return value;
}
