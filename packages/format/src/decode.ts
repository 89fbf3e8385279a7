import { crc32 } from '#platform';
import { decodeBlob } from './blob.js';
import {
  readDescriptor,
  readHeader,
  readTrailer,
  type SectionDescriptor,
  type SnapshotHeader,
  type SnapshotTrailer,
} from './binary.js';
import { PackError } from './errors.js';
import { FIELD_TYPES } from './field-types.js';
import {
  ALIGNMENT,
  CipherId,
  CodecId,
  ContainerKind,
  DESCRIPTOR_SIZE,
  FilterId,
  HEADER_SIZE,
  HeaderFlags,
  SectionFlags,
  SectionKind,
  TOC_ENTRY_SIZE,
  TRAILER_SIZE,
} from './layout.js';
import { plainBytes, rangeIds } from './arrays.js';
import { decodeManifest, type Manifest } from './manifest.js';
import type { Column, EntityMetadata, PackedComponent, PackedSnapshot } from './model.js';
import { type CodecLookup, codecName, type FilterLookup } from './section-codec.js';
import { decodeBytesColumn, decodeStringColumn } from './var-column.js';

/** How a snapshot is read. */
export interface DecodeOptions {
  /** Decode only these components (by id); the others are skipped without being read. */
  components?: readonly string[];
  /** Check the CRC-32 of every section read (default true). Header, descriptors and trailer are always checked. */
  verifyChecksums?: boolean;
  /** Codecs for compressed sections, such as the registry of @tx2/pack-codecs. */
  codecs?: CodecLookup;
  /** Filters for filtered sections, such as the registry of @tx2/pack-codecs. */
  filters?: FilterLookup;
  /** Copy column data out of the input instead of returning views over it (default false). */
  copy?: boolean;
  /** Largest decoded size accepted for one section, checked before allocating (default 2 GiB). */
  maxSectionSize?: number;
  /**
   * Entity ids that range sets (which cost no bytes) may declare beyond what component data
   * covers: 4 per data row come free; default 8 per input byte + 65,536 more. Raise it for
   * trusted files of many entities without components.
   */
  maxRangeIds?: number;
}

/** A section's place in the file, as the table of contents lists it. */
export interface SectionEntry {
  offset: number;
  descriptor: SectionDescriptor;
}

/** The structure of a container, read without decoding any column. */
export interface SnapshotLayout {
  header: SnapshotHeader;
  trailer: SnapshotTrailer;
  sections: SectionEntry[];
}

const DEFAULT_MAX_SECTION = 2 ** 31;
// A range entity set costs no bytes in the file; cap what it may make us allocate.
const MAX_IDS_PER_INPUT_BYTE = 8;
// Range ids allowed per row of component data.
const RANGE_IDS_PER_ROW = 4;

function corrupt(message: string, details?: Record<string, unknown>): never {
  throw new PackError('InvalidFormat', `${message}: the file is corrupt or not written by tx2-pack`, details ? { details } : {});
}

function getU64(view: DataView, offset: number): number {
  const high = view.getUint32(offset + 4, true);
  if (high >= 0x200000) corrupt('a section offset is larger than 2^53');
  return high * 2 ** 32 + view.getUint32(offset, true);
}

function sectionName(d: SectionDescriptor): string {
  switch (d.kind) {
    case SectionKind.Manifest:
      return 'the manifest section';
    case SectionKind.EntitySet:
      return `entity set ${d.owner}`;
    case SectionKind.Column:
      return `column ${d.field} of component ${d.owner}`;
    case SectionKind.Blobs:
      return `the blobs of component ${d.owner}`;
    case SectionKind.EntityMetadata:
      return 'the entity metadata section';
    case SectionKind.TableOfContents:
      return 'the table of contents';
    default:
      return `section of kind ${d.kind}`;
  }
}

