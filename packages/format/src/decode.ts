// The one reader of tx2-pack containers. Written once as a procedure over a random-access
// source (runSync for bytes in memory, runAsync for files, storage backends and network
// ranges), so whole, partial and sealed reads share every check and limit.
import { checkedSource } from './checked-source.js';
import { crc32 } from '#platform';
import { decodeBlob } from './blob.js';
import { readDescriptor, readHeader, readTrailer, writeDescriptor, type SectionDescriptor, type SnapshotHeader, type SnapshotTrailer } from './binary.js';
import { align, getU64, viewOf } from './bytes.js';
import { joinPieces, type SectionFrame } from './container-writer.js';
import { PackError } from './errors.js';
import { FIELD_TYPES } from './field-types.js';
import { CipherId, CodecId, ContainerKind, DESCRIPTOR_SIZE, FilterId, HEADER_SIZE, HeaderFlags, SectionFlags, SectionKind, TOC_ENTRY_SIZE, TRAILER_SIZE } from './layout.js';
import { plainBytes, rangeIds } from './arrays.js';
import { decodeManifest, type Manifest } from './manifest.js';
import { migrateSnapshot, type Migrations } from './migrations.js';
import { packedResource } from './resources.js';
import type { Column, EntityMetadata, PackedComponent, PackedSnapshot } from './model.js';
import { codecName, type FilterLookup, type LazyCodecLookup, type SectionCodec } from './section-codec.js';
import { type ByteSource, bytesSource, runAsync, runSync, type Steps } from './source.js';
import { decodeBytesColumn, decodeStringColumn } from './var-column.js';

/** Opens the sealed sections of one encrypted container (the crypto tier's AES-256-GCM). */
export interface SectionOpener {
  /** The header of the plain container (Encrypted flag, cipher and key fields cleared). */
  readonly plainHeader: Uint8Array;
  /** Opens the frame at `ordinal` (the table of contents: ordinal = number of other sections) into its plain descriptor and payload. */
  open(ordinal: number, descriptor: Uint8Array, sealed: Uint8Array): SectionFrame | Promise<SectionFrame>;
}

/** Makes the opener of one encrypted container from its 128-byte header (checking the key first). */
export type OpenerFactory = (header: Uint8Array) => SectionOpener | Promise<SectionOpener>;

