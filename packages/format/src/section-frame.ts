// Turns a planned section into the frame stored in the file: filter, compress (kept only
// when it pays), checksum. Shared by every writer, so every route stores the same bytes.
import { crc32 } from '#platform';
import type { SectionDescriptor } from './binary.js';
import { descriptorBytes, type SectionFrame } from './container-writer.js';
import { PackError } from './errors.js';
import { CipherId, CodecId, FilterId, SectionFlags } from './layout.js';
import type { PlannedSection } from './plan.js';
import { type FilterChooser, type SectionCodec, type SectionFilter, noneCodec } from './section-codec.js';

/** What a writer does to each section. */
export interface FrameOptions {
  codec?: SectionCodec;
  level?: number;
  checksums?: boolean;
  filter?: FilterChooser;
}

const ZERO_NONCE = new Uint8Array(12);

/** A stored section before it is framed: its descriptor (payload CRC not yet computed) and payload. */
interface StoredSection {
  descriptor: SectionDescriptor;
  payload: Uint8Array;
}

/** The stored frame of `section`, CRC included: what streaming writers emit. */
export function storeSection(section: PlannedSection, options: FrameOptions): SectionFrame {
  const { descriptor, payload } = storeSectionLazily(section, options);
  if (descriptor.flags & SectionFlags.PayloadChecksum) descriptor.payloadCrc = crc32(payload);
  return { descriptor: descriptorBytes(descriptor), payload };
}

/** `section` filtered and compressed, its payload CRC left for the caller (who computes it where the payload ends up). */
function storeSectionLazily(section: PlannedSection, options: FrameOptions): StoredSection {
  let payload = section.raw;
  const descriptor = storeSectionVia(section, options, (bytes, borrowed) => {
    payload = borrowed ? bytes.slice() : bytes;
  });
  return { descriptor, payload };
}

/**
 * Filters and compresses `section` and hands its payload to `place`, once; `borrowed` says the
 * payload is a view into the codec's memory, valid only during that call (copy it out). Returns
 * the descriptor (payload CRC not yet computed). With a codec that offers `compressWith`, the
 * filter writes straight into the codec's memory and the frame is copied once, to its place.
 */
export function storeSectionVia(section: PlannedSection, options: FrameOptions, place: (payload: Uint8Array, borrowed: boolean) => void): SectionDescriptor {
  const codec = options.codec ?? noneCodec;
  const checksums = options.checksums ?? true;
  const raw = section.raw;
  let storedLength = raw.length;
  let codecId: number = CodecId.None;
  let filterId: number = FilterId.None;
  let filterParam = 0;
  let placed = false;
  if (codec.id !== CodecId.None && raw.length > 0) {
    // Filters work on values of a fixed width; variable-length sections are never filtered.
    const info =
      section.type === undefined
        ? { kind: section.kind, width: section.width, rawLength: raw.length }
        : { kind: section.kind, width: section.width, type: section.type, rawLength: raw.length };
    const filter = section.width > 0 ? options.filter?.(info) : undefined;
    // Compression that does not pay is dropped: the raw bytes are stored, unfiltered.
    const keep = (frame: Uint8Array, borrowed: boolean): boolean => {
      if (frame.length >= raw.length) return false;
      place(frame, borrowed);
      storedLength = frame.length;
      return true;
    };
    try {
      if (codec.compressWith !== undefined) {
        const fill = filterFill(filter, raw, section.width);
        placed = codec.compressWith(raw.length, fill, (frame) => keep(frame, true), options.level);
      } else {
        placed = keep(codec.compress(filter === undefined ? raw : filter.encode(raw, section.width), options.level), false);
      }
    } catch (error) {
      if (error instanceof PackError) throw error;
      throw new PackError('Compression', `${codec.name} failed to compress a section: ${(error as Error).message}`, {
        cause: error,
        details: { kind: section.kind, owner: section.owner, field: section.field },
      });
    }
    if (placed) {
      codecId = codec.id;
      if (filter !== undefined) {
        filterId = filter.id;
        filterParam = section.width;
      }
    }
  }
  if (!placed) place(raw, false);
  return {
    kind: section.kind,
    codec: codecId,
    filter: filterId,
    cipher: CipherId.None,
    flags: checksums ? SectionFlags.PayloadChecksum : 0,
    filterParam,
    owner: section.owner,
    field: section.field,
    rowStart: section.rowStart,
    rowCount: section.rowCount,
    rawLength: raw.length,
    storedLength,
    payloadCrc: 0,
    nonce: ZERO_NONCE,
  };
}

/** How the (filtered) input reaches a codec's memory: the filter writes it there itself when it can. */
function filterFill(filter: SectionFilter | undefined, raw: Uint8Array, width: number): (dst: Uint8Array) => void {
  if (filter === undefined) return (dst) => dst.set(raw);
  if (filter.encodeInto !== undefined) return (dst) => filter.encodeInto?.(raw, width, dst);
  return (dst) => dst.set(filter.encode(raw, width));
}
