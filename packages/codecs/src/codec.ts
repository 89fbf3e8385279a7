import { isPackError, PackError, type PackErrorCode, type SectionCodec } from '@tx2/pack-format';

/** The codec names of the format's codec ids (`CodecId`). */
export type CodecName = 'none' | 'lz4' | 'zstd' | 'deflate' | 'gzip';

/** A named level: the fastest, the recommended and the smallest-output setting of a codec. */
export type LevelPreset = 'fast' | 'default' | 'best';

/** The levels a codec accepts. */
export interface CodecLevels {
  readonly min: number;
  readonly max: number;
  /** The level used when none is given. */
  readonly default: number;
  readonly presets: Readonly<Record<LevelPreset, number>>;
}

/**
 * A compression codec. It is a `SectionCodec` of @tx2/pack-format, so a codec (or a
 * registry lookup) can be passed straight to `encodeSnapshot` / `decodeSnapshot`.
 * `compress` / `decompress` are synchronous: obtain codecs with `loadCodec` or
 * `createCodecRegistry`, which load their WebAssembly or library code once.
 */
export interface Codec extends SectionCodec {
  /** The id stored in section descriptors (`CodecId`). */
  readonly id: number;
  readonly name: CodecName;
  readonly levels: CodecLevels;
  /** Compresses `raw` into one standard frame of this codec; `level` defaults to `levels.default`. */
  compress(raw: Uint8Array, level?: number): Uint8Array;
  /**
   * Decompresses `stored`, which must expand to exactly `expectedSize` bytes. Never
   * allocates more than that; a frame that is corrupt, truncated, or that claims or
   * produces another size throws a PackError 'Decompression' (a `CodecError`).
   */
  decompress(stored: Uint8Array, expectedSize: number): Uint8Array;
  /** A stream that compresses the bytes written to it into one frame, for sections too large to hold twice. */
  compressStream(level?: number): TransformStream<Uint8Array, Uint8Array>;
  /** A stream that decompresses one frame that must expand to exactly `expectedSize` bytes. */
  decompressStream(expectedSize: number): TransformStream<Uint8Array, Uint8Array>;
}

/** The codes a codec failure carries: bad arguments, or a failure while compressing or decompressing. */
export type CodecErrorCode = Extract<PackErrorCode, 'InvalidInput' | 'Compression' | 'Decompression'>;

/** Options of a {@link CodecError}. */
export interface CodecErrorOptions {
  cause?: unknown;
  /** The stable code (default 'Decompression'). */
  code?: CodecErrorCode;
  /** More facts for programs, beside `codec`. */
  details?: Record<string, unknown>;
}

/**
 * A failure inside a codec: a PackError whose `details.codec` names the codec, with code
 * `InvalidInput` (a bad argument), `Compression` or `Decompression` (a corrupt, truncated or
 * wrongly sized frame). Inside `decodeSnapshot` it is reported as a `Decompression` error.
 * @deprecated catch `PackError` instead (`isPackError(error, 'Decompression')`) and read `error.details.codec`; codec failures are still instances of this subclass, so `instanceof CodecError` keeps working.
 */
export class CodecError extends PackError {
  /** The codec that failed (also in `details.codec`). */
  readonly codec: CodecName;

  /** Creates an error whose message says what went wrong and what to do. */
  constructor(codec: CodecName, message: string, options: CodecErrorOptions = {}) {
    super(options.code ?? 'Decompression', `${codec}: ${message}`, { cause: options.cause, details: { ...options.details, codec } });
    this.codec = codec;
  }
}

/**
 * Runs `fn`, turning anything it throws that is not a PackError (a WebAssembly trap, an
 * allocation that failed, an error of a library underneath) into a CodecError with `code`,
 * so that only PackErrors leave a codec.
 */
export function guarded<T>(codec: CodecName, code: 'Compression' | 'Decompression', fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (isPackError(error)) throw error;
    const what = code === 'Compression' ? 'compression' : 'decompression';
    throw new CodecError(codec, `${what} failed (${error instanceof Error ? error.message : String(error)})`, { code, cause: error });
  }
}

