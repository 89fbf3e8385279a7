// Predicted deltas: in a world where values move at a steady rate, a run is a keyframe K, the
// frame after it (its pair, a delta from K), then frames predicted linearly from the two (the
// scale from world time, irregular steps included). Every frame reads back exactly after
// records in any order, prunes, scrubs, forks and a save and load; no frame ever depends on a
// frame its timeline no longer holds; worlds that do not move linearly keep deltas from K.
import { applyDelta, createPackedSnapshot, diff, type PackedSnapshot, snapshotsEqual } from '@tx2/pack-format';
import { packOptions, readOptions } from '@tx2/pack-codecs';
import { MemoryBackend, SnapshotStore } from '@tx2/pack-store';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Frame, frameByteLength, keyOf } from '../src/frame.js';
import { FrameChain } from '../src/frame-chain.js';
import { TimeTravel } from '../src/index.js';
import { keyframePolicy } from '../src/keyframe-policy.js';
import { loadTimeline, saveTimeline } from '../src/persistence.js';
import { Timeline } from '../src/timeline.js';
import { applyValueDelta } from '../src/value-patch.js';

const encode = await packOptions({ codec: 'zstd', level: 1, filter: 'shuffle' });
const decode = await readOptions();

/** How a test world changes between frames. */
type Motion = 'linear' | 'jitter' | 'still';

/**
 * `n` bodies at world time `time`: in a `linear` world x and y (f32) and z (f64) move at a
 * constant velocity (x = x0 + v·time, so irregular time steps move them in proportion), in a
 * `jitter` world they are random each frame, in a `still` world only `hp` changes; `hp` (f32)
 * changes for a few bodies per frame (`frame` picks which).
 */