/** Reads header, trailer and table of contents, checking all their checksums and bounds. */
export function readLayout(input: Uint8Array): SnapshotLayout {
  if (!(input instanceof Uint8Array)) throw new PackError('InvalidInput', 'decode expects a Uint8Array');
  const bytes = plainBytes(input);
  const header = readHeader(bytes);
  if (header.kind !== ContainerKind.Snapshot && header.kind !== ContainerKind.Delta) corrupt(`unknown container kind ${header.kind}`);
  if (header.flags & HeaderFlags.Encrypted || header.cipher !== CipherId.None) {
    throw new PackError('Decryption', 'this snapshot is encrypted: pass a key, reading it with decodeEncrypted from @tx2/pack-crypto');
  }
  const trailer = readTrailer(bytes);
  const end = bytes.length - TRAILER_SIZE;
  const tocOffset = trailer.tocOffset;
  if (tocOffset < HEADER_SIZE || tocOffset % ALIGNMENT !== 0 || tocOffset + DESCRIPTOR_SIZE > end) {
    corrupt('the table of contents offset is out of bounds', { tocOffset });
  }
  const tocDescriptor = readDescriptor(bytes, tocOffset);
  if (tocDescriptor.kind !== SectionKind.TableOfContents) corrupt('the trailer does not point at the table of contents');
  const tocPayload = payloadOf(bytes, tocOffset, tocDescriptor, end);
  if (tocDescriptor.codec !== CodecId.None || tocDescriptor.cipher !== CipherId.None || tocDescriptor.filter !== FilterId.None) {
    throw new PackError('Decryption', 'the table of contents is encoded: read this snapshot with @tx2/pack-crypto / @tx2/pack-codecs');
  }
  if (tocDescriptor.flags & SectionFlags.PayloadChecksum) verifyCrc(tocPayload, tocDescriptor);
  const count = trailer.sectionCount;
  if (tocDescriptor.rawLength !== count * TOC_ENTRY_SIZE || tocDescriptor.storedLength !== tocDescriptor.rawLength) {
    corrupt('the table of contents size does not match the section count', { count });
  }
  const view = new DataView(tocPayload.buffer, tocPayload.byteOffset, tocPayload.byteLength);
  const sections: SectionEntry[] = [];
  let previousEnd = HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const at = i * TOC_ENTRY_SIZE;
    const offset = getU64(view, at);
    if (offset !== previousEnd) corrupt(`section ${i} does not start where the previous one ends`, { offset, expected: previousEnd });
    const descriptor = readDescriptor(tocPayload, at + 8);
    if (offset + DESCRIPTOR_SIZE > tocOffset) corrupt(`section ${i} lies past the table of contents`);
    for (let b = 0; b < DESCRIPTOR_SIZE; b++) {
      if (bytes[offset + b] !== tocPayload[at + 8 + b]) {
        throw new PackError('ChecksumMismatch', `the descriptor of section ${i} differs from its table of contents entry: the file is corrupt`);
      }
    }
    const payloadEnd = offset + DESCRIPTOR_SIZE + descriptor.storedLength;
    previousEnd = payloadEnd + ((ALIGNMENT - (payloadEnd % ALIGNMENT)) % ALIGNMENT);
    if (previousEnd > tocOffset) corrupt(`section ${i} runs into the table of contents`);
    // Padding must be zero, so that no byte of the file goes unchecked.
    for (let p = payloadEnd; p < previousEnd; p++) if (bytes[p] !== 0) corrupt(`the padding after section ${i} is not zero`);
    sections.push({ offset, descriptor });
  }
  if (previousEnd !== tocOffset) corrupt('there are unlisted bytes before the table of contents');
  return { header, trailer, sections };
}

/**
 * Walks the section frames from the header onwards, without the table of contents: how a
 * sequential (streaming) reader sees the file, and a way to list what a file whose end
 * was cut off still holds. Stops after the table of contents or at the first frame that
 * does not fit the input; descriptors are checksum-checked, payloads are not read.
 */
