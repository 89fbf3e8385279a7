import { crc32 } from '#platform';
import { PackError } from './errors.js';
import { DESCRIPTOR_SIZE, END_MAGIC, FORMAT_VERSION, HEADER_SIZE, MAGIC, TRAILER_SIZE } from './layout.js';
import { canonicalNaN } from './canonical-nan.js';

/** The fixed 128-byte header at the start of every container. */
export interface SnapshotHeader {
  formatVersion: number;
  flags: number;
  kind: number;
  /** The codec most data sections use (each section names its own). */
  codec: number;
  cipher: number;
  componentCount: number;
  entityCount: number;
  entitySetCount: number;
  timestamp: number;
  worldTime: number;
  /** Bytes 48-119, reserved for upper tiers (the crypto tier keeps key parameters here); zero when unused. */
  extension: Uint8Array;
}

/** The fixed 64-byte descriptor in front of every section payload (and copied into the table of contents). */
export interface SectionDescriptor {
  kind: number;
  codec: number;
  filter: number;
  cipher: number;
  flags: number;
  /** A parameter of the filter, such as the element width for byte-shuffle. */
  filterParam: number;
  /** The component (or entity set) the section belongs to, or NO_INDEX. */
  owner: number;
  /** The field of a column section, or NO_INDEX. */
  field: number;
  /** The first row a column chunk holds. */
  rowStart: number;
  /** The rows a column, blob or entity-set section holds. */
  rowCount: number;
  /** Bytes of the section once decoded (decrypted, decompressed, unfiltered). */
  rawLength: number;
  /** Bytes of the payload as stored in the file. */
  storedLength: number;
  /** CRC-32 of the stored payload, when `flags` says so. */
  payloadCrc: number;
  /** 12 bytes for an AEAD nonce; zero when the section is not encrypted. */
  nonce: Uint8Array;
}

/** The fixed 64-byte trailer at the end of every container. */
export interface SnapshotTrailer {
  tocOffset: number;
  sectionCount: number;
  flags: number;
  /** SHA-256 of every byte before the trailer, filled by the crypto tier; zero otherwise. */
  digest: Uint8Array;
}

const U32 = 2 ** 32;
const EMPTY_NONCE = new Uint8Array(12);

// Encoding writes a header, many descriptors and a trailer into one buffer: reuse its view.
let lastView: DataView | undefined;

function viewOf(bytes: Uint8Array): DataView {
  const view = lastView;
  if (view !== undefined && view.buffer === bytes.buffer && view.byteOffset === bytes.byteOffset && view.byteLength === bytes.byteLength) {
    return view;
  }
  return (lastView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

function setU64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value % U32, true);
  view.setUint32(offset + 4, Math.floor(value / U32), true);
}

function getU64(view: DataView, offset: number, what: string): number {
  const high = view.getUint32(offset + 4, true);
  if (high >= 0x200000) throw new PackError('InvalidFormat', `${what} is larger than 2^53: the file is corrupt`);
  return high * U32 + view.getUint32(offset, true);
}

function checkCrc(bytes: Uint8Array, offset: number, length: number, what: string): void {
  const stored = viewOf(bytes).getUint32(offset + length, true);
  const actual = crc32(bytes.subarray(offset, offset + length));
  if (stored !== actual) {
    throw new PackError('ChecksumMismatch', `the ${what} checksum does not match its bytes: the file is corrupt or was modified`, {
      details: { offset, stored, actual },
    });
  }
}

/** Writes a header into `out` at `offset` (128 bytes), with its CRC. */
export function writeHeader(out: Uint8Array, offset: number, header: SnapshotHeader): void {
  const view = viewOf(out);
  out.set(MAGIC, offset);
  view.setUint16(offset + 8, header.formatVersion, true);
  view.setUint16(offset + 10, HEADER_SIZE, true);
  view.setUint32(offset + 12, header.flags, true);
  out[offset + 16] = header.kind;
  out[offset + 17] = header.codec;
  out[offset + 18] = header.cipher;
  out[offset + 19] = 0;
  view.setUint32(offset + 20, header.componentCount, true);
  view.setUint32(offset + 24, header.entityCount, true);
  view.setUint32(offset + 28, header.entitySetCount, true);
  // A NaN as the one NaN, as every writer of a JavaScript number (canonical-nan.ts).
  view.setFloat64(offset + 32, canonicalNaN(header.timestamp), true);
  view.setFloat64(offset + 40, canonicalNaN(header.worldTime), true);
  out.fill(0, offset + 48, offset + 124);
  out.set(header.extension.subarray(0, 72), offset + 48);
  view.setUint32(offset + 124, crc32(out.subarray(offset, offset + 124)), true);
}

