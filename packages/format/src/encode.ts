import { crc32 } from '#platform';
import { type SectionDescriptor, writeDescriptor, writeHeader, writeTrailer } from './binary.js';
import { PackError } from './errors.js';
import {
  align,
  CipherId,
  CodecId,
  ContainerKind,
  DESCRIPTOR_SIZE,
  FilterId,
  FORMAT_VERSION,
  HEADER_SIZE,
  HeaderFlags,
  NO_INDEX,
  SectionFlags,
  SectionKind,
  TOC_ENTRY_SIZE,
  TRAILER_SIZE,
} from './layout.js';
import type { PackedSnapshot } from './model.js';
import { type PlannedSection, planSnapshot } from './plan.js';
import { type FilterChooser, noneCodec, type SectionCodec } from './section-codec.js';

/** How a snapshot is written. */
export interface EncodeOptions {
  /** Compression applied to each section (default: none). Sections it does not shrink are stored raw. */
  codec?: SectionCodec;
  /** Codec level, passed to `codec.compress`. */
  level?: number;
  /** Store a CRC-32 of every section payload (default true). */
  checksums?: boolean;
  /** Picks a filter (byte-shuffle, delta, ...) per section, applied before `codec`; only used with a codec. */
  filter?: FilterChooser;
}

const ZERO_NONCE = new Uint8Array(12);

interface Frame {
  descriptor: SectionDescriptor;
  stored: Uint8Array;
  offset: number;
}

function storeSection(section: PlannedSection, codec: SectionCodec, level: number | undefined, checksums: boolean, chooser?: FilterChooser): Frame {
  let stored = section.raw;
  let codecId: number = CodecId.None;
  let filterId: number = FilterId.None;
  let filterParam = 0;
  if (codec.id !== CodecId.None && section.raw.length > 0) {
    let input = section.raw;
    // Filters work on values of a fixed width; variable-length sections are never filtered.
    const filter =
      section.width > 0 ? chooser?.({ kind: section.kind, width: section.width, type: section.type, rawLength: section.raw.length }) : undefined;
    if (filter !== undefined) {
      input = filter.encode(section.raw, section.width);
      filterId = filter.id;
      filterParam = section.width;
    }
    try {
      stored = codec.compress(input, level);
    } catch (error) {
      throw new PackError('Compression', `${codec.name} failed to compress a section: ${(error as Error).message}`, { cause: error });
    }
    if (stored.length < section.raw.length) codecId = codec.id;
    else {
      // Compression did not pay: store the raw bytes, unfiltered.
      stored = section.raw;
      filterId = FilterId.None;
      filterParam = 0;
    }
  }
  return {
    descriptor: {
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
    },
    stored,
    offset: 0,
  };
}

/**
 * Encodes packed snapshots into the tx2-pack container, reusing one output buffer
 * across calls so that saving every frame allocates nothing large.
 */
export class SnapshotEncoder {
  readonly #codec: SectionCodec;
  readonly #level: number | undefined;
  readonly #checksums: boolean;
  readonly #filter: FilterChooser | undefined;
  #buffer = new Uint8Array(0);

  /** Creates an encoder with fixed options. */
  constructor(options: EncodeOptions = {}) {
    this.#codec = options.codec ?? noneCodec;
    this.#level = options.level;
    this.#checksums = options.checksums ?? true;
    this.#filter = options.filter;
  }

  /** Encodes `packed`; the result is a view into a reused buffer, valid until the next call. */
  encode(packed: PackedSnapshot): Uint8Array {
    return this.#encode(packed, false);
  }

  /** Encodes `packed` into a new exactly-sized array that the caller owns. */
  encodeCopy(packed: PackedSnapshot): Uint8Array {
    return this.#encode(packed, true);
  }

