// The one place that lays out a container: header, section frames (descriptor, payload, zero
// padding to 8 bytes), table of contents, trailer. In-memory encoding, streaming and the
// crypto tier's sealed frames all go through it, so every route writes the same bytes.
import { crc32 } from '#platform';
import { readTrailer, type SectionDescriptor, writeDescriptor, writeHeader, writeTrailer, type SnapshotHeader } from './binary.js';
import { align, setU64, viewOf } from './bytes.js';
import { PackError } from './errors.js';
import { CipherId, CodecId, DESCRIPTOR_SIZE, FilterId, HEADER_SIZE, NO_INDEX, SectionFlags, SectionKind, TOC_ENTRY_SIZE, TRAILER_SIZE, TrailerFlags } from './layout.js';

/** One section as written: its 64-byte descriptor and its stored payload. */
export interface SectionFrame {
  descriptor: Uint8Array;
  payload: Uint8Array;
}

/**
 * Seals the sections of one container as they are written (the crypto tier's AES-256-GCM):
 * `header` is the header to write instead of the plain one; `seal` turns a plain frame at
 * `ordinal` (the table of contents: ordinal = number of other sections) into a sealed one.
 */
export interface SectionSealer {
  readonly header: Uint8Array;
  seal(ordinal: number, descriptor: Uint8Array, payload: Uint8Array): SectionFrame | Promise<SectionFrame>;
}

/** Makes the sealer of one container from its plain 128-byte header. */
export type SealerFactory = (plainHeader: Uint8Array) => SectionSealer;

const ZEROS = new Uint8Array(8);
const ZERO_NONCE = new Uint8Array(12);

/** The descriptor of a plain table of contents listing `count` frames in `payload`. */
function tocDescriptor(count: number, payload: Uint8Array, checksums: boolean): SectionDescriptor {
  return {
    kind: SectionKind.TableOfContents,
    codec: CodecId.None,
    filter: FilterId.None,
    cipher: CipherId.None,
    flags: checksums ? SectionFlags.PayloadChecksum : 0,
    filterParam: 0,
    owner: NO_INDEX,
    field: NO_INDEX,
    rowStart: 0,
    rowCount: count,
    rawLength: payload.length,
    storedLength: payload.length,
    payloadCrc: checksums ? crc32(payload) : 0,
    nonce: ZERO_NONCE,
  };
}

/** A descriptor as its 64 bytes. */
export function descriptorBytes(d: SectionDescriptor): Uint8Array {
  const out = new Uint8Array(DESCRIPTOR_SIZE);
  writeDescriptor(out, 0, d);
  return out;
}

/** A header as its 128 bytes. */
export function headerBytes(h: SnapshotHeader): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE);
  writeHeader(out, 0, h);
  return out;
}

/**
 * Lays out frames one after another from byte 128 and collects the table of contents.
 * Each call returns the pieces to write next, in order; nothing is copied.
 */
export class ContainerWriter {
  #offset = HEADER_SIZE;
  #entries: Uint8Array[] = [];
  #done = false;

  /** Bytes laid out so far, the 128-byte header included. */
  get offset(): number {
    return this.#offset;
  }

  /** Sections laid out so far (the table of contents excluded). */
  get sectionCount(): number {
    return this.#entries.length;
  }

