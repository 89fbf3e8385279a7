// Builds a whole container in memory from a header and its section frames, through
// @tx2/pack-format's ContainerWriter (the one place that lays containers out): the table of
// contents it lists is passed through `finishToc` (sealed, for encrypted containers), and a
// SHA-256 digest of every byte before the trailer goes into the trailer when asked.
import { ContainerWriter, joinPieces, type SectionFrame, setTrailerDigest, TRAILER_SIZE } from '@tx2/pack-format';
import type { Steps } from './run.js';

/** How {@link assembleSteps} writes the container. */
export interface AssembleOptions {
  /** Give the plain table of contents a payload CRC (the header's SectionChecksums flag). */
  tocChecksums: boolean;
  /** Turns the plain table-of-contents frame into the one written (default: as it is). */
  finishToc?: (toc: SectionFrame) => Steps<SectionFrame>;
  /** Write a SHA-256 digest into the trailer. */
  digest: boolean;
}

/** The steps of writing `header`, then `frames` in order, then the table of contents and the trailer. */
export function* assembleSteps(header: Uint8Array, frames: readonly SectionFrame[], options: AssembleOptions): Steps<Uint8Array> {
  const writer = new ContainerWriter();
  const pieces: Uint8Array[] = [header];
  for (const frame of frames) pieces.push(...writer.frame(frame));
  const plainToc = writer.tableOfContents(options.tocChecksums);
  const toc = options.finishToc === undefined ? plainToc : yield* options.finishToc(plainToc);
  pieces.push(...writer.finish(toc));
  const out = joinPieces(pieces);
  if (options.digest) {
    const [digest] = yield [{ kind: 'sha256', data: out.subarray(0, out.length - TRAILER_SIZE) }];
    setTrailerDigest(out, digest as Uint8Array);
  }
  return out;
}
