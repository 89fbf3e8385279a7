// The canonical encoding and content hash of docs/format.md section 13.1, written from that text alone.
import { sha256 } from '@noble/hashes/sha2.js';
import { crc32 } from './crc32.js';
import { ByteWriter, encodeMessagePack, setFloat64Canonical, writeHeader, writeStr } from './msgpack.js';
import type { Component, Field, Packed } from './snapshot.js';
import { TYPES } from './snapshot.js';

const utf8 = new TextEncoder();

const typeCode = (name: string): number => TYPES.findIndex((t) => t?.[0] === name);

function bytesOf(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** Section 5.2 layout of variable-width values. */
function variableChunk(values: Uint8Array[]): Uint8Array {
  const total = values.reduce((n, v) => n + v.length, 0);
  const out = new Uint8Array(4 * (values.length + 1) + total);
  const view = new DataView(out.buffer);
  let o = 0;
  let at = 4 * (values.length + 1);
  values.forEach((v, i) => {
    o += v.length;
    view.setUint32(4 * (i + 1), o, true);
    out.set(v, at);
    at += v.length;
  });
  return out;
}

function columnBytes(f: Field): Uint8Array {
  if (f.type === 'string') return variableChunk((f.values as string[]).map((s) => utf8.encode(s)));
  if (f.type === 'bytes') return variableChunk(f.values as Uint8Array[]);
  return bytesOf(f.values as ArrayBufferView);
}

function resourceValueBytes(f: Field): Uint8Array {
  if (f.type === 'string') return utf8.encode((f.values as string[])[0]!);
  if (f.type === 'bytes') return (f.values as Uint8Array[])[0]!;
  return bytesOf(f.values as ArrayBufferView);
}

function sameIds(a: Uint32Array, b: Uint32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function writeFields(w: ByteWriter, c: Component): void {
  const fields = c.fields ?? [];
  writeHeader(w, 'array', fields.length);
  for (const f of fields) {
    writeHeader(w, 'array', 2);
    writeStr(w, f.name);
    w.f64(typeCode(f.type));
  }
}

function writeAttrMap(w: ByteWriter, c: Component): void {
  const refs = (c.fields ?? []).flatMap((f, i) => (f.ref ? [[i, f.ref === 'entity' ? 0 : 1]] : []));
  writeHeader(w, 'map', (c.singleValue ? 1 : 0) + (refs.length > 0 ? 1 : 0));
  if (c.singleValue) {
    writeStr(w, 'value');
    w.u8(0xc3);
  }
  if (refs.length > 0) {
    writeStr(w, 'refs');
    writeHeader(w, 'array', refs.length);
    for (const [i, k] of refs) {
      writeHeader(w, 'array', 2);
      w.f64(i!);
      w.f64(k!);
    }
  }
}

const hasAttrs = (c: Component): boolean => c.singleValue === true || (c.fields ?? []).some((f) => f.ref);

function frame(kind: number, owner: number, field: number, rowCount: number, payload: Uint8Array): Uint8Array {
  const padded = (payload.length + 7) & ~7;
  const out = new Uint8Array(64 + padded);
  const view = new DataView(out.buffer);
  view.setUint16(0, kind, true);
  view.setUint32(8, owner, true);
  view.setUint32(12, field, true);
  view.setUint32(20, rowCount, true);
  view.setBigUint64(24, BigInt(payload.length), true);
  view.setBigUint64(32, BigInt(payload.length), true);
  view.setUint32(60, crc32(out.subarray(0, 60)), true);
  out.set(payload, 64);
  return out;
}

const NONE = 0xffffffff;

/** The canonical container of a snapshot (13.1). */
export function canonicalEncoding(p: Packed): Uint8Array {
  // Sets numbered by first use: the world list, then each component's list.
  const sets: Uint32Array[] = [];
  const setOf = (ids: Uint32Array): number => {
    const found = sets.findIndex((s) => sameIds(s, ids));
    if (found >= 0) return found;
    sets.push(ids);
    return sets.length - 1;
  };
  setOf(p.entities);
  const componentSets = p.components.map((c) => setOf(c.entityIds!));
  const isRange = (s: Uint32Array): boolean => s.length >= 1 && s.every((v, i) => v === s[0]! + i);

  const m = new ByteWriter();
  const withAttrs = p.components.some(hasAttrs);
  const withResources = (p.resources ?? []).length > 0;
  writeHeader(m, 'map', 7 + (withAttrs ? 1 : 0) + (withResources ? 1 : 0));
  writeStr(m, 'version');
  writeStr(m, p.version);
  writeStr(m, 'schemaVersion');
  m.f64(p.schemaVersion);
  writeStr(m, 'metadata');
  const meta = encodeMessagePack(p.metadata);
  writeHeader(m, 'bin', meta.length);
  m.bytes(meta);
  writeStr(m, 'entities');
  m.f64(0);
  writeStr(m, 'sets');
  writeHeader(m, 'array', sets.length);
  for (const s of sets) {
    if (isRange(s)) {
      writeHeader(m, 'array', 2);
      m.f64(s[0]!);
      m.f64(s.length);
    } else {
      writeHeader(m, 'array', 1);
      m.f64(s.length);
    }
  }
  writeStr(m, 'components');
  writeHeader(m, 'array', p.components.length);
  p.components.forEach((c, i) => {
    writeHeader(m, 'array', 4);
    writeStr(m, c.id);
    m.f64(componentSets[i]!);
    m.f64(c.layout === 'blobs' ? 1 : 0);
    writeFields(m, c);
  });
  writeStr(m, 'order');
  const order = [...(p.componentOrder ?? [])];
  writeHeader(m, 'array', order.length);
  for (const [entity, ids] of order) {
    writeHeader(m, 'array', 2);
    m.f64(entity);
    writeHeader(m, 'array', ids.length);
    for (const id of ids) m.f64(p.components.findIndex((c) => c.id === id));
  }
  if (withAttrs) {
    writeStr(m, 'attrs');
    const list = p.components.flatMap((c, i) => (hasAttrs(c) ? [[i, c] as const] : []));
    writeHeader(m, 'array', list.length);
    for (const [i, c] of list) {
      writeHeader(m, 'array', 2);
      m.f64(i);
      writeAttrMap(m, c);
    }
  }
  if (withResources) {
    writeStr(m, 'resources');
    writeHeader(m, 'array', p.resources!.length);
    for (const r of p.resources!) {
      writeHeader(m, 'array', 5);
      writeStr(m, r.id);
      m.f64(r.layout === 'blobs' ? 1 : 0);
      writeFields(m, r);
      const values = r.layout === 'blobs' ? r.blobs! : r.fields!.map(resourceValueBytes);
      writeHeader(m, 'array', values.length);
      for (const v of values) {
        writeHeader(m, 'bin', v.length);
        m.bytes(v);
      }
      writeAttrMap(m, r);
    }
  }

  const frames: Uint8Array[] = [frame(1, NONE, NONE, 0, m.result())];
  sets.forEach((s, i) => {
    if (!isRange(s)) frames.push(frame(2, i, NONE, s.length, bytesOf(s)));
  });
  p.components.forEach((c, i) => {
    const rows = c.entityIds!.length;
    if (c.layout === 'blobs') frames.push(frame(4, i, NONE, rows, variableChunk(c.blobs!)));
    else
      c.fields!.forEach((f, fi) => {
        frames.push(frame(3, i, fi, rows, columnBytes(f)));
      });
  });
  if (p.entityMetadata && p.entityMetadata.size > 0) {
    const pairs = [...p.entityMetadata].map(([e, map]) => [e, map]);
    frames.push(frame(5, NONE, NONE, pairs.length, encodeMessagePack(pairs)));
  }

  const header = new Uint8Array(128);
  const hv = new DataView(header.buffer);
  header.set([0x54, 0x58, 0x32, 0x50, 0x41, 0x43, 0x4b, 0x00]);
  hv.setUint16(8, 1, true);
  hv.setUint16(10, 128, true);
  hv.setUint32(20, p.components.length, true);
  hv.setUint32(24, p.entities.length, true);
  hv.setUint32(28, sets.length, true);
  setFloat64Canonical(hv, 32, p.timestamp, true);
  setFloat64Canonical(hv, 40, p.worldTime, true);
  hv.setUint32(124, crc32(header.subarray(0, 124)), true);

  const toc = new Uint8Array(72 * frames.length);
  const tv = new DataView(toc.buffer);
  let offset = 128;
  frames.forEach((f, i) => {
    tv.setBigUint64(72 * i, BigInt(offset), true);
    toc.set(f.subarray(0, 64), 72 * i + 8);
    offset += f.length;
  });
  const tocOffset = offset;
  frames.push(frame(6, NONE, NONE, frames.length, toc));

  const trailer = new Uint8Array(64);
  const rv = new DataView(trailer.buffer);
  rv.setBigUint64(0, BigInt(tocOffset), true);
  rv.setUint32(8, frames.length - 1, true);
  rv.setUint32(52, crc32(trailer.subarray(0, 52)), true);
  trailer.set([0x54, 0x58, 0x32, 0x50, 0x45, 0x4e, 0x44, 0x00], 56);

  const parts = [header, ...frames, trailer];
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let at = 0;
  for (const x of parts) {
    out.set(x, at);
    at += x.length;
  }
  return out;
}

/** The content hash (13.1): SHA-256 of the canonical encoding. */
export function contentHash(p: Packed): Uint8Array {
  return sha256(canonicalEncoding(p));
}
