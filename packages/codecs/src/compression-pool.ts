// Compresses the sections of large snapshots on worker threads: the scheduling, written once.
// How a worker is started and spoken to (Node.js worker_threads, or Web Workers) is the
// platform's part (workers.node.ts, workers.browser.ts). The bytes are exactly encodeSnapshot's:
// every worker loads the same codec build with the options the caller's codec was loaded with,
// compresses at the same level with the same filters, and the format frames the results.
import { type EncodeOptions, encodeSnapshot, encodeSnapshotBatched, isPackError, type PackedSnapshot, PackError, PackErrorCode, type SectionJob } from '@tx2/pack-format';
import { filterById } from './auto-filter.js';
import { type Codec, describe } from './codec.js';
import type { CompressReply, CompressRequest, WorkerCodec } from './compress-worker.js';
import { CODEC_NAMES, effectiveLoadOptions, type LoadCodecOptions, loadOptionsOf } from './registry.js';

/** Options of {@link createCompressionPool}. */
export interface CompressionPoolOptions {
  /** Workers (default: the machine's parallelism, at most 4). */
  threads?: number;
  /**
   * @deprecated not needed: the workers load each codec with the options it was loaded with. When
   * given, an encode with a codec loaded with other options is refused (PackError 'InvalidInput').
   */
  load?: LoadCodecOptions;
  /** Sections smaller than this are compressed on the calling thread (default 256 KiB): a worker round trip costs more than they do. */
  minSectionBytes?: number;
  /** Snapshots whose sections total fewer raw bytes are encoded on the calling thread, as encodeSnapshot (default 4 MiB). */
  minSnapshotBytes?: number;
}

/** Workers that compress snapshot sections in parallel; `close()` it when done. */
export interface CompressionPool {
  /** The number of workers. */
  readonly threads: number;
  /** Encodes `packed` like `encodeSnapshot(packed, options)` (same bytes), compressing large sections on the workers. */
  encode(packed: PackedSnapshot, options: EncodeOptions & { codec?: Codec }): Promise<Uint8Array>;
  /** Stops the workers; encodes still running fail with PackError('Compression'). Safe to call twice. */
  close(): Promise<void>;
}

/** Defaults of the size thresholds (see CompressionPoolOptions). */
export const POOL_DEFAULTS = Object.freeze({ minSectionBytes: 256 << 10, minSnapshotBytes: 4 << 20, maxThreads: 4 });

/** What a worker tells the pool: a reply, or that it failed (an error, or it stopped). */
export interface WorkerEvents {
  reply(reply: CompressReply): void;
  fail(error: PackError): void;
}

/** One started worker, as the platform drives it. */
export interface WorkerChannel {
  /** Sends a request, transferring (not copying) `transfer`. */
  send(request: CompressRequest, transfer: ArrayBuffer[]): void;
  /** Busy: the worker has requests in flight (Node keeps the process alive only then). */
  busy(busy: boolean): void;
  terminate(): Promise<void>;
}

/** How a platform starts workers that run the compress-worker script. */
export interface PoolPlatform {
  /** The default number of workers. */
  parallelism(): number;
  spawn(events: WorkerEvents): WorkerChannel;
}

/** A section waiting for a worker. */
interface Task {
  /** The request, built (the section copied) when a worker takes it. */
  request(): Omit<CompressRequest, 'id'>;
  /** True when its encode already failed: the section is skipped. */
  abandoned(): boolean;
  done(frame: Uint8Array): void;
  fail(error: unknown): void;
}

/** Sections sent to one worker before it answers. */
const IN_FLIGHT = 2;

interface Pending {
  resolve(frame: Uint8Array): void;
  reject(error: unknown): void;
}

/** One worker: its requests in flight. */
class PoolWorker {
  readonly #channel: WorkerChannel;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #failure: PackError | undefined;

  constructor(platform: PoolPlatform) {
    this.#channel = platform.spawn({ reply: (reply) => this.#settle(reply), fail: (error) => this.#fail(error) });
  }

  /** True once the worker failed or was stopped: it takes no more jobs. */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  get load(): number {
    return this.#pending.size;
  }

