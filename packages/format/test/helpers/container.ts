// Byte-level access to a tx2-pack container, written from the layout documented in
// src/layout.ts and src/binary.ts (not from the decoder), for structural attacks that
// must get past the checksums:
//
//   header      128 B   magic, version u16@8, size u16@10, flags u32@12, kind u8@16, codec u8@17,
//                       cipher u8@18, componentCount u32@20, entityCount u32@24, entitySetCount u32@28,
//                       timestamp f64@32, worldTime f64@40, extension, CRC-32 of 0..123 at 124
//   sections    each a 64 B descriptor + payload padded to 8 bytes
//   descriptor  64 B    kind u16@0, codec u8@2, filter u8@3, cipher u8@4, flags u8@5, filterParam u16@6,
//                       owner u32@8, field u32@12, rowStart u32@16, rowCount u32@20, rawLength u64@24,
//                       storedLength u64@32, payloadCrc u32@40, nonce 12 B@44, reserved u32@56, CRC of 0..59 at 60
//   TOC         a section whose payload is one 72 B entry per other section: u64 offset + descriptor copy
//   trailer     64 B    tocOffset u64@0, sectionCount u32@8, flags u32@12, digest 32 B@16, reserved u32@48,
//                       CRC of 0..51 at 52, end magic 8 B@56
import { crc32 } from '../../src/index.js';

export const HEADER = 128;
export const DESC = 64;
export const TRAILER = 64;
export const ENTRY = 72;

/** A descriptor with every field free (u64 fields as bigint, so they can exceed 2^53). */
export interface RawDescriptor {
  kind: number;
  codec: number;
  filter: number;
  cipher: number;
  flags: number;
  filterParam: number;
  owner: number;
  field: number;
  rowStart: number;
  rowCount: number;
  rawLength: bigint;
  storedLength: bigint;
  payloadCrc: number;
  nonce: Uint8Array;
  reserved: number;
}

export interface RawSection {
  /** Where the section was found (informational; `assemble` lays sections out again). */
  offset: number;
  descriptor: RawDescriptor;
  payload: Uint8Array;
  /** When true (default), `assemble` sets raw/stored length to the payload length. */
  fixLengths?: boolean;
  /** When true (default), `assemble` recomputes the payload CRC (if the descriptor's flag says so). */
  fixCrc?: boolean;
}

export interface RawFile {
  /** The 128 header bytes; `assemble` rewrites its CRC. */
  header: Uint8Array;
  sections: RawSection[];
  toc: RawSection;
  trailer: { tocOffset: bigint; sectionCount: number; flags: number; digest: Uint8Array; reserved: number };
}

export const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

export function readRawDescriptor(bytes: Uint8Array, at: number): RawDescriptor {
  const v = view(bytes);
  return {
    kind: v.getUint16(at, true),
    codec: bytes[at + 2]!,
    filter: bytes[at + 3]!,
    cipher: bytes[at + 4]!,
    flags: bytes[at + 5]!,
    filterParam: v.getUint16(at + 6, true),
    owner: v.getUint32(at + 8, true),
    field: v.getUint32(at + 12, true),
    rowStart: v.getUint32(at + 16, true),
    rowCount: v.getUint32(at + 20, true),
    rawLength: v.getBigUint64(at + 24, true),
    storedLength: v.getBigUint64(at + 32, true),
    payloadCrc: v.getUint32(at + 40, true),
    nonce: bytes.slice(at + 44, at + 56),
    reserved: v.getUint32(at + 56, true),
  };
}

