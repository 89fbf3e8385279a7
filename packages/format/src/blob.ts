import { type Decoder, Encoder, ExtData, ExtensionCodec } from '@msgpack/msgpack';
import { PackError } from './errors.js';
import { plainBytes } from './arrays.js';
import { ExactDecoder } from './exact-decoder.js';
import { ENCODES_EXACT_KEYS, EXT_UTF16, ExactEncoder, utf16Data } from './exact-encoder.js';
import { nestsDeeperThan } from './msgpack-depth.js';
import { canonicalNaN } from './canonical-nan.js';
import { isWellFormed } from './var-column.js';

// MessagePack alone loses undefined (becomes nil), -0 (becomes int 0), Map/Set key
// types, typed-array classes and invalid Dates. Values holding any of them are first
// rewritten into boxes that the extension codec below writes as ext types.
const EXT_UNDEFINED = 0;
const EXT_NEGATIVE_ZERO = 1;
const EXT_BIGINT = 2;
const EXT_MAP = 3;
const EXT_SET = 4;
const EXT_DATE = 5;
const EXT_TYPED_ARRAY = 6;
const EXT_ARRAY_BUFFER = 7;
// UTF-8 cannot hold a lone surrogate; such strings (values and map keys) travel as raw
// UTF-16 code units: EXT_UTF16 = 8, written for keys by ExactEncoder.

class Box {
  constructor(
    readonly ext: number,
    readonly value: unknown,
  ) {}
}
const UNDEFINED_BOX = new Box(EXT_UNDEFINED, undefined);
const NEGATIVE_ZERO_BOX = new Box(EXT_NEGATIVE_ZERO, undefined);

// Order is part of the format: append only.
const TYPED_ARRAYS = [Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array] as const;

/**
 * How deep a blob value may nest (containers inside containers: arrays, objects, Maps, Sets),
 * on writing and by default on reading. Readers walk decoded values recursively (re-encoding,
 * JSON export, structuredClone), so the limit keeps them far from the call-stack limit; it is
 * the writer's limit since the first release, so every blob ever written stays readable.
 */
export const MAX_BLOB_DEPTH = 256;

/** How deep the manifest's plain MessagePack may nest: it needs 5 levels; the rest is room for later keys. */
export const MAX_MANIFEST_DEPTH = 16;

function fail(message: string, details?: Record<string, unknown>): never {
  throw new PackError('Serialization', message, details === undefined ? {} : { details });
}

// Set by box() when an object key holds a lone surrogate: encodeBlob then writes with the
// ExactEncoder, which checks every string it writes; other values take the plain encoder,
// which is faster (the override makes every string write slower, measured ~20%).
let sawLoneSurrogateKey = false;

/** Rewrites the values MessagePack cannot keep into boxes; returns `value` itself when none. */
function box(value: unknown, depth: number): unknown {
  if (depth > MAX_BLOB_DEPTH) {
    fail(`component data nests deeper than ${MAX_BLOB_DEPTH} levels (or is cyclic), more than a reader accepts: flatten it`, { maxDepth: MAX_BLOB_DEPTH });
  }
  switch (typeof value) {
    case 'undefined':
      return UNDEFINED_BOX;
    case 'number':
      // Every NaN is written as the one NaN: engines do not keep NaN bits (canonical-nan.ts).
      return value === 0 ? (1 / value < 0 ? NEGATIVE_ZERO_BOX : value) : canonicalNaN(value);
    case 'bigint':
      return new Box(EXT_BIGINT, value);
    case 'string':
      return isWellFormed(value) ? value : new Box(EXT_UTF16, value);
    case 'boolean':
      return value;
    case 'function':
    case 'symbol':
      return fail(`a ${typeof value} cannot be stored in a snapshot: keep only data in components`);
  }
  if (value === null) return null;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const boxed = box(item, depth + 1);
      if (boxed !== item && out === undefined) out = value.slice(0, i);
      if (out !== undefined) out.push(boxed);
    }
    return out ?? value;
  }
  if (value instanceof Uint8Array && value.constructor === Uint8Array) return value;
  if (ArrayBuffer.isView(value)) {
    const kind = TYPED_ARRAYS.indexOf(value.constructor as (typeof TYPED_ARRAYS)[number]);
    if (kind < 0) {
      if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      return fail(`${value.constructor.name} cannot be stored: use a typed array or Uint8Array`);
    }
    return new Box(EXT_TYPED_ARRAY, { kind, view: value });
  }
  if (value instanceof ArrayBuffer) return new Box(EXT_ARRAY_BUFFER, value);
  // A reserved extension type read from a file stays that type and those bytes (docs/format.md 8).
  if (value instanceof ExtData) return value;
  if (value instanceof Date) return new Box(EXT_DATE, value.getTime());
  if (value instanceof Map) {
    const entries: unknown[] = [];
    for (const [k, v] of value) entries.push(box(k, depth + 1), box(v, depth + 1));
    return new Box(EXT_MAP, entries);
  }
  if (value instanceof Set) {
    const items: unknown[] = [];
    for (const v of value) items.push(box(v, depth + 1));
    return new Box(EXT_SET, items);
  }
  // Any other object keeps its own enumerable string keys, as structuredClone does.
  const source = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  const keys = Object.keys(source);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key === '__proto__') fail('an object key "__proto__" cannot be stored: rename the field');
    if (!isWellFormed(key)) {
      if (!ENCODES_EXACT_KEYS) fail('an object key with a lone UTF-16 surrogate cannot be stored by this MessagePack library version: fix the key');
      sawLoneSurrogateKey = true;
    }
    const item = source[key];
    const boxed = box(item, depth + 1);
    if (out === undefined && (boxed !== item || Object.getPrototypeOf(source) !== Object.prototype)) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]!] = source[keys[j]!];
    }
    if (out !== undefined) out[key] = boxed;
  }
  if (out === undefined && keys.length === 0 && Object.getPrototypeOf(source) !== Object.prototype) return {};
  return out ?? value;
}