function bodies(n: number, motion: Motion, time: number, frame: number): PackedSnapshot {
  let s = 11;
  const rand = (): number => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const z = new Float64Array(n);
  const hp = new Float32Array(n).fill(100);
  let j = frame * 7919 + 1;
  const jitter = (): number => (j = (j * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < n; i++) {
    const [x0, y0, z0, vx, vy, vz] = [rand() * 2000 - 1000, rand() * 2000 - 1000, rand() * 1e6, rand() * 20 - 10, rand() * 20 - 10, rand() * 3];
    const t = motion === 'still' ? 0 : time;
    x[i] = motion === 'jitter' ? jitter() * 2000 : Math.fround(x0 + vx * t);
    y[i] = motion === 'jitter' ? jitter() * 2000 : Math.fround(y0 + vy * t);
    z[i] = motion === 'jitter' ? jitter() * 1e6 : z0 + vz * t;
  }
  for (let k = 0; k < Math.max(1, n / 50); k++) hp[(frame * 31 + k * 97) % n] = frame % 100;
  return createPackedSnapshot({
    entities: Array.from({ length: n }, (_, i) => i + 1),
    worldTime: time,
    timestamp: 1_000_000 + frame,
    components: [
      { id: 'Body', fields: { x, y, z } },
      { id: 'Health', fields: { hp } },
    ],
  });
}

/** The layout every operation must leave: each delta on the frame before, on its run's keyframe, or predicted from the run's pair and keyframe, both still on the timeline. */
function checkLayout(line: Timeline, chain: FrameChain): void {
  const { fullEvery, maxDeltaRatio } = chain.policy;
  line.frames.forEach((frame: Frame, j) => {
    if (j === 0) expect(frame.kind).toBe('key');
    if (frame.kind === 'key') return;
    const previous = line.frames[j - 1]!;
    if (frame.reference !== undefined) {
      // Predicted: from the pair of the run before it, the frame just after the run's keyframe.
      expect(frame.reference).toBe(keyOf(previous));
      const k = line.frames.lastIndexOf(frame.reference, j);
      expect(line.frames[k + 1]).toBe(frame.base);
      expect(frame.base.kind === 'delta' && frame.base.base).toBe(frame.reference);
    } else if (frame.base !== previous) {
      expect(frame.base.kind).toBe('key');
      expect(frame.base).toBe(keyOf(previous));
    }
    expect(frame.run).toBeLessThanOrEqual(fullEvery);
    expect(frame.chainBytes).toBeLessThanOrEqual(maxDeltaRatio * frame.key.bytes.byteLength);
    expect(frame.chainBytes).toBe((frame.base.kind === 'key' ? 0 : frame.base.chainBytes) + frameByteLength(frame));
  });
}

/** Frames of `line` stored as predicted deltas. */
const predictedCount = (line: Timeline): number => line.frames.filter((f) => f.kind === 'delta' && f.reference !== undefined).length;

describe('predicted deltas', () => {
  it('a linear world is stored as keyframe, pair, then predicted deltas a fraction of the size of deltas from the keyframe', () => {
    const sizes = (motion: Motion): { line: Timeline; perDelta: number } => {
      const chain = new FrameChain(keyframePolicy({ fullEvery: 16, maxDeltaRatio: Number.POSITIVE_INFINITY }), encode, decode);
      const line = new Timeline();
      for (let f = 0; f < 32; f++) line.record(f, { snapshot: bodies(2000, motion, f / 60, f) }, chain);
      checkLayout(line, chain);
      const deltas = line.frames.filter((f) => f.kind === 'delta');
      return { line, perDelta: deltas.reduce((a, f) => a + frameByteLength(f), 0) / deltas.length };
    };
    const linear = sizes('linear');
    const jitter = sizes('jitter');
    // Two runs of 16: a keyframe, its pair, and 14 predicted frames each.
    expect(linear.line.frames.map((f) => (f.kind === 'key' ? 'K' : f.reference !== undefined ? 'p' : 'd')).join('')).toBe(`Kd${'p'.repeat(14)}Kd${'p'.repeat(14)}`);
    // Random values cannot be predicted: deltas from the keyframe, as without prediction.
    expect(predictedCount(jitter.line)).toBe(0);
    expect(linear.perDelta).toBeLessThan(jitter.perDelta / 4);
  });

  it('scales predictions by world time: irregular steps predict as well as regular ones', () => {
    const perDelta = (times: (f: number) => number, stillClock = false): number => {
      const at = (f: number): PackedSnapshot => ({ ...bodies(1500, 'linear', times(f), f), ...(stillClock ? { worldTime: 0 } : {}) });
      const tt = new TimeTravel({ encode, decode, keyframes: { fullEvery: 24, maxDeltaRatio: Number.POSITIVE_INFINITY } });
      for (let f = 0; f < 24; f++) tt.record(f, at(f));
      for (let f = 0; f < 24; f++) expect(snapshotsEqual(tt.seekToTime(f)!.snapshot, at(f))).toBe(true);
      const m = tt.memoryUsage();
      return m.deltaBytes / m.deltas;
    };
    const regular = perDelta((f) => f / 60);
    // Steps of 1/60 to 4/60, in an irregular order.
    const steps = [0, 1, 3, 4, 8, 9, 11, 12, 13, 17, 18, 21, 22, 23, 27, 28, 29, 30, 34, 35, 37, 38, 41, 42];
    const irregular = perDelta((f) => steps[f]! / 60);
    // The same motion with world time standing still: predicted by frame distance, which misses.
    const frameDistance = perDelta((f) => steps[f]! / 60, true);
    expect(irregular).toBeLessThan(regular * 1.5);
    expect(irregular).toBeLessThan(frameDistance / 2);
  });

  it('record, seek, scrub, prune, fork and persist read back exactly what was recorded (property)', async () => {
    const op = fc.oneof(
      { weight: 10, arbitrary: fc.record({ time: fc.integer({ min: 0, max: 40 }) }) },
      { weight: 1, arbitrary: fc.record({ pruneBefore: fc.integer({ min: 0, max: 40 }) }) },
      { weight: 1, arbitrary: fc.record({ pruneAfter: fc.integer({ min: 0, max: 40 }) }) },
      { weight: 1, arbitrary: fc.record({ seek: fc.integer({ min: 0, max: 40 }) }) },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Motion>('linear', 'linear', 'jitter', 'still'),
        fc.array(op, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 10 }),
        fc.constantFrom(0.5, 1, Number.POSITIVE_INFINITY),
        fc.constantFrom(0, 1, undefined),
        fc.array(fc.integer({ min: -2, max: 2 }), { maxLength: 20 }),
        async (motion, ops, fullEvery, maxDeltaRatio, cacheFrames, steps) => {
          // The frame recorded at time t: its world time is irregular (t + t²/80) and, once re-recorded, one step later.
          const content = (t: number, version: number): PackedSnapshot => bodies(300, motion, (t + (t * t) / 80 + version) / 30, t + 41 * version);
          const size = 300 * 24;
          const tt = new TimeTravel({ encode, decode, keyframes: { fullEvery, maxDeltaRatio }, keyframeCacheBytes: cacheFrames === undefined ? undefined : cacheFrames * size });
          const expected = new Map<number, number>();
          const check = (source: TimeTravel, t: number): void => {
            const e = source.seekToTime(t)!;
            expect(snapshotsEqual(e.snapshot, content(e.time, expected.get(e.time)!))).toBe(true);
          };
          for (const o of ops) {
            if ('time' in o) {
              const version = expected.has(o.time) ? expected.get(o.time)! + 1 : 0;
              tt.record(o.time, content(o.time, version));
              expected.set(o.time, version);
            } else if ('pruneBefore' in o) {
              tt.pruneBefore(o.pruneBefore);
              for (const t of expected.keys()) if (t < o.pruneBefore) expected.delete(t);
            } else if ('pruneAfter' in o) {
              tt.pruneAfter(o.pruneAfter);
              for (const t of expected.keys()) if (t > o.pruneAfter) expected.delete(t);
            } else if (expected.size > 0) check(tt, o.seek);
          }
          const times = tt.times();
          expect(times).toEqual([...expected.keys()].sort((a, b) => a - b));
          if (times.length === 0) return;
          // A scrub from the middle, then every frame backwards and forwards.
          let i = times.length >> 1;
          for (const step of steps) {
            i = Math.min(times.length - 1, Math.max(0, i + step));
            check(tt, times[i]!);
          }
          for (let j = times.length - 1; j >= 0; j--) check(tt, times[j]!);
          for (const t of times) check(tt, t);
          // A fork of the first half, recorded on, leaves the main timeline as it was.
          const middle = times[times.length >> 1]!;
          tt.forkTimeline('fork', middle);
          tt.switchTimeline('fork');
          tt.record(middle + 0.5, content(middle, 7));
          tt.switchTimeline('main');
          for (const t of times) check(tt, t);
          // Saved and loaded into a new time travel: the same frames.
          const store = new SnapshotStore(new MemoryBackend());
          await saveTimeline(tt, store);
          const back = new TimeTravel({ encode, decode, keyframes: { fullEvery, maxDeltaRatio } });
          expect(await loadTimeline(back, store, 'main')).toBe(times.length);
          for (const t of times) check(back, t);
        },
      ),
      { numRuns: 40, seed: 1503 },
    );
  });

  it('inserts, replacements and prunes never leave a frame depending on a frame the timeline no longer holds (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 8, arbitrary: fc.record({ record: fc.integer({ min: 0, max: 30 }), version: fc.integer({ min: 0, max: 2 }) }) },
            { weight: 1, arbitrary: fc.record({ pruneBefore: fc.integer({ min: 0, max: 30 }) }) },
            { weight: 1, arbitrary: fc.record({ pruneAfter: fc.integer({ min: 0, max: 30 }) }) },
          ),
          { maxLength: 50 },
        ),
        fc.integer({ min: 2, max: 8 }),
        (ops, fullEvery) => {
          const chain = new FrameChain(keyframePolicy({ fullEvery, maxDeltaRatio: Number.POSITIVE_INFINITY }), encode, decode);
          const line = new Timeline();
          const recorded = new Map<number, number>();
          for (const o of ops) {
            if ('record' in o) {
              line.record(o.record, { snapshot: bodies(200, 'linear', (o.record + o.version) / 60, o.record) }, chain);
              recorded.set(o.record, o.version);
            } else if ('pruneBefore' in o) line.pruneBefore(o.pruneBefore, chain);
            else line.pruneAfter(o.pruneAfter);
            checkLayout(line, chain);
          }
          line.times.forEach((t, j) => {
            const frame = line.frames[j]!;
            expect(snapshotsEqual(chain.copyOf(frame), bodies(200, 'linear', (t + recorded.get(t)!) / 60, t))).toBe(true);
          });
        },
      ),
      { numRuns: 80, seed: 1504 },
    );
  });

  it('a saved timeline loads into the same frames: keyframes, pairs and predicted deltas of the same bytes', async () => {
    const options = { encode, decode, keyframes: { fullEvery: 8, maxDeltaRatio: 1 } };
    const tt = new TimeTravel(options);
    for (let f = 0; f < 20; f++) tt.record(f / 2, bodies(800, 'linear', f / 30, f));
    const store = new SnapshotStore(new MemoryBackend());
    await saveTimeline(tt, store);
    const back = new TimeTravel(options);
    await loadTimeline(back, store, 'main');
    const { workingBytes: _a, ...held } = tt.memoryUsage();
    const { workingBytes: _b, ...restored } = back.memoryUsage();
    expect(restored).toEqual(held);
    // Runs of 8 (a pair of 70% of a keyframe does not stop predictions: the first one is always tried).
    expect(held).toMatchObject({ keyframes: 3, deltas: 17 });
    expect(held.deltaBytes / held.deltas).toBeLessThan(held.keyframeBytes / held.keyframes / 2);
    for (let f = 19; f >= 0; f--) expect(snapshotsEqual(back.seekToTime(f / 2)!.snapshot, bodies(800, 'linear', f / 30, f))).toBe(true);
  });

  it('a timeline saved before predicted deltas (full snapshots in a store) loads and seeks the same', async () => {
    // What saveTimeline has always written: one full snapshot per entry, with its time.
    const old = new TimeTravel({ keyframes: false });
    for (let f = 0; f < 12; f++) old.record(f, bodies(500, 'linear', f / 60, f));
    const store = new SnapshotStore(new MemoryBackend());
    await saveTimeline(old, store);
    const back = new TimeTravel({ encode, decode, keyframes: { fullEvery: 6 } });
    expect(await loadTimeline(back, store, 'main')).toBe(12);
    for (let f = 11; f >= 0; f--) expect(snapshotsEqual(back.seekToTime(f)!.snapshot, bodies(500, 'linear', f / 60, f))).toBe(true);
  });
});