  /** Lays out the next section frame: returns [descriptor, payload, padding]. */
  frame(frame: SectionFrame): Uint8Array[] {
    if (this.#done) throw new PackError('InvalidInput', 'the container is already finished');
    const entry = new Uint8Array(TOC_ENTRY_SIZE);
    setU64(viewOf(entry), 0, this.#offset);
    entry.set(frame.descriptor.subarray(0, DESCRIPTOR_SIZE), 8);
    this.#entries.push(entry);
    return this.#place(frame);
  }

  /** The plain table-of-contents frame listing every frame laid out so far (seal it, then pass it to `finish`). */
  tableOfContents(checksums: boolean): SectionFrame {
    const payload = new Uint8Array(this.#entries.length * TOC_ENTRY_SIZE);
    this.#entries.forEach((entry, i) => {
      payload.set(entry, i * TOC_ENTRY_SIZE);
    });
    return { descriptor: descriptorBytes(tocDescriptor(this.#entries.length, payload, checksums)), payload };
  }

  /** Lays out the table-of-contents frame and the trailer: the last pieces of the container. */
  finish(toc: SectionFrame, digest?: Uint8Array): Uint8Array[] {
    const tocOffset = this.#offset;
    const pieces = this.#place(toc);
    const trailer = new Uint8Array(TRAILER_SIZE);
    writeTrailer(trailer, 0, { tocOffset, sectionCount: this.#entries.length, flags: digest === undefined ? 0 : TrailerFlags.PayloadDigest, digest: digest ?? new Uint8Array(32) });
    pieces.push(trailer);
    this.#offset += TRAILER_SIZE;
    this.#done = true;
    return pieces;
  }

  #place(frame: SectionFrame): Uint8Array[] {
    const end = DESCRIPTOR_SIZE + frame.payload.length;
    const pad = align(end) - end;
    this.#offset += end + pad;
    const pieces = [frame.descriptor.subarray(0, DESCRIPTOR_SIZE)];
    if (frame.payload.length > 0) pieces.push(frame.payload);
    if (pad > 0) pieces.push(ZEROS.subarray(0, pad));
    return pieces;
  }
}

/** One section of {@link assembleContainer}: the most bytes its payload can take, and how to store it. */
export interface SectionStore {
  /** An upper bound of the stored payload's length (its raw length: writers never store more). */
  readonly capacity: number;
  /** Stores the section: calls `place` once with the payload (a view valid only during the call) and returns the descriptor, CRC still to compute. */
  store(place: (payload: Uint8Array) => void): SectionDescriptor;
}

/**
 * Lays out a whole container in memory, each payload copied straight into its place (from the
 * codec's memory when the codec lends a view) and checksummed there while it is hot in cache.
 * The buffer is sized for the largest possible container, `capacity` per section, and only the
 * written part is returned: the untouched tail of a large buffer is never paged in, so no
 * stored payload is ever held twice. Gives exactly the bytes of {@link ContainerWriter}.
 */
export function assembleContainer(header: Uint8Array, sections: readonly SectionStore[], checksums: boolean, reuse?: Uint8Array): Uint8Array {
  const tocLength = sections.length * TOC_ENTRY_SIZE;
  let bound = HEADER_SIZE;
  for (const s of sections) bound += align(DESCRIPTOR_SIZE + s.capacity);
  bound = align(bound + DESCRIPTOR_SIZE + tocLength) + TRAILER_SIZE;
  // A reused buffer is not zeroed: every byte is written below, padding included.
  const out = reuse !== undefined && reuse.length >= bound ? reuse : new Uint8Array(bound);
  out.set(header.subarray(0, HEADER_SIZE), 0);
  const offsets = new Array<number>(sections.length);
  let offset = HEADER_SIZE;
  for (let i = 0; i < sections.length; i++) {
    const at = offset;
    const payloadAt = at + DESCRIPTOR_SIZE;
    let end = payloadAt;
    const descriptor = sections[i]!.store((payload) => {
      out.set(payload, payloadAt);
      end = payloadAt + payload.length;
    });
    out.fill(0, end, align(end));
    if (descriptor.flags & SectionFlags.PayloadChecksum) descriptor.payloadCrc = crc32(out.subarray(payloadAt, end));
    writeDescriptor(out, at, descriptor);
    offsets[i] = at;
    offset = align(end);
  }
  const tocOffset = offset;
  const toc = out.subarray(tocOffset + DESCRIPTOR_SIZE, tocOffset + DESCRIPTOR_SIZE + tocLength);
  const tocView = viewOf(toc);
  for (let i = 0; i < sections.length; i++) {
    const at = offsets[i]!;
    setU64(tocView, i * TOC_ENTRY_SIZE, at);
    toc.set(out.subarray(at, at + DESCRIPTOR_SIZE), i * TOC_ENTRY_SIZE + 8);
  }
  const total = align(tocOffset + DESCRIPTOR_SIZE + tocLength) + TRAILER_SIZE;
  out.fill(0, tocOffset + DESCRIPTOR_SIZE + tocLength, total - TRAILER_SIZE);
  writeDescriptor(out, tocOffset, tocDescriptor(sections.length, toc, checksums));
  writeTrailer(out, total - TRAILER_SIZE, { tocOffset, sectionCount: sections.length, flags: 0, digest: new Uint8Array(32) });
  return out.length === total ? out : out.subarray(0, total);
}

/**
 * Sets (or clears, with undefined) the SHA-256 digest in the trailer of a whole container, in
 * place: trailer flag, digest field and trailer CRC. The digest covers every byte before the trailer.
 */
export function setTrailerDigest(container: Uint8Array, digest: Uint8Array | undefined): void {
  const at = container.length - TRAILER_SIZE;
  const trailer = readTrailer(container);
  if (digest !== undefined && digest.length !== 32) throw new PackError('InvalidInput', 'a trailer digest is 32 bytes (SHA-256)');
  const flags = digest === undefined ? trailer.flags & ~TrailerFlags.PayloadDigest : trailer.flags | TrailerFlags.PayloadDigest;
  writeTrailer(container, at, { ...trailer, flags, digest: digest ?? new Uint8Array(32) });
}

/** Concatenates pieces into `out` (or a new array of their total length). */
export function joinPieces(pieces: readonly Uint8Array[], out?: Uint8Array): Uint8Array {
  let total = 0;
  for (const p of pieces) total += p.length;
  const target = out === undefined ? new Uint8Array(total) : out.subarray(0, total);
  let at = 0;
  for (const p of pieces) {
    target.set(p, at);
    at += p.length;
  }
  return target;
}