const extensionCodec = new ExtensionCodec();
// Any byte that is not plain hex (a BOM included) makes a bigint malformed.
const strictUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const EMPTY = new Uint8Array(0);

function encodeNested(value: unknown): Uint8Array {
  return activeEncoder.encode(value);
}

for (const ext of [EXT_UNDEFINED, EXT_NEGATIVE_ZERO, EXT_BIGINT, EXT_MAP, EXT_SET, EXT_DATE, EXT_TYPED_ARRAY, EXT_ARRAY_BUFFER, EXT_UTF16]) {
  extensionCodec.register({
    type: ext,
    encode: (input: unknown) => {
      if (!(input instanceof Box) || input.ext !== ext) return null;
      switch (ext) {
        case EXT_UNDEFINED:
        case EXT_NEGATIVE_ZERO:
          return EMPTY;
        case EXT_BIGINT:
          return new TextEncoder().encode((input.value as bigint).toString(16));
        case EXT_MAP:
        case EXT_SET:
          return encodeNested(input.value);
        case EXT_DATE: {
          const out = new Uint8Array(8);
          new DataView(out.buffer).setFloat64(0, canonicalNaN(input.value as number), true);
          return out;
        }
        case EXT_TYPED_ARRAY: {
          const { kind, view } = input.value as { kind: number; view: ArrayBufferView };
          const out = new Uint8Array(1 + view.byteLength);
          out[0] = kind;
          out.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), 1);
          return out;
        }
        case EXT_UTF16:
          return utf16Data(input.value as string);
        default:
          return new Uint8Array((input.value as ArrayBuffer).slice(0));
      }
    },
    decode: (data: Uint8Array) => decodeExt(ext, data),
  });
}

function decodeExt(ext: number, data: Uint8Array): unknown {
  switch (ext) {
    case EXT_UNDEFINED:
      return undefined;
    case EXT_NEGATIVE_ZERO:
      return -0;
    case EXT_BIGINT: {
      const text = strictUtf8.decode(data);
      if (!/^-?[0-9a-f]{1,100000}$/.test(text)) throw new PackError('InvalidFormat', 'a bigint in a component blob is malformed');
      return text.startsWith('-') ? -BigInt(`0x${text.slice(1)}`) : BigInt(`0x${text}`);
    }
    case EXT_MAP: {
      const entries = decodeWithLimits(data);
      if (!Array.isArray(entries) || entries.length % 2 !== 0) throw new PackError('InvalidFormat', 'a Map in a component blob is malformed');
      const map = new Map<unknown, unknown>();
      for (let i = 0; i < entries.length; i += 2) map.set(entries[i], entries[i + 1]);
      return map;
    }
    case EXT_SET: {
      const items = decodeWithLimits(data);
      if (!Array.isArray(items)) throw new PackError('InvalidFormat', 'a Set in a component blob is malformed');
      return new Set(items);
    }
    case EXT_DATE:
      if (data.length !== 8) throw new PackError('InvalidFormat', 'a Date in a component blob is malformed');
      return new Date(new DataView(data.buffer, data.byteOffset, 8).getFloat64(0, true));
    case EXT_TYPED_ARRAY: {
      const ctor = TYPED_ARRAYS[data[0] ?? 255];
      const length = data.length - 1;
      if (ctor === undefined || length % ctor.BYTES_PER_ELEMENT !== 0) {
        throw new PackError('InvalidFormat', 'a typed array in a component blob is malformed');
      }
      const copy = new ArrayBuffer(length);
      new Uint8Array(copy).set(plainBytes(data).subarray(1));
      return new ctor(copy);
    }
    case EXT_UTF16: {
      if (data.length % 2 !== 0) throw new PackError('InvalidFormat', 'a UTF-16 string in a component blob is malformed');
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      let text = '';
      for (let i = 0; i < data.length; i += 2) text += String.fromCharCode(view.getUint16(i, true));
      return text;
    }
    default:
      return plainBytes(data).slice().buffer;
  }
}

