// A lossless JSON encoding of the values tx2-pack snapshots hold (README, "JSON encoding").
// Plain JSON values stay as they are; every value JSON cannot hold becomes an object with
// the reserved key "$tx2" naming what it is:
//   undefined            {"$tx2":"undefined"}
//   -0, ±Infinity        {"$tx2":"-0"} {"$tx2":"Infinity"} {"$tx2":"-Infinity"}
//   NaN                  {"$tx2":"NaN"}, any NaN (as the format writes every NaN value, docs/format.md 8);
//                        {"$tx2":"NaN","bits":"fff8000000000001"} of earlier versions is read too
//   bigint               {"$tx2":"bigint","value":"-123"}
//   Date                 {"$tx2":"Date","value":<encoded number of ms>}
//   Map / Set            {"$tx2":"Map","entries":[[k,v],...]}  {"$tx2":"Set","values":[...]}
//   typed array          {"$tx2":"Float32Array","base64":"<little-endian bytes>"} (every kind, Uint8Array too)
//   ArrayBuffer          {"$tx2":"ArrayBuffer","base64":"..."}
//   an object that itself has a "$tx2" key: {"$tx2":"object","value":{...}}
// Array holes become undefined (as the format's blobs keep them). Functions and symbols
// have no encoding and are refused. Values nest at most MAX_JSON_DEPTH levels.
import { CliError, ExitCode } from './errors.js';

/** The reserved key of tagged values. */
export const TAG = '$tx2';

/**
 * Deepest nesting of JSON arrays and objects read or written. Far above what a snapshot
 * holds (its blobs nest at most 256 values, each Map entry adding 3 JSON levels), low
 * enough that the recursion never exhausts the stack.
 */
export const MAX_JSON_DEPTH = 1000;

type TypedArray = Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

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

/**
 * Where a value is, built only when an error names it: a path segment and its parent
 * (formatting every path eagerly would cost a string per value of a large world).
 */
interface Where {
  readonly parent: Where | undefined;
  readonly step: string;
}

const at = (parent: Where, step: string): Where => ({ parent, step });

/** The path as text; a deep one keeps its first and last steps (messages stay one short line). */
function pathText(where: Where): string {
  const steps: string[] = [];
  for (let w: Where | undefined = where; w !== undefined; w = w.parent) steps.push(w.step);
  steps.reverse();
  return steps.length <= 16 ? steps.join('') : `${steps.slice(0, 6).join('')}…(${steps.length - 12} levels)…${steps.slice(-6).join('')}`;
}

// DataView keeps NaN payloads; Float64Array construction may quieten a signalling NaN.
const scratch = new DataView(new ArrayBuffer(8));

function encodeNumber(n: number): Json {
  if (Object.is(n, -0)) return { [TAG]: '-0' };
  // Every NaN alike: engines do not keep the bits of a NaN held in a number (docs/format.md 8).
  if (Number.isNaN(n)) return { [TAG]: 'NaN' };
  if (n === Infinity) return { [TAG]: 'Infinity' };
  if (n === -Infinity) return { [TAG]: '-Infinity' };
  return n;
}

function bytesOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** A short, safe label of a Map key for paths (never calls the key's own methods). */
function keyLabel(key: unknown, index: number): string {
  switch (typeof key) {
    case 'string':
      return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(key);
    case 'bigint':
      return `${key}n`;
    default:
      return key === null ? 'null' : `key ${index}`;
  }
}

function tooDeep(where: Where): CliError {
  return new CliError(`${pathText(where)} nests deeper than ${MAX_JSON_DEPTH} levels, more than any snapshot holds: flatten the data`, ExitCode.Unsupported);
}

function encodeValue(value: unknown, where: Where, depth: number): Json {
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
      throw new CliError(`${pathText(where)} is a ${typeof value}, which has no JSON encoding`, ExitCode.Unsupported);
  }
  if (value === null) return null;
  if (depth >= MAX_JSON_DEPTH) throw tooDeep(where);
  const next = depth + 1;
  if (Array.isArray(value)) {
    const out: Json[] = new Array(value.length);
    // Index loop, not map(): holes must become undefined, not stay holes.
    for (let i = 0; i < value.length; i++) out[i] = encodeValue(value[i], at(where, `[${i}]`), next);
    return out;
  }
  if (value instanceof Date) return { [TAG]: 'Date', value: encodeNumber(value.getTime()) };
  if (value instanceof Map) {
    const entries: Json[] = [];
    let i = 0;
    for (const [k, v] of value) {
      entries.push([encodeValue(k, at(where, ` key ${i}`), next + 2), encodeValue(v, at(where, `.get(${keyLabel(k, i)})`), next + 2)]);
      i++;
    }
    return { [TAG]: 'Map', entries };
  }
  if (value instanceof Set) {
    const values: Json[] = [];
    let i = 0;
    for (const v of value) values.push(encodeValue(v, at(where, ` member ${i++}`), next + 1));
    return { [TAG]: 'Set', values };
  }
  if (value instanceof ArrayBuffer) return { [TAG]: 'ArrayBuffer', base64: Buffer.from(value).toString('base64') };
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const name = value.constructor.name;
    // Node's Buffer is a Uint8Array subclass: store it as one.
    const kind = (Object.hasOwn(TYPED_ARRAYS, name) ? name : value instanceof Uint8Array ? 'Uint8Array' : undefined) as TypedArrayName | undefined;
    if (kind !== undefined) return { [TAG]: kind, base64: bytesOf(value).toString('base64') };
  }
  const out: { [key: string]: Json } = {};
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    const field = fields[key];
    // Strings, booleans and ordinary numbers are themselves: no path to build (one is built only for an error).
    const encoded =
      typeof field === 'string' || typeof field === 'boolean' || (typeof field === 'number' && Number.isFinite(field) && !Object.is(field, -0))
        ? field
        : encodeValue(field, at(where, `.${key}`), next + 1);
    // defineProperty for "__proto__" only: it stays an own data property.
    if (key === '__proto__') Object.defineProperty(out, key, { value: encoded, enumerable: true, writable: true, configurable: true });
    else out[key] = encoded;
  }
  return Object.hasOwn(out, TAG) ? { [TAG]: 'object', value: out } : out;
}

/** Encodes any value a snapshot can hold as plain JSON, losslessly (see the module comment); `where` names it in errors. */
export function toJsonValue(value: unknown, where = 'value'): Json {
  return encodeValue(value, { parent: undefined, step: where }, 0);
}

function invalid(where: Where, expected: string): CliError {
  return new CliError(`${pathText(where)} is not ${expected} in the tx2pack JSON encoding: fix the file or export it again with \`tx2pack export\``, ExitCode.Unsupported);
}

function decodeNumber(value: Json, where: Where, depth: number): number {
  if (typeof value === 'number') return value;
  const decoded = decodeValue(value, where, depth);
  if (typeof decoded !== 'number') throw invalid(where, 'a number');
  return decoded;
}

function decodeBase64(value: Json | undefined, where: Where): Uint8Array {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw invalid(where, 'base64 text');
  return new Uint8Array(Buffer.from(value, 'base64'));
}

/** A NaN with the given 64 bits (16 hex digits naming a NaN, as earlier versions wrote), or the default NaN. */
function decodeNaN(bits: Json | undefined, where: Where): number {
  if (bits === undefined) return NaN;
  if (typeof bits !== 'string' || !/^[0-9a-f]{16}$/.test(bits)) throw invalid(where, '16 lowercase hex digits');
  scratch.setBigUint64(0, BigInt(`0x${bits}`));
  const n = scratch.getFloat64(0);
  if (!Number.isNaN(n)) throw invalid(where, 'the bits of a NaN');
  return n;
}