/** How a snapshot is read. */
export interface DecodeOptions {
  /** Decode only these components (by id); the others are skipped without being read. */
  components?: readonly string[];
  /** Check the CRC-32 of every section read (default true). Header, descriptors and trailer are always checked. */
  verifyChecksums?: boolean;
  /** Codecs for compressed sections, such as the registry of @tx2/pack-codecs (or `codecsOnDemand`, for the asynchronous readers). */
  codecs?: LazyCodecLookup;
  /** Filters for filtered sections, such as the registry of @tx2/pack-codecs. */
  filters?: FilterLookup;
  /** Copy column data out of the input instead of returning views over it (default false). */
  copy?: boolean;
  /** Largest decoded size accepted for one section, manifest and table of contents included, checked before reading it (default 1 GiB). */
  maxSectionSize?: number;
  /**
   * Largest total the sections read may decode to, plus 4 bytes per entity id that range sets
   * create, checked before any section is decoded (default 1 GiB). Raise it for trusted worlds.
   */
  maxDecodedSize?: number;
  /**
   * Entity ids that range sets (which cost no bytes) may declare beyond what component data
   * covers: 4 per data row come free; default 8 per input byte + 65,536 more. Raise it for
   * trusted files of many entities without components.
   */
  maxRangeIds?: number;
  /** How deep world and entity metadata may nest (default `MAX_BLOB_DEPTH`, 256: what writers accept); deeper is InvalidFormat. */
  maxBlobDepth?: number;
  /** Largest decoded size of the manifest section (default 64 MiB: schemas and metadata, never bulk data). */
  maxManifestSize?: number;
  /**
   * Schema migrations (`defineMigrations`): a snapshot saved under an older `schemaVersion` is
   * migrated up to the running one after decoding; a newer one is refused (VersionMismatch).
   * Snapshot readers only: deltas apply to the snapshots they were made from, so migrate the result.
   */
  migrations?: Migrations;
  /** Opens sealed sections of encrypted containers: pass the key through @tx2/pack-crypto (decodeEncrypted) or @tx2/pack-store (SnapshotReader.withKey) rather than setting this. */
  opener?: OpenerFactory;
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

/** Default of `maxSectionSize`: 1 GiB. */
export const DEFAULT_MAX_SECTION_SIZE = 2 ** 30;
/** Default of `maxManifestSize`: 64 MiB. */
export const DEFAULT_MAX_MANIFEST_SIZE = 64 << 20;
/** Default of `maxDecodedSize`: 1 GiB. */
export const DEFAULT_MAX_DECODED_SIZE = 2 ** 30;
// A range entity set costs no bytes in the file; cap what it may make us allocate.
const MAX_IDS_PER_INPUT_BYTE = 8;
// Range ids allowed per row of component data.
const RANGE_IDS_PER_ROW = 4;
// Adjacent frames are fetched with one read up to this size (file and network sources).
const MAX_COALESCED_READ = 16 << 20;
// Compressed frames from this size on are read alone when decoded, not coalesced: their stored
// bytes are dropped once decompressed, so they never keep a whole run of frames alive (and go
// into one reused buffer when the source has `readInto`).
const SEPARATE_READ_MIN = 1 << 20;
const TAG_LENGTH = 16;

function corrupt(message: string, details?: Record<string, unknown>): never {
  throw new PackError('InvalidFormat', `${message}: the file is corrupt or not written by tx2-pack`, details ? { details } : {});
}

function overLimit(what: string, value: number, limit: string, max: number, details: Record<string, unknown> = {}): never {
  throw new PackError('LimitExceeded', `${what} declares ${value} bytes, over the ${max}-byte ${limit} limit: raise ${limit} if the file is trusted`, {
    details: { ...details, limit, value, max },
  });
}

/** An entry of the table of contents, with what the reader learns about it. */
interface Entry extends SectionEntry {
  ordinal: number;
  /** The TOC's copy of the frame's descriptor (sealed, for encrypted files). */
  copy: Uint8Array;
  /** Bytes of the frame in the file: descriptor, payload, padding. */
  frameLength: number;
}

interface Structure {
  header: SnapshotHeader;
  trailer: SnapshotTrailer;
  entries: Entry[];
  opener: SectionOpener | undefined;
  size: number;
}

/** Reads and checks header, trailer and table of contents (opening it when sealed). */
function* structureSteps(source: ByteSource, options: DecodeOptions): Steps<Structure> {
  const size = source.size;
  if (!Number.isSafeInteger(size) || size < 0) throw new PackError('InvalidInput', 'the source size must be a non-negative integer');
  if (size < 12) {
    const head = (yield source.read(0, size)) as Uint8Array;
    readHeader(head);
  }
  const headerRaw = (yield source.read(0, Math.min(HEADER_SIZE, size))) as Uint8Array;
  let header = readHeader(headerRaw);
  if (header.kind !== ContainerKind.Snapshot && header.kind !== ContainerKind.Delta) corrupt(`unknown container kind ${header.kind}`);
  if (size < HEADER_SIZE + TRAILER_SIZE) throw new PackError('Truncated', `the container is ${size} bytes, shorter than a header and a trailer: the file is incomplete`);
  const encrypted = (header.flags & HeaderFlags.Encrypted) !== 0 || header.cipher !== CipherId.None;
  let opener: SectionOpener | undefined;
  if (encrypted) {
    if (options.opener === undefined) {
      throw new PackError(
        'Decryption',
        'this snapshot is encrypted: read it with its key, through decodeEncrypted of @tx2/pack-crypto (bytes) or SnapshotReader.withKey of @tx2/pack-store (files and sources)',
      );
    }
    opener = (yield options.opener(headerRaw.slice())) as SectionOpener;
    header = readHeader(opener.plainHeader);
  }
  const trailer = readTrailer((yield source.read(size - TRAILER_SIZE, TRAILER_SIZE)) as Uint8Array, 0);
  const end = size - TRAILER_SIZE;
  const tocOffset = trailer.tocOffset;
  if (tocOffset < HEADER_SIZE || tocOffset % 8 !== 0 || tocOffset + DESCRIPTOR_SIZE > end) corrupt('the table of contents offset is out of bounds', { tocOffset });
  const tocCopy = ((yield source.read(tocOffset, DESCRIPTOR_SIZE)) as Uint8Array).slice();
  const tocDescriptor = readDescriptor(tocCopy, 0);
  if (tocDescriptor.kind !== SectionKind.TableOfContents) corrupt('the trailer does not point at the table of contents');
  if (tocDescriptor.codec !== CodecId.None || tocDescriptor.filter !== FilterId.None || tocDescriptor.cipher !== (encrypted ? CipherId.Aes256Gcm : CipherId.None)) {
    corrupt('the table of contents must be stored without codec or filter, and sealed exactly when the file is encrypted');
  }
  const count = trailer.sectionCount;
  const tag = encrypted ? TAG_LENGTH : 0;
  if (tocDescriptor.rawLength !== count * TOC_ENTRY_SIZE || tocDescriptor.storedLength !== tocDescriptor.rawLength + tag || tocDescriptor.rowCount !== count) {
    corrupt('the table of contents size does not match the section count', { count });
  }
  const maxSection = options.maxSectionSize ?? DEFAULT_MAX_SECTION_SIZE;
  if (tocDescriptor.storedLength > maxSection) overLimit('the table of contents', tocDescriptor.storedLength, 'maxSectionSize', maxSection, { section: count });
  if (tocDescriptor.storedLength > end - tocOffset - DESCRIPTOR_SIZE)
    throw new PackError('Truncated', 'the table of contents runs past the end of the file: the file is incomplete');
  if (align(tocOffset + DESCRIPTOR_SIZE + tocDescriptor.storedLength) !== end) corrupt('there are unlisted bytes between the table of contents and the trailer');
  let toc = (yield source.read(tocOffset + DESCRIPTOR_SIZE, tocDescriptor.storedLength)) as Uint8Array;
  if (opener !== undefined) {
    toc = ((yield opener.open(count, tocCopy, toc)) as SectionFrame).payload;
    if (toc.length !== count * TOC_ENTRY_SIZE) corrupt('the table of contents opens to the wrong size');
  } else if (tocDescriptor.flags & SectionFlags.PayloadChecksum && crc32(toc) !== tocDescriptor.payloadCrc) {
    throw new PackError('ChecksumMismatch', 'the table of contents fails its checksum: the file is corrupt', { details: { section: count } });
  }
  const view = viewOf(toc);
  const entries: Entry[] = [];
  let previousEnd = HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const at = i * TOC_ENTRY_SIZE;
    const offset = getU64(view, at, `the offset of section ${i}`);
    if (offset !== previousEnd) corrupt(`section ${i} does not start where the previous one ends`, { section: i, offset, expected: previousEnd });
    const copy = toc.subarray(at + 8, at + 8 + DESCRIPTOR_SIZE);
    const descriptor = readDescriptor(toc, at + 8);
    if (encrypted && (descriptor.cipher !== CipherId.Aes256Gcm || descriptor.storedLength < TAG_LENGTH))
      corrupt(`section ${i} of an encrypted snapshot is not sealed`, { section: i });
    const frameLength = align(DESCRIPTOR_SIZE + descriptor.storedLength);
    previousEnd = offset + frameLength;
    if (previousEnd > tocOffset) corrupt(`section ${i} runs into the table of contents`, { section: i });
    entries.push({ offset, descriptor, ordinal: i, copy, frameLength });
  }
  if (previousEnd !== tocOffset) corrupt('there are unlisted bytes before the table of contents');
  return { header, trailer, entries, opener, size };
}

