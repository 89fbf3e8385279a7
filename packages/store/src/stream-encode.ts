import { createSectionSealer, type EncryptionKeyInput, type SectionSealer } from '@tx2/pack-crypto';
import {
  ALIGNMENT,
  CodecId,
  crc32,
  DESCRIPTOR_SIZE,
  type EncodeOptions,
  encodeBlob,
  END_MAGIC,
  FORMAT_VERSION,
  HEADER_SIZE,
  MAGIC,
  NO_INDEX,
  PackError,
  type PackedSnapshot,
  SectionKind,
  TOC_ENTRY_SIZE,
  TRAILER_SIZE,
  type FieldType,
} from '@tx2/pack-format';

/** Default bound of one column chunk's raw bytes in streamed files. */
export const DEFAULT_CHUNK_BYTES = 4 << 20;

const TYPE_CODES: Record<FieldType, number> = { bool: 1, i8: 2, i16: 3, i32: 4, i64: 5, u8: 6, u16: 7, u32: 8, u64: 9, f32: 10, f64: 11, string: 12, bytes: 13 };
const WIDTHS: Partial<Record<FieldType, number>> = { bool: 1, i8: 1, u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, f32: 4, i64: 8, u64: 8, f64: 8 };
const utf8 = new TextEncoder();
const ZERO = new Uint8Array(ALIGNMENT);

interface Section {
  kind: number;
  owner: number;
  field: number;
  rowStart: number;
  rowCount: number;
  raw: Uint8Array;
  width: number;
  type?: FieldType;
}

function setU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % 2 ** 32, true);
  view.setUint32(at + 4, Math.floor(value / 2 ** 32), true);
}

function sameIds(a: Uint32Array, b: Uint32Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isRange(ids: Uint32Array): boolean {
  for (let i = 1; i < ids.length; i++) if (ids[i] !== ids[0]! + i) return false;
  return ids.length > 0;
}

function bytesOf(values: ArrayBufferView, start: number, count: number, width: number): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset + start * width, count * width);
}

/** Variable-width chunk (format.md 5.2): rowCount + 1 u32 offsets, then the data. */
function varChunk(parts: Uint8Array[]): Uint8Array {
  const dataLength = parts.reduce((n, p) => n + p.length, 0);
  const head = (parts.length + 1) * 4;
  const out = new Uint8Array(head + dataLength);
  const view = new DataView(out.buffer);
  let at = 0;
  parts.forEach((p, i) => {
    view.setUint32(i * 4, at, true);
    out.set(p, head + at);
    at += p.length;
  });
  view.setUint32(parts.length * 4, at, true);
  return out;
}

/** Splits variable-width values into chunks of about `chunkBytes`. */
function* varSections(values: Uint8Array[], base: Omit<Section, 'raw' | 'rowStart' | 'rowCount' | 'width'>, chunkBytes: number): Generator<Section> {
  let start = 0;
  while (start < values.length || (start === 0 && values.length === 0)) {
    let end = start;
    let size = 0;
    while (end < values.length && (end === start || size + values[end]!.length <= chunkBytes)) size += values[end++]!.length;
    yield { ...base, rowStart: start, rowCount: end - start, raw: varChunk(values.slice(start, end)), width: 0 };
    if (values.length === 0) return;
    start = end;
  }
}

