import {
  ALIGNMENT,
  CipherId,
  crc32,
  DESCRIPTOR_SIZE,
  decodeBlob,
  END_MAGIC,
  HEADER_SIZE,
  HeaderFlags,
  PackError,
  readDescriptor,
  readHeader,
  readTrailer,
  type SectionDescriptor,
  type CodecLookup,
  SectionFlags,
  SectionKind,
  TOC_ENTRY_SIZE,
  TRAILER_SIZE,
} from '@tx2/pack-format';
import { createSectionOpener, type DecryptionKeyInput, type SectionOpener } from '@tx2/pack-crypto';
import type { ByteSource } from './source.js';

/** A section of a file, as its table of contents lists it. */
interface Entry {
  offset: number;
  descriptor: SectionDescriptor;
  /** Bytes of the frame: descriptor, payload and padding. */
  frameLength: number;
  /** The table of contents' copy of the descriptor. */
  copy: Uint8Array;
  /** Bytes of the frame once decrypted (frameLength for plain files). */
  plainLength: number;
  /** Position in file order (the ordinal bound into an encrypted section). */
  ordinal: number;
}

/** The tag AES-256-GCM appends to each encrypted payload. */
const TAG_LENGTH = 16;

/** What {@link readStructure} learns from header, trailer and table of contents. */
export interface FileStructure {
  /** The header, as a plain container has it (for encrypted files: the decrypted header). */
  header: Uint8Array;
  /** Opens the sections of an encrypted file one by one. */
  opener?: SectionOpener;
  encrypted: boolean;
  entries: Entry[];
  /** Codec ids the sections use. */
  codecs: Set<number>;
}

/** Kind of the in-memory padding section (an upper-tier kind, skipped by readers). */
const PADDING_KIND = 0xfffe;
const align = (n: number): number => n + ((ALIGNMENT - (n % ALIGNMENT)) % ALIGNMENT);

function corrupt(message: string): never {
  throw new PackError('InvalidFormat', `${message}: the file is corrupt or not written by tx2-pack`);
}

function u64(view: DataView, at: number): number {
  const high = view.getUint32(at + 4, true);
  if (high >= 0x200000) corrupt('an offset is larger than 2^53');
  return high * 2 ** 32 + view.getUint32(at, true);
}

/**
 * Reads the header, the trailer and the table of contents (three small reads), checking their
 * checksums. Encrypted files need `key` (checked against the header's fingerprint first); their
 * table of contents is authenticated and decrypted here, their sections later one by one.
 */
