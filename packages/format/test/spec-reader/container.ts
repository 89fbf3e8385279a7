// The container of docs/format.md sections 1-3 and 7, read from that text alone: header, trailer,
// table of contents, frames and payload decoding (no codec is needed by the format vectors).
import { crc32 } from './crc32.js';
import { SpecError } from './spec-error.js';

const MAGIC = [0x54, 0x58, 0x32, 0x50, 0x41, 0x43, 0x4b, 0x00];
const END_MAGIC = [0x54, 0x58, 0x32, 0x50, 0x45, 0x4e, 0x44, 0x00];
const SUPPORTED_VERSION = 1;
const HEADER = 128;
const DESCRIPTOR = 64;
const TRAILER = 64;
const TOC_ENTRY = 72;
/** Section 3.1 step 3: the reference limit, which this reader also uses. */
const MAX_SECTION = 2 ** 30;

/** The header fields of section 2. */
export interface Header {
  formatVersion: number;
  flags: number;
  kind: number;
  componentCount: number;
  entityCount: number;
  entitySetCount: number;
  timestamp: number;
  worldTime: number;
}

/** One section: its descriptor fields and its raw (decoded) payload. */
export interface Section {
  kind: number;
  owner: number;
  field: number;
  rowStart: number;
  rowCount: number;
  offset: number;
  payload: Uint8Array;
}

/** A parsed container. */
export interface Container {
  header: Header;
  sections: Section[];
}

function u64(view: DataView, at: number): number {
  const v = view.getBigUint64(at, true);
  if (v >= 2n ** 53n) throw new SpecError('InvalidFormat', `u64 at ${at} is 2^53 or more`);
  return Number(v);
}

function checkCrc(bytes: Uint8Array, start: number, end: number, what: string): void {
  const stored = new DataView(bytes.buffer, bytes.byteOffset + end, 4).getUint32(0, true);
  if (crc32(bytes.subarray(start, end)) !== stored) throw new SpecError('ChecksumMismatch', `${what} CRC`);
}

function readHeader(bytes: Uint8Array, view: DataView): Header {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) throw new SpecError('InvalidFormat', 'not a tx2pack file (magic)');
  if (bytes.length < 12) throw new SpecError('Truncated', 'input ends inside the header');
  const formatVersion = view.getUint16(8, true);
  if (formatVersion === 0 || formatVersion > SUPPORTED_VERSION) throw new SpecError('VersionMismatch', `format version ${formatVersion}, reader supports 1..${SUPPORTED_VERSION}`);
  if (view.getUint16(10, true) !== HEADER) throw new SpecError('InvalidFormat', 'header size is not 128');
  if (bytes.length < HEADER) throw new SpecError('Truncated', 'input shorter than the header');
  checkCrc(bytes, 0, 124, 'header');
  const kind = bytes[16]!;
  if (kind > 1) throw new SpecError('InvalidFormat', `header kind ${kind}`);
  const flags = view.getUint32(12, true);
  if (flags & 2 || bytes[18] !== 0) throw new SpecError('Decryption', 'encrypted file, no crypto tier');
  return {
    formatVersion,
    flags,
    kind,
    componentCount: view.getUint32(20, true),
    entityCount: view.getUint32(24, true),
    entitySetCount: view.getUint32(28, true),
    timestamp: view.getFloat64(32, true),
    worldTime: view.getFloat64(40, true),
  };
}

interface Descriptor {
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
  rawLength: number;
  storedLength: number;
  payloadCrc: number;
}

function readDescriptor(bytes: Uint8Array, view: DataView, at: number): Descriptor {
  if (at + DESCRIPTOR > bytes.length) throw new SpecError('Truncated', 'descriptor past the end');
  checkCrc(bytes, at, at + 60, `descriptor at ${at}`);
  return {
    kind: view.getUint16(at, true),
    codec: bytes[at + 2]!,
    filter: bytes[at + 3]!,
    cipher: bytes[at + 4]!,
    flags: bytes[at + 5]!,
    filterParam: view.getUint16(at + 6, true),
    owner: view.getUint32(at + 8, true),
    field: view.getUint32(at + 12, true),
    rowStart: view.getUint32(at + 16, true),
    rowCount: view.getUint32(at + 20, true),
    rawLength: u64(view, at + 24),
    storedLength: u64(view, at + 32),
    payloadCrc: view.getUint32(at + 40, true),
  };
}

const pad8 = (n: number): number => (n + 7) & ~7;

function checkPadding(bytes: Uint8Array, from: number, to: number): void {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) throw new SpecError('InvalidFormat', `padding byte at ${i} is not zero`);
}