interface ReadContext {
  source: ByteSource;
  structure: Structure;
  manifest?: Manifest;
  /** Entity ids that range sets may still materialise: ranges cost no bytes in the file. */
  rangeBudget: number;
  verify: boolean;
  codecs: LazyCodecLookup | undefined;
  filters: FilterLookup | undefined;
  maxSectionSize: number;
  maxManifestSize: number;
  maxBlobDepth: number | undefined;
  /** Frames fetched ahead by one coalesced read, by ordinal. */
  fetched: Map<number, Uint8Array>;
  /** The buffer reused for frames read alone whose stored bytes are consumed at once (see `readInto`). */
  scratch: Uint8Array | undefined;
}

/** True for a frame whose stored bytes are decompressed into new memory: read alone, never kept. */
function transient(ctx: ReadContext, entry: Entry): boolean {
  return ctx.structure.opener === undefined && entry.descriptor.codec !== CodecId.None && entry.frameLength >= SEPARATE_READ_MIN;
}

/** Names a section for messages, with component and field ids once the manifest is known. */
function sectionName(ctx: ReadContext, d: SectionDescriptor): string {
  const component = ctx.manifest?.components[d.owner];
  switch (d.kind) {
    case SectionKind.Manifest:
      return 'the manifest section';
    case SectionKind.EntitySet:
      return `entity set ${d.owner}`;
    case SectionKind.Column:
      return component === undefined ? `column ${d.field} of component ${d.owner}` : `field "${component.fields[d.field]?.name ?? d.field}" of component "${component.id}"`;
    case SectionKind.Blobs:
      return component === undefined ? `the blobs of component ${d.owner}` : `the blobs of component "${component.id}"`;
    case SectionKind.EntityMetadata:
      return 'the entity metadata section';
    default:
      return `section of kind ${d.kind}`;
  }
}

/** What errors about a section carry in `details`: ordinal, kind, and component/field ids when known. */
function sectionDetails(ctx: ReadContext, entry: Entry): Record<string, unknown> {
  const d = entry.descriptor;
  const out: Record<string, unknown> = { section: entry.ordinal, kind: d.kind };
  if (d.kind === SectionKind.Column || d.kind === SectionKind.Blobs) {
    const component = ctx.manifest?.components[d.owner];
    out.component = component?.id ?? d.owner;
    if (d.kind === SectionKind.Column) out.field = component?.fields[d.field]?.name ?? d.field;
    out.rowStart = d.rowStart;
  } else if (d.kind === SectionKind.EntitySet) out.entitySet = d.owner;
  return out;
}

/** Fetches the frames of `entries` with as few reads as adjacency allows; later opened from `ctx.fetched`. */
function* prefetch(ctx: ReadContext, entries: readonly Entry[]): Steps<void> {
  // Reads of bytes in memory are free views: nothing to coalesce.
  if (ctx.source.inMemory === true) return;
  const sorted = [...entries].filter((e) => !ctx.fetched.has(e.ordinal) && !transient(ctx, e)).sort((a, b) => a.ordinal - b.ordinal);
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    const start = sorted[i]!.offset;
    while (j < sorted.length && sorted[j]!.ordinal === sorted[j - 1]!.ordinal + 1 && sorted[j]!.offset + sorted[j]!.frameLength - start <= MAX_COALESCED_READ) j++;
    const last = sorted[j - 1]!;
    const run = (yield ctx.source.read(start, last.offset + last.frameLength - start)) as Uint8Array;
    for (let k = i; k < j; k++) {
      const e = sorted[k]!;
      ctx.fetched.set(e.ordinal, run.subarray(e.offset - start, e.offset - start + e.frameLength));
    }
    i = j;
  }
}

/**
 * Reads one frame and checks it against its table-of-contents entry; returns its plain descriptor
 * and stored payload. With `into` (a buffer the caller is done with once the payload is
 * decompressed), a transient frame is read into it when it fits, else into the reused scratch buffer.
 */
function* frameSteps(ctx: ReadContext, entry: Entry, into?: Uint8Array): Steps<{ descriptor: SectionDescriptor; payload: Uint8Array }> {
  const d = entry.descriptor;
  if (d.storedLength > ctx.maxSectionSize) overLimit(sectionName(ctx, d), d.storedLength, 'maxSectionSize', ctx.maxSectionSize, sectionDetails(ctx, entry));
  let frame = ctx.fetched.get(entry.ordinal);
  if (frame !== undefined) ctx.fetched.delete(entry.ordinal);
  else if (into !== undefined && ctx.source.readInto !== undefined && transient(ctx, entry)) {
    if (into.length < entry.frameLength) {
      // Within maxSectionSize (checked above): the buffer grows to the largest such frame read.
      if (ctx.scratch === undefined || ctx.scratch.length < entry.frameLength) ctx.scratch = new Uint8Array(entry.frameLength);
      into = ctx.scratch;
    }
    frame = into.subarray(0, entry.frameLength);
    yield ctx.source.readInto(entry.offset, frame);
  } else frame = (yield ctx.source.read(entry.offset, entry.frameLength)) as Uint8Array;
  for (let b = 0; b < DESCRIPTOR_SIZE; b++) {
    if (frame[b] !== entry.copy[b]) {
      throw new PackError('ChecksumMismatch', `the descriptor of section ${entry.ordinal} differs from its table of contents entry: the file is corrupt`, {
        details: sectionDetails(ctx, entry),
      });
    }
  }
  // Padding must be zero, so that no byte of the file goes unchecked.
  for (let p = DESCRIPTOR_SIZE + d.storedLength; p < entry.frameLength; p++) {
    if (frame[p] !== 0) corrupt(`the padding after section ${entry.ordinal} is not zero`, sectionDetails(ctx, entry));
  }
  const stored = frame.subarray(DESCRIPTOR_SIZE, DESCRIPTOR_SIZE + d.storedLength);
  const opener = ctx.structure.opener;
  if (opener === undefined) return { descriptor: d, payload: stored };
  const opened = (yield opener.open(entry.ordinal, frame.subarray(0, DESCRIPTOR_SIZE), stored)) as SectionFrame;
  const plain = readDescriptor(opened.descriptor, 0);
  if (
    plain.kind !== d.kind ||
    plain.owner !== d.owner ||
    plain.field !== d.field ||
    plain.rowStart !== d.rowStart ||
    plain.rowCount !== d.rowCount ||
    opened.payload.length !== plain.storedLength
  ) {
    corrupt(`section ${entry.ordinal} opens to a descriptor that does not match its sealed one`, sectionDetails(ctx, entry));
  }
  return { descriptor: plain, payload: opened.payload };
}