export function scanSections(input: Uint8Array): { header: SnapshotHeader; sections: SectionEntry[]; complete: boolean } {
  if (!(input instanceof Uint8Array)) throw new PackError('InvalidInput', 'scanSections expects a Uint8Array');
  const bytes = plainBytes(input);
  const header = readHeader(bytes);
  const sections: SectionEntry[] = [];
  let offset = HEADER_SIZE;
  while (offset + DESCRIPTOR_SIZE <= bytes.length) {
    const descriptor = readDescriptor(bytes, offset);
    const end = offset + DESCRIPTOR_SIZE + descriptor.storedLength;
    if (end > bytes.length) break;
    sections.push({ offset, descriptor });
    if (descriptor.kind === SectionKind.TableOfContents) return { header, sections, complete: true };
    offset = end + ((ALIGNMENT - (end % ALIGNMENT)) % ALIGNMENT);
  }
  return { header, sections, complete: false };
}

function payloadOf(bytes: Uint8Array, offset: number, d: SectionDescriptor, limit: number): Uint8Array {
  const start = offset + DESCRIPTOR_SIZE;
  if (d.storedLength > limit - start) {
    throw new PackError('Truncated', `${sectionName(d)} runs past the end of the input: the file is incomplete`);
  }
  return bytes.subarray(start, start + d.storedLength);
}

function verifyCrc(stored: Uint8Array, d: SectionDescriptor): void {
  const actual = crc32(stored);
  if (actual !== d.payloadCrc) {
    throw new PackError('ChecksumMismatch', `${sectionName(d)} fails its checksum: the file is corrupt`, {
      details: { section: sectionName(d), stored: d.payloadCrc, actual },
    });
  }
}

interface ReadContext {
  bytes: Uint8Array;
  /** Entity ids that range sets may still materialise: ranges cost no bytes in the file. */
  rangeBudget: number;
  verify: boolean;
  codecs: CodecLookup | undefined;
  filters: FilterLookup | undefined;
  maxSectionSize: number;
}

/** Returns a section's decoded bytes: checksum checked, decompressed, unfiltered, size checked. */
function openSection(ctx: ReadContext, entry: SectionEntry): Uint8Array {
  const d = entry.descriptor;
  const stored = payloadOf(ctx.bytes, entry.offset, d, ctx.bytes.length - TRAILER_SIZE);
  if (ctx.verify && d.flags & SectionFlags.PayloadChecksum) verifyCrc(stored, d);
  if (d.cipher !== CipherId.None) {
    throw new PackError('Decryption', `${sectionName(d)} is encrypted: read this snapshot through @tx2/pack-crypto with its key`);
  }
  if (d.rawLength > ctx.maxSectionSize) {
    throw new PackError('Decompression', `${sectionName(d)} declares ${d.rawLength} bytes, over the ${ctx.maxSectionSize}-byte limit: raise maxSectionSize if the file is trusted`);
  }
  let raw = stored;
  if (d.codec !== CodecId.None) {
    const codec = ctx.codecs?.(d.codec);
    if (codec === undefined) {
      throw new PackError('Decompression', `${sectionName(d)} is compressed with ${codecName(d.codec)}: pass the codecs of @tx2/pack-codecs to decode it`);
    }
    try {
      raw = codec.decompress(stored, d.rawLength);
    } catch (error) {
      if (error instanceof PackError) throw error;
      throw new PackError('Decompression', `${sectionName(d)} could not be decompressed with ${codec.name}: the file is corrupt`, { cause: error });
    }
  }
  raw = plainBytes(raw);
  if (raw.length !== d.rawLength) corrupt(`${sectionName(d)} decodes to ${raw.length} bytes, its descriptor says ${d.rawLength}`);
  if (d.filter !== FilterId.None) {
    const filter = ctx.filters?.(d.filter);
    if (filter === undefined) {
      throw new PackError('Decompression', `${sectionName(d)} uses column filter ${d.filter}: pass the filters of @tx2/pack-codecs to decode it`);
    }
    try {
      raw = plainBytes(filter.decode(raw, d.filterParam));
    } catch (error) {
      if (error instanceof PackError) throw error;
      throw new PackError('Decompression', `${sectionName(d)} could not be unfiltered with ${filter.name}: the file is corrupt`, { cause: error });
    }
    if (raw.length !== d.rawLength) corrupt(`${sectionName(d)} unfilters to ${raw.length} bytes, expected ${d.rawLength}`);
  }
  return raw;
}