  compress(request: Omit<CompressRequest, 'id'>): Promise<Uint8Array> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#next++;
    if (this.#pending.size === 0) this.#channel.busy(true);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#channel.send({ ...request, id }, [request.input.buffer as ArrayBuffer]);
    });
  }

  async terminate(): Promise<void> {
    this.#fail(closedError());
    await this.#channel.terminate();
  }

  #settle(reply: CompressReply): void {
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#channel.busy(false);
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
    if (this.#pending.size > 0) this.#channel.busy(false);
    this.#pending.clear();
  }
}

/** Starts a pool on `platform` (the shared part of both builds' createCompressionPool). */
export async function createPoolOn(platform: PoolPlatform, options: CompressionPoolOptions = {}): Promise<CompressionPool> {
  if (typeof options !== 'object' || options === null) throw new PackError('InvalidInput', `createCompressionPool takes an options object, got ${describe(options)}`);
  const threads = options.threads ?? Math.min(POOL_DEFAULTS.maxThreads, Math.max(1, platform.parallelism()));
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new PackError('InvalidInput', `threads must be an integer from 1 to 64, got ${String(options.threads)}`, { details: { option: 'threads', value: options.threads } });
  }
  const minSectionBytes = sizeOption(options.minSectionBytes, POOL_DEFAULTS.minSectionBytes, 'minSectionBytes');
  const minSnapshotBytes = sizeOption(options.minSnapshotBytes, POOL_DEFAULTS.minSnapshotBytes, 'minSnapshotBytes');
  const load = options.load;
  if (load !== undefined && (typeof load !== 'object' || load === null || Array.isArray(load))) {
    throw new PackError('InvalidInput', `load must be the options object of loadCodec, got ${describe(load)}`, { details: { option: 'load' } });
  }
  // Started on the first snapshot that needs them; each loads the codecs its requests name.
  let workers: PoolWorker[] = [];
  let closed = false;

  // Sections waiting for a worker, from every encode in progress: a worker that frees up takes
  // the next one, whichever encode it belongs to, so encodes started together all progress.
  const waiting: Task[] = [];

  const liveWorkers = (): PoolWorker[] => {
    // A worker that failed is replaced, so one bad encode does not break the pool.
    workers = workers.filter((w) => !w.failed);
    while (workers.length < threads) workers.push(new PoolWorker(platform));
    return workers;
  };

  // At most IN_FLIGHT sections per worker: copies in flight stay bounded, and a worker always has
  // its next section queued while the calling thread is busy.
  const pump = (): void => {
    if (closed) return;
    let live: PoolWorker[];
    try {
      live = liveWorkers();
    } catch (error) {
      // No worker can be started here (no Web Workers): every waiting section fails its encode.
      for (const task of waiting.splice(0)) task.fail(error);
      return;
    }
    for (const worker of live) {
      while (waiting.length > 0 && !worker.failed && worker.load < IN_FLIGHT) {
        const task = waiting.shift()!;
        if (task.abandoned()) continue;
        let request: Omit<CompressRequest, 'id'>;
        try {
          request = task.request();
        } catch (error) {
          task.fail(error); // a custom filter that threw
          continue;
        }
        worker.compress(request).then(
          (frame) => {
            task.done(frame);
            pump();
          },
          (error: unknown) => {
            task.fail(error);
            pump();
          },
        );
      }
    }
  };

  const compressAll =
    (codec: Codec, workerCodec: WorkerCodec, level: number | undefined) =>
    async (jobs: readonly SectionJob[]): Promise<Uint8Array[]> => {
      let total = 0;
      for (const job of jobs) total += job.raw.length;
      // A small snapshot is compressed here, as encodeSnapshot would.
      if (total < minSnapshotBytes) return jobs.map((job) => codec.compress(job.filter === undefined ? job.raw : job.filter.encode(job.raw, job.width), level));
      const frames = new Array<Uint8Array>(jobs.length);
      // Largest first, each to a worker as it frees up: the big columns finish together.
      const order = jobs.map((_, i) => i).sort((a, b) => jobs[b]!.raw.length - jobs[a]!.raw.length);
      const queued = order.filter((i) => jobs[i]!.raw.length >= minSectionBytes);
      const local = order.filter((i) => jobs[i]!.raw.length < minSectionBytes);
      const request = (job: SectionJob): Omit<CompressRequest, 'id'> => {
        const builtIn = job.filter !== undefined && filterById(job.filter.id) === job.filter;
        // A custom filter runs here; the built-in ones run on the worker, by id. The section is
        // copied (it views the caller's columns) when a worker takes it, and the copy handed over.
        const input = builtIn || job.filter === undefined ? job.raw.slice() : job.filter.encode(job.raw, job.width).slice();
        return { codec: workerCodec, input, filter: builtIn ? job.filter!.id : 0, width: job.width, level: level ?? codec.levels.default };
      };
      // Set when the encode failed (a section's error, or one compressed here): its sections
      // still waiting are skipped.
      let failed = false;
      const remote = new Promise<void>((resolve, reject) => {
        let left = queued.length;
        if (left === 0) resolve();
        for (const i of queued) {
          waiting.push({
            request: () => request(jobs[i]!),
            abandoned: () => failed,
            done: (frame) => {
              frames[i] = frame;
              if (--left === 0) resolve();
            },
            fail: (error) => {
              if (!failed) reject(error);
              failed = true;
            },
          });
        }
      });
      // Awaited below; handled here too, in case a section compressed here throws first.
      remote.catch(() => {});
      pump();
      // Small sections are compressed here while the workers run.
      try {
        for (const i of local) {
          const job = jobs[i]!;
          frames[i] = codec.compress(job.filter === undefined ? job.raw : job.filter.encode(job.raw, job.width), level);
        }
      } catch (error) {
        failed = true;
        throw error;
      }
      await remote;
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
      const workerCodec = workerCodecOf(codec, load);
      try {
        return await encodeSnapshotBatched(packed, encodeOptions, compressAll(codec, workerCodec, encodeOptions.level));
      } catch (error) {
        if (isPackError(error)) throw error;
        throw new PackError('Compression', `compressing on the workers failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const error = closedError();
      for (const task of waiting.splice(0)) task.fail(error);
      await Promise.all(workers.map((w) => w.terminate()));
      workers = [];
    },
  });
}

/**
 * The codec the workers load for `codec`: the same name and load options, so their frames are
 * the caller's. A codec this package did not load (a wrapper, another copy of the package) is
 * refused, and so is one loaded with options other than the pool's deprecated `load`.
 */
function workerCodecOf(codec: Codec, load: LoadCodecOptions | undefined): WorkerCodec {
  const loadedWith = typeof codec === 'object' && codec !== null ? loadOptionsOf(codec) : undefined;
  if (loadedWith === undefined || !CODEC_NAMES.includes(codec.name)) {
    throw new PackError(
      'InvalidInput',
      `the pool compresses with codecs loaded by this copy of @tx2/pack-codecs (loadCodec, createCodecRegistry, packOptions), got codec "${String(codec?.name)}": its workers could not load the same one. Use encodeSnapshot for other codecs`,
      { details: { codec: codec?.name } },
    );
  }
  if (load !== undefined) {
    const expected = effectiveLoadOptions(codec.name, load);
    if (JSON.stringify(expected) !== JSON.stringify(loadedWith)) {
      throw new PackError(
        'InvalidInput',
        `the pool was created with load options ${JSON.stringify(expected)} for ${codec.name}, but the codec was loaded with ${JSON.stringify(loadedWith)}: drop the pool's load option (the workers follow the codec)`,
        { details: { option: 'load', codec: codec.name, pool: expected, codecLoadedWith: loadedWith } },
      );
    }
  }
  return { name: codec.name, load: loadedWith };
}

/** The error of the encodes a `close()` cut short. */
function closedError(): PackError {
  return new PackError('Compression', 'the compression pool was closed while a snapshot was being encoded: close it after the encodes finish', { details: { reason: 'closed' } });
}

function sizeOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0)
    throw new PackError('InvalidInput', `${name} must be a non-negative integer (bytes), got ${String(value)}`, { details: { option: name, value } });
  return value;
}