/** Returns a section's decoded bytes: read, opened, checksum checked, decompressed, unfiltered, size checked. */
function* openSection(ctx: ReadContext, entry: Entry): Steps<Uint8Array> {
  const name = sectionName(ctx, entry.descriptor);
  const details = sectionDetails(ctx, entry);
  if (entry.descriptor.rawLength > ctx.maxSectionSize) overLimit(name, entry.descriptor.rawLength, 'maxSectionSize', ctx.maxSectionSize, details);
  // A large compressed frame from a file is read into the array its section decodes into (the
  // stored bytes are consumed before the decoded ones are written): no second buffer per section.
  let target: Uint8Array | undefined;
  if (ctx.source.readInto !== undefined && transient(ctx, entry)) target = new Uint8Array(entry.descriptor.rawLength);
  const { descriptor: d, payload: stored } = yield* frameSteps(ctx, entry, target);
  if (ctx.structure.opener === undefined && ctx.verify && d.flags & SectionFlags.PayloadChecksum) {
    const actual = crc32(stored);
    if (actual !== d.payloadCrc) {
      throw new PackError('ChecksumMismatch', `${name} fails its checksum: the file is corrupt`, { details: { ...details, stored: d.payloadCrc, actual } });
    }
  }
  if (d.cipher !== CipherId.None) throw new PackError('Decryption', `${name} is encrypted: read this snapshot through @tx2/pack-crypto with its key`, { details });
  if (d.rawLength > ctx.maxSectionSize) overLimit(name, d.rawLength, 'maxSectionSize', ctx.maxSectionSize, details);
  if (d.codec === CodecId.None && d.rawLength !== d.storedLength) corrupt(`${name} is stored without a codec but its sizes differ`, details);
  let raw = stored;
  let unfiltered = d.filter === FilterId.None;
  if (d.codec !== CodecId.None) {
    const codec = (yield ctx.codecs?.(d.codec)) as SectionCodec | undefined;
    if (codec === undefined) {
      throw new PackError('Decompression', `${name} is compressed with ${codecName(d.codec)}: pass the codecs of @tx2/pack-codecs to decode it`, {
        details: { ...details, codec: d.codec },
      });
    }
    // With a codec that lends its memory, the filter reads the decompressed bytes there and
    // writes the section's only copy: no intermediate array.
    const filter = unfiltered ? undefined : ctx.filters?.(d.filter);
    let filterError: unknown;
    try {
      if (codec.decompressWith !== undefined) {
        raw = codec.decompressWith(stored, d.rawLength, (view) => {
          if (view.length !== d.rawLength) return view.slice();
          const out = target ?? new Uint8Array(view.length);
          if (filter?.decodeInto === undefined) {
            out.set(view);
            return out;
          }
          try {
            filter.decodeInto(view, d.filterParam, out);
            unfiltered = true;
          } catch (error) {
            filterError = error;
          }
          return out;
        });
      } else {
        raw = codec.decompress(stored, d.rawLength);
      }
    } catch (error) {
      if (error instanceof PackError) throw new PackError(error.code, `${name}: ${error.message}`, { cause: error, details: { ...error.details, ...details } });
      throw new PackError('Decompression', `${name} could not be decompressed with ${codec.name}: the file is corrupt`, { cause: error, details });
    }
    if (filterError !== undefined) throw unfilterFailure(filterError, name, filter?.name ?? '', details);
  }
  // A codec that hands back (part of) its input must not leave a reused read buffer inside a column.
  if (d.codec !== CodecId.None && raw.buffer === ctx.scratch?.buffer) raw = raw.slice();
  raw = plainBytes(raw);
  if (raw.length !== d.rawLength) corrupt(`${name} decodes to ${raw.length} bytes, its descriptor says ${d.rawLength}`, details);
  if (!unfiltered) {
    const filter = ctx.filters?.(d.filter);
    if (filter === undefined) {
      throw new PackError('Decompression', `${name} uses column filter ${d.filter}: pass the filters of @tx2/pack-codecs to decode it`, {
        details: { ...details, filter: d.filter },
      });
    }
    try {
      raw = plainBytes(filter.decode(raw, d.filterParam));
    } catch (error) {
      throw unfilterFailure(error, name, filter.name, details);
    }
    if (raw.length !== d.rawLength) corrupt(`${name} unfilters to ${raw.length} bytes, expected ${d.rawLength}`, details);
  }
  return raw;
}

/** The error for a filter that failed to undo itself on a section's bytes. */
function unfilterFailure(error: unknown, name: string, filter: string, details: Record<string, unknown>): PackError {
  if (error instanceof PackError) return new PackError(error.code, `${name}: ${error.message}`, { cause: error, details: { ...error.details, ...details } });
  return new PackError('Decompression', `${name} could not be unfiltered with ${filter}: the file is corrupt`, { cause: error, details });
}

/** Views (or copies, when misaligned or asked) `raw` as a typed array of `count` values. */
function typedView<T>(ctor: { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number }, raw: Uint8Array, count: number, copy: boolean): T {
  const width = ctor.BYTES_PER_ELEMENT;
  if (!copy && raw.byteOffset % width === 0) return new ctor(raw.buffer, raw.byteOffset, count);
  const own = raw.slice(0, count * width);
  return new ctor(own.buffer, 0, count);
}

/** Opens the chunks of one column, checking they cover rows 0..count in order. */
function* joinChunks(ctx: ReadContext, entries: Entry[], count: number, what: string): Steps<Uint8Array[]> {
  let next = 0;
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    if (entry.descriptor.rowStart !== next) corrupt(`${what} has a gap or overlap at row ${next}`);
    next += entry.descriptor.rowCount;
  }
  if (next !== count) corrupt(`${what} holds ${next} rows, its entity set ${count}`);
  for (const entry of entries) parts.push(yield* openSection(ctx, entry));
  return parts;
}