export async function readStructure(source: ByteSource, key?: DecryptionKeyInput): Promise<FileStructure> {
  if (source.size < HEADER_SIZE + TRAILER_SIZE) {
    throw new PackError('Truncated', `the snapshot is ${source.size} bytes, shorter than a header and a trailer: the file is incomplete`);
  }
  const header = await source.read(0, HEADER_SIZE);
  const h = readHeader(header);
  const tail = new Uint8Array(HEADER_SIZE + TRAILER_SIZE);
  tail.set(await source.read(source.size - TRAILER_SIZE, TRAILER_SIZE), HEADER_SIZE);
  const trailer = readTrailer(tail);
  const end = source.size - TRAILER_SIZE;
  const tocOffset = trailer.tocOffset;
  if (tocOffset < HEADER_SIZE || tocOffset % ALIGNMENT !== 0 || tocOffset + DESCRIPTOR_SIZE > end) corrupt('the table of contents offset is out of bounds');
  const tocDescriptor = readDescriptor(await source.read(tocOffset, DESCRIPTOR_SIZE), 0);
  if (tocDescriptor.kind !== SectionKind.TableOfContents) corrupt('the trailer does not point at the table of contents');
  const encrypted = (h.flags & HeaderFlags.Encrypted) !== 0 || h.cipher !== CipherId.None;
  const opener = encrypted ? await createSectionOpener(header, key) : undefined;
  const tag = encrypted ? TAG_LENGTH : 0;
  const count = trailer.sectionCount;
  if (
    tocDescriptor.rawLength !== count * TOC_ENTRY_SIZE ||
    tocDescriptor.storedLength !== tocDescriptor.rawLength + tag ||
    tocDescriptor.codec !== 0 ||
    (encrypted && tocDescriptor.cipher !== CipherId.Aes256Gcm)
  ) {
    corrupt('the table of contents size does not match the section count');
  }
  if (tocOffset + DESCRIPTOR_SIZE + tocDescriptor.storedLength > end) throw new PackError('Truncated', 'the table of contents runs past the end of the file');
  let toc = await source.read(tocOffset + DESCRIPTOR_SIZE, tocDescriptor.storedLength);
  if (opener !== undefined) {
    toc = (await opener.open(count, await source.read(tocOffset, DESCRIPTOR_SIZE), toc)).payload;
  } else if (tocDescriptor.flags & SectionFlags.PayloadChecksum && crc32(toc) !== tocDescriptor.payloadCrc) {
    throw new PackError('ChecksumMismatch', 'the table of contents fails its checksum: the file is corrupt');
  }
  const view = new DataView(toc.buffer, toc.byteOffset, toc.byteLength);
  const entries: Entry[] = [];
  const codecs = new Set<number>();
  let previousEnd = HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const at = i * TOC_ENTRY_SIZE;
    const offset = u64(view, at);
    if (offset !== previousEnd) corrupt(`section ${i} does not start where the previous one ends`);
    const descriptor = readDescriptor(toc, at + 8);
    const frameLength = align(DESCRIPTOR_SIZE + descriptor.storedLength);
    previousEnd = offset + frameLength;
    if (previousEnd > tocOffset) corrupt(`section ${i} runs into the table of contents`);
    if (encrypted && (descriptor.cipher !== CipherId.Aes256Gcm || descriptor.storedLength < TAG_LENGTH)) corrupt(`section ${i} of an encrypted snapshot is not encrypted`);
    const plainLength = align(DESCRIPTOR_SIZE + descriptor.storedLength - tag);
    entries.push({ offset, descriptor, frameLength, copy: toc.subarray(at + 8, at + 8 + DESCRIPTOR_SIZE), plainLength, ordinal: i });
    codecs.add(descriptor.codec);
  }
  if (previousEnd !== tocOffset) corrupt('there are unlisted bytes before the table of contents');
  if (opener !== undefined) return { header: opener.plainHeader, opener, encrypted, entries, codecs };
  return { header, encrypted, entries, codecs };
}

interface ManifestView {
  entities: number;
  sets: ({ start: number; count: number } | { count: number })[];
  components: { id: string; set: number }[];
}

function parseManifest(raw: Uint8Array): ManifestView {
  const m = decodeBlob(raw, 'the manifest') as Record<string, unknown>;
  if (typeof m !== 'object' || m === null || !Array.isArray(m.sets) || !Array.isArray(m.components) || typeof m.entities !== 'number') {
    corrupt('the manifest is malformed');
  }
  const sets = (m.sets as unknown[]).map((s) => {
    if (!Array.isArray(s)) corrupt('an entity set of the manifest is malformed');
    return s.length === 2 ? { start: Number(s[0]), count: Number(s[1]) } : { count: Number(s[0]) };
  });
  const components = (m.components as unknown[]).map((c) => {
    if (!Array.isArray(c) || typeof c[0] !== 'string' || typeof c[1] !== 'number') corrupt('a component of the manifest is malformed');
    return { id: c[0] as string, set: c[1] as number };
  });
  return { entities: m.entities as number, sets, components };
}

function checkCopy(frame: Uint8Array, entry: Entry): void {
  for (let b = 0; b < DESCRIPTOR_SIZE; b++) {
    if (frame[b] !== entry.copy[b]) throw new PackError('ChecksumMismatch', 'a section descriptor differs from its table of contents entry: the file is corrupt');
  }
}

/** Opens the encrypted frame of `entry` (as read from the file) into a plain frame of entry.plainLength bytes. */
async function openFrame(opener: SectionOpener, entry: Entry, frame: Uint8Array): Promise<Uint8Array> {
  checkCopy(frame, entry);
  const opened = await opener.open(entry.ordinal, frame.subarray(0, DESCRIPTOR_SIZE), frame.subarray(DESCRIPTOR_SIZE, DESCRIPTOR_SIZE + entry.descriptor.storedLength));
  const out = new Uint8Array(entry.plainLength);
  out.set(opened.descriptor, 0);
  out.set(opened.payload, DESCRIPTOR_SIZE);
  return out;
}

