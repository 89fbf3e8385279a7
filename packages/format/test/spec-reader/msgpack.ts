// MessagePack as docs/format.md section 8 defines it, written from that text alone: a decoder
// that accepts every form and the extension types 0-8, and an encoder that emits exactly the
// forms of the section 8 table (they decide the content hash, 13.1).
import { SpecError } from './spec-error.js';

/** An extension type the spec reserves, kept as its type and bytes (section 8: never read as another value). */
export class OpaqueExt {
  constructor(
    readonly type: number,
    readonly data: Uint8Array,
  ) {}
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Well-formed UTF-8 to a string (no BOM stripping), InvalidFormat otherwise. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new SpecError('InvalidFormat', 'string is not well-formed UTF-8');
  }
}

const TYPED_BY_KIND = [Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array] as const;

const MAX_DEPTH = 256;

class Reader {
  pos = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new SpecError('InvalidFormat', 'MessagePack value runs past its payload');
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }
  take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  num(size: 1 | 2 | 4 | 8, signed: boolean): number {
    this.need(size);
    const p = this.pos;
    this.pos += size;
    const v = this.view;
    if (size === 1) return signed ? v.getInt8(p) : v.getUint8(p);
    if (size === 2) return signed ? v.getInt16(p) : v.getUint16(p);
    if (size === 4) return signed ? v.getInt32(p) : v.getUint32(p);
    return Number(signed ? v.getBigInt64(p) : v.getBigUint64(p));
  }
  float(size: 4 | 8): number {
    this.need(size);
    const p = this.pos;
    this.pos += size;
    return size === 4 ? this.view.getFloat32(p) : this.view.getFloat64(p);
  }
}

/** The MessagePack timestamp type -1, read as the Date section 8 says the content holds. */
function decodeTimestamp(view: DataView): Date {
  let sec: number;
  let nsec = 0;
  if (view.byteLength === 4) sec = view.getUint32(0);
  else if (view.byteLength === 8) {
    const hi = view.getUint32(0);
    nsec = hi >>> 2;
    sec = (hi & 3) * 2 ** 32 + view.getUint32(4);
  } else if (view.byteLength === 12) {
    nsec = view.getUint32(0);
    sec = Number(view.getBigInt64(4));
  } else throw new SpecError('InvalidFormat', 'timestamp extension of another length than 4, 8 or 12');
  return new Date(Math.trunc(sec * 1000 + nsec / 1e6));
}

function decodeExt(type: number, data: Uint8Array, depth: number): unknown {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (type) {
    case 0:
      return undefined;
    case 1:
      return -0;
    case 2: {
      const text = decodeUtf8(data);
      if (!/^-?[0-9a-f]+$/.test(text)) throw new SpecError('InvalidFormat', `bigint extension is not hexadecimal: ${text}`);
      return text.startsWith('-') ? -BigInt(`0x${text.slice(1)}`) : BigInt(`0x${text}`);
    }
    case 3: {
      const items = decodeMessagePack(data, depth + 1);
      if (!Array.isArray(items) || items.length % 2 !== 0) throw new SpecError('InvalidFormat', 'Map extension is not an even array');
      const map = new Map<unknown, unknown>();
      for (let i = 0; i < items.length; i += 2) map.set(items[i], items[i + 1]);
      return map;
    }
    case 4: {
      const items = decodeMessagePack(data, depth + 1);
      if (!Array.isArray(items)) throw new SpecError('InvalidFormat', 'Set extension is not an array');
      return new Set(items);
    }
    case 5:
      if (data.length !== 8) throw new SpecError('InvalidFormat', 'Date extension is not 8 bytes');
      return new Date(view.getFloat64(0, true));
    case 6: {
      if (data.length < 1) throw new SpecError('InvalidFormat', 'typed array extension without a kind');
      const ctor = TYPED_BY_KIND[data[0]!];
      if (!ctor) throw new SpecError('InvalidFormat', `unknown typed array kind ${data[0]}`);
      const body = data.slice(1);
      if (body.length % ctor.BYTES_PER_ELEMENT !== 0) throw new SpecError('InvalidFormat', 'typed array length');
      return new ctor(body.buffer, 0, body.length / ctor.BYTES_PER_ELEMENT);
    }
    case 7:
      return data.slice().buffer;
    case 8: {
      if (data.length % 2 !== 0) throw new SpecError('InvalidFormat', 'UTF-16 string of odd length');
      let s = '';
      for (let i = 0; i < data.length; i += 2) s += String.fromCharCode(view.getUint16(i, true));
      return s;
    }
    case -1:
      return decodeTimestamp(view);
    default:
      return new OpaqueExt(type, data);
  }
}