function decodeColumn(parts: Uint8Array[], entries: Entry[], name: string, type: Column['type'], count: number, copy: boolean, what: string): Column {
  const info = FIELD_TYPES[type];
  if (info.array !== undefined) {
    parts.forEach((part, i) => {
      const rows = entries[i]!.descriptor.rowCount;
      if (part.length !== rows * info.width) corrupt(`${what} has a chunk of ${part.length} bytes for ${rows} ${type} values`);
    });
    // One chunk is viewed in place; several are joined into one array.
    const raw = parts.length === 1 ? parts[0]! : joinPieces(parts);
    if (raw.length !== count * info.width) corrupt(`${what} has ${raw.length} bytes for ${count} ${type} values`);
    return { name, type, values: typedView(info.array as never, raw, count, copy && parts.length === 1) } as Column;
  }
  // Variable-length chunks carry their own offsets; decode each and join.
  if (parts.length === 1) {
    const values = type === 'string' ? decodeStringColumn(parts[0]!, count, what) : decodeBytesColumn(parts[0]!, count, what, copy);
    return { name, type, values } as Column;
  }
  const values: unknown[] = [];
  parts.forEach((raw, i) => {
    const rows = entries[i]!.descriptor.rowCount;
    const chunk = type === 'string' ? decodeStringColumn(raw, rows, what) : decodeBytesColumn(raw, rows, what, copy);
    for (const v of chunk) values.push(v);
  });
  return { name, type, values } as Column;
}

function* entitySet(ctx: ReadContext, manifest: Manifest, index: number, setSections: Map<number, Entry>, cache: Map<number, Uint32Array>, copy: boolean): Steps<Uint32Array> {
  const cached = cache.get(index);
  if (cached !== undefined) return cached;
  const set = manifest.sets[index]!;
  let ids: Uint32Array;
  if ('start' in set) {
    // One budget for the whole file: many small-looking ranges must not add up to gigabytes.
    if (set.count > ctx.rangeBudget) {
      throw new PackError(
        'LimitExceeded',
        `entity set ${index} declares ${set.count} ids, more than the input can describe: if the file is trusted (a world of many entities without components), raise maxRangeIds`,
        { details: { limit: 'maxRangeIds', entitySet: index, value: set.count, max: ctx.rangeBudget } },
      );
    }
    ctx.rangeBudget -= set.count;
    ids = rangeIds(set.start, set.count);
  } else {
    const entry = setSections.get(index);
    if (entry === undefined) corrupt(`entity set ${index} has no section`);
    if (entry.descriptor.rowCount !== set.count) corrupt(`entity set ${index} section holds ${entry.descriptor.rowCount} ids, the manifest ${set.count}`);
    const raw = yield* openSection(ctx, entry);
    if (raw.length !== set.count * 4) corrupt(`entity set ${index} has ${raw.length} bytes for ${set.count} ids`);
    ids = typedView(Uint32Array, raw, set.count, copy);
  }
  cache.set(index, ids);
  return ids;
}

function contextOf(source: ByteSource, structure: Structure, options: DecodeOptions): ReadContext {
  return {
    source,
    structure,
    rangeBudget: 0,
    verify: options.verifyChecksums ?? true,
    codecs: options.codecs,
    filters: options.filters,
    maxSectionSize: options.maxSectionSize ?? DEFAULT_MAX_SECTION_SIZE,
    maxManifestSize: options.maxManifestSize ?? DEFAULT_MAX_MANIFEST_SIZE,
    maxBlobDepth: options.maxBlobDepth,
    fetched: new Map(),
    scratch: undefined,
  };
}

/** Reads the manifest (the first section) and checks it against the header. */
function* manifestSteps(ctx: ReadContext, copy: boolean): Steps<Manifest> {
  const first = ctx.structure.entries[0];
  if (first === undefined || first.descriptor.kind !== SectionKind.Manifest) corrupt('the first section is not the manifest');
  const maxManifest = ctx.maxManifestSize;
  if (first.descriptor.rawLength > maxManifest)
    overLimit('the manifest section', first.descriptor.rawLength, 'maxManifestSize', maxManifest, { section: 0, kind: SectionKind.Manifest });
  // MessagePack bytes values are views into what they are decoded from: copy first when asked.
  const raw = yield* openSection(ctx, first);
  const manifest = decodeManifest(copy ? raw.slice() : raw, ctx.maxBlobDepth === undefined ? {} : { maxBlobDepth: ctx.maxBlobDepth });
  const header = ctx.structure.header;
  if (manifest.components.length !== header.componentCount || manifest.sets.length !== header.entitySetCount) corrupt('the header counts do not match the manifest');
  ctx.manifest = manifest;
  return manifest;
}

/** The manifest of a container from any source: component ids, layouts, field types, entity set sizes, metadata. */
function* readManifestSteps(source: ByteSource, options: DecodeOptions): Steps<Manifest> {
  const structure = yield* structureSteps(source, options);
  return yield* manifestSteps(contextOf(source, structure, options), true);
}