/** Views (or copies, when misaligned or asked) `raw` as a typed array of `count` values. */
function typedView<T>(ctor: { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number }, raw: Uint8Array, count: number, copy: boolean): T {
  const width = ctor.BYTES_PER_ELEMENT;
  if (!copy && raw.byteOffset % width === 0) return new ctor(raw.buffer, raw.byteOffset, count);
  const own = raw.slice(0, count * width);
  return new ctor(own.buffer, 0, count);
}

/** Concatenates the chunks of one column, checking they cover rows 0..count in order. */
function joinChunks(ctx: ReadContext, entries: SectionEntry[], count: number, what: string): Uint8Array[] {
  let next = 0;
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    if (entry.descriptor.rowStart !== next) corrupt(`${what} has a gap or overlap at row ${next}`);
    next += entry.descriptor.rowCount;
    parts.push(openSection(ctx, entry));
  }
  if (next !== count) corrupt(`${what} holds ${next} rows, its entity set ${count}`);
  return parts;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function decodeColumn(parts: Uint8Array[], entries: SectionEntry[], name: string, type: Column['type'], count: number, copy: boolean, what: string): Column {
  const info = FIELD_TYPES[type];
  if (info.array !== undefined) {
    const raw = concat(parts);
    if (raw.length !== count * info.width) corrupt(`${what} has ${raw.length} bytes for ${count} ${type} values`);
    return { name, type, values: typedView(info.array as never, raw, count, copy && parts.length === 1) } as Column;
  }
  // Variable-length chunks carry their own offsets; decode each and join.
  const values: unknown[] = [];
  parts.forEach((raw, i) => {
    const rows = entries[i]!.descriptor.rowCount;
    const chunk = type === 'string' ? decodeStringColumn(raw, rows, what) : decodeBytesColumn(raw, rows, what, copy);
    for (const v of chunk) values.push(v);
  });
  return { name, type, values } as Column;
}

function entitySet(ctx: ReadContext, manifest: Manifest, index: number, setSections: Map<number, SectionEntry>, cache: Map<number, Uint32Array>, copy: boolean): Uint32Array {
  const cached = cache.get(index);
  if (cached !== undefined) return cached;
  const set = manifest.sets[index]!;
  let ids: Uint32Array;
  if ('start' in set) {
    // One budget for the whole file: many small-looking ranges must not add up to gigabytes.
    // Decoded rows raise it (see decodeSnapshot); the input length alone allows 8 ids a byte.
    if (set.count > ctx.rangeBudget) {
      corrupt(`entity set ${index} declares ${set.count} ids, more than the input can describe: if the file is trusted (a world of many entities without components), raise maxRangeIds`);
    }
    ctx.rangeBudget -= set.count;
    ids = rangeIds(set.start, set.count);
  } else {
    const entry = setSections.get(index);
    if (entry === undefined) corrupt(`entity set ${index} has no section`);
    if (entry.descriptor.rowCount !== set.count) corrupt(`entity set ${index} section holds ${entry.descriptor.rowCount} ids, the manifest ${set.count}`);
    const raw = openSection(ctx, entry);
    if (raw.length !== set.count * 4) corrupt(`entity set ${index} has ${raw.length} bytes for ${set.count} ids`);
    ids = typedView(Uint32Array, raw, set.count, copy);
  }
  cache.set(index, ids);
  return ids;
}

/**
 * Reads only the manifest of a plain container (snapshot or delta): component ids, layouts,
 * field names and types, entity set sizes, metadata; no column is read. For tools.
 */
export function readManifest(input: Uint8Array, options: Omit<DecodeOptions, 'components' | 'copy'> = {}): Manifest {
  const layout = readLayout(input);
  const ctx: ReadContext = {
    bytes: plainBytes(input),
    rangeBudget: 0,
    verify: options.verifyChecksums ?? true,
    codecs: options.codecs,
    filters: options.filters,
    maxSectionSize: options.maxSectionSize ?? DEFAULT_MAX_SECTION,
  };
  const first = layout.sections[0];
  if (first === undefined || first.descriptor.kind !== SectionKind.Manifest) corrupt('the first section is not the manifest');
  const manifest = decodeManifest(openSection(ctx, first).slice());
  if (manifest.components.length !== layout.header.componentCount || manifest.sets.length !== layout.header.entitySetCount) {
    corrupt('the header counts do not match the manifest');
  }
  return manifest;
}

