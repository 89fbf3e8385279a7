// Encoding whose section compression is handed to the caller as one batch, so that it can run
// the jobs in parallel (worker threads, in @tx2/pack-codecs). The results are framed by the
// same code as encodeSnapshot's, so the container is byte for byte the one it writes.
import { assembleContainer, type SectionStore } from './container-writer.js';
import { type EncodeOptions, encodeSnapshot, planHeader, TRIM_BELOW } from './encode.js';
import { PackError } from './errors.js';
import { CodecId, ContainerKind } from './layout.js';
import { ManifestWriter } from './manifest.js';
import type { PackedSnapshot } from './model.js';
import { type PlannedSection, planSnapshot } from './plan.js';
import type { SectionCodec, SectionFilter } from './section-codec.js';
import { type FrameOptions, storeSectionVia } from './section-frame.js';

/** One section to compress: its raw bytes, the filter chosen for it (applied first) and its value width. */
export interface SectionJob {
  readonly raw: Uint8Array;
  readonly filter: SectionFilter | undefined;
  readonly width: number;
}

/**
 * Compresses every job with the encoder's codec and level: the filter (when set) applied to
 * `raw` first, then `codec.compress(filtered, level)`. Returns one frame per job, in order.
 */
export type SectionBatchCompressor = (jobs: readonly SectionJob[]) => Promise<readonly Uint8Array[]>;

/**
 * Encodes `packed` like `encodeSnapshot(packed, options)`, but compresses its sections through
 * `compressAll` in one batch: the output is the same bytes when `compressAll` returns what
 * `options.codec` returns. Without a codec (or with 'none') it is `encodeSnapshot`.
 */
export async function encodeSnapshotBatched(packed: PackedSnapshot, options: EncodeOptions, compressAll: SectionBatchCompressor): Promise<Uint8Array> {
  const codec = options.codec;
  if (codec === undefined || codec.id === CodecId.None) return encodeSnapshot(packed, options);
  const plan = planSnapshot(packed, new ManifestWriter(), { world: true });
  const header = planHeader(packed, plan, options, ContainerKind.Snapshot);
  const planned: PlannedSection[] = [...plan.sections];
  const jobs: SectionJob[] = [];
  const filters: (SectionFilter | undefined)[] = [];
  for (const section of planned) {
    if (section.raw.length === 0) continue;
    // The chooser sees what storeSectionVia shows it.
    const info =
      section.type === undefined
        ? { kind: section.kind, width: section.width, rawLength: section.raw.length }
        : { kind: section.kind, width: section.width, type: section.type, rawLength: section.raw.length };
    const filter = section.width > 0 ? options.filter?.(info) : undefined;
    filters.push(filter);
    jobs.push({ raw: section.raw, filter, width: section.width });
  }
  const frames = await compressAll(jobs);
  if (!Array.isArray(frames) || frames.length !== jobs.length || !frames.every((f) => f instanceof Uint8Array)) {
    throw new PackError('Compression', `the batch compressor must return one Uint8Array per section (${jobs.length}), in order`, {
      details: { expected: jobs.length, got: Array.isArray(frames) ? frames.length : typeof frames },
    });
  }
  const stores: SectionStore[] = [];
  let next = 0;
  for (const section of planned) {
    let frameOptions: FrameOptions = options;
    if (section.raw.length > 0) {
      const i = next++;
      const filter = filters[i];
      // The frame is already computed: a codec that returns it and a filter that only lends its
      // id let the shared framing code decide (kept only when smaller) and fill the descriptor.
      const done: SectionCodec = { id: codec.id, name: codec.name, compress: () => frames[i]!, decompress: () => section.raw };
      const chooser = filter === undefined ? undefined : () => ({ id: filter.id, name: filter.name, encode: (raw: Uint8Array) => raw, decode: (raw: Uint8Array) => raw });
      frameOptions = { ...options, codec: done, filter: chooser };
    }
    stores.push({ capacity: section.raw.length, store: (place) => storeSectionVia(section, frameOptions, place) });
  }
  const out = assembleContainer(header, stores, options.checksums ?? true);
  // Like encodeSnapshot: a small result gets an exactly-sized buffer, a large one may be a view.
  return out.length < TRIM_BELOW && out.buffer.byteLength !== out.length ? out.slice() : out;
}
