import type { FieldType } from './field-types.js';
import { CodecId } from './layout.js';

/**
 * A compression codec the container can apply to section payloads. The format only
 * knows this interface and `noneCodec`; @tx2/pack-codecs provides the others.
 */
export interface SectionCodec {
  /** The id stored in section descriptors (see `CodecId`). */
  readonly id: number;
  /** A short lowercase name for messages and tools, such as "zstd". */
  readonly name: string;
  /** Compresses one section payload. */
  compress(raw: Uint8Array, level?: number): Uint8Array;
  /** Decompresses one section payload that must expand to exactly `rawLength` bytes. */
  decompress(stored: Uint8Array, rawLength: number): Uint8Array;
  /**
   * Optional zero-copy compression: `fill` writes the `length` input bytes into the view it is
   * given (the codec's own memory), and `take` receives the frame as a view that is valid only
   * during that call. Must produce the bytes `compress` produces. Writers use it when present.
   */
  compressWith?<T>(length: number, fill: (input: Uint8Array) => void, take: (frame: Uint8Array) => T, level?: number): T;
  /**
   * Optional zero-copy decompression: `take` receives the `rawLength` decompressed bytes as a
   * view valid only during that call (copy or unfilter them out). Readers use it when present.
   */
  decompressWith?<T>(stored: Uint8Array, rawLength: number, take: (raw: Uint8Array) => T): T;
}

/** Finds the codec for an id read from a file, or undefined when it is not available. */
export type CodecLookup = (id: number) => SectionCodec | undefined;

/** A codec lookup that may load codecs on demand (a promise): only the asynchronous readers (readSnapshot, readDelta) take one that does. */
export type LazyCodecLookup = (id: number) => SectionCodec | undefined | PromiseLike<SectionCodec | undefined>;

/**
 * A reversible transform applied to a section payload before compression, such as
 * byte-shuffle or delta. The format records its id and `width` per section; the
 * implementations live in @tx2/pack-codecs.
 */
export interface SectionFilter {
  /** The id stored in section descriptors (see `FilterId`). */
  readonly id: number;
  /** A short lowercase name for messages and tools, such as "shuffle". */
  readonly name: string;
  /** Transforms `raw`, whose values are `width` bytes wide; the result has the same length. */
  encode(raw: Uint8Array, width: number): Uint8Array;
  /** Undoes `encode`. */
  decode(filtered: Uint8Array, width: number): Uint8Array;
  /** Optional: writes what `encode` returns into `dst` (same length, not overlapping `raw`), so writers need no intermediate array. */
  encodeInto?(raw: Uint8Array, width: number, dst: Uint8Array): void;
  /** Optional: writes what `decode` returns into `dst` (same length, not overlapping `filtered`). */
  decodeInto?(filtered: Uint8Array, width: number, dst: Uint8Array): void;
}

/** What a filter chooser knows about a section. */
export interface SectionInfo {
  kind: number;
  /** Bytes per value for fixed-width data (entity ids, numeric columns), 0 otherwise. */
  width: number;
  /** The field type of a column section. */
  type?: FieldType;
  rawLength: number;
}

/** Picks the filter for one fixed-width section (width > 0) before compression, or undefined for none. */
export type FilterChooser = (section: SectionInfo) => SectionFilter | undefined;

/** Finds the filter for an id read from a file, or undefined when it is not available. */
export type FilterLookup = (id: number) => SectionFilter | undefined;

/** The identity codec: sections are stored as they are. */
export const noneCodec: SectionCodec = {
  id: CodecId.None,
  name: 'none',
  compress: (raw) => raw,
  decompress: (stored) => stored,
};

const CODEC_NAMES: Record<number, string> = { 0: 'none', 1: 'lz4', 2: 'zstd', 3: 'deflate', 4: 'gzip' };

/** The conventional name of a codec id, for messages ("codec 7" when unknown). */
export function codecName(id: number): string {
  return CODEC_NAMES[id] ?? `codec ${id}`;
}
