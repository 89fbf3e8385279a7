import { type CodecLookup, CodecId, type FilterLookup, isPackError, PackError } from '@tx2/pack-format';
import { filterById } from './auto-filter.js';
import { type Codec, CodecError, type CodecName, describe } from './codec.js';
import type { ZlibCodecOptions } from './deflate.js';
import { noneCodec } from './none.js';
import type { ZstdOptions } from './zstd.js';

/** Every codec, in codec-id order. */
export const CODEC_NAMES: readonly CodecName[] = Object.freeze(['none', 'lz4', 'zstd', 'deflate', 'gzip']);

const IDS: Readonly<Record<CodecName, number>> = {
  none: CodecId.None,
  lz4: CodecId.Lz4,
  zstd: CodecId.Zstd,
  deflate: CodecId.Deflate,
  gzip: CodecId.Gzip,
};

/** Options for loading codecs. */
export interface LoadCodecOptions {
  /** Options of the Zstandard codec. */
  zstd?: ZstdOptions;
  /** Use Node.js's native zlib for Deflate/gzip when available (default true). */
  native?: boolean;
}

// Each codec's module (and its WebAssembly or fflate) is imported only when first asked for.
const LOADERS: Readonly<Record<CodecName, (options: LoadCodecOptions) => Promise<Codec>>> = {
  none: async () => noneCodec,
  lz4: async () => (await import('./lz4.js')).loadLz4(),
  zstd: async (o) => (await import('./zstd.js')).loadZstd(o.zstd),
  deflate: async (o) => (await import('./deflate.js')).loadDeflate(zlibOptions(o)),
  gzip: async (o) => (await import('./gzip.js')).loadGzip(zlibOptions(o)),
};

function zlibOptions(options: LoadCodecOptions): ZlibCodecOptions {
  return options.native === undefined ? {} : { native: options.native };
}

const cache = new Map<CodecName, Promise<Codec>>();

/** The codec name of a name or codec id; PackError('InvalidInput', details `{ codec }`) naming the valid ones otherwise. */
export function codecNameOf(codec: CodecName | number): CodecName {
  if (typeof codec === 'number') {
    const name = CODEC_NAMES.find((n) => IDS[n] === codec);
    if (name === undefined) {
      throw new PackError('InvalidInput', `unknown codec id ${codec}: this version knows ${CODEC_NAMES.map((n) => `${IDS[n]} (${n})`).join(', ')}`, { details: { codec } });
    }
    return name;
  }
  if (!CODEC_NAMES.includes(codec)) {
    throw new PackError('InvalidInput', `unknown codec ${typeof codec === 'string' ? `"${codec}"` : describe(codec)}: use one of ${CODEC_NAMES.join(', ')}`, {
      details: { codec },
    });
  }
  return codec;
}

/** `options` checked to be an options object (undefined: none). */
function optionsObject<T extends object>(options: T | undefined, what: string): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new PackError('InvalidInput', `the options of ${what} must be an object, got ${describe(options)}`);
  }
  return options;
}

// The options each codec this module loaded was loaded with (only those that change its output),
// so that a worker pool loads the very same codec on its threads.
const loadedWith = new WeakMap<Codec, LoadCodecOptions>();

/** The load options of `name` that change its output, with their defaults filled in. */
export function effectiveLoadOptions(name: CodecName, options: LoadCodecOptions): LoadCodecOptions {
  if (name === 'zstd') return { zstd: { blockSize: options.zstd?.blockSize ?? 'auto' } };
  if (name === 'deflate' || name === 'gzip') return { native: options.native ?? true };
  return {};
}

/** The effective options `codec` was loaded with by loadCodec / createCodecRegistry / packOptions, or undefined when this module did not load it. */
export function loadOptionsOf(codec: Codec): LoadCodecOptions | undefined {
  return loadedWith.get(codec);
}

/** Runs a loader; a failure that is not a PackError (the WebAssembly module does not compile here) becomes one naming the codec. */
async function load(name: CodecName, options: LoadCodecOptions): Promise<Codec> {
  try {
    const codec = await LOADERS[name](options);
    if (!loadedWith.has(codec)) loadedWith.set(codec, effectiveLoadOptions(name, options));
    return codec;
  } catch (error) {
    if (isPackError(error)) throw error;
    throw new CodecError(name, `the codec could not be loaded (${error instanceof Error ? error.message : String(error)}): this runtime may lack WebAssembly`, { cause: error });
  }
}

/**
 * Loads one codec by name or id; afterwards its compress/decompress are synchronous.
 * With default options the codec is loaded once and shared.
 */
export async function loadCodec(codec: CodecName | number, options?: LoadCodecOptions): Promise<Codec> {
  const name = codecNameOf(codec);
  const given = optionsObject(options, 'loadCodec');
  if (given.zstd !== undefined || given.native !== undefined) return load(name, given);
  let pending = cache.get(name);
  if (pending === undefined) {
    pending = load(name, given);
    cache.set(name, pending);
    pending.catch(() => cache.delete(name));
  }
  return pending;
}

/** Loaded codecs, keyed by the codec id the format stores, plus the filters. */
export interface CodecRegistry {
  /** The loaded codecs. */
  readonly list: readonly Codec[];
  /** The codec for a name or id, or undefined when it was not loaded. */
  get(codec: CodecName | number): Codec | undefined;
  /** `decodeSnapshot(bytes, { codecs: registry.codecs })`. */
  readonly codecs: CodecLookup;
  /** `decodeSnapshot(bytes, { filters: registry.filters })`. */
  readonly filters: FilterLookup;
}

/** Loads the named codecs (default: all) and returns them as a registry for `decodeSnapshot`. */
export async function createCodecRegistry(names: readonly (CodecName | number)[] = CODEC_NAMES, options?: LoadCodecOptions): Promise<CodecRegistry> {
  if (!Array.isArray(names)) throw new PackError('InvalidInput', `createCodecRegistry expects an array of codec names or ids, got ${describe(names)}`);
  const given = optionsObject(options, 'createCodecRegistry');
  const list = await Promise.all([...new Set(names.map(codecNameOf))].map((n) => loadCodec(n, given)));
  const byId = new Map(list.map((c) => [c.id, c]));
  const codecs: CodecLookup = (id) => byId.get(id);
  return Object.freeze({
    list: Object.freeze(list),
    get: (codec: CodecName | number) => (typeof codec === 'number' ? byId.get(codec) : list.find((c) => c.name === codec)),
    codecs,
    filters: filterById,
  });
}