function decodeValue(r: Reader, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new SpecError('InvalidFormat', 'MessagePack nested too deep');
  const b = r.u8();
  if (b <= 0x7f) return b;
  if (b >= 0xe0) return b - 0x100;
  if (b >= 0x80 && b <= 0x8f) return decodeMap(r, b & 0x0f, depth);
  if (b >= 0x90 && b <= 0x9f) return decodeArray(r, b & 0x0f, depth);
  if (b >= 0xa0 && b <= 0xbf) return decodeUtf8(r.take(b & 0x1f));
  switch (b) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc4:
      return r.take(r.num(1, false));
    case 0xc5:
      return r.take(r.num(2, false));
    case 0xc6:
      return r.take(r.num(4, false));
    case 0xc7:
    case 0xc8:
    case 0xc9: {
      const len = r.num(b === 0xc7 ? 1 : b === 0xc8 ? 2 : 4, false);
      const type = r.num(1, true);
      return decodeExt(type, r.take(len), depth);
    }
    case 0xca:
      return r.float(4);
    case 0xcb:
      return r.float(8);
    case 0xcc:
      return r.num(1, false);
    case 0xcd:
      return r.num(2, false);
    case 0xce:
      return r.num(4, false);
    case 0xcf:
      return r.num(8, false);
    case 0xd0:
      return r.num(1, true);
    case 0xd1:
      return r.num(2, true);
    case 0xd2:
      return r.num(4, true);
    case 0xd3:
      return r.num(8, true);
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8: {
      const type = r.num(1, true);
      return decodeExt(type, r.take(1 << (b - 0xd4)), depth);
    }
    case 0xd9:
      return decodeUtf8(r.take(r.num(1, false)));
    case 0xda:
      return decodeUtf8(r.take(r.num(2, false)));
    case 0xdb:
      return decodeUtf8(r.take(r.num(4, false)));
    case 0xdc:
      return decodeArray(r, r.num(2, false), depth);
    case 0xdd:
      return decodeArray(r, r.num(4, false), depth);
    case 0xde:
      return decodeMap(r, r.num(2, false), depth);
    case 0xdf:
      return decodeMap(r, r.num(4, false), depth);
  }
  throw new SpecError('InvalidFormat', `0x${b.toString(16)} is not a MessagePack type byte`);
}

function decodeArray(r: Reader, n: number, depth: number): unknown[] {
  r.need(n); // every item takes at least one byte: no giant allocation from a forged length
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(decodeValue(r, depth + 1));
  return out;
}

function decodeMap(r: Reader, n: number, depth: number): Record<string, unknown> {
  r.need(2 * n);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const k = decodeValue(r, depth + 1);
    let key: string;
    if (typeof k === 'string') key = k;
    else if (typeof k === 'number') key = String(k);
    else throw new SpecError('InvalidFormat', 'map key is not a string');
    if (key === '__proto__') throw new SpecError('InvalidFormat', 'map key __proto__');
    out[key] = decodeValue(r, depth + 1);
  }
  return out;
}

