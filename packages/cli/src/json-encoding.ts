// A lossless JSON encoding of the values tx2-pack snapshots hold (README, "JSON encoding").
// Plain JSON values stay as they are; every value JSON cannot hold becomes an object with
// the reserved key "$tx2" naming what it is:
//   undefined            {"$tx2":"undefined"}
//   -0, NaN, ±Infinity   {"$tx2":"-0"} {"$tx2":"NaN"} {"$tx2":"Infinity"} {"$tx2":"-Infinity"}
//   bigint               {"$tx2":"bigint","value":"-123"}
//   Date                 {"$tx2":"Date","value":<encoded number of ms>}
//   Map / Set            {"$tx2":"Map","entries":[[k,v],...]}  {"$tx2":"Set","values":[...]}
//   typed array          {"$tx2":"Float32Array","base64":"<little-endian bytes>"} (every kind, Uint8Array too)
//   ArrayBuffer          {"$tx2":"ArrayBuffer","base64":"..."}
//   an object that itself has a "$tx2" key: {"$tx2":"object","value":{...}}
// Array holes become undefined (as the format's blobs keep them). Functions and symbols
// have no encoding and are refused.
import { CliError, ExitCode } from './errors.js';

/** The reserved key of tagged values. */
export const TAG = '$tx2';

type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

const TYPED_ARRAYS = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function bytesOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

function encodeNumber(n: number): Json {
  if (Object.is(n, -0)) return { [TAG]: '-0' };
  if (Number.isNaN(n)) return { [TAG]: 'NaN' };
  if (n === Infinity) return { [TAG]: 'Infinity' };
  if (n === -Infinity) return { [TAG]: '-Infinity' };
  return n;
}

/** Encodes any value a snapshot can hold as plain JSON, losslessly (see the module comment). */
export function toJsonValue(value: unknown, where = 'value'): Json {
  switch (typeof value) {
    case 'undefined':
      return { [TAG]: 'undefined' };
    case 'number':
      return encodeNumber(value);
    case 'bigint':
      return { [TAG]: 'bigint', value: value.toString() };
    case 'string':
    case 'boolean':
      return value;
    case 'function':
    case 'symbol':
      throw new CliError(`${where} is a ${typeof value}, which has no JSON encoding`, ExitCode.Unsupported);
  }
  if (value === null) return null;
  if (Array.isArray(value)) {
    const out: Json[] = new Array(value.length);
    // Index loop, not map(): holes must become undefined, not stay holes.
    for (let i = 0; i < value.length; i++) out[i] = toJsonValue(value[i], `${where}[${i}]`);
    return out;
  }
  if (value instanceof Date) return { [TAG]: 'Date', value: encodeNumber(value.getTime()) };
  if (value instanceof Map) return { [TAG]: 'Map', entries: [...value].map(([k, v], i) => [toJsonValue(k, `${where} key ${i}`), toJsonValue(v, `${where}.get(${String(k)})`)]) };
  if (value instanceof Set) return { [TAG]: 'Set', values: [...value].map((v, i) => toJsonValue(v, `${where} member ${i}`)) };
  if (value instanceof ArrayBuffer) return { [TAG]: 'ArrayBuffer', base64: Buffer.from(value).toString('base64') };
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const name = value.constructor.name;
    // Node's Buffer is a Uint8Array subclass: store it as one.
    const kind = (Object.hasOwn(TYPED_ARRAYS, name) ? name : value instanceof Uint8Array ? 'Uint8Array' : undefined) as TypedArrayName | undefined;
    if (kind !== undefined) return { [TAG]: kind, base64: bytesOf(value).toString('base64') };
  }
  const out: { [key: string]: Json } = {};
  for (const [key, field] of Object.entries(value as object)) out[key] = toJsonValue(field, `${where}.${key}`);
  return Object.hasOwn(out, TAG) ? { [TAG]: 'object', value: out } : out;
}

function decodeNumber(value: Json, where: string): number {
  if (typeof value === 'number') return value;
  const decoded = fromJsonValue(value, where);
  if (typeof decoded !== 'number') throw invalid(where, 'a number');
  return decoded;
}

function invalid(where: string, expected: string): CliError {
  return new CliError(`${where} is not ${expected} in the tx2pack JSON encoding: fix the file or export it again with \`tx2pack export\``, ExitCode.Unsupported);
}

function decodeBase64(value: Json | undefined, where: string): Uint8Array {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw invalid(where, 'base64 text');
  return new Uint8Array(Buffer.from(value, 'base64'));
}

function decodeTagged(tagged: { [key: string]: Json }, where: string): unknown {
  const tag = tagged[TAG];
  switch (tag) {
    case 'undefined':
      return undefined;
    case '-0':
      return -0;
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case 'bigint': {
      const text = tagged.value;
      if (typeof text !== 'string' || !/^-?\d+$/.test(text)) throw invalid(`${where}.value`, 'an integer string');
      return BigInt(text);
    }
    case 'Date':
      return new Date(decodeNumber(tagged.value ?? null, `${where}.value`));
    case 'Map': {
      if (!Array.isArray(tagged.entries)) throw invalid(`${where}.entries`, 'an array of [key, value] pairs');
      return new Map(
        tagged.entries.map((entry, i) => {
          if (!Array.isArray(entry) || entry.length !== 2) throw invalid(`${where}.entries[${i}]`, 'a [key, value] pair');
          return [fromJsonValue(entry[0]!, `${where}.entries[${i}][0]`), fromJsonValue(entry[1]!, `${where}.entries[${i}][1]`)];
        }),
      );
    }
    case 'Set': {
      if (!Array.isArray(tagged.values)) throw invalid(`${where}.values`, 'an array');
      return new Set(tagged.values.map((v, i) => fromJsonValue(v, `${where}.values[${i}]`)));
    }
    case 'ArrayBuffer':
      return decodeBase64(tagged.base64, `${where}.base64`).buffer;
    case 'object': {
      const inner = tagged.value;
      if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) throw invalid(`${where}.value`, 'an object');
      return decodeObject(inner, where);
    }
    default: {
      if (typeof tag === 'string' && Object.hasOwn(TYPED_ARRAYS, tag)) {
        const Ctor = TYPED_ARRAYS[tag as TypedArrayName];
        const bytes = decodeBase64(tagged.base64, `${where}.base64`);
        if (bytes.length % Ctor.BYTES_PER_ELEMENT !== 0) throw invalid(`${where}.base64`, `a whole number of ${Ctor.BYTES_PER_ELEMENT}-byte values`);
        return new Ctor(bytes.buffer as ArrayBuffer, 0, bytes.length / Ctor.BYTES_PER_ELEMENT) as TypedArray;
      }
      throw invalid(`${where}.${TAG}`, 'a known tag (undefined, -0, NaN, Infinity, -Infinity, bigint, Date, Map, Set, ArrayBuffer, object or a typed array name)');
    }
  }
}

function decodeObject(value: { [key: string]: Json }, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    // defineProperty: a "__proto__" key stays data (the format then refuses it by name).
    Object.defineProperty(out, key, { value: fromJsonValue(field, `${where}.${key}`), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Decodes a value written by {@link toJsonValue}; anything malformed is a CliError naming where. */
export function fromJsonValue(value: Json, where = 'value'): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v, i) => fromJsonValue(v, `${where}[${i}]`));
  if (Object.hasOwn(value, TAG)) return decodeTagged(value, where);
  return decodeObject(value, where);
}