  #encode(packed: PackedSnapshot, fresh: boolean): Uint8Array {
    const plan = planSnapshot(packed);
    const frames = plan.sections.map((s) => storeSection(s, this.#codec, this.#level, this.#checksums, this.#filter));
    let offset = HEADER_SIZE;
    for (const frame of frames) {
      frame.offset = offset;
      offset += DESCRIPTOR_SIZE + align(frame.stored.length);
    }
    const tocOffset = offset;
    const tocRaw = new Uint8Array(frames.length * TOC_ENTRY_SIZE);
    const toc = storeSection(
      { kind: SectionKind.TableOfContents, owner: NO_INDEX, field: NO_INDEX, rowStart: 0, rowCount: frames.length, width: 0, raw: tocRaw },
      noneCodec,
      undefined,
      this.#checksums,
    );
    const total = tocOffset + DESCRIPTOR_SIZE + align(tocRaw.length) + TRAILER_SIZE;

    let out: Uint8Array;
    // A snapshot decoded from this encoder's last output views its buffer: writing over it
    // would destroy sections before they are copied, so such a call gets a new buffer.
    const aliased = frames.some((f) => f.stored.buffer === this.#buffer.buffer);
    if (fresh) out = new Uint8Array(total);
    else {
      if (this.#buffer.length < total || aliased) this.#buffer = new Uint8Array(Math.max(total, Math.ceil(this.#buffer.length * 1.5)));
      out = this.#buffer;
    }
    const multi = plan.sections.length;
    const tocView = new DataView(tocRaw.buffer);
    const codecCounts = new Map<number, number>();
    for (let i = 0; i < multi; i++) {
      const frame = frames[i]!;
      const payloadAt = frame.offset + DESCRIPTOR_SIZE;
      out.set(frame.stored, payloadAt);
      const end = payloadAt + frame.stored.length;
      out.fill(0, end, align(end));
      if (this.#checksums) frame.descriptor.payloadCrc = crc32(out.subarray(payloadAt, end));
      writeDescriptor(out, frame.offset, frame.descriptor);
      // The table of contents repeats each descriptor after its frame offset.
      const entry = i * TOC_ENTRY_SIZE;
      tocView.setUint32(entry, frame.offset % 2 ** 32, true);
      tocView.setUint32(entry + 4, Math.floor(frame.offset / 2 ** 32), true);
      tocRaw.set(out.subarray(frame.offset, frame.offset + DESCRIPTOR_SIZE), entry + 8);
      if (frame.descriptor.kind === SectionKind.Column || frame.descriptor.kind === SectionKind.Blobs) {
        codecCounts.set(frame.descriptor.codec, (codecCounts.get(frame.descriptor.codec) ?? 0) + 1);
      }
    }
    const tocPayloadAt = tocOffset + DESCRIPTOR_SIZE;
    out.set(tocRaw, tocPayloadAt);
    out.fill(0, tocPayloadAt + tocRaw.length, align(tocPayloadAt + tocRaw.length));
    if (this.#checksums) toc.descriptor.payloadCrc = crc32(tocRaw);
    writeDescriptor(out, tocOffset, toc.descriptor);

    let mainCodec: number = CodecId.None;
    for (const [id, count] of codecCounts) if (count > (codecCounts.get(mainCodec) ?? 0)) mainCodec = id;
    writeHeader(out, 0, {
      formatVersion: FORMAT_VERSION,
      flags: this.#checksums ? HeaderFlags.SectionChecksums : 0,
      kind: ContainerKind.Snapshot,
      codec: mainCodec,
      cipher: CipherId.None,
      componentCount: plan.manifest.components.length,
      entityCount: packed.entities.length,
      entitySetCount: plan.manifest.sets.length,
      timestamp: packed.timestamp,
      worldTime: packed.worldTime,
      extension: new Uint8Array(0),
    });
    writeTrailer(out, total - TRAILER_SIZE, { tocOffset, sectionCount: multi, flags: 0, digest: new Uint8Array(0) });
    return fresh ? out : out.subarray(0, total);
  }
}

/** Encodes a packed snapshot into a new `Uint8Array` (use a SnapshotEncoder to reuse buffers). */
export function encodeSnapshot(packed: PackedSnapshot, options: EncodeOptions = {}): Uint8Array {
  return new SnapshotEncoder(options).encodeCopy(packed);
}