async function loadManifest(source: ByteSource, structure: FileStructure, first: Entry, codecs: CodecLookup): Promise<{ frame: Uint8Array; manifest: ManifestView }> {
  let frame = await source.read(first.offset, first.frameLength);
  if (structure.opener !== undefined) frame = await openFrame(structure.opener, first, frame);
  const d = structure.opener !== undefined ? readDescriptor(frame, 0) : first.descriptor;
  let raw = frame.subarray(DESCRIPTOR_SIZE, DESCRIPTOR_SIZE + d.storedLength);
  if (d.flags & SectionFlags.PayloadChecksum && crc32(raw) !== d.payloadCrc) throw new PackError('ChecksumMismatch', 'the manifest section fails its checksum: the file is corrupt');
  if (d.codec !== 0) {
    const codec = codecs(d.codec);
    if (codec === undefined) throw new PackError('Decompression', `the manifest is compressed with codec ${d.codec}, which is not available`);
    raw = codec.decompress(raw, d.rawLength);
  }
  return { frame, manifest: parseManifest(raw) };
}

/** The component ids of a file, in order, reading only its manifest section. */
export async function readComponentIds(source: ByteSource, structure: FileStructure, codecs: CodecLookup): Promise<string[]> {
  const first = structure.entries[0];
  if (first === undefined || first.descriptor.kind !== SectionKind.Manifest) corrupt('the first section is not the manifest');
  return (await loadManifest(source, structure, first, codecs)).manifest.components.map((c) => c.id);
}

/**
 * Reads only what decoding `components` needs — header, trailer, table of contents, the
 * manifest, the world entity set, the components' entity sets and data sections and the
 * entity metadata — and assembles them into a smaller valid container (original
 * descriptors and payloads, a new table of contents and trailer), ready for decodeSnapshot.
 * Sections of encrypted files are read and decrypted one by one (only the needed ones).
 */