// A Map or Set is an ext whose data is an array: two MessagePack levels for one of ours.
const encoderOptions = { extensionCodec, maxDepth: MAX_BLOB_DEPTH * 2 + 8, initialBufferSize: 256 };
const encoder = new Encoder(encoderOptions);
// For values with object keys holding a lone surrogate: writes those keys as ext 8.
const exactEncoder = new ExactEncoder(encoderOptions);
// The encoder of the encodeBlob call under way (Map and Set data nest in it).
let activeEncoder: Encoder = encoder;
// For structures this library builds itself (the manifest): plain MessagePack, no boxing.
// Numbers are all written as float64 so that -0 (which MessagePack ints lose) survives.
const plainEncoder = new Encoder({ initialBufferSize: 1024, forceIntegerToFloat: true });

/** Encodes plain data (numbers, strings, arrays, maps, Uint8Array) that needs none of the blob extensions. */
export function encodePlain(value: unknown): Uint8Array {
  return plainEncoder.encode(value);
}

/** Encodes any structured-clone-like value to MessagePack, keeping undefined, -0, Map, Set, Date, bigint and typed arrays. */
export function encodeBlob(value: unknown): Uint8Array {
  sawLoneSurrogateKey = false;
  const boxed = box(value, 0);
  activeEncoder = sawLoneSurrogateKey ? exactEncoder : encoder;
  try {
    return activeEncoder.encode(boxed);
  } catch (error) {
    if (error instanceof PackError) throw error;
    throw new PackError('Serialization', `component data could not be encoded: ${(error as Error).message}`, { cause: error });
  }
}

const plainDecoders: Decoder[] = [];

/** Decodes bytes written by {@link encodePlain}, with the same length limits as blobs and a depth limit. */
export function decodePlain(bytes: Uint8Array, what: string, maxDepth: number = MAX_MANIFEST_DEPTH): unknown {
  checkDepth(bytes, what, maxDepth, NO_WRAPPERS);
  try {
    return limitedDecoder(plainDecoders, bytes.length, undefined).decode(bytes);
  } catch (error) {
    throw new PackError('InvalidFormat', `${what} is not valid MessagePack (${(error as Error).message}): the file is corrupt`, { cause: error });
  }
}

const NO_WRAPPERS: readonly number[] = [];
// Ext types whose data is a MessagePack array of the value's members.
const WRAPPERS: readonly number[] = [EXT_MAP, EXT_SET];

/** Refuses input nesting deeper than `maxDepth`, before any of it is decoded. */
function checkDepth(bytes: Uint8Array, what: string, maxDepth: number, wrappers: readonly number[]): void {
  if (!Number.isInteger(maxDepth) || maxDepth < 0) {
    throw new PackError('InvalidInput', `maxDepth must be a non-negative integer, got ${String(maxDepth)}`);
  }
  if (nestsDeeperThan(bytes, maxDepth, wrappers)) {
    throw new PackError(
      'InvalidFormat',
      `${what} nests deeper than ${maxDepth} levels, the limit (maxDepth): the file is corrupt or hostile; raise the limit only for a trusted file`,
      {
        details: { limit: 'maxDepth', maxDepth },
      },
    );
  }
}

// Decoders are cached per power-of-two input size so that declared lengths can never
// exceed what the input could hold: a 20-byte blob cannot claim a million-entry array.
const decoders: Decoder[] = [];

function limitedDecoder(cache: Decoder[], byteLength: number, codec: ExtensionCodec | undefined): Decoder {
  const bucket = byteLength <= 16 ? 4 : 32 - Math.clz32(byteLength - 1);
  let decoder = cache[bucket];
  if (decoder === undefined) {
    const limit = 2 ** bucket;
    decoder = new ExactDecoder({
      ...(codec === undefined ? {} : { extensionCodec: codec }),
      maxStrLength: limit,
      maxBinLength: limit,
      maxArrayLength: limit,
      maxMapLength: limit,
      maxExtLength: limit,
    });
    cache[bucket] = decoder;
  }
  return decoder;
}

function decoderFor(byteLength: number): Decoder {
  return limitedDecoder(decoders, byteLength, extensionCodec);
}

function decodeWithLimits(bytes: Uint8Array): unknown {
  return decoderFor(bytes.length).decode(bytes);
}

/** Limits of {@link decodeBlob}. */
export interface BlobDecodeOptions {
  /** How deep the value may nest (default {@link MAX_BLOB_DEPTH}, what writers accept); deeper input is InvalidFormat. */
  maxDepth?: number;
}

/** Decodes bytes written by {@link encodeBlob}; malformed or too deeply nested input is a PackError (InvalidFormat). */
export function decodeBlob(bytes: Uint8Array, what = 'a component blob', options: BlobDecodeOptions = {}): unknown {
  if (!(bytes instanceof Uint8Array)) throw new PackError('InvalidInput', `${what} must be a Uint8Array of MessagePack bytes`);
  const plain = plainBytes(bytes);
  checkDepth(plain, what, options.maxDepth ?? MAX_BLOB_DEPTH, WRAPPERS);
  try {
    return decodeWithLimits(plain);
  } catch (error) {
    if (error instanceof PackError) throw error;
    throw new PackError('InvalidFormat', `${what} is not valid MessagePack (${(error as Error).message}): the file is corrupt`, {
      cause: error,
    });
  }
}