function decodeTagged(tagged: { [key: string]: Json }, where: Where, depth: number): unknown {
  const tag = tagged[TAG];
  switch (tag) {
    case 'undefined':
      return undefined;
    case '-0':
      return -0;
    case 'NaN':
      return decodeNaN(tagged.bits, at(where, '.bits'));
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case 'bigint': {
      const text = tagged.value;
      if (typeof text !== 'string' || !/^-?\d+$/.test(text)) throw invalid(at(where, '.value'), 'an integer string');
      return BigInt(text);
    }
    case 'Date':
      return new Date(decodeNumber(tagged.value ?? null, at(where, '.value'), depth + 1));
    case 'Map': {
      const entries = tagged.entries;
      if (!Array.isArray(entries)) throw invalid(at(where, '.entries'), 'an array of [key, value] pairs');
      const out = new Map<unknown, unknown>();
      entries.forEach((entry, i) => {
        const place = at(where, `.entries[${i}]`);
        if (!Array.isArray(entry) || entry.length !== 2) throw invalid(place, 'a [key, value] pair');
        out.set(decodeValue(entry[0]!, at(place, '[0]'), depth + 3), decodeValue(entry[1]!, at(place, '[1]'), depth + 3));
      });
      return out;
    }
    case 'Set': {
      const values = tagged.values;
      if (!Array.isArray(values)) throw invalid(at(where, '.values'), 'an array');
      return new Set(values.map((v, i) => decodeValue(v, at(where, `.values[${i}]`), depth + 2)));
    }
    case 'ArrayBuffer':
      return decodeBase64(tagged.base64, at(where, '.base64')).buffer;
    case 'object': {
      const inner = tagged.value;
      if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) throw invalid(at(where, '.value'), 'an object');
      return decodeObject(inner, where, depth + 1);
    }
    default: {
      if (typeof tag === 'string' && Object.hasOwn(TYPED_ARRAYS, tag)) {
        const Ctor = TYPED_ARRAYS[tag as TypedArrayName];
        const bytes = decodeBase64(tagged.base64, at(where, '.base64'));
        if (bytes.length % Ctor.BYTES_PER_ELEMENT !== 0) throw invalid(at(where, '.base64'), `a whole number of ${Ctor.BYTES_PER_ELEMENT}-byte values`);
        return new Ctor(bytes.buffer as ArrayBuffer, 0, bytes.length / Ctor.BYTES_PER_ELEMENT) as TypedArray;
      }
      throw invalid(at(where, `.${TAG}`), 'a known tag (undefined, -0, NaN, Infinity, -Infinity, bigint, Date, Map, Set, ArrayBuffer, object or a typed array name)');
    }
  }
}

function decodeObject(value: { [key: string]: Json }, where: Where, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = value[key]!;
    // Plain values need no path (one is built only for an error), nor nested decoding.
    const decoded = field === null || typeof field !== 'object' ? field : decodeValue(field, at(where, `.${key}`), depth + 1);
    // defineProperty for "__proto__" only: it stays an own data property (the format then refuses it by name).
    if (key === '__proto__') Object.defineProperty(out, key, { value: decoded, enumerable: true, writable: true, configurable: true });
    else out[key] = decoded;
  }
  return out;
}

function decodeValue(value: Json, where: Where, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_JSON_DEPTH) throw tooDeep(where);
  if (Array.isArray(value)) return value.map((v, i) => (v === null || typeof v !== 'object' ? v : decodeValue(v, at(where, `[${i}]`), depth + 1)));
  if (Object.hasOwn(value, TAG)) return decodeTagged(value, where, depth);
  return decodeObject(value, where, depth);
}

/** Decodes a value written by {@link toJsonValue}; anything malformed (or nested too deep) is a CliError naming where. */
export function fromJsonValue(value: Json, where = 'value'): unknown {
  return decodeValue(value, { parent: undefined, step: where }, 0);
}