/** Throws a CodecError ('InvalidInput') unless `value` is a Uint8Array. */
export function requireBytes(codec: CodecName, value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new CodecError(codec, `${what} must be a Uint8Array, got ${describe(value)}`, { code: 'InvalidInput' });
  }
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return Object.prototype.toString.call(value).slice(8, -1);
  return typeof value;
}

/** Returns `level` checked against `levels`, or the default when it is undefined; PackError('InvalidInput') otherwise. */
export function checkLevel(name: CodecName, levels: CodecLevels, level: number | undefined): number {
  if (level === undefined) return levels.default;
  if (!Number.isInteger(level) || level < levels.min || level > levels.max) {
    throw new PackError('InvalidInput', `${name} level must be an integer from ${levels.min} to ${levels.max} (presets: ${presetList(levels)}), got ${String(level)}`, {
      details: { codec: name, level, min: levels.min, max: levels.max },
    });
  }
  return level;
}

/** Resolves a level or preset name ('fast', 'default', 'best') to a number for `codec`; PackError('InvalidInput') for anything else. */
export function resolveLevel(codec: Pick<Codec, 'name' | 'levels'>, level: number | LevelPreset | undefined): number {
  if (typeof codec !== 'object' || codec === null || typeof codec.levels !== 'object' || codec.levels === null) {
    throw new PackError('InvalidInput', `resolveLevel expects a codec (from loadCodec or createCodecRegistry), got ${describe(codec)}`);
  }
  if (typeof level === 'string') {
    const value = Object.hasOwn(codec.levels.presets, level) ? codec.levels.presets[level] : undefined;
    if (value === undefined) {
      throw new PackError('InvalidInput', `unknown level preset "${level}" for ${codec.name}: use fast, default or best`, { details: { codec: codec.name, level } });
    }
    return value;
  }
  return checkLevel(codec.name, codec.levels, level);
}

function presetList(levels: CodecLevels): string {
  return Object.entries(levels.presets)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** Throws a CodecError ('InvalidInput') unless `size` is a valid expected size (a non-negative safe integer). */
export function checkExpectedSize(name: CodecName, size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new CodecError(name, `the expected size must be a non-negative integer, got ${String(size)}`, { code: 'InvalidInput', details: { expectedSize: size } });
  }
}

/** Throws when `stored` cannot possibly expand to `expected` bytes with a codec whose best ratio is `maxRatio`:1. */
export function checkPlausible(name: CodecName, stored: Uint8Array, expected: number, maxRatio: number, slack: number): void {
  if (expected > stored.length * maxRatio + slack) {
    throw new CodecError(name, `${stored.length} stored bytes cannot expand to the expected ${expected} bytes: the frame or its declared size is corrupt`, {
      details: { storedLength: stored.length, expectedSize: expected },
    });
  }
}

/** The error for output of the wrong length. */
export function sizeMismatch(name: CodecName, produced: number | string, expected: number): CodecError {
  return new CodecError(name, `the frame decompresses to ${produced} bytes, expected ${expected}: the data is corrupt or truncated`, {
    details: { expectedSize: expected, produced: typeof produced === 'number' ? produced : `>${expected}` },
  });
}

/** A codec that lends its own memory for input and output (`compressWith` / `decompressWith`). */
export type LendingCodec = Codec & Required<Pick<Codec, 'compressWith' | 'decompressWith'>>;

/** `compress` of a lending codec: `raw` copied into its memory, the frame copied out. */
export function compressCopying(codec: LendingCodec, raw: Uint8Array, level: number | undefined): Uint8Array {
  checkLevel(codec.name, codec.levels, level);
  requireBytes(codec.name, raw, 'the data to compress');
  return codec.compressWith(
    raw.length,
    (input) => input.set(raw),
    (frame) => frame.slice(),
    level,
  );
}

/** `decompress` of a lending codec: the raw bytes copied out of its memory. */
export function decompressCopying(codec: LendingCodec, stored: Uint8Array, expectedSize: number): Uint8Array {
  return codec.decompressWith(stored, expectedSize, (raw) => raw.slice());
}
