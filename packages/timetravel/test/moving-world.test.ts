// A world where every entity moves every frame, recorded with a compressing codec: frames are
// kept as compressed temporal (XOR) deltas when smaller than their value patches, every frame
// reads back bit for bit (forwards, backwards, at random), and a delta that cannot fit its run
// is not computed. (Predicted deltas have their own tests: predicted.test.ts.)
import { type PackedSnapshot, snapshotsEqual } from '@tx2/pack-format';
import fc from 'fast-check';
import { packOptions, readOptions } from '@tx2/pack-codecs';
import { describe, expect, it } from 'vitest';
import { TimeTravel } from '../src/index.js';

// Real zstd with the byte-shuffle filter, as users record: the shuffle puts the XOR's zero bytes
// together, which zstd then stores in almost nothing.
const encode = await packOptions({ codec: 'zstd', level: 1, filter: 'shuffle' });
const decode = await readOptions();

/** `n` entities whose f32 x moves by its velocity each frame (every value changes, slowly), and whose f64 clock ticks. */
function movingWorld(n: number): { at: (frame: number) => PackedSnapshot } {
  let s = 7;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const x0 = Float32Array.from({ length: n }, () => 500 + 400 * rand());
  const v = Float32Array.from({ length: n }, () => -10 + 20 * rand());
  const ids = Uint32Array.from({ length: n }, (_, i) => i + 1);
  return {
    at: (frame) => ({
      timestamp: 1000 + frame,
      worldTime: frame,
      version: 'm',
      schemaVersion: 1,
      metadata: {},
      entities: ids,
      components: [
        {
          id: 'Body',
          layout: 'columns',
          entityIds: ids,
          fields: [
            { name: 'x', type: 'f32', values: x0.map((x, i) => Math.fround(x + (frame * v[i]!) / 60)) },
            { name: 'v', type: 'f32', values: v },
            { name: 'clock', type: 'f64', values: Float64Array.from(ids, (id) => frame * 0.016 + id) },
          ],
        },
      ],
    }),
  };
}

