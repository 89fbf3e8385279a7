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
}

/** Finds the codec for an id read from a file, or undefined when it is not available. */
export type CodecLookup = (id: number) => SectionCodec | undefined;

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