/** Decodes a container of the expected kind from a source: the one procedure behind every read route. */
function* decodeSteps(source: ByteSource, options: DecodeOptions, kind: number): Steps<PackedSnapshot> {
  const structure = yield* structureSteps(source, options);
  if (structure.header.kind !== kind) {
    throw new PackError(
      'InvalidFormat',
      kind === ContainerKind.Snapshot
        ? 'this container holds a delta, not a snapshot: decode it with decodeDelta and apply it to its base snapshot'
        : 'this container holds a snapshot, not a delta: decode it with decodeSnapshot',
    );
  }
  const ctx = contextOf(source, structure, options);
  const copy = options.copy ?? false;
  const manifest = yield* manifestSteps(ctx, copy);
  const entries = structure.entries;

  const setSections = new Map<number, Entry>();
  // dataSections[component][field] (field 0 for blobs): the chunks in file order.
  const dataSections: Entry[][][] = manifest.components.map((c) => (c.layout === 'columns' ? c.fields.map(() => []) : [[]]));
  let metadataEntry: Entry | undefined;
  const unknown: Entry[] = [];
  for (let i = 1; i < entries.length; i++) {
    const entry = entries[i]!;
    const d = entry.descriptor;
    if (d.kind === SectionKind.EntitySet) {
      if (d.owner >= manifest.sets.length || setSections.has(d.owner)) corrupt(`entity set section ${i} names set ${d.owner}`, { section: i });
      setSections.set(d.owner, entry);
    } else if (d.kind === SectionKind.Column || d.kind === SectionKind.Blobs) {
      const component = manifest.components[d.owner];
      if (component === undefined) corrupt(`section ${i} names component ${d.owner}`, { section: i });
      const isColumn = d.kind === SectionKind.Column;
      if (isColumn !== (component.layout === 'columns') || (isColumn && d.field >= component.fields.length)) {
        corrupt(`section ${i} does not match the layout of component "${component.id}"`, { section: i, component: component.id });
      }
      dataSections[d.owner]![isColumn ? d.field : 0]!.push(entry);
    } else if (d.kind === SectionKind.EntityMetadata) {
      if (metadataEntry !== undefined) corrupt('two entity metadata sections', { section: i });
      metadataEntry = entry;
    } else if (d.kind === SectionKind.Manifest || d.kind === SectionKind.TableOfContents) {
      corrupt(`section ${i} repeats the ${d.kind === SectionKind.Manifest ? 'manifest' : 'table of contents'}`, { section: i });
    } else {
      // Unknown kinds are skipped: later minor versions may add optional sections.
      unknown.push(entry);
    }
  }

  let wanted: Set<string> | undefined;
  if (options.components !== undefined) {
    wanted = new Set(options.components);
    for (const id of wanted) {
      if (!manifest.components.some((c) => c.id === id)) {
        throw new PackError('InvalidInput', `component "${id}" is not in this snapshot (it has: ${manifest.components.map((c) => c.id).join(', ') || 'none'})`, {
          details: { component: id, components: manifest.components.map((c) => c.id) },
        });
      }
    }
  }

  // A range entity set costs no bytes in the file, so the ids ranges may make us allocate
  // are capped: a small allowance per input byte, plus what component data vouches for. A
  // component with data has as many rows as its entity set; counted from the descriptors
  // (sizes a full decode would allocate anyway, each within maxSectionSize), so that a
  // partial read accepts exactly the files a full read accepts. The factor leaves room for
  // id lists without data beside them (the world's entity list, a delta's id lists).
  let vouched = 0;
  manifest.components.forEach((component, c) => {
    const chunks = dataSections[c]![0];
    if (chunks === undefined || chunks.length === 0) return;
    let rows = 0;
    for (const entry of chunks) {
      if (entry.descriptor.rawLength > ctx.maxSectionSize) return;
      rows += entry.descriptor.rowCount;
    }
    if (rows === manifest.sets[component.set]!.count) vouched += rows;
  });
  ctx.rangeBudget = (options.maxRangeIds ?? MAX_IDS_PER_INPUT_BYTE * structure.size + 65536) + RANGE_IDS_PER_ROW * vouched;

  // The whole read's decoded size, before anything is decoded: what the sections read
  // declare, plus the ids range sets create. Honest sizes cannot make us allocate more.
  const neededSets = new Set<number>([manifest.entities]);
  const toRead: Entry[] = [];
  manifest.components.forEach((component, c) => {
    if (wanted !== undefined && !wanted.has(component.id)) return;
    neededSets.add(component.set);
    for (const chunks of dataSections[c]!) toRead.push(...chunks);
  });
  for (const s of neededSets) {
    const entry = setSections.get(s);
    if (entry !== undefined) toRead.push(entry);
  }
  if (metadataEntry !== undefined) toRead.push(metadataEntry);
  const maxDecoded = options.maxDecodedSize ?? DEFAULT_MAX_DECODED_SIZE;
  let decoded = entries[0]!.descriptor.rawLength;
  for (const entry of toRead) decoded += entry.descriptor.rawLength;
  for (const s of neededSets) {
    const set = manifest.sets[s]!;
    if ('start' in set) decoded += 4 * set.count;
  }
  if (decoded > maxDecoded) {
    throw new PackError(
      'LimitExceeded',
      `this container decodes to ${decoded} bytes, over the ${maxDecoded}-byte maxDecodedSize limit: raise maxDecodedSize if the file is trusted`,
      {
        details: { limit: 'maxDecodedSize', value: decoded, max: maxDecoded },
      },
    );
  }
  // A whole read still checks every frame (descriptor copy, padding), sections of unknown kinds too.
  if (wanted === undefined) for (const entry of unknown) yield* frameSteps(ctx, entry);

  // Component data is decoded before the entity ids are materialised: a range set costs no
  // bytes in the file, so its ids may only be allocated once decoded rows vouch for them.
  const setCache = new Map<number, Uint32Array>();
  const components: PackedComponent[] = [];
  for (let c = 0; c < manifest.components.length; c++) {
    const component = manifest.components[c]!;
    if (wanted !== undefined && !wanted.has(component.id)) continue;
    const count = manifest.sets[component.set]!.count;
    // One component's frames at a time: bounded extra memory for file sources.
    yield* prefetch(ctx, dataSections[c]!.flat());
    let data: { blobs: Uint8Array[] } | { fields: Column[] };
    if (component.layout === 'blobs') {
      const chunks = dataSections[c]![0]!;
      const what = `the blobs of component "${component.id}"`;
      const parts = yield* joinChunks(ctx, chunks, count, what);
      const blobs: Uint8Array[] = [];
      parts.forEach((raw, i) => {
        for (const b of decodeBytesColumn(raw, chunks[i]!.descriptor.rowCount, what, copy)) blobs.push(b);
      });
      data = { blobs };
    } else {
      const fields: Column[] = [];
      for (let f = 0; f < component.fields.length; f++) {
        const field = component.fields[f]!;
        const chunks = dataSections[c]![f]!;
        const what = `field "${field.name}" of component "${component.id}"`;
        const parts = yield* joinChunks(ctx, chunks, count, what);
        const column = decodeColumn(parts, chunks, field.name, field.type, count, copy, what);
        if (field.ref !== undefined) {
          column.ref = field.ref;
          checkEntityLists(column, what);
        }
        fields.push(column);
      }
      data = { fields };
    }
    const entityIds = yield* entitySet(ctx, manifest, component.set, setSections, setCache, copy);
    if ('blobs' in data) components.push({ id: component.id, layout: 'blobs', entityIds, blobs: data.blobs });
    else
      components.push(
        component.singleValue === true
          ? { id: component.id, layout: 'columns', entityIds, fields: data.fields, singleValue: true }
          : { id: component.id, layout: 'columns', entityIds, fields: data.fields },
      );
  }
  const entities = yield* entitySet(ctx, manifest, manifest.entities, setSections, setCache, copy);
  if (entities.length !== structure.header.entityCount) corrupt('the header entity count does not match the entity list');

  const packed: PackedSnapshot = {
    timestamp: structure.header.timestamp,
    version: manifest.version,
    worldTime: structure.header.worldTime,
    schemaVersion: manifest.schemaVersion,
    metadata: manifest.metadata,
    entities,
    components,
  };
  if (manifest.resources !== undefined && manifest.resources.length > 0) {
    packed.resources = manifest.resources.map(packedResource);
    for (const r of packed.resources) if (r.layout === 'columns') for (const f of r.fields) checkEntityLists(f, `field "${f.name}" of resource "${r.id}"`);
  }
  if (manifest.order.length > 0) {
    packed.componentOrder = new Map(manifest.order.map(([entity, list]) => [entity, list.map((i) => manifest.components[i]!.id)]));
  }
  if (metadataEntry !== undefined) {
    const raw = yield* openSection(ctx, metadataEntry);
    packed.entityMetadata = decodeEntityMetadata(copy ? raw.slice() : raw, metadataEntry.descriptor.rowCount, ctx.maxBlobDepth);
  }
  return packed;
}

