// Turns a planned section into the frame stored in the file: filter, compress (kept only
// when it pays), checksum. Shared by every writer, so every route stores the same bytes.
import { crc32 } from '#platform';
import type { SectionDescriptor } from './binary.js';
import { descriptorBytes, type SectionFrame } from './container-writer.js';
import { PackError } from './errors.js';
import { CipherId, CodecId, FilterId, SectionFlags } from './layout.js';
import type { PlannedSection } from './plan.js';
import { type FilterChooser, type SectionCodec, noneCodec } from './section-codec.js';

/** What a writer does to each section. */
export interface FrameOptions {
  codec?: SectionCodec;
  level?: number;
  checksums?: boolean;
  filter?: FilterChooser;
}

const ZERO_NONCE = new Uint8Array(12);

/** A stored section before it is framed: its descriptor (payload CRC not yet computed) and payload. */
export interface StoredSection {
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
export function storeSectionLazily(section: PlannedSection, options: FrameOptions): StoredSection {
  const codec = options.codec ?? noneCodec;
  const checksums = options.checksums ?? true;
  let stored = section.raw;
  let codecId: number = CodecId.None;
  let filterId: number = FilterId.None;
  let filterParam = 0;
  if (codec.id !== CodecId.None && section.raw.length > 0) {
    let input = section.raw;
    // Filters work on values of a fixed width; variable-length sections are never filtered.
    const info =
      section.type === undefined
        ? { kind: section.kind, width: section.width, rawLength: section.raw.length }
        : { kind: section.kind, width: section.width, type: section.type, rawLength: section.raw.length };
    const filter = section.width > 0 ? options.filter?.(info) : undefined;
    try {
      if (filter !== undefined) input = filter.encode(section.raw, section.width);
      stored = codec.compress(input, options.level);
    } catch (error) {
      if (error instanceof PackError) throw error;
      throw new PackError('Compression', `${codec.name} failed to compress a section: ${(error as Error).message}`, {
        cause: error,
        details: { kind: section.kind, owner: section.owner, field: section.field },
      });
    }
    if (stored.length < section.raw.length) {
      codecId = codec.id;
      if (filter !== undefined) {
        filterId = filter.id;
        filterParam = section.width;
      }
    } else {
      // Compression did not pay: store the raw bytes, unfiltered.
      stored = section.raw;
    }
  }
  const descriptor: SectionDescriptor = {
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
    rawLength: section.raw.length,
    storedLength: stored.length,
    payloadCrc: 0,
    nonce: ZERO_NONCE,
  };
  return { descriptor, payload: stored };
}
