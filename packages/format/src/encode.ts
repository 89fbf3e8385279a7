import { assembleContainer, ContainerWriter, headerBytes, type SealerFactory, type SectionStore } from './container-writer.js';
import { CipherId, CodecId, ContainerKind, FORMAT_VERSION, HeaderFlags } from './layout.js';
import { ManifestWriter } from './manifest.js';
import type { PackedSnapshot } from './model.js';
import { planSnapshot, type SnapshotPlan } from './plan.js';
import type { FilterChooser, SectionCodec } from './section-codec.js';
import { storeSection, storeSectionVia } from './section-frame.js';

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

/** The plain header of a planned snapshot: what every writer puts first. */
export function planHeader(packed: PackedSnapshot, plan: SnapshotPlan, options: EncodeOptions, kind: number): Uint8Array {
  return headerBytes({
    formatVersion: FORMAT_VERSION,
    flags: (options.checksums ?? true) ? HeaderFlags.SectionChecksums : 0,
    kind,
    // Informative: the codec the writer was given. Fixed before the first section, so that
    // streaming writers (and sealed headers, which every section authenticates) agree.
    codec: options.codec?.id ?? CodecId.None,
    cipher: CipherId.None,
    componentCount: plan.manifest.components.length,
    entityCount: packed.entities.length,
    entitySetCount: plan.manifest.sets.length,
    timestamp: packed.timestamp,
    worldTime: packed.worldTime,
    extension: new Uint8Array(0),
  });
}

/** The container of `packed` (unsealed) laid out in memory, in `reuse` when it is large enough and not aliased. */
function containerBytes(packed: PackedSnapshot, options: EncodeOptions, kind: number, manifests: ManifestWriter, reuse?: Uint8Array): Uint8Array {
  const plan = planSnapshot(packed, manifests, { world: kind === ContainerKind.Snapshot });
  const header = planHeader(packed, plan, options, kind);
  // Payloads are written into the output as each section is stored, so a snapshot decoded from
  // the last output (whose sections view its buffer) would be overwritten while still being
  // read: such a call gets a new buffer.
  const sections = [...plan.sections];
  const aliased = reuse !== undefined && sections.some((s) => s.raw.buffer === reuse.buffer);
  const stores: SectionStore[] = sections.map((section) => ({
    capacity: section.raw.length,
    store: (place) => storeSectionVia(section, options, place),
  }));
  return assembleContainer(header, stores, options.checksums ?? true, aliased ? undefined : reuse);
}

// Outputs under this size are copied to an exactly-sized buffer: many small snapshots are often
// kept (checkpoints, keyframes), and their spare tails could be resident heap memory.
export const TRIM_BELOW = 4 << 20;
// Containers up to this size (uncompressed) are laid out in one buffer reused across calls and
// then copied out exactly: no new buffer of the uncompressed size per small compressed write.
const SCRATCH_MAX = 1 << 20;
let scratch: Uint8Array | undefined;

/** Encodes into the shared scratch (small containers) or a new buffer, and returns an array the caller owns. */
function ownedContainer(packed: PackedSnapshot, options: EncodeOptions, kind: number, manifests: ManifestWriter): Uint8Array {
  // Only compressed containers leave spare room; uncompressed ones are exact already.
  if (options.codec === undefined || options.codec.id === CodecId.None) return containerBytes(packed, options, kind, manifests);
  const reuse = scratch;
  scratch = undefined; // a nested call (from a codec or chooser) must not write into it
  try {
    const out = containerBytes(packed, options, kind, manifests, reuse);
    if (out.buffer === reuse?.buffer) return out.slice();
    if (out.buffer.byteLength <= SCRATCH_MAX && out.buffer.byteLength !== out.length) {
      if (reuse === undefined || out.buffer.byteLength > reuse.length) scratch = new Uint8Array(out.buffer);
      return out.slice();
    }
    return out.buffer.byteLength !== out.length && out.length < TRIM_BELOW ? out.slice() : out;
  } finally {
    scratch ??= reuse;
  }
}