/** Every section of `packed` in file order, columns cut into chunks of at most `chunkBytes` raw bytes. */
function* sections(packed: PackedSnapshot, chunkBytes: number): Generator<Section | { header: Uint8Array }> {
  if (!(packed.entities instanceof Uint32Array) || !Array.isArray(packed.components)) {
    throw new PackError('InvalidInput', 'a packed snapshot needs `entities` (Uint32Array) and `components`: build it with createPackedSnapshot or fromWorldSnapshot');
  }
  const sets: Uint32Array[] = [packed.entities];
  const setOf = (ids: Uint32Array): number => {
    const found = sets.findIndex((s) => sameIds(s, ids));
    if (found >= 0) return found;
    sets.push(ids);
    return sets.length - 1;
  };
  const ids = new Set<string>();
  const components = packed.components.map((c) => {
    if (ids.has(c.id)) throw new PackError('InvalidInput', `component "${c.id}" appears twice: merge its rows into one component`);
    ids.add(c.id);
    const n = c.entityIds.length;
    if (c.layout === 'blobs') {
      if (c.blobs.length !== n) throw new PackError('InvalidInput', `component "${c.id}" has ${c.blobs.length} blobs for ${n} entities`);
      return [c.id, setOf(c.entityIds), 1, []];
    }
    for (const f of c.fields) {
      if ((f.values as ArrayLike<unknown>).length !== n) throw new PackError('InvalidInput', `field "${f.name}" of component "${c.id}" has ${(f.values as ArrayLike<unknown>).length} values for ${n} entities`);
    }
    return [c.id, setOf(c.entityIds), 0, c.fields.map((f) => [f.name, TYPE_CODES[f.type]])];
  });
  const componentIndex = new Map(packed.components.map((c, i) => [c.id, i]));
  const order = [...(packed.componentOrder ?? new Map<number, string[]>())].map(([entity, list]) => [entity, list.map((id) => componentIndex.get(id)!)]);
  const setEntries = sets.map((s) => (isRange(s) ? [s[0]!, s.length] : [s.length]));
  const manifest = encodeBlob({
    version: packed.version,
    schemaVersion: Object.is(packed.schemaVersion, -0) ? 0 : packed.schemaVersion,
    metadata: encodeBlob(packed.metadata ?? {}),
    entities: 0,
    sets: setEntries,
    components,
    order,
  });

  const header = new Uint8Array(HEADER_SIZE);
  const hv = new DataView(header.buffer);
  header.set(MAGIC, 0);
  hv.setUint16(8, FORMAT_VERSION, true);
  hv.setUint16(10, HEADER_SIZE, true);
  hv.setUint32(20, components.length, true);
  hv.setUint32(24, packed.entities.length, true);
  hv.setUint32(28, sets.length, true);
  hv.setFloat64(32, packed.timestamp, true);
  hv.setFloat64(40, packed.worldTime, true);
  yield { header };

  yield { kind: SectionKind.Manifest, owner: NO_INDEX, field: NO_INDEX, rowStart: 0, rowCount: 0, raw: manifest, width: 0 };
  for (let s = 0; s < sets.length; s++) {
    const set = sets[s]!;
    if (setEntries[s]!.length === 2) continue;
    yield { kind: SectionKind.EntitySet, owner: s, field: NO_INDEX, rowStart: 0, rowCount: set.length, raw: bytesOf(set, 0, set.length, 4), width: 4 };
  }
  for (let c = 0; c < packed.components.length; c++) {
    const component = packed.components[c]!;
    const n = component.entityIds.length;
    if (component.layout === 'blobs') {
      yield* varSections(component.blobs, { kind: SectionKind.Blobs, owner: c, field: NO_INDEX }, chunkBytes);
      continue;
    }
    for (let f = 0; f < component.fields.length; f++) {
      const field = component.fields[f]!;
      const width = WIDTHS[field.type];
      if (width === undefined) {
        const values = field.type === 'string' ? (field.values as string[]).map((v) => utf8.encode(v)) : (field.values as Uint8Array[]);
        yield* varSections(values, { kind: SectionKind.Column, owner: c, field: f, type: field.type }, chunkBytes);
        continue;
      }
      const rows = Math.max(1, Math.floor(chunkBytes / width));
      for (let start = 0; start < n || start === 0; start += rows) {
        const count = Math.min(rows, n - start);
        yield { kind: SectionKind.Column, owner: c, field: f, rowStart: start, rowCount: count, raw: bytesOf(field.values as ArrayBufferView, start, count, width), width, type: field.type };
        if (n === 0) break;
      }
    }
  }
  if (packed.entityMetadata !== undefined && packed.entityMetadata.size > 0) {
    yield { kind: SectionKind.EntityMetadata, owner: NO_INDEX, field: NO_INDEX, rowStart: 0, rowCount: 0, raw: encodeBlob([...packed.entityMetadata]), width: 0 };
  }
}

function descriptor(s: { kind: number; owner: number; field: number; rowStart: number; rowCount: number }, codec: number, filter: number, filterParam: number, rawLength: number, stored: Uint8Array, checksums: boolean, sealed = false): Uint8Array {
  const out = new Uint8Array(DESCRIPTOR_SIZE);
  const v = new DataView(out.buffer);
  v.setUint16(0, s.kind, true);
  out[2] = codec;
  out[3] = filter;
  out[5] = checksums ? 1 : 0;
  v.setUint16(6, filterParam, true);
  v.setUint32(8, s.owner, true);
  v.setUint32(12, s.field, true);
  v.setUint32(16, s.rowStart, true);
  v.setUint32(20, s.rowCount, true);
  setU64(v, 24, rawLength);
  setU64(v, 32, stored.length);
  // Encrypted sections carry no payload CRC (the sealer clears the flag; the tag authenticates them).
  if (checksums && !sealed) v.setUint32(40, crc32(stored), true);
  v.setUint32(60, crc32(out.subarray(0, 60)), true);
  return out;
}