describe('a world where everything moves', () => {
  const frames = 24;
  const world = movingWorld(3000);

  it('keeps frames as compressed temporal deltas, smaller than value patches, and reads every frame back exactly', () => {
    const tt = new TimeTravel({ encode, decode, keyframes: { fullEvery: 12, maxDeltaRatio: Infinity } });
    for (let f = 0; f < frames; f++) tt.record(f, world.at(f));
    const usage = tt.memoryUsage();
    expect(usage.keyframes).toBe(2);
    // A value patch would hold x and clock whole: 3000 × 12 bytes a frame.
    expect(usage.deltaBytes / usage.deltas).toBeLessThan(3000 * 12 * 0.8);
    // Backwards (each from its keyframe), then at scattered times, then forwards.
    for (let f = frames - 1; f >= 0; f--) expect(snapshotsEqual(tt.seekToTime(f)!.snapshot, world.at(f))).toBe(true);
    for (const f of [5, 17, 0, 23, 11, 12, 6]) expect(snapshotsEqual(tt.seekToTime(f)!.snapshot, world.at(f))).toBe(true);
    for (let f = 0; f < frames; f++) expect(snapshotsEqual(tt.seekToTime(f)!.snapshot, world.at(f))).toBe(true);
    // Bytes of a delta frame are a full encoding of its snapshot.
    expect(snapshotsEqual(tt.decode(tt.entries()[7]!.bytes), world.at(7))).toBe(true);
  });

  it('without a codec, frames stay value patches (compression would not pay)', () => {
    const tt = new TimeTravel({ keyframes: { fullEvery: 12, maxDeltaRatio: Infinity } });
    for (let f = 0; f < 4; f++) tt.record(f, world.at(f));
    expect(tt.memoryUsage().deltaBytes / 3).toBeGreaterThanOrEqual(3000 * 12);
    for (let f = 0; f < 4; f++) expect(snapshotsEqual(tt.seekToTime(f)!.snapshot, world.at(f))).toBe(true);
  });

  it('makes temporal deltas from the keyframe of their run, or predicted from it and the frame after it: a seek applies at most the pair and one delta, and scrubs read back exactly', () => {
    const tt = new TimeTravel({ encode, decode, keyframes: { fullEvery: 12, maxDeltaRatio: 1 } });
    for (let f = 0; f < frames; f++) tt.record(f, world.at(f));
    // Each delta is bounded alone (a read applies one), so runs reach fullEvery.
    expect(tt.memoryUsage()).toMatchObject({ keyframes: 2, deltas: 22 });
    // A slider: back and forth by one frame, across the keyframe between the runs.
    for (const f of [13, 12, 11, 10, 11, 12, 13, 14, 13, 1, 0, 1, 2, 23, 22]) expect(snapshotsEqual(tt.seekToTime(f)!.snapshot, world.at(f))).toBe(true);
  });

  it('every frame reads back exactly after records in any order, replacements and prunes, by scrubs and random seeks (property)', () => {
    const small = movingWorld(700);
    /** A moving frame (everything moves: a temporal delta) or a poked one (one value changes: a value patch). */
    const contentOf = (k: number, poke: boolean): PackedSnapshot => {
      const s = small.at(k);
      if (poke) {
        const body = s.components[0]!;
        if (body.layout === 'columns') (body.fields[0]!.values as Float32Array)[k % 700] = k;
      }
      return s;
    };
    const op = fc.oneof(
      { weight: 10, arbitrary: fc.record({ time: fc.integer({ min: 0, max: 30 }), k: fc.integer({ min: 0, max: 60 }), poke: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ pruneBefore: fc.integer({ min: 0, max: 30 }) }) },
      { weight: 1, arbitrary: fc.record({ pruneAfter: fc.integer({ min: 0, max: 30 }) }) },
    );
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(1, Number.POSITIVE_INFINITY),
        fc.array(fc.integer({ min: -2, max: 2 }), { maxLength: 30 }),
        (ops, fullEvery, maxDeltaRatio, steps) => {
          const tt = new TimeTravel({ encode, decode, keyframes: { fullEvery, maxDeltaRatio } });
          const expected = new Map<number, [number, boolean]>();
          const check = (t: number): void => {
            const e = tt.seekToTime(t);
            const [k, poke] = expected.get(e!.time)!;
            expect(snapshotsEqual(e!.snapshot, contentOf(k, poke))).toBe(true);
          };
          for (const o of ops) {
            if ('time' in o) {
              tt.record(o.time, contentOf(o.k, o.poke));
              expected.set(o.time, [o.k, o.poke]);
            } else if ('pruneBefore' in o) {
              tt.pruneBefore(o.pruneBefore);
              for (const t of expected.keys()) if (t < o.pruneBefore) expected.delete(t);
            } else {
              tt.pruneAfter(o.pruneAfter);
              for (const t of expected.keys()) if (t > o.pruneAfter) expected.delete(t);
            }
            // Reads between records move the working snapshot: later records must not depend on it.
            if (expected.size > 0 && o !== ops[ops.length - 1]) check([...expected.keys()][0]!);
          }
          const times = tt.times();
          expect(times).toEqual([...expected.keys()].sort((a, b) => a - b));
          if (times.length === 0) return;
          // A scrub (steps of -2..2 frames from the middle), then every frame backwards and forwards.
          let i = times.length >> 1;
          for (const step of steps) {
            i = Math.min(times.length - 1, Math.max(0, i + step));
            check(times[i]!);
          }
          for (let j = times.length - 1; j >= 0; j--) check(times[j]!);
          for (const t of times) check(t);
        },
      ),
      { numRuns: 60, seed: 15 },
    );
  });

  it('a frame whose delta would not fit its run is made a keyframe, and every frame still reads back', () => {
    // A delta is about half a keyframe here: a ratio of 0.3 never fits one, so after the first try frames are keyframes.
    const tt = new TimeTravel({ encode, decode, keyframes: { fullEvery: 4, maxDeltaRatio: 0.3 } });
    for (let f = 0; f < 12; f++) tt.record(f, world.at(f));
    expect(tt.memoryUsage()).toMatchObject({ keyframes: 12, deltas: 0 });
    for (let f = 0; f < 12; f++) expect(snapshotsEqual(tt.seekToTime(f)!.snapshot, world.at(f))).toBe(true);
  });
});
