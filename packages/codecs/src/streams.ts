import { CodecError, type CodecName, describe, guarded, sizeMismatch } from './codec.js';

/** The incremental work behind a codec stream: fed chunk by chunk, then finished once. */
export interface ChunkProcessor {
  /** Consumes one input chunk, emitting any output it completes. */
  push(chunk: Uint8Array, emit: (out: Uint8Array) => void): void;
  /** Emits the remaining output at the end of the input. */
  finish(emit: (out: Uint8Array) => void): void;
  /** Releases resources (WebAssembly contexts); called once, after finish or an error. */
  dispose(): void;
}

/**
 * Wraps a processor in a web-standard TransformStream (Node.js 18+ and browsers). Whatever
 * fails in it fails the stream with a PackError: `code` for the processor's own failures.
 */
export function processorStream(name: CodecName, code: 'Compression' | 'Decompression', create: () => ChunkProcessor): TransformStream<Uint8Array, Uint8Array> {
  let processor: ChunkProcessor | undefined;
  const release = (): void => {
    processor?.dispose();
    processor = undefined;
  };
  return new TransformStream<Uint8Array, Uint8Array>({
    start() {
      processor = guarded(name, code, create);
    },
    transform(chunk, controller) {
      if (!(chunk instanceof Uint8Array)) {
        release();
        throw new CodecError(name, `streams take Uint8Array chunks, got ${describe(chunk)}`, { code: 'InvalidInput' });
      }
      if (processor === undefined) throw new CodecError(name, 'the stream was already closed or failed', { code: 'InvalidInput' });
      const running = processor;
      try {
        guarded(name, code, () => running.push(chunk, (out) => controller.enqueue(out)));
      } catch (error) {
        release();
        throw error;
      }
    },
    flush(controller) {
      if (processor === undefined) throw new CodecError(name, 'the stream was already closed or failed', { code: 'InvalidInput' });
      const running = processor;
      try {
        guarded(name, code, () => running.finish((out) => controller.enqueue(out)));
      } finally {
        release();
      }
    },
  });
}

/** Counts decompressed bytes against the expected size: fails as soon as there are too many, and at the end if too few. */
export class OutputBudget {
  #produced = 0;

  /** Creates a budget of `expected` bytes for codec `name`. */
  constructor(
    private readonly name: CodecName,
    readonly expected: number,
  ) {}

  /** The bytes still allowed. */
  get remaining(): number {
    return this.expected - this.#produced;
  }

  /** Records `n` more output bytes; throws when the total passes the expected size. */
  add(n: number): void {
    this.#produced += n;
    if (this.#produced > this.expected) throw sizeMismatch(this.name, `more than ${this.expected}`, this.expected);
  }

  /** Throws unless exactly the expected size was produced. */
  end(): void {
    if (this.#produced !== this.expected) throw sizeMismatch(this.name, this.#produced, this.expected);
  }
}
