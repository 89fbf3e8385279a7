// Byte-level writing of the container structures the crypto transforms rebuild: header,
// descriptors and trailer. Offsets follow docs/format.md sections 2, 3.1 and 7; the format
// package reads and checks them (readHeader, readDescriptor, readTrailer).
import { ALIGNMENT, crc32, DESCRIPTOR_SIZE, END_MAGIC, HEADER_SIZE, TRAILER_SIZE } from '@tx2/pack-format';

const U32 = 2 ** 32;

/** Rounds `n` up to the container alignment (8). */
export function alignUp(n: number): number {
  const rest = n % ALIGNMENT;
  return rest === 0 ? n : n + ALIGNMENT - rest;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Writes a u64 (below 2^53) little-endian. */
export function setU64(bytes: Uint8Array, at: number, value: number): void {
  const v = view(bytes);
  v.setUint32(at, value % U32, true);
  v.setUint32(at + 4, Math.floor(value / U32), true);
}

/** Copies a 128-byte header into `out` at 0 with new flags, cipher and extension area, and a new CRC. */
export function writeHeaderFrom(out: Uint8Array, source: Uint8Array, flags: number, cipher: number, extension: Uint8Array): void {
  out.set(source.subarray(0, HEADER_SIZE), 0);
  view(out).setUint32(12, flags >>> 0, true);
  out[18] = cipher;
  out.fill(0, 48, 124);
  out.set(extension.subarray(0, 72), 48);
  view(out).setUint32(124, crc32(out.subarray(0, 124)), true);
}

/** The descriptor fields a crypto transform changes. */
export interface DescriptorPatch {
  cipher: number;
  storedLength: number;
  payloadCrc: number;
  nonce: Uint8Array;
  /** New row count and raw length (only the table of contents changes them). */
  rowCount?: number;
  rawLength?: number;
}

/** Copies a 64-byte descriptor into `out` at `at` (unless it is already there), patches it and rewrites its CRC. */
export function writeDescriptorFrom(out: Uint8Array, at: number, source: Uint8Array | null, patch: DescriptorPatch): void {
  if (source !== null) out.set(source.subarray(0, DESCRIPTOR_SIZE), at);
  const v = view(out);
  out[at + 4] = patch.cipher;
  if (patch.rowCount !== undefined) v.setUint32(at + 20, patch.rowCount, true);
  if (patch.rawLength !== undefined) setU64(out, at + 24, patch.rawLength);
  setU64(out, at + 32, patch.storedLength);
  v.setUint32(at + 40, patch.payloadCrc >>> 0, true);
  out.set(patch.nonce.subarray(0, 12), at + 44);
  if (patch.nonce.length < 12) out.fill(0, at + 44 + patch.nonce.length, at + 56);
  v.setUint32(at + 56, 0, true);
  v.setUint32(at + 60, crc32(out.subarray(at, at + 60)), true);
}

/** Writes the 64-byte trailer at `at`: TOC offset, section count, flags, digest (or zeros), CRC, end magic. */
export function writeTrailerAt(out: Uint8Array, at: number, tocOffset: number, sectionCount: number, flags: number, digest: Uint8Array | undefined): void {
  const v = view(out);
  setU64(out, at, tocOffset);
  v.setUint32(at + 8, sectionCount, true);
  v.setUint32(at + 12, flags >>> 0, true);
  out.fill(0, at + 16, at + 52);
  if (digest !== undefined) out.set(digest.subarray(0, 32), at + 16);
  v.setUint32(at + 52, crc32(out.subarray(at, at + 52)), true);
  out.set(END_MAGIC, at + 56);
}

/** Writes a table-of-contents entry (u64 frame offset, then a copy of the frame's descriptor). */
export function writeTocEntry(toc: Uint8Array, index: number, frameOffset: number, descriptor: Uint8Array): void {
  const at = index * (8 + DESCRIPTOR_SIZE);
  setU64(toc, at, frameOffset);
  toc.set(descriptor.subarray(0, DESCRIPTOR_SIZE), at + 8);
}

export { DESCRIPTOR_SIZE, HEADER_SIZE, TRAILER_SIZE };
