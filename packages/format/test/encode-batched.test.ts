// encodeSnapshotBatched: the batch route (the worker pool's) writes encodeSnapshot's bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeSnapshot, encodeSnapshotBatched, FilterId, isPackError, readLayout, type SectionFilter, type SectionJob } from '../src/index.js';
import { packedArb } from './arbitraries.js';
import { FIXTURES } from './helpers/fixtures.js';
import { rle } from './helpers/toy-codec.js';

/** A reversible filter under the shuffle id: reverses the bytes of each value. */
const reverse: SectionFilter = {
  id: FilterId.ByteShuffle,
  name: 'reverse',
  encode: (raw, width) => raw.map((_, i) => raw[i - (i % width) + (width - 1 - (i % width))]!),
  decode: (raw, width) => raw.map((_, i) => raw[i - (i % width) + (width - 1 - (i % width))]!),
};

/** The compressor a pool would be, run in place: filter, then the codec. */
const inPlace =
  (seen: SectionJob[] = []) =>
  async (jobs: readonly SectionJob[]): Promise<Uint8Array[]> => {
    seen.push(...jobs);
    return jobs.map((job) => rle.compress(job.filter === undefined ? job.raw : job.filter.encode(job.raw, job.width)));
  };

describe('encodeSnapshotBatched', () => {
  it.each(Object.keys(FIXTURES))('fixture %s: the bytes of encodeSnapshot, with and without a filter and checksums', async (name) => {
    const packed = FIXTURES[name]!();
    for (const options of [{ codec: rle }, { codec: rle, filter: () => reverse }, { codec: rle, checksums: false }, {}]) {
      expect(await encodeSnapshotBatched(packed, options, inPlace())).toEqual(encodeSnapshot(packed, options));
    }
  });

  it('property: random snapshots give the bytes of encodeSnapshot', async () => {
    await fc.assert(
      fc.asyncProperty(packedArb(), fc.boolean(), async (packed, filtered) => {
        const options = filtered ? { codec: rle, filter: () => reverse } : { codec: rle };
        expect(await encodeSnapshotBatched(packed, options, inPlace())).toEqual(encodeSnapshot(packed, options));
      }),
      { numRuns: 100, seed: 15 },
    );
  });

  it('hands over every non-empty section with its filter and width; empty ones are not sent', async () => {
    const seen: SectionJob[] = [];
    const packed = FIXTURES['columns-all-types']!();
    await encodeSnapshotBatched(packed, { codec: rle, filter: () => reverse }, inPlace(seen));
    const nonEmpty = readLayout(encodeSnapshot(packed)).sections.filter((s) => s.descriptor.rawLength > 0);
    expect(seen.map((job) => job.raw.length)).toEqual(nonEmpty.map((s) => s.descriptor.rawLength));
    // Filters are offered only for fixed-width sections.
    expect(seen.some((job) => job.filter === undefined)).toBe(true);
    for (const job of seen) if (job.filter !== undefined) expect(job.width).toBeGreaterThan(0);
  });

  it('a compressor that returns the wrong number of frames or non-bytes is a PackError Compression', async () => {
    const packed = FIXTURES['columns-all-types']!();
    for (const bad of [async () => [], async (jobs: readonly SectionJob[]) => jobs.map(() => 'x' as unknown as Uint8Array), async () => null as never]) {
      const error = await encodeSnapshotBatched(packed, { codec: rle }, bad).catch((e: unknown) => e);
      expect(isPackError(error, 'Compression'), String(error)).toBe(true);
    }
  });
});