/** Writes `d` at `at` and its CRC (bytes 60..63). */
export function writeRawDescriptor(out: Uint8Array, at: number, d: RawDescriptor): void {
  const v = view(out);
  v.setUint16(at, d.kind, true);
  out[at + 2] = d.codec;
  out[at + 3] = d.filter;
  out[at + 4] = d.cipher;
  out[at + 5] = d.flags;
  v.setUint16(at + 6, d.filterParam, true);
  v.setUint32(at + 8, d.owner >>> 0, true);
  v.setUint32(at + 12, d.field >>> 0, true);
  v.setUint32(at + 16, d.rowStart >>> 0, true);
  v.setUint32(at + 20, d.rowCount >>> 0, true);
  v.setBigUint64(at + 24, d.rawLength, true);
  v.setBigUint64(at + 32, d.storedLength, true);
  v.setUint32(at + 40, d.payloadCrc >>> 0, true);
  out.set(d.nonce.subarray(0, 12), at + 44);
  v.setUint32(at + 56, d.reserved >>> 0, true);
  v.setUint32(at + 60, crc32(out.subarray(at, at + 60)), true);
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Splits a valid container into its parts (copies). */
export function parse(bytes: Uint8Array): RawFile {
  const v = view(bytes);
  const end = bytes.length - TRAILER;
  const tocOffset = v.getBigUint64(end, true);
  const sectionCount = v.getUint32(end + 8, true);
  const t = Number(tocOffset);
  const tocD = readRawDescriptor(bytes, t);
  const tocPayload = bytes.slice(t + DESC, t + DESC + Number(tocD.storedLength));
  const sections: RawSection[] = [];
  for (let i = 0; i < sectionCount; i++) {
    const offset = Number(view(tocPayload).getBigUint64(i * ENTRY, true));
    const descriptor = readRawDescriptor(tocPayload, i * ENTRY + 8);
    sections.push({ offset, descriptor, payload: bytes.slice(offset + DESC, offset + DESC + Number(descriptor.storedLength)) });
  }
  return {
    header: bytes.slice(0, HEADER),
    sections,
    toc: { offset: t, descriptor: tocD, payload: tocPayload },
    trailer: {
      tocOffset,
      sectionCount,
      flags: v.getUint32(end + 12, true),
      digest: bytes.slice(end + 16, end + 48),
      reserved: v.getUint32(end + 48, true),
    },
  };
}

export interface AssembleOptions {
  /** Keep the trailer's tocOffset/sectionCount as given instead of recomputing them. */
  keepTrailer?: boolean;
  /** Keep the TOC descriptor as given (lengths, CRC) instead of recomputing it. */
  keepToc?: boolean;
  /** Rewrite each TOC entry's offset (by section index) after layout. */
  tocEntryOffset?: (index: number, actual: number) => bigint;
  /** Rewrite each TOC entry's descriptor copy (by section index) after the in-file descriptor is written. */
  tocEntryDescriptor?: (index: number, d: RawDescriptor) => RawDescriptor;
}

/** Lays `file` out again: every offset, length, CRC and the TOC recomputed, unless told otherwise. */
export function assemble(file: RawFile, options: AssembleOptions = {}): Uint8Array {
  let size = HEADER;
  const offsets: number[] = [];
  for (const s of file.sections) {
    offsets.push(size);
    size += DESC + align8(s.payload.length);
  }
  const tocOffset = size;
  const toc = new Uint8Array(file.sections.length * ENTRY);
  size += DESC + align8(toc.length) + TRAILER;
  const out = new Uint8Array(size);
  out.set(file.header.subarray(0, HEADER), 0);
  view(out).setUint32(124, crc32(out.subarray(0, 124)), true);

  file.sections.forEach((s, i) => {
    const d = { ...s.descriptor };
    if (s.fixLengths !== false) d.rawLength = d.storedLength = BigInt(s.payload.length);
    if (s.fixCrc !== false && d.flags & 1) d.payloadCrc = crc32(s.payload);
    const at = offsets[i]!;
    writeRawDescriptor(out, at, d);
    out.set(s.payload, at + DESC);
    const entry = i * ENTRY;
    view(toc).setBigUint64(entry, options.tocEntryOffset ? options.tocEntryOffset(i, at) : BigInt(at), true);
    if (options.tocEntryDescriptor) writeRawDescriptor(toc, entry + 8, options.tocEntryDescriptor(i, d));
    else toc.set(out.subarray(at, at + DESC), entry + 8);
  });

  const tocD = { ...file.toc.descriptor };
  if (!options.keepToc) {
    tocD.rowCount = file.sections.length;
    tocD.rawLength = tocD.storedLength = BigInt(toc.length);
    if (tocD.flags & 1) tocD.payloadCrc = crc32(toc);
  }
  writeRawDescriptor(out, tocOffset, tocD);
  out.set(toc, tocOffset + DESC);

  const end = size - TRAILER;
  const v = view(out);
  v.setBigUint64(end, options.keepTrailer ? file.trailer.tocOffset : BigInt(tocOffset), true);
  v.setUint32(end + 8, options.keepTrailer ? file.trailer.sectionCount : file.sections.length, true);
  v.setUint32(end + 12, file.trailer.flags, true);
  out.set(file.trailer.digest.subarray(0, 32), end + 16);
  v.setUint32(end + 48, file.trailer.reserved, true);
  v.setUint32(end + 52, crc32(out.subarray(end, end + 52)), true);
  out.set([0x54, 0x58, 0x32, 0x50, 0x45, 0x4e, 0x44, 0x00], end + 56);
  return out;
}

/** A copy of `bytes` with `edit` applied to the header, and the header CRC fixed. */
export function patchHeader(bytes: Uint8Array, edit: (v: DataView, b: Uint8Array) => void): Uint8Array {
  const out = bytes.slice();
  edit(view(out), out);
  view(out).setUint32(124, crc32(out.subarray(0, 124)), true);
  return out;
}

/** A copy of `bytes` with `edit` applied to the trailer (offsets relative to the trailer), and its CRC fixed. */
export function patchTrailer(bytes: Uint8Array, edit: (v: DataView) => void): Uint8Array {
  const out = bytes.slice();
  const end = out.length - TRAILER;
  const v = new DataView(out.buffer, out.byteOffset + end, TRAILER);
  edit(v);
  v.setUint32(52, crc32(out.subarray(end, end + 52)), true);
  return out;
}

/** A copy of `bytes` where the descriptor at `at` is rewritten by `edit`, with its CRC fixed. */
export function patchDescriptorAt(bytes: Uint8Array, at: number, edit: (d: RawDescriptor) => void): Uint8Array {
  const out = bytes.slice();
  const d = readRawDescriptor(out, at);
  edit(d);
  writeRawDescriptor(out, at, d);
  return out;
}

/**
 * Byte ranges no checksum covers: the zero padding after each payload (sections and TOC).
 * Every other byte is covered by the header, descriptor, payload or trailer CRC, or is the
 * end magic.
 */
export function uncoveredBytes(bytes: Uint8Array): Set<number> {
  const file = parse(bytes);
  const out = new Set<number>();
  const add = (offset: number, length: number): void => {
    for (let b = offset + DESC + length; b < offset + DESC + align8(length); b++) out.add(b);
  };
  for (const s of file.sections) add(s.offset, s.payload.length);
  add(file.toc.offset, file.toc.payload.length);
  return out;
}

/** The index of the first section of `kind` (and owner/field when given). */
export function findSection(file: RawFile, kind: number, owner?: number, field?: number): number {
  const i = file.sections.findIndex(
    (s) => s.descriptor.kind === kind && (owner === undefined || s.descriptor.owner === owner) && (field === undefined || s.descriptor.field === field),
  );
  if (i < 0) throw new Error(`no section of kind ${kind}`);
  return i;
}
