// A lossless, tagged JSON form of the values tx2-pack handles, used to commit expected
// decoded content next to the test vectors and to compare snapshots byte-exactly.
//
//   number that JSON cannot hold (NaN, ±Infinity, -0)  -> { "$num": "NaN" | "Infinity" | "-Infinity" | "-0" }
//   bigint                                             -> { "$bigint": "123" }
//   undefined                                          -> { "$undefined": true }
//   typed array (any class, by its exact bytes)        -> { "$typed": "Float32Array", "base64": "..." }
//   ArrayBuffer                                        -> { "$arraybuffer": "base64..." }
//   Date                                               -> { "$date": <number form of getTime()> }
//   Map                                                -> { "$map": [[key, value], ...] }
//   Set                                                -> { "$set": [value, ...] }
//   plain object                                       -> itself, or { "$object": [[key, value], ...] }
//                                                         when a key starts with "$"
//
// Typed arrays are compared by class and bytes, so NaN payload bits count.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

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

// btoa/atob rather than Buffer: the helpers also run in the browser suites.
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const out = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function numberToJson(n: number): Json {
  if (Number.isNaN(n)) return { $num: 'NaN' };
  if (n === Infinity) return { $num: 'Infinity' };
  if (n === -Infinity) return { $num: '-Infinity' };
  if (Object.is(n, -0)) return { $num: '-0' };
  return n;
}

function numberFromJson(j: Json): number {
  if (typeof j === 'number') return j;
  const tag = (j as { $num: string }).$num;
  switch (tag) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case '-0':
      return -0;
  }
  throw new Error(`not a number form: ${JSON.stringify(j)}`);
}

/** The tagged JSON form of `value`. */
export function toJsonable(value: unknown): Json {
  switch (typeof value) {
    case 'number':
      return numberToJson(value);
    case 'bigint':
      return { $bigint: value.toString() };
    case 'undefined':
      return { $undefined: true };
    case 'string':
    case 'boolean':
      return value;
    case 'function':
    case 'symbol':
      throw new Error(`cannot represent a ${typeof value}`);
  }
  if (value === null) return null;
  if (Array.isArray(value)) return value.map(toJsonable);
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    if (!(name in TYPED_ARRAYS)) throw new Error(`cannot represent ${name}`);
    return { $typed: name, base64: toBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
  }
  if (value instanceof ArrayBuffer) return { $arraybuffer: toBase64(new Uint8Array(value)) };
  if (value instanceof Date) return { $date: numberToJson(value.getTime()) };
  if (value instanceof Map) return { $map: [...value].map(([k, v]) => [toJsonable(k), toJsonable(v)]) };
  if (value instanceof Set) return { $set: [...value].map(toJsonable) };
  const keys = Object.keys(value as object);
  if (keys.some((k) => k.startsWith('$'))) {
    return { $object: keys.map((k) => [k, toJsonable((value as Record<string, unknown>)[k])]) };
  }
  const out: Record<string, Json> = {};
  for (const key of keys) out[key] = toJsonable((value as Record<string, unknown>)[key]);
  return out;
}

/** The value a tagged JSON form stands for (the inverse of {@link toJsonable}). */
export function fromJsonable(j: Json): unknown {
  if (j === null || typeof j !== 'object') return j;
  if (Array.isArray(j)) return j.map(fromJsonable);
  const keys = Object.keys(j);
  if (keys.length === 1 || (keys.length === 2 && '$typed' in j)) {
    if ('$num' in j) return numberFromJson(j);
    if ('$bigint' in j) return BigInt(j.$bigint as string);
    if ('$undefined' in j) return undefined;
    if ('$typed' in j) {
      const ctor = TYPED_ARRAYS[j.$typed as TypedArrayName];
      const bytes = fromBase64(j.base64 as string);
      return new ctor(bytes.buffer, 0, bytes.byteLength / ctor.BYTES_PER_ELEMENT);
    }
    if ('$arraybuffer' in j) return fromBase64(j.$arraybuffer as string).buffer;
    if ('$date' in j) return new Date(numberFromJson(j.$date!));
    if ('$map' in j) return new Map((j.$map as Json[][]).map(([k, v]) => [fromJsonable(k!), fromJsonable(v!)]));
    if ('$set' in j) return new Set((j.$set as Json[]).map(fromJsonable));
    if ('$object' in j) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of j.$object as [string, Json][]) out[k] = fromJsonable(v);
      return out;
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = fromJsonable(j[key]!);
  return out;
}