/**
 * Encodes `packed` as a tx2-pack container piece by piece: the header, then one frame
 * per section (columns cut into chunks of at most `chunkBytes` raw bytes), then the table
 * of contents and the trailer. Only one chunk is held at a time, so the extra memory is
 * bounded by the chunk size, not the world's size. The output decodes with decodeSnapshot.
 * With `key`, every section is sealed with AES-256-GCM as it is emitted (the encrypted
 * header is fixed before the first section): the output is what encryptSnapshot of
 * @tx2/pack-crypto makes of the plain container (without a trailer digest).
 */
export async function* encodeSnapshotStream(packed: PackedSnapshot, options: EncodeOptions, chunkBytes = DEFAULT_CHUNK_BYTES, key?: EncryptionKeyInput): AsyncGenerator<Uint8Array> {
  if (!Number.isInteger(chunkBytes) || chunkBytes < 64) throw new PackError('InvalidInput', `chunkBytes must be an integer of at least 64, got ${chunkBytes}`);
  const codec = options.codec;
  const checksums = options.checksums ?? true;
  const toc: Uint8Array[] = [];
  let sealer: SectionSealer | undefined;
  let offset = 0;
  for (const item of sections(packed, chunkBytes)) {
    if ('header' in item) {
      const h = item.header;
      const hv = new DataView(h.buffer);
      hv.setUint32(12, checksums ? 1 : 0, true);
      h[17] = codec?.id ?? CodecId.None;
      hv.setUint32(124, crc32(h.subarray(0, 124)), true);
      if (key !== undefined) sealer = createSectionSealer(h, key);
      yield sealer?.header ?? h;
      offset = HEADER_SIZE;
      continue;
    }
    let stored = item.raw;
    let codecId = 0;
    let filterId = 0;
    let filterParam = 0;
    if (codec !== undefined && codec.id !== CodecId.None && item.raw.length > 0) {
      let input = item.raw;
      const filter = item.width > 0 ? options.filter?.(item.type === undefined ? { kind: item.kind, width: item.width, rawLength: item.raw.length } : { kind: item.kind, width: item.width, type: item.type, rawLength: item.raw.length }) : undefined;
      if (filter !== undefined) input = filter.encode(item.raw, item.width);
      let compressed: Uint8Array;
      try {
        compressed = codec.compress(input, options.level);
      } catch (error) {
        throw new PackError('Compression', `${codec.name} failed to compress a section: ${(error as Error).message}`, { cause: error });
      }
      if (compressed.length < item.raw.length) {
        stored = compressed;
        codecId = codec.id;
        if (filter !== undefined) {
          filterId = filter.id;
          filterParam = item.width;
        }
      }
    }
    let d = descriptor(item, codecId, filterId, filterParam, item.raw.length, stored, checksums, sealer !== undefined);
    if (sealer !== undefined) ({ descriptor: d, payload: stored } = await sealer.seal(toc.length, d, stored));
    const entry = new Uint8Array(TOC_ENTRY_SIZE);
    setU64(new DataView(entry.buffer), 0, offset);
    entry.set(d, 8);
    toc.push(entry);
    yield d;
    if (stored.length > 0) yield stored;
    const pad = (ALIGNMENT - (stored.length % ALIGNMENT)) % ALIGNMENT;
    if (pad > 0) yield ZERO.subarray(0, pad);
    offset += DESCRIPTOR_SIZE + stored.length + pad;
  }
  const tocOffset = offset;
  let payload: Uint8Array = new Uint8Array(toc.length * TOC_ENTRY_SIZE);
  toc.forEach((e, i) => payload.set(e, i * TOC_ENTRY_SIZE));
  let tocDescriptor = descriptor({ kind: SectionKind.TableOfContents, owner: NO_INDEX, field: NO_INDEX, rowStart: 0, rowCount: toc.length }, 0, 0, 0, payload.length, payload, checksums, sealer !== undefined);
  if (sealer !== undefined) ({ descriptor: tocDescriptor, payload } = await sealer.seal(toc.length, tocDescriptor, payload));
  yield tocDescriptor;
  if (payload.length > 0) yield payload;
  const pad = (ALIGNMENT - (payload.length % ALIGNMENT)) % ALIGNMENT;
  if (pad > 0) yield ZERO.subarray(0, pad);
  const trailer = new Uint8Array(TRAILER_SIZE);
  const tv = new DataView(trailer.buffer);
  setU64(tv, 0, tocOffset);
  tv.setUint32(8, toc.length, true);
  tv.setUint32(52, crc32(trailer.subarray(0, 52)), true);
  trailer.set(END_MAGIC, 56);
  yield trailer;
}