/** Reads and checks the header at the start of `bytes`: magic, version, size and CRC. */
export function readHeader(bytes: Uint8Array): SnapshotHeader {
  if (bytes.length < 8 || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new PackError('InvalidFormat', 'this is not a tx2-pack snapshot (the first bytes are not TX2PACK\\0)');
  }
  if (bytes.length < 12) throw new PackError('Truncated', 'the snapshot ends inside its header: the file is incomplete');
  const view = viewOf(bytes);
  const formatVersion = view.getUint16(8, true);
  if (formatVersion > FORMAT_VERSION || formatVersion === 0) {
    throw new PackError('VersionMismatch', `the snapshot uses format version ${formatVersion}, this reader supports versions 1 to ${FORMAT_VERSION}: upgrade @tx2/pack-format`, {
      details: { expected: FORMAT_VERSION, actual: formatVersion },
    });
  }
  const headerSize = view.getUint16(10, true);
  if (headerSize !== HEADER_SIZE) throw new PackError('InvalidFormat', `the header declares ${headerSize} bytes, expected ${HEADER_SIZE}`);
  if (bytes.length < HEADER_SIZE) throw new PackError('Truncated', 'the snapshot ends inside its header: the file is incomplete');
  checkCrc(bytes, 0, 124, 'header');
  return {
    formatVersion,
    flags: view.getUint32(12, true),
    kind: bytes[16]!,
    codec: bytes[17]!,
    cipher: bytes[18]!,
    componentCount: view.getUint32(20, true),
    entityCount: view.getUint32(24, true),
    entitySetCount: view.getUint32(28, true),
    timestamp: view.getFloat64(32, true),
    worldTime: view.getFloat64(40, true),
    extension: bytes.slice(48, 120),
  };
}

/** Writes a section descriptor into `out` at `offset` (64 bytes), with its CRC. */
export function writeDescriptor(out: Uint8Array, offset: number, d: SectionDescriptor): void {
  const view = viewOf(out);
  view.setUint16(offset, d.kind, true);
  out[offset + 2] = d.codec;
  out[offset + 3] = d.filter;
  out[offset + 4] = d.cipher;
  out[offset + 5] = d.flags;
  view.setUint16(offset + 6, d.filterParam, true);
  view.setUint32(offset + 8, d.owner, true);
  view.setUint32(offset + 12, d.field, true);
  view.setUint32(offset + 16, d.rowStart, true);
  view.setUint32(offset + 20, d.rowCount, true);
  setU64(view, offset + 24, d.rawLength);
  setU64(view, offset + 32, d.storedLength);
  view.setUint32(offset + 40, d.payloadCrc, true);
  out.set(d.nonce.length === 12 ? d.nonce : EMPTY_NONCE, offset + 44);
  view.setUint32(offset + 56, 0, true);
  view.setUint32(offset + 60, crc32(out.subarray(offset, offset + 60)), true);
}

/** Reads and checks the descriptor at `offset`; throws Truncated or ChecksumMismatch. */
export function readDescriptor(bytes: Uint8Array, offset: number): SectionDescriptor {
  if (offset + DESCRIPTOR_SIZE > bytes.length) {
    throw new PackError('Truncated', `a section descriptor at byte ${offset} runs past the end of the input: the file is incomplete`);
  }
  checkCrc(bytes, offset, 60, `section descriptor at byte ${offset}`);
  const view = viewOf(bytes);
  return {
    kind: view.getUint16(offset, true),
    codec: bytes[offset + 2]!,
    filter: bytes[offset + 3]!,
    cipher: bytes[offset + 4]!,
    flags: bytes[offset + 5]!,
    filterParam: view.getUint16(offset + 6, true),
    owner: view.getUint32(offset + 8, true),
    field: view.getUint32(offset + 12, true),
    rowStart: view.getUint32(offset + 16, true),
    rowCount: view.getUint32(offset + 20, true),
    rawLength: getU64(view, offset + 24, 'a section raw length'),
    storedLength: getU64(view, offset + 32, 'a section stored length'),
    payloadCrc: view.getUint32(offset + 40, true),
    nonce: bytes.slice(offset + 44, offset + 56),
  };
}

/** Writes the trailer into `out` at `offset` (64 bytes), with its CRC and end magic. */
export function writeTrailer(out: Uint8Array, offset: number, t: SnapshotTrailer): void {
  const view = viewOf(out);
  setU64(view, offset, t.tocOffset);
  view.setUint32(offset + 8, t.sectionCount, true);
  view.setUint32(offset + 12, t.flags, true);
  out.fill(0, offset + 16, offset + 52);
  out.set(t.digest.subarray(0, 32), offset + 16);
  view.setUint32(offset + 52, crc32(out.subarray(offset, offset + 52)), true);
  out.set(END_MAGIC, offset + 56);
}

/**
 * Reads and checks a trailer: the last 64 bytes of a whole container, or the 64 bytes at
 * `offset` when the trailer was read on its own (random-access readers).
 */
export function readTrailer(bytes: Uint8Array, offset?: number): SnapshotTrailer {
  const at = offset ?? bytes.length - TRAILER_SIZE;
  const tooShort = offset === undefined ? at < HEADER_SIZE : at < 0 || at + TRAILER_SIZE > bytes.length;
  if (tooShort || !END_MAGIC.every((b, i) => bytes[at + 56 + i] === b)) {
    throw new PackError('Truncated', 'the snapshot has no trailer (it does not end with TX2PEND\\0): the file is incomplete or was cut');
  }
  checkCrc(bytes, at, 52, 'trailer');
  const view = viewOf(bytes);
  return {
    tocOffset: getU64(view, at, 'the table of contents offset'),
    sectionCount: view.getUint32(at + 8, true),
    flags: view.getUint32(at + 12, true),
    digest: bytes.slice(at + 16, at + 48),
  };
}
