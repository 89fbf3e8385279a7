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
import { ManifestWriter } from './manifest.js';
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

// Set by SnapshotEncoder's static block: lets delta encoding write a container of another
// kind without widening the encoder's public surface.
let encodeAsKind: (encoder: SnapshotEncoder, packed: PackedSnapshot, kind: number) => Uint8Array;

/** Encodes `packed` into a new container whose header says `kind` (a ContainerKind). */
export function encodeContainer(packed: PackedSnapshot, options: EncodeOptions, kind: number): Uint8Array {
  return encodeAsKind(new SnapshotEncoder(options), packed, kind);
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
  readonly #manifests = new ManifestWriter();
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

  static {
    encodeAsKind = (encoder, packed, kind) => encoder.#encode(packed, true, kind);
  }

  #encode(packed: PackedSnapshot, fresh: boolean, kind: number = ContainerKind.Snapshot): Uint8Array {
    const plan = planSnapshot(packed, this.#manifests);
    const frames = plan.sections.map((s) => storeSection(s, this.#codec, this.#level, this.#checksums, this.#filter));
    let offset = HEADER_SIZE;
    for (const frame of frames) {
      frame.offset = offset;
      offset += DESCRIPTOR_SIZE + align(frame.stored.length);
    }
    const tocOffset = offset;
    const tocLength = frames.length * TOC_ENTRY_SIZE;
    const tocPayloadAt = tocOffset + DESCRIPTOR_SIZE;
    const total = tocPayloadAt + align(tocLength) + TRAILER_SIZE;

    let out: Uint8Array;
    // A snapshot decoded from this encoder's last output views its buffer: writing over it
    // would destroy sections before they are copied, so such a call gets a new buffer.
    const aliased = frames.some((f) => f.stored.buffer === this.#buffer.buffer);
    if (fresh) out = new Uint8Array(total);
    else {
      if (this.#buffer.length < total || aliased) this.#buffer = new Uint8Array(Math.max(total, Math.ceil(this.#buffer.length * 1.5)));
      out = this.#buffer;
    }
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    const codecUse = new Uint32Array(256);
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i]!;
      const payloadAt = frame.offset + DESCRIPTOR_SIZE;
      out.set(frame.stored, payloadAt);
      const end = payloadAt + frame.stored.length;
      out.fill(0, end, align(end));
      if (this.#checksums) frame.descriptor.payloadCrc = crc32(out.subarray(payloadAt, end));
      writeDescriptor(out, frame.offset, frame.descriptor);
      // The table of contents lists each frame's offset and a copy of its descriptor.
      const entry = tocPayloadAt + i * TOC_ENTRY_SIZE;
      view.setUint32(entry, frame.offset % 2 ** 32, true);
      view.setUint32(entry + 4, Math.floor(frame.offset / 2 ** 32), true);
      out.copyWithin(entry + 8, frame.offset, frame.offset + DESCRIPTOR_SIZE);
      const kind = frame.descriptor.kind;
      if (kind === SectionKind.Column || kind === SectionKind.Blobs) codecUse[frame.descriptor.codec]!++;
    }
    out.fill(0, tocPayloadAt + tocLength, align(tocPayloadAt + tocLength));
    writeDescriptor(out, tocOffset, {
      kind: SectionKind.TableOfContents,
      codec: CodecId.None,
      filter: FilterId.None,
      cipher: CipherId.None,
      flags: this.#checksums ? SectionFlags.PayloadChecksum : 0,
      filterParam: 0,
      owner: NO_INDEX,
      field: NO_INDEX,
      rowStart: 0,
      rowCount: frames.length,
      rawLength: tocLength,
      storedLength: tocLength,
      payloadCrc: this.#checksums ? crc32(out.subarray(tocPayloadAt, tocPayloadAt + tocLength)) : 0,
      nonce: ZERO_NONCE,
    });

    let mainCodec = 0;
    for (let id = 1; id < 256; id++) if (codecUse[id]! > codecUse[mainCodec]!) mainCodec = id;
    writeHeader(out, 0, {
      formatVersion: FORMAT_VERSION,
      flags: this.#checksums ? HeaderFlags.SectionChecksums : 0,
      kind,
      codec: mainCodec,
      cipher: CipherId.None,
      componentCount: plan.manifest.components.length,
      entityCount: packed.entities.length,
      entitySetCount: plan.manifest.sets.length,
      timestamp: packed.timestamp,
      worldTime: packed.worldTime,
      extension: new Uint8Array(0),
    });
    writeTrailer(out, total - TRAILER_SIZE, { tocOffset, sectionCount: frames.length, flags: 0, digest: new Uint8Array(0) });
    return fresh ? out : out.subarray(0, total);
  }
}

/** Encodes a packed snapshot into a new `Uint8Array` (use a SnapshotEncoder to reuse buffers). */
export function encodeSnapshot(packed: PackedSnapshot, options: EncodeOptions = {}): Uint8Array {
  return new SnapshotEncoder(options).encodeCopy(packed);
}
