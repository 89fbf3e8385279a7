// Properties of diff / applyDelta / invertDelta / encodeDelta: for arbitrary pairs of
// snapshots (related by random edits, or unrelated), applying the delta rebuilds the target
// bit for bit, also after the delta went through its container.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDelta, decodeDelta, diff, encodeDelta, invertDelta, snapshotHash, snapshotsEqual, summarizeDelta, type PackedSnapshot } from '../src/index.js';
import { everyTypePackedArb, packedArb } from './arbitraries.js';
import { mutate } from './helpers/mutate.js';

const RUNS = 300;

/** A base and a next snapshot derived from it by random edits (the base itself is edited once, to hold blobs and orders). */
const relatedPairArb = fc
  .tuple(packedArb({ maxEntities: 12, maxComponents: 4 }), packedArb({ maxEntities: 6, maxComponents: 2 }), fc.integer(), fc.integer())
  .map(([start, donor, seed1, seed2]) => {
    const base = mutate(start, donor, seed1);
    return { base, next: mutate(base, donor, seed2) };
  });

const everyTypePairArb = fc.tuple(everyTypePackedArb(), everyTypePackedArb(), fc.integer()).map(([base, donor, seed]) => ({ base, next: mutate(base, donor, seed) }));

const unrelatedPairArb = fc.tuple(packedArb(), packedArb()).map(([base, next]) => ({ base, next }));

function expectRebuilds(base: PackedSnapshot, next: PackedSnapshot): void {
  const delta = diff(base, next);
  expect(snapshotsEqual(applyDelta(base, delta), next)).toBe(true);
  // Through the container, with and without checksums.
  const decoded = decodeDelta(encodeDelta(delta));
  expect(snapshotsEqual(applyDelta(base, decoded), next)).toBe(true);
  const unchecked = decodeDelta(encodeDelta(delta, { checksums: false }), { copy: true });
  expect(snapshotsEqual(applyDelta(base, unchecked), next)).toBe(true);
  // Backwards.
  expect(snapshotsEqual(applyDelta(next, invertDelta(base, delta)), base)).toBe(true);
  // The summary is plain JSON (bar the two header numbers, which may be NaN or -0).
  const summary = { ...summarizeDelta(delta), timestamp: 0, worldTime: 0 };
  expect(JSON.parse(JSON.stringify(summary))).toStrictEqual(summary);
}

describe('applyDelta(a, diff(a, b)) equals b', () => {
  it('for a snapshot and a random edit of it (values, entity churn, component churn, schema changes, metadata)', () => {
    fc.assert(
      fc.property(relatedPairArb, ({ base, next }) => expectRebuilds(base, next)),
      { seed: 20261203, numRuns: RUNS },
    );
  });

  it('for every column type, NaN payloads and -0 included', () => {
    fc.assert(
      fc.property(everyTypePairArb, ({ base, next }) => expectRebuilds(base, next)),
      { seed: 20261203, numRuns: RUNS },
    );
  });

  it('for unrelated snapshots', () => {
    fc.assert(
      fc.property(unrelatedPairArb, ({ base, next }) => expectRebuilds(base, next)),
      { seed: 20261203, numRuns: RUNS / 2 },
    );
  });

  it('for a snapshot and itself: an empty delta', () => {
    fc.assert(
      fc.property(packedArb(), (a) => {
        const delta = diff(a, a);
        expect(delta.components.every((c) => c.change === 'unchanged')).toBe(true);
        expect(delta.entities).toBeUndefined();
        expect(delta.metadata).toBeUndefined();
        expect(snapshotsEqual(applyDelta(a, delta), a)).toBe(true);
      }),
      { seed: 20261203, numRuns: RUNS / 2 },
    );
  });

  it('chains: applying the deltas of a random walk one after another reaches its end', () => {
    fc.assert(
      fc.property(
        packedArb({ maxEntities: 10 }),
        packedArb({ maxEntities: 4, maxComponents: 2 }),
        fc.array(fc.integer(), { minLength: 1, maxLength: 6 }),
        (start, donor, seeds) => {
          const frames = [start];
          for (const seed of seeds) frames.push(mutate(frames.at(-1)!, donor, seed));
          let current = start;
          for (let i = 1; i < frames.length; i++) {
            const delta = decodeDelta(encodeDelta(diff(frames[i - 1]!, frames[i]!)));
            current = applyDelta(current, delta, { baseHash: snapshotHash(current) });
          }
          expect(snapshotsEqual(current, frames.at(-1)!)).toBe(true);
        },
      ),
      { numRuns: RUNS / 3 },
    );
  });
});

describe('the base is checked', () => {
  it('applying a delta to any other snapshot fails with DeltaBaseMismatch', () => {
    fc.assert(
      fc.property(relatedPairArb, packedArb(), ({ base, next }, other) => {
        fc.pre(!snapshotsEqual(base, other));
        const delta = diff(base, next);
        expect(() => applyDelta(other, delta)).toThrowError(expect.objectContaining({ code: 'DeltaBaseMismatch' }));
      }),
      { seed: 20261203, numRuns: RUNS / 3 },
    );
  });
});

describe('the generators exercise every kind of change', () => {
  // Guards the properties above against passing vacuously: each delta form must occur.
  it('patches with row lists, whole fields, entity churn and reordering; added, replaced and removed components; metadata forms', () => {
    const seen = new Set<string>();
    for (const { base, next } of fc.sample(relatedPairArb, { numRuns: 400, seed: 42 })) {
      const d = diff(base, next);
      for (const c of d.components) {
        seen.add(c.change);
        if (c.change !== 'patched') continue;
        if (c.rows !== undefined) seen.add('ids' in c.rows ? 'rows reordered' : 'rows added/removed');
        if (c.added !== undefined) seen.add('blobs' in c.added ? 'added blobs' : 'added fields');
        for (const f of c.fields) seen.add(f.rows === undefined ? 'whole field' : c.layout === 'blobs' ? 'changed blobs' : 'changed rows');
      }
      if (d.removedComponents.length > 0) seen.add('removed');
      if (d.entities !== undefined) seen.add('ids' in d.entities ? 'entities reordered' : 'entities added/removed');
      if (d.metadata !== undefined) seen.add('replace' in d.metadata ? 'metadata replaced' : 'metadata patched');
      if (d.entityMetadata !== undefined) seen.add('replace' in d.entityMetadata ? 'entity metadata replaced' : 'entity metadata patched');
      if (d.componentOrder !== undefined) seen.add(d.componentOrder === null ? 'order dropped' : 'order set');
    }
    expect([...seen].sort()).toStrictEqual(
      [
        'added',
        'added blobs',
        'added fields',
        'changed blobs',
        'changed rows',
        'entities added/removed',
        'entities reordered',
        'entity metadata patched',
        'entity metadata replaced',
        'metadata patched',
        'metadata replaced',
        'order dropped',
        'order set',
        'patched',
        'removed',
        'replaced',
        'rows added/removed',
        'rows reordered',
        'unchanged',
        'whole field',
      ].sort(),
    );
  });
});