/** Entity-list values must be whole u32 ids, so that remapping a decoded snapshot never fails on its data. */
function checkEntityLists(column: Column, what: string): void {
  if (column.ref !== 'entities') return;
  for (const v of column.values as readonly Uint8Array[]) if (v.length % 4 !== 0) corrupt(`${what} is an entity list holding ${v.length} bytes, not whole u32 ids`);
}

function decodeEntityMetadata(raw: Uint8Array, rowCount: number, maxDepth: number | undefined): Map<number, EntityMetadata> {
  const entries = decodeBlob(raw, 'the entity metadata section', maxDepth === undefined ? {} : { maxDepth });
  if (!Array.isArray(entries)) corrupt('the entity metadata is not a list');
  // rowCount is the number of entries; early writers left it 0.
  if (rowCount !== 0 && entries.length !== rowCount) corrupt(`the entity metadata section holds ${entries.length} entries, its descriptor says ${rowCount}`);
  const out = new Map<number, EntityMetadata>();
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'number' || typeof entry[1] !== 'object' || entry[1] === null) {
      corrupt('an entity metadata entry is malformed');
    }
    out.set(entry[0], entry[1] as EntityMetadata);
  }
  return out;
}

function sourceOf(input: Uint8Array | ByteSource, what: string): ByteSource {
  if (input instanceof Uint8Array) return bytesSource(input);
  if (typeof input !== 'object' || input === null || typeof (input as ByteSource).read !== 'function') {
    throw new PackError('InvalidInput', `${what} expects a Uint8Array or a byte source ({ size, read(offset, length) })`);
  }
  return checkedSource(input, what);
}

/** Decodes a tx2-pack container held in memory into a packed snapshot; every malformed input is a PackError. */
export function decodeSnapshot(input: Uint8Array, options: DecodeOptions = {}): PackedSnapshot {
  if (!(input instanceof Uint8Array)) throw new PackError('InvalidInput', 'decodeSnapshot expects a Uint8Array (use readSnapshot for a byte source)');
  const packed = runSync(decodeSteps(bytesSource(input), options, ContainerKind.Snapshot), 'readSnapshot');
  return options.migrations === undefined ? packed : migrateSnapshot(packed, options.migrations);
}

/**
 * Reads a snapshot from a random-access source (a file, a storage entry, HTTP ranges, or bytes),
 * fetching only what it decodes: with `components`, the header, trailer, table of contents,
 * manifest, the needed entity sets, those components' sections and the entity metadata.
 */
export function readSnapshot(source: ByteSource | Uint8Array, options: DecodeOptions = {}): Promise<PackedSnapshot> {
  const migrations = options.migrations;
  const read = runAsync(decodeSteps(sourceOf(source, 'readSnapshot'), options, ContainerKind.Snapshot));
  return migrations === undefined ? read : read.then((packed) => migrateSnapshot(packed, migrations));
}

/** Decodes a container of the given kind held in memory (a delta's payload is laid out like a snapshot). */
export function decodeContainer(input: Uint8Array, options: DecodeOptions, kind: number): PackedSnapshot {
  if (!(input instanceof Uint8Array)) throw new PackError('InvalidInput', 'decode expects a Uint8Array');
  return runSync(decodeSteps(bytesSource(input), options, kind), 'the asynchronous reader');
}

/** Reads a container of the given kind from a source. */
export function readContainer(source: ByteSource | Uint8Array, options: DecodeOptions, kind: number): Promise<PackedSnapshot> {
  return runAsync(decodeSteps(sourceOf(source, 'readContainer'), options, kind));
}

/**
 * Reads only the manifest of a container (snapshot or delta): component ids, layouts, field
 * names and types, entity set sizes, metadata; no column is read. For tools.
 */
export function readManifest(input: Uint8Array, options: Omit<DecodeOptions, 'components' | 'copy'> = {}): Manifest {
  if (!(input instanceof Uint8Array)) throw new PackError('InvalidInput', 'readManifest expects a Uint8Array (use readManifestFrom for a byte source)');
  return runSync(readManifestSteps(bytesSource(input), options), 'readManifestFrom');
}

/** Reads only the manifest of a container from a random-access source (header, trailer, table of contents and the manifest section). */
export function readManifestFrom(source: ByteSource | Uint8Array, options: Omit<DecodeOptions, 'components' | 'copy'> = {}): Promise<Manifest> {
  return runAsync(readManifestSteps(sourceOf(source, 'readManifestFrom'), options));
}

