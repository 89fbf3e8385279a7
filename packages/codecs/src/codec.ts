import type { SectionCodec } from '@tx2/pack-format';

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
   * produces another size throws a `CodecError`.
   */
  decompress(stored: Uint8Array, expectedSize: number): Uint8Array;
  /** A stream that compresses the bytes written to it into one frame, for sections too large to hold twice. */
  compressStream(level?: number): TransformStream<Uint8Array, Uint8Array>;
  /** A stream that decompresses one frame that must expand to exactly `expectedSize` bytes. */
  decompressStream(expectedSize: number): TransformStream<Uint8Array, Uint8Array>;
}

/** A failure inside a codec; `decodeSnapshot` reports it as a PackError `Decompression` naming the section. */
export class CodecError extends Error {
  /** The codec that failed. */
  readonly codec: CodecName;

  /** Creates an error whose message says what went wrong and what to do. */
  constructor(codec: CodecName, message: string, options?: { cause?: unknown }) {
    super(`${codec}: ${message}`, options);
    this.name = 'CodecError';
    this.codec = codec;
  }
}

/** Returns `level` checked against `levels`, or the default when it is undefined; throws a RangeError otherwise. */
export function checkLevel(name: CodecName, levels: CodecLevels, level: number | undefined): number {
  if (level === undefined) return levels.default;
  if (!Number.isInteger(level) || level < levels.min || level > levels.max) {
    throw new RangeError(`${name} level must be an integer from ${levels.min} to ${levels.max} (presets: ${presetList(levels)}), got ${String(level)}`);
  }
  return level;
}

/** Resolves a level or preset name ('fast', 'default', 'best') to a number for `codec`. */
export function resolveLevel(codec: Pick<Codec, 'name' | 'levels'>, level: number | LevelPreset | undefined): number {
  if (typeof level === 'string') {
    const value = codec.levels.presets[level];
    if (value === undefined) throw new RangeError(`unknown level preset "${level}" for ${codec.name}: use fast, default or best`);
    return value;
  }
  return checkLevel(codec.name, codec.levels, level);
}

function presetList(levels: CodecLevels): string {
  return Object.entries(levels.presets)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** Throws unless `size` is a valid expected size (a non-negative safe integer). */
export function checkExpectedSize(name: CodecName, size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new CodecError(name, `the expected size must be a non-negative integer, got ${String(size)}`);
  }
}

/** Throws when `stored` cannot possibly expand to `expected` bytes with a codec whose best ratio is `maxRatio`:1. */
export function checkPlausible(name: CodecName, stored: Uint8Array, expected: number, maxRatio: number, slack: number): void {
  if (expected > stored.length * maxRatio + slack) {
    throw new CodecError(
      name,
      `${stored.length} stored bytes cannot expand to the expected ${expected} bytes: the frame or its declared size is corrupt`,
    );
  }
}

/** The error for output of the wrong length. */
export function sizeMismatch(name: CodecName, produced: number | string, expected: number): CodecError {
  return new CodecError(name, `the frame decompresses to ${produced} bytes, expected ${expected}: the data is corrupt or truncated`);
}
