import { type CodecLookup, type DecodeOptions, type EncodeOptions, type FilterLookup, PackError, readLayout } from '@tx2/pack-format';
import { type FilterChoice, filterById, filterChooser } from './auto-filter.js';
import { type Codec, type CodecName, describe, type LevelPreset, resolveLevel } from './codec.js';
import { CODEC_NAMES, codecNameOf, createCodecRegistry, loadCodec, type LoadCodecOptions } from './registry.js';

/**
 * What `packOptions()` uses when no codec is given: Zstandard level 1 with byte-shuffle on
 * numeric columns and delta on entity sets. On the 10,000-entity reference world it was
 * both the smallest and the fastest zstd setting measured (206,480 bytes vs 208,008 for
 * level 3, and faster to write and read): see README "Choosing the default".
 */
export const DEFAULT_PACK = Object.freeze({ codec: 'zstd' as CodecName, level: 1, filter: 'auto' as FilterChoice });

/** What `packOptions` takes. */
export interface PackOptionsInput {
  /** A codec name or a loaded codec (default: zstd at level 1, see `DEFAULT_PACK`). */
  codec?: CodecName | Codec;
  /** A level or preset ('fast', 'default', 'best'); default: the codec's default level (`DEFAULT_PACK.level` when no codec is given). */
  level?: number | LevelPreset;
  /** Column filters (default 'auto': byte-shuffle for numeric columns, delta for entity sets). */
  filter?: FilterChoice;
  /** Store a CRC-32 of every section (default true). */
  checksums?: boolean;
  /** Options for loading the codec. */
  load?: LoadCodecOptions;
}

/** Loads the codec and returns `encodeSnapshot` / `SnapshotEncoder` options: `encodeSnapshot(packed, await packOptions())`. */
export async function packOptions(input: PackOptionsInput = {}): Promise<EncodeOptions & { codec: Codec; level: number }> {
  requireObject(input, 'packOptions');
  if (input.checksums !== undefined && typeof input.checksums !== 'boolean') {
    throw new PackError('InvalidInput', `packOptions: checksums must be true or false, got ${describe(input.checksums)}`, {
      details: { option: 'checksums', value: input.checksums },
    });
  }
  const codec = typeof input.codec === 'object' ? input.codec : await loadCodec(input.codec ?? DEFAULT_PACK.codec, input.load);
  const level = resolveLevel(codec, input.level ?? (input.codec === undefined ? DEFAULT_PACK.level : undefined));
  const options: EncodeOptions & { codec: Codec; level: number } = { codec, level };
  const filter = filterChooser(input.filter ?? DEFAULT_PACK.filter);
  if (filter !== undefined) options.filter = filter;
  if (input.checksums !== undefined) options.checksums = input.checksums;
  return options;
}

/** What `readOptions` takes: the format's decode options, plus which codecs to load. */
export interface ReadOptionsInput extends Omit<DecodeOptions, 'codecs' | 'filters'> {
  /** Load only the codecs this snapshot uses (read from its table of contents). */
  bytes?: Uint8Array;
  /** Load these codecs (default: all, or those `bytes` uses). */
  codecs?: readonly (CodecName | number)[];
  /** Options for loading the codecs. */
  load?: LoadCodecOptions;
}

/** Loads codecs and returns `decodeSnapshot` options with `codecs` and `filters` set: `decodeSnapshot(bytes, await readOptions({ bytes }))`. */
export async function readOptions(input: ReadOptionsInput = {}): Promise<Omit<DecodeOptions, 'codecs' | 'filters'> & { codecs: CodecLookup; filters: FilterLookup }> {
  requireObject(input, 'readOptions');
  const { bytes, codecs: names, load, ...rest } = input;
  if (bytes !== undefined && !(bytes instanceof Uint8Array)) throw new PackError('InvalidInput', `readOptions: bytes must be the Uint8Array of a snapshot, got ${describe(bytes)}`);
  let wanted: readonly (CodecName | number)[] = names ?? CODEC_NAMES;
  if (names === undefined && bytes !== undefined) {
    const ids = new Set(readLayout(bytes).sections.map((s) => s.descriptor.codec));
    // Ids this version does not know are left out: decodeSnapshot then names them in its error.
    wanted = [...ids].filter((id) => {
      try {
        codecNameOf(id);
        return true;
      } catch {
        return false;
      }
    });
  }
  const registry = await createCodecRegistry(wanted, load);
  return { ...rest, codecs: registry.codecs, filters: filterById };
}

function requireObject(input: unknown, what: string): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new PackError('InvalidInput', `${what} takes an options object, got ${describe(input)}`);
}