/** Encodes `packed` into a new container whose header says `kind` (a ContainerKind). */
export function encodeContainer(packed: PackedSnapshot, options: EncodeOptions, kind: number): Uint8Array {
  return ownedContainer(packed, options, kind, new ManifestWriter());
}

/**
 * Encodes packed snapshots into the tx2-pack container, reusing one output buffer
 * across calls so that saving every frame allocates nothing large.
 */
export class SnapshotEncoder {
  readonly #options: EncodeOptions;
  readonly #manifests = new ManifestWriter();
  #buffer: Uint8Array = new Uint8Array(0);

  /** Creates an encoder with fixed options. */
  constructor(options: EncodeOptions = {}) {
    this.#options = { ...options };
  }

  /** Encodes `packed`; the result is a view into a reused buffer, valid until the next call. */
  encode(packed: PackedSnapshot): Uint8Array {
    const out = containerBytes(packed, this.#options, ContainerKind.Snapshot, this.#manifests, this.#buffer);
    // A new buffer (the old one was too small or aliased) is kept whole for the next call.
    if (out.buffer !== this.#buffer.buffer) this.#buffer = new Uint8Array(out.buffer);
    return out;
  }

  /** Encodes `packed` into a new array that the caller owns (exactly sized, except large compressed ones: see encodeSnapshot). */
  encodeCopy(packed: PackedSnapshot): Uint8Array {
    return ownedContainer(packed, this.#options, ContainerKind.Snapshot, this.#manifests);
  }
}

/**
 * Encodes a packed snapshot into a new `Uint8Array` (use a SnapshotEncoder to reuse buffers).
 * Compressed payloads are written straight into place in a buffer sized for the uncompressed
 * container; a result of 4 MiB or more is returned as a view at offset 0 of that buffer (its
 * unused tail is never touched, so it takes address space but no memory), smaller ones are
 * copied to an exact buffer. Use `bytes.slice()` where an exactly-sized large buffer matters.
 */
export function encodeSnapshot(packed: PackedSnapshot, options: EncodeOptions = {}): Uint8Array {
  return encodeContainer(packed, options, ContainerKind.Snapshot);
}

/** Options of {@link encodeSnapshotStream}. */
export interface StreamEncodeOptions extends EncodeOptions {
  /** Largest raw size of one column or blob chunk (default 4 MiB): bounds the memory a write holds. */
  chunkBytes?: number;
  /** Seals each section as it is written (encryption, from @tx2/pack-crypto). */
  sealer?: SealerFactory;
}

/** Default bound of one column chunk's raw bytes in streamed containers. */
export const DEFAULT_CHUNK_BYTES = 4 << 20;

/**
 * Encodes `packed` piece by piece (header, section frames, table of contents, trailer),
 * holding one column chunk at a time, so the extra memory is bounded by the chunk size, not
 * the world. Worlds smaller than a chunk give exactly the bytes of encodeSnapshot; larger
 * ones differ only in chunking (same content hash). Validation runs before the first piece.
 */
export async function* encodeSnapshotStream(packed: PackedSnapshot, options: StreamEncodeOptions = {}): AsyncGenerator<Uint8Array> {
  const plan = planSnapshot(packed, new ManifestWriter(), { chunkBytes: options.chunkBytes ?? DEFAULT_CHUNK_BYTES });
  const plainHeader = planHeader(packed, plan, options, ContainerKind.Snapshot);
  const sealer = options.sealer?.(plainHeader);
  yield sealer?.header ?? plainHeader;
  const writer = new ContainerWriter();
  for (const section of plan.sections) {
    const frame = storeSection(section, options);
    yield* writer.frame(sealer === undefined ? frame : await sealer.seal(writer.sectionCount, frame.descriptor, frame.payload));
  }
  const toc = writer.tableOfContents(options.checksums ?? true);
  yield* writer.finish(sealer === undefined ? toc : await sealer.seal(writer.sectionCount, toc.descriptor, toc.payload));
}