/**
 * Decodes the manifest of a plain container in memory from a section entry found by the
 * caller (the first of `sections`): for tools reading a file whose table of contents is damaged
 * (`scanSections` lists the frames instead). The frame's CRC is checked unless `verifyChecksums` is false.
 */
export function readManifestAt(input: Uint8Array, sections: readonly SectionEntry[], options: Omit<DecodeOptions, 'components' | 'copy' | 'opener'> = {}): Manifest {
  if (!(input instanceof Uint8Array)) throw new PackError('InvalidInput', 'readManifestAt expects a Uint8Array');
  const entry = sections[0];
  if (entry === undefined || entry.descriptor.kind !== SectionKind.Manifest) corrupt('the first section is not the manifest');
  const source = bytesSource(input);
  return runSync(
    (function* (): Steps<Manifest> {
      const header = readHeader((yield source.read(0, Math.min(HEADER_SIZE, source.size))) as Uint8Array);
      if (entry.offset < HEADER_SIZE || entry.offset + DESCRIPTOR_SIZE > source.size) corrupt('the manifest entry lies outside the input');
      const copy = ((yield source.read(entry.offset, DESCRIPTOR_SIZE)) as Uint8Array).slice();
      const frameLength = Math.min(align(DESCRIPTOR_SIZE + entry.descriptor.storedLength), source.size - entry.offset);
      const structure: Structure = {
        header,
        trailer: { tocOffset: 0, sectionCount: 1, flags: 0, digest: new Uint8Array(32) },
        entries: [{ ...entry, ordinal: 0, copy, frameLength }],
        opener: undefined,
        size: source.size,
      };
      return yield* manifestSteps(contextOf(source, structure, options), true);
    })(),
    'readManifestFrom',
  );
}

function* layoutSteps(source: ByteSource, options: DecodeOptions): Steps<SnapshotLayout> {
  const structure = yield* structureSteps(source, options);
  const ctx = contextOf(source, structure, { ...options, maxSectionSize: Number.MAX_SAFE_INTEGER });
  // Every frame is checked against its entry (sealed frames are opened, which authenticates them).
  yield* prefetch(ctx, structure.entries);
  const sections: SectionEntry[] = [];
  for (const entry of structure.entries) {
    const { descriptor } = yield* frameSteps(ctx, entry);
    sections.push({ offset: entry.offset, descriptor });
  }
  return { header: structure.header, trailer: structure.trailer, sections };
}

/**
 * Reads header, trailer and table of contents of a container in memory, and checks every
 * frame's descriptor and padding against it; no payload is decoded. Encrypted containers need
 * `opener` (their sections are then authenticated and listed with their plain descriptors).
 */
export function readLayout(input: Uint8Array, options: Pick<DecodeOptions, 'opener'> = {}): SnapshotLayout {
  if (!(input instanceof Uint8Array)) throw new PackError('InvalidInput', 'readLayout expects a Uint8Array');
  return runSync(layoutSteps(bytesSource(input), options), 'readLayoutFrom');
}

/** {@link readLayout} from a random-access source (reads every frame, not the payloads' decoding). */
export function readLayoutFrom(source: ByteSource | Uint8Array, options: Pick<DecodeOptions, 'opener'> = {}): Promise<SnapshotLayout> {
  return runAsync(layoutSteps(sourceOf(source, 'readLayoutFrom'), options));
}

/** Every section frame of a container, opened when sealed: what re-framing transforms (encrypt, decrypt, re-key) start from. */
export interface ContainerFrames {
  /** The plain 128-byte header (for encrypted containers: as the opener gives it). */
  header: Uint8Array;
  trailer: SnapshotTrailer;
  /** Plain descriptor bytes and stored payload of every section but the table of contents, in file order. */
  frames: SectionFrame[];
}

function* framesSteps(source: ByteSource, options: DecodeOptions): Steps<ContainerFrames> {
  const structure = yield* structureSteps(source, options);
  const ctx = contextOf(source, structure, { ...options, maxSectionSize: options.maxSectionSize ?? Number.MAX_SAFE_INTEGER });
  yield* prefetch(ctx, structure.entries);
  const frames: SectionFrame[] = [];
  for (const entry of structure.entries) {
    const { descriptor, payload } = yield* frameSteps(ctx, entry);
    const name = `section ${entry.ordinal}`;
    if (structure.opener === undefined && (options.verifyChecksums ?? true) && descriptor.flags & SectionFlags.PayloadChecksum && crc32(payload) !== descriptor.payloadCrc) {
      throw new PackError('ChecksumMismatch', `${name} fails its checksum: the file is corrupt`, { details: { section: entry.ordinal, kind: descriptor.kind } });
    }
    const bytes = new Uint8Array(DESCRIPTOR_SIZE);
    writeDescriptor(bytes, 0, descriptor);
    frames.push({ descriptor: bytes, payload });
  }
  const header = structure.opener?.plainHeader ?? ((yield source.read(0, HEADER_SIZE)) as Uint8Array);
  return { header, trailer: structure.trailer, frames };
}

/** Reads every frame of a container in memory (checksums checked unless `verifyChecksums` is false; sealed frames opened with `opener`). */
export function readFrames(input: Uint8Array, options: Pick<DecodeOptions, 'opener' | 'verifyChecksums' | 'maxSectionSize'> = {}): ContainerFrames {
  if (!(input instanceof Uint8Array)) throw new PackError('InvalidInput', 'readFrames expects a Uint8Array');
  return runSync(framesSteps(bytesSource(input), options), 'readFramesFrom');
}

/** {@link readFrames} from a random-access source, with asynchronous reads and openers. */
export function readFramesFrom(source: ByteSource | Uint8Array, options: Pick<DecodeOptions, 'opener' | 'verifyChecksums' | 'maxSectionSize'> = {}): Promise<ContainerFrames> {
  return runAsync(framesSteps(sourceOf(source, 'readFramesFrom'), options));
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
    offset = align(end);
  }
  return { header, sections, complete: false };
}