/** One complete MessagePack value filling `bytes` exactly (trailing bytes are InvalidFormat). */
export function decodeMessagePack(bytes: Uint8Array, depth = 0): unknown {
  const r = new Reader(bytes);
  const value = decodeValue(r, depth);
  if (r.pos !== bytes.length) throw new SpecError('InvalidFormat', 'bytes after the MessagePack value');
  return value;
}

/** A growable byte buffer for the encoders. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  length = 0;
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }
  be(v: number | bigint, size: 2 | 4 | 8, signed = false): void {
    const b = new Uint8Array(size);
    const view = new DataView(b.buffer);
    if (size === 2) signed ? view.setInt16(0, Number(v)) : view.setUint16(0, Number(v));
    else if (size === 4) signed ? view.setInt32(0, Number(v)) : view.setUint32(0, Number(v));
    else signed ? view.setBigInt64(0, BigInt(v)) : view.setBigUint64(0, BigInt(v));
    this.bytes(b);
  }
  f64(v: number): void {
    this.u8(0xcb);
    const b = new Uint8Array(8);
    setFloat64Canonical(new DataView(b.buffer), 0, v, false);
    this.bytes(b);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Writes `v` as a float 64 at `offset`, any NaN as 7FF8 0000 0000 0000 (section 8, NaN bits). */
export function setFloat64Canonical(view: DataView, offset: number, v: number, littleEndian: boolean): void {
  if (Number.isNaN(v)) view.setBigUint64(offset, 0x7ff8_0000_0000_0000n, littleEndian);
  else view.setFloat64(offset, v, littleEndian);
}

/** Header of a str/bin/array/map of `n` items, in the shortest form (section 8). */
export function writeHeader(w: ByteWriter, kind: 'str' | 'bin' | 'array' | 'map', n: number): void {
  if (kind === 'str') {
    if (n < 32) w.u8(0xa0 + n);
    else if (n < 0x100) {
      w.u8(0xd9);
      w.u8(n);
    } else if (n < 0x10000) {
      w.u8(0xda);
      w.be(n, 2);
    } else {
      w.u8(0xdb);
      w.be(n, 4);
    }
  } else if (kind === 'bin') {
    if (n < 0x100) {
      w.u8(0xc4);
      w.u8(n);
    } else if (n < 0x10000) {
      w.u8(0xc5);
      w.be(n, 2);
    } else {
      w.u8(0xc6);
      w.be(n, 4);
    }
  } else {
    const fix = kind === 'array' ? 0x90 : 0x80;
    const [h16, h32] = kind === 'array' ? [0xdc, 0xdd] : [0xde, 0xdf];
    if (n < 16) w.u8(fix + n);
    else if (n < 0x10000) {
      w.u8(h16);
      w.be(n, 2);
    } else {
      w.u8(h32);
      w.be(n, 4);
    }
  }
}

/** A UTF-8 str in the shortest form. */
export function writeStr(w: ByteWriter, s: string): void {
  const b = utf8Encoder.encode(s);
  writeHeader(w, 'str', b.length);
  w.bytes(b);
}

/** A string: str of its UTF-8 bytes, or ext 8 of its UTF-16 units when it holds a lone surrogate (section 8). */
function writeString(w: ByteWriter, value: string): void {
  if (!hasLoneSurrogate(value)) {
    writeStr(w, value);
    return;
  }
  const data = new Uint8Array(value.length * 2);
  const view = new DataView(data.buffer);
  for (let i = 0; i < value.length; i++) view.setUint16(2 * i, value.charCodeAt(i), true);
  writeExt(w, 8, data);
}

function writeExt(w: ByteWriter, type: number, data: Uint8Array): void {
  const L = data.length;
  const fix = [1, 2, 4, 8, 16].indexOf(L);
  if (fix >= 0) w.u8(0xd4 + fix);
  else if (L < 0x100) {
    w.u8(0xc7);
    w.u8(L);
  } else if (L < 0x10000) {
    w.u8(0xc8);
    w.be(L, 2);
  } else {
    w.u8(0xc9);
    w.be(L, 4);
  }
  w.u8(type & 0xff);
  w.bytes(data);
}