function unfilter(data: Uint8Array, filter: number, w: number): Uint8Array {
  if (filter === 0) return data;
  if (w === 0 || filter > 2) throw new SpecError('Decompression', `filter ${filter} width ${w}`);
  const n = Math.floor(data.length / w);
  const out = data.slice();
  if (filter === 1) {
    for (let i = 0; i < n; i++) for (let k = 0; k < w; k++) out[i * w + k] = data[k * n + i]!;
  } else {
    // Delta: running sum of w-byte little-endian values modulo 2^(8w), byte by byte with carry.
    for (let i = 1; i < n; i++) {
      let carry = 0;
      for (let k = 0; k < w; k++) {
        const s = out[i * w + k]! + out[(i - 1) * w + k]! + carry;
        out[i * w + k] = s & 0xff;
        carry = s >> 8;
      }
    }
  }
  return out;
}

function decodePayload(d: Descriptor, stored: Uint8Array): Uint8Array {
  if (d.flags & 1 && crc32(stored) !== d.payloadCrc) throw new SpecError('ChecksumMismatch', 'payload CRC');
  if (d.cipher !== 0) throw new SpecError('Decryption', 'encrypted section');
  if (d.rawLength > MAX_SECTION) throw new SpecError('LimitExceeded', 'section rawLength over the limit');
  if (d.codec !== 0) throw new SpecError('Decompression', `codec ${d.codec} is not supported by this reader`);
  if (d.rawLength !== d.storedLength) throw new SpecError('InvalidFormat', 'codec 0 with rawLength != storedLength');
  return unfilter(stored, d.filter, d.filterParam);
}

/** Parse and check a container (sections 2, 3, 7), decoding every payload of a known kind. */
export function parseContainer(bytes: Uint8Array): Container {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = readHeader(bytes, view);
  const len = bytes.length;
  if (len < HEADER + TRAILER || END_MAGIC.some((b, i) => bytes[len - 8 + i] !== b)) throw new SpecError('Truncated', 'no trailer');
  const t = len - TRAILER;
  checkCrc(bytes, t, t + 52, 'trailer');
  const tocOffset = u64(view, t);
  const sectionCount = view.getUint32(t + 8, true);
  if (tocOffset < HEADER || tocOffset % 8 !== 0 || tocOffset + DESCRIPTOR > t) throw new SpecError('InvalidFormat', `tocOffset ${tocOffset}`);
  const toc = readDescriptor(bytes, view, tocOffset);
  if (toc.kind !== 6) throw new SpecError('InvalidFormat', 'TOC descriptor kind');
  if (toc.cipher !== 0 || toc.codec !== 0 || toc.filter !== 0 || toc.filterParam !== 0) throw new SpecError('InvalidFormat', 'TOC cipher/codec/filter in a plain file');
  if (toc.rawLength !== TOC_ENTRY * sectionCount || toc.storedLength !== toc.rawLength || toc.rowCount !== sectionCount) throw new SpecError('InvalidFormat', 'TOC sizes');
  const tocPayloadAt = tocOffset + DESCRIPTOR;
  if (tocPayloadAt + toc.storedLength !== t) throw new SpecError('InvalidFormat', 'TOC does not end at the trailer');
  const tocPayload = bytes.subarray(tocPayloadAt, t);
  if (toc.flags & 1 && crc32(tocPayload) !== toc.payloadCrc) throw new SpecError('ChecksumMismatch', 'TOC payload CRC');

  const sections: Section[] = [];
  let expected = HEADER;
  for (let i = 0; i < sectionCount; i++) {
    const e = tocPayloadAt + i * TOC_ENTRY;
    const offset = u64(view, e);
    if (offset !== expected) throw new SpecError('InvalidFormat', `TOC entry ${i} offset ${offset}, expected ${expected}`);
    if (offset + DESCRIPTOR > tocOffset) throw new SpecError('InvalidFormat', 'frame past the TOC');
    checkCrc(bytes, e + 8, e + 8 + 60, `TOC copy ${i}`);
    for (let k = 0; k < DESCRIPTOR; k++) if (bytes[e + 8 + k] !== bytes[offset + k]) throw new SpecError('ChecksumMismatch', `TOC copy ${i} differs from its frame`);
    const d = readDescriptor(bytes, view, offset);
    const payloadAt = offset + DESCRIPTOR;
    const end = payloadAt + d.storedLength;
    if (end > tocOffset) throw new SpecError('InvalidFormat', 'payload past the TOC');
    checkPadding(bytes, end, pad8(end));
    expected = pad8(end);
    if (i === 0 && d.kind !== 1) throw new SpecError('InvalidFormat', 'the first section is not the manifest');
    if (i > 0 && (d.kind === 1 || d.kind === 6)) throw new SpecError('InvalidFormat', `section ${i} is a manifest or TOC`);
    // Unknown kinds are skipped without decoding (3.2); they still obey the frame rules above.
    if (d.kind > 6 || d.kind === 0) continue;
    const payload = decodePayload(d, bytes.subarray(payloadAt, end));
    sections.push({ kind: d.kind, owner: d.owner, field: d.field, rowStart: d.rowStart, rowCount: d.rowCount, offset, payload });
  }
  if (expected !== tocOffset) throw new SpecError('InvalidFormat', 'the last frame does not end at tocOffset');
  if (sectionCount === 0) throw new SpecError('InvalidFormat', 'no manifest');
  return { header, sections };
}