describe('predicted changes applied in place', () => {
  /** A float drawn from any bit pattern (NaN payloads, infinities, -0 and subnormals included) or a plain moving value. */
  const f32 = fc.oneof(
    fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((bits) => new Float32Array(new Uint32Array([bits]).buffer)[0]!),
    fc.float({ noNaN: true }),
  );
  const f64 = fc.oneof(
    fc.double(),
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((bits) => new Float64Array(new BigUint64Array([bits]).buffer)[0]!),
  );
  const world = (a: number[], b: number[], time: number): PackedSnapshot =>
    createPackedSnapshot({
      entities: a.map((_, i) => i + 1),
      worldTime: time,
      timestamp: 5,
      components: [{ id: 'C', fields: { a: Float32Array.from(a), b: Float64Array.from(b) } }],
    });

  it('agree bit for bit with applyDelta of @tx2/pack-format (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(f32, f32, f32, f64, f64, f64), { minLength: 1, maxLength: 40 }),
        fc.oneof(fc.constantFrom(0, 1, 2.5, -3, 1e300, 30), fc.double({ noNaN: true, noDefaultInfinity: true })),
        (rows, scale) => {
          const reference = world(
            rows.map((r) => r[0]),
            rows.map((r) => r[3]),
            0,
          );
          const base = world(
            rows.map((r) => r[1]),
            rows.map((r) => r[4]),
            1,
          );
          const next = world(
            rows.map((r) => r[2]),
            rows.map((r) => r[5]),
            2,
          );
          const delta = diff(base, next, { reference: { snapshot: reference, scale }, predict: 'always' });
          expect(delta.reference?.scale).toBe(scale);
          const own = new TimeTravel().decode(new TimeTravel().encode(base));
          expect(applyValueDelta(own, delta, reference)).toBe(true);
          expect(snapshotsEqual(own, next)).toBe(true);
          expect(snapshotsEqual(own, applyDelta(base, delta, { reference }))).toBe(true);
        },
      ),
      { numRuns: 300, seed: 1505 },
    );
  });

  it('a predicted change without its reference, or with one of another shape, is left to applyDelta (which says what is wrong)', () => {
    const reference = world([1, 2], [3, 4], 0);
    const base = world([2, 3], [4, 5], 1);
    const delta = diff(base, world([3, 4], [5, 6], 2), { reference: { snapshot: reference, scale: 1 }, predict: 'always' });
    const own = new TimeTravel().decode(new TimeTravel().encode(base));
    expect(applyValueDelta(own, delta)).toBe(false);
    expect(applyValueDelta(own, delta, world([1], [3], 0))).toBe(false);
    expect(snapshotsEqual(own, base)).toBe(true);
  });
});