function hasLoneSurrogate(s: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

// Returns what the writer call returns, so each form can end its branch with `return`.
function writeNumber(w: ByteWriter, v: number): unknown {
  if (Object.is(v, -0)) return writeExt(w, 1, new Uint8Array(0));
  if (!Number.isInteger(v) || Math.abs(v) > Number.MAX_SAFE_INTEGER) return w.f64(v);
  if (v >= 0) {
    if (v < 0x80) w.u8(v);
    else if (v < 0x100) {
      w.u8(0xcc);
      w.u8(v);
    } else if (v < 0x10000) {
      w.u8(0xcd);
      w.be(v, 2);
    } else if (v < 2 ** 32) {
      w.u8(0xce);
      w.be(v, 4);
    } else {
      w.u8(0xcf);
      w.be(v, 8);
    }
  } else if (v >= -32) w.u8(v + 0x100);
  else if (v >= -128) {
    w.u8(0xd0);
    w.u8(v + 0x100);
  } else if (v >= -0x8000) {
    w.u8(0xd1);
    w.be(v, 2, true);
  } else if (v >= -(2 ** 31)) {
    w.u8(0xd2);
    w.be(v, 4, true);
  } else {
    w.u8(0xd3);
    w.be(v, 8, true);
  }
}

function typedKind(value: ArrayBufferView): number {
  return (TYPED_BY_KIND as readonly unknown[]).indexOf(value.constructor);
}

function writeValue(w: ByteWriter, value: unknown): unknown {
  if (value === null) return w.u8(0xc0);
  if (value === undefined) return writeExt(w, 0, new Uint8Array(0));
  if (value === false || value === true) return w.u8(value ? 0xc3 : 0xc2);
  if (typeof value === 'number') return writeNumber(w, value);
  if (typeof value === 'bigint') {
    const text = value < 0n ? `-${(-value).toString(16)}` : value.toString(16);
    return writeExt(w, 2, utf8Encoder.encode(text));
  }
  if (typeof value === 'string') return writeString(w, value);
  if (value instanceof OpaqueExt) return writeExt(w, value.type, value.data);
  if (value instanceof Uint8Array) {
    writeHeader(w, 'bin', value.length);
    return w.bytes(value);
  }
  if (ArrayBuffer.isView(value)) {
    const kind = typedKind(value);
    const body = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    const data = new Uint8Array(1 + body.length);
    data[0] = kind;
    data.set(body, 1);
    return writeExt(w, 6, data);
  }
  if (value instanceof ArrayBuffer) return writeExt(w, 7, new Uint8Array(value));
  if (value instanceof Date) {
    const data = new Uint8Array(8);
    setFloat64Canonical(new DataView(data.buffer), 0, value.getTime(), true);
    return writeExt(w, 5, data);
  }
  if (value instanceof Map) return writeExt(w, 3, encodeMessagePack([...value].flat()));
  if (value instanceof Set) return writeExt(w, 4, encodeMessagePack([...value]));
  if (Array.isArray(value)) {
    writeHeader(w, 'array', value.length);
    for (const item of value) writeValue(w, item);
    return;
  }
  // A plain object: its keys in JavaScript property order (13.1), which Object.keys gives.
  const keys = Object.keys(value as object);
  writeHeader(w, 'map', keys.length);
  for (const key of keys) {
    writeString(w, key); // a key with a lone surrogate is an ext 8 key, like a string value
    writeValue(w, (value as Record<string, unknown>)[key]);
  }
}

/** The section 8 encoding of a value, in the forms the section 8 table prescribes. */
export function encodeMessagePack(value: unknown): Uint8Array {
  const w = new ByteWriter();
  writeValue(w, value);
  return w.result();
}