export async function readPartialContainer(
  source: ByteSource,
  structure: FileStructure,
  components: readonly string[],
  codecs: CodecLookup,
  entityMetadata = true,
): Promise<Uint8Array | undefined> {
  const { entries, opener } = structure;
  const first = entries[0];
  if (first === undefined || first.descriptor.kind !== SectionKind.Manifest) corrupt('the first section is not the manifest');
  const { frame, manifest } = await loadManifest(source, structure, first, codecs);
  const wanted = new Set<number>();
  for (const id of components) {
    const index = manifest.components.findIndex((c) => c.id === id);
    if (index < 0) {
      throw new PackError('InvalidInput', `component "${id}" is not in this snapshot (it has: ${manifest.components.map((c) => c.id).join(', ') || 'none'})`);
    }
    wanted.add(index);
  }
  const sets = new Set<number>([manifest.entities, ...[...wanted].map((c) => manifest.components[c]!.set)]);
  let rangeIds = 0;
  for (const s of sets) if (manifest.sets[s] && 'start' in manifest.sets[s]) rangeIds += manifest.sets[s].count;

  const keep: Entry[] = [first];
  for (const entry of entries.slice(1)) {
    const k = entry.descriptor.kind;
    if (
      (k === SectionKind.EntitySet && sets.has(entry.descriptor.owner)) ||
      ((k === SectionKind.Column || k === SectionKind.Blobs) && wanted.has(entry.descriptor.owner)) ||
      (k === SectionKind.EntityMetadata && entityMetadata)
    ) {
      keep.push(entry);
    }
  }
  let bodyLength = keep.reduce((n, e) => n + e.plainLength, 0);
  let tocLength = keep.length * TOC_ENTRY_SIZE;
  let total = HEADER_SIZE + bodyLength + DESCRIPTOR_SIZE + align(tocLength) + TRAILER_SIZE;
  // decodeSnapshot lets range entity sets create at most 8 ids per input byte (plus 65,536),
  // a guard that a small container with large ranges would fail: pad it with one section
  // of a kind readers skip (in memory only; it is never written to a file).
  let padding = 0;
  if (rangeIds > 8 * total + 65536) {
    padding = align(Math.ceil((rangeIds - 65536) / 8) - total + TOC_ENTRY_SIZE + DESCRIPTOR_SIZE + ALIGNMENT);
    bodyLength += DESCRIPTOR_SIZE + padding;
    tocLength += TOC_ENTRY_SIZE;
    total = HEADER_SIZE + bodyLength + DESCRIPTOR_SIZE + align(tocLength) + TRAILER_SIZE;
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(structure.header, 0);
  let at = HEADER_SIZE;
  const tocAt = HEADER_SIZE + bodyLength;
  const tocPayload = tocAt + DESCRIPTOR_SIZE;
  const addEntry = (k: number, frameAt: number): void => {
    const entryAt = tocPayload + k * TOC_ENTRY_SIZE;
    view.setUint32(entryAt, frameAt % 2 ** 32, true);
    view.setUint32(entryAt + 4, Math.floor(frameAt / 2 ** 32), true);
    out.copyWithin(entryAt + 8, frameAt, frameAt + DESCRIPTOR_SIZE);
  };
  if (opener !== undefined) {
    // Encrypted: each frame is read and opened on its own (one section's ciphertext at a time).
    for (let k = 0; k < keep.length; k++) {
      const e = keep[k]!;
      out.set(k === 0 ? frame : await openFrame(opener, e, await source.read(e.offset, e.frameLength)), at);
      addEntry(k, at);
      at += e.plainLength;
    }
  }
  // Adjacent frames are fetched with one read.
  for (let i = 0; opener === undefined && i < keep.length; ) {
    let j = i + 1;
    while (j < keep.length && keep[j]!.offset === keep[j - 1]!.offset + keep[j - 1]!.frameLength && keep[j]!.offset - keep[i]!.offset < 64 << 20) j++;
    const start = keep[i]!.offset;
    const length = keep[j - 1]!.offset + keep[j - 1]!.frameLength - start;
    out.set(i === 0 && j === 1 ? frame : await source.read(start, length), at);
    for (let k = i; k < j; k++) {
      const frameAt = at + (keep[k]!.offset - start);
      checkCopy(out.subarray(frameAt), keep[k]!);
      addEntry(k, frameAt);
    }
    at += length;
    i = j;
  }
  if (padding > 0) {
    const v = new DataView(out.buffer, at, DESCRIPTOR_SIZE);
    v.setUint16(0, PADDING_KIND, true);
    v.setUint32(8, 0xffffffff, true);
    v.setUint32(12, 0xffffffff, true);
    v.setUint32(24, padding, true);
    v.setUint32(32, padding, true);
    v.setUint32(60, crc32(out.subarray(at, at + 60)), true);
    const entryAt = tocPayload + keep.length * TOC_ENTRY_SIZE;
    view.setUint32(entryAt, at % 2 ** 32, true);
    view.setUint32(entryAt + 4, Math.floor(at / 2 ** 32), true);
    out.copyWithin(entryAt + 8, at, at + DESCRIPTOR_SIZE);
    at += DESCRIPTOR_SIZE + padding;
  }
  const sectionCount = keep.length + (padding > 0 ? 1 : 0);
  // The table of contents descriptor (format.md 3.1), with a payload CRC.
  view.setUint16(tocAt, SectionKind.TableOfContents, true);
  out[tocAt + 5] = SectionFlags.PayloadChecksum;
  view.setUint32(tocAt + 8, 0xffffffff, true);
  view.setUint32(tocAt + 12, 0xffffffff, true);
  view.setUint32(tocAt + 20, sectionCount, true);
  view.setUint32(tocAt + 24, tocLength, true);
  view.setUint32(tocAt + 32, tocLength, true);
  view.setUint32(tocAt + 40, crc32(out.subarray(tocPayload, tocPayload + tocLength)), true);
  view.setUint32(tocAt + 60, crc32(out.subarray(tocAt, tocAt + 60)), true);
  // The trailer (format.md 7), without a digest: it would not cover this smaller container.
  const trailerAt = total - TRAILER_SIZE;
  view.setUint32(trailerAt, tocAt % 2 ** 32, true);
  view.setUint32(trailerAt + 4, Math.floor(tocAt / 2 ** 32), true);
  view.setUint32(trailerAt + 8, sectionCount, true);
  view.setUint32(trailerAt + 52, crc32(out.subarray(trailerAt, trailerAt + 52)), true);
  out.set(END_MAGIC, trailerAt + 56);
  return out;
}