/** Decodes a tx2-pack container into a packed snapshot; every malformed input is a PackError. */
export function decodeSnapshot(input: Uint8Array, options: DecodeOptions = {}): PackedSnapshot {
  return decodeContainer(input, options, ContainerKind.Snapshot);
}

/** Decodes a container of the given kind (a delta's payload is laid out like a snapshot). */
export function decodeContainer(input: Uint8Array, options: DecodeOptions, kind: number): PackedSnapshot {
  const layout = readLayout(input);
  const bytes = plainBytes(input);
  if (layout.header.kind !== kind) {
    throw new PackError(
      'InvalidFormat',
      kind === ContainerKind.Snapshot
        ? 'this container holds a delta, not a snapshot: decode it with decodeDelta and apply it to its base snapshot'
        : 'this container holds a snapshot, not a delta: decode it with decodeSnapshot',
    );
  }
  const ctx: ReadContext = {
    bytes,
    rangeBudget: 0,
    verify: options.verifyChecksums ?? true,
    codecs: options.codecs,
    filters: options.filters,
    maxSectionSize: options.maxSectionSize ?? DEFAULT_MAX_SECTION,
  };
  const copy = options.copy ?? false;
  const first = layout.sections[0];
  if (first === undefined || first.descriptor.kind !== SectionKind.Manifest) corrupt('the first section is not the manifest');
  // MessagePack bytes values are views into what they are decoded from: copy first when asked.
  const ownIfCopy = (raw: Uint8Array): Uint8Array => (copy ? raw.slice() : raw);
  const manifest = decodeManifest(ownIfCopy(openSection(ctx, first)));
  if (manifest.components.length !== layout.header.componentCount || manifest.sets.length !== layout.header.entitySetCount) {
    corrupt('the header counts do not match the manifest');
  }

  const setSections = new Map<number, SectionEntry>();
  // dataSections[component][field] (field 0 for blobs): the chunks in file order.
  const dataSections: SectionEntry[][][] = manifest.components.map((c) => (c.layout === 'columns' ? c.fields.map(() => []) : [[]]));
  let metadataEntry: SectionEntry | undefined;
  for (let i = 1; i < layout.sections.length; i++) {
    const entry = layout.sections[i]!;
    const d = entry.descriptor;
    if (d.kind === SectionKind.EntitySet) {
      if (d.owner >= manifest.sets.length || setSections.has(d.owner)) corrupt(`entity set section ${i} names set ${d.owner}`);
      setSections.set(d.owner, entry);
    } else if (d.kind === SectionKind.Column || d.kind === SectionKind.Blobs) {
      const component = manifest.components[d.owner];
      if (component === undefined) corrupt(`section ${i} names component ${d.owner}`);
      const isColumn = d.kind === SectionKind.Column;
      if (isColumn !== (component.layout === 'columns') || (isColumn && d.field >= component.fields.length)) {
        corrupt(`section ${i} does not match the layout of component "${component.id}"`);
      }
      dataSections[d.owner]![isColumn ? d.field : 0]!.push(entry);
    } else if (d.kind === SectionKind.EntityMetadata) {
      if (metadataEntry !== undefined) corrupt('two entity metadata sections');
      metadataEntry = entry;
    } else if (d.kind === SectionKind.Manifest || d.kind === SectionKind.TableOfContents) {
      corrupt(`section ${i} repeats the ${d.kind === SectionKind.Manifest ? 'manifest' : 'table of contents'}`);
    }
    // Unknown kinds are skipped: later minor versions may add optional sections.
  }

  // A range entity set costs no bytes in the file, so the ids ranges may make us allocate
  // are capped: a small allowance per input byte, plus what component data vouches for. A
  // component with data has as many rows as its entity set; counted from the descriptors
  // (sizes a full decode would allocate anyway, each within maxSectionSize), so that a
  // partial read accepts exactly the files a full read accepts. The factor leaves room for
  // id lists without data beside them (the world's entity list, a delta's id lists).
  let vouched = 0;
  manifest.components.forEach((component, c) => {
    const entries = dataSections[c]![0];
    if (entries === undefined || entries.length === 0) return;
    let rows = 0;
    for (const entry of entries) {
      if (entry.descriptor.rawLength > ctx.maxSectionSize) return;
      rows += entry.descriptor.rowCount;
    }
    if (rows === manifest.sets[component.set]!.count) vouched += rows;
  });
  ctx.rangeBudget = (options.maxRangeIds ?? MAX_IDS_PER_INPUT_BYTE * bytes.length + 65536) + RANGE_IDS_PER_ROW * vouched;

  let wanted: Set<string> | undefined;
  if (options.components !== undefined) {
    wanted = new Set(options.components);
    for (const id of wanted) {
      if (!manifest.components.some((c) => c.id === id)) {
        throw new PackError('InvalidInput', `component "${id}" is not in this snapshot (it has: ${manifest.components.map((c) => c.id).join(', ') || 'none'})`);
      }
    }
  }

  // Component data is decoded before the entity ids are materialised: a range set costs no
  // bytes in the file, so its ids may only be allocated once decoded rows vouch for them
  // (plus a small allowance per input byte, for entities without components).
  const setCache = new Map<number, Uint32Array>();
  const components: PackedComponent[] = [];
  manifest.components.forEach((component, c) => {
    if (wanted !== undefined && !wanted.has(component.id)) return;
    const count = manifest.sets[component.set]!.count;
    let data: { blobs: Uint8Array[] } | { fields: Column[] };
    if (component.layout === 'blobs') {
      const entries = dataSections[c]![0]!;
      const what = `the blobs of component "${component.id}"`;
      const parts = joinChunks(ctx, entries, count, what);
      const blobs: Uint8Array[] = [];
      parts.forEach((raw, i) => {
        for (const b of decodeBytesColumn(raw, entries[i]!.descriptor.rowCount, what, copy)) blobs.push(b);
      });
      data = { blobs };
    } else {
      data = {
        fields: component.fields.map((field, f) => {
          const entries = dataSections[c]![f]!;
          const what = `field "${field.name}" of component "${component.id}"`;
          const parts = joinChunks(ctx, entries, count, what);
          return decodeColumn(parts, entries, field.name, field.type, count, copy, what);
        }),
      };
    }
    const entityIds = entitySet(ctx, manifest, component.set, setSections, setCache, copy);
    components.push('blobs' in data ? { id: component.id, layout: 'blobs', entityIds, blobs: data.blobs } : { id: component.id, layout: 'columns', entityIds, fields: data.fields });
  });
  const entities = entitySet(ctx, manifest, manifest.entities, setSections, setCache, copy);
  if (entities.length !== layout.header.entityCount) corrupt('the header entity count does not match the entity list');

  const packed: PackedSnapshot = {
    timestamp: layout.header.timestamp,
    version: manifest.version,
    worldTime: layout.header.worldTime,
    schemaVersion: manifest.schemaVersion,
    metadata: manifest.metadata,
    entities,
    components,
  };
  if (manifest.order.length > 0) {
    packed.componentOrder = new Map(manifest.order.map(([entity, list]) => [entity, list.map((i) => manifest.components[i]!.id)]));
  }
  if (metadataEntry !== undefined) packed.entityMetadata = decodeEntityMetadata(ownIfCopy(openSection(ctx, metadataEntry)));
  return packed;
}

function decodeEntityMetadata(raw: Uint8Array): Map<number, EntityMetadata> {
  const entries = decodeBlob(raw, 'the entity metadata section');
  if (!Array.isArray(entries)) corrupt('the entity metadata is not a list');
  const out = new Map<number, EntityMetadata>();
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'number' || typeof entry[1] !== 'object' || entry[1] === null) {
      corrupt('an entity metadata entry is malformed');
    }
    out.set(entry[0], entry[1] as EntityMetadata);
  }
  return out;
}
