// The `keyframeCacheBytes` option: decoded keyframes (and pairs) kept within a byte budget (least recently used
// dropped first, the last two always kept), counted in workingBytes; reads are exact whatever
// the budget, and a bad budget is InvalidInput.
import { createPackedSnapshot, type PackedSnapshot, snapshotsEqual } from '@tx2/pack-format';
import { packOptions, readOptions } from '@tx2/pack-codecs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KEYFRAME_CACHE_BYTES, TimeTravel } from '../src/index.js';
import { deltaFrame, type Frame, keyFrame } from '../src/frame.js';
import { snapshotBytes } from '../src/snapshot-bytes.js';
import { SnapshotCache } from '../src/snapshot-cache.js';
import { packErrorOf } from '../../../test-support/pack-errors.js';

const encode = await packOptions({ codec: 'zstd', level: 1, filter: 'shuffle' });
const decode = await readOptions();

/** Frame `f` of a world of 500 entities: x moves every frame, and every fifth frame one hp changes. */
function frame(f: number): PackedSnapshot {
  const x = Float32Array.from({ length: 500 }, (_, i) => Math.fround(i + f * (0.25 + i / 1000)));
  const hp = new Float32Array(500).fill(100);
  hp[(f * 7) % 500] = Math.floor(f / 5);
  return createPackedSnapshot({ entities: Array.from({ length: 500 }, (_, i) => i + 1), worldTime: f, timestamp: 1_000 + f, components: [{ id: 'Body', fields: { x, hp } }] });
}

const frames = 40;
/** Bytes of one decoded snapshot (entity lists not shared with the components', unlike `createPackedSnapshot`'s). */
const size = snapshotBytes(new TimeTravel().decode(new TimeTravel().encode(frame(0))));

function recorded(keyframeCacheBytes?: number): TimeTravel {
  const tt = new TimeTravel({ encode, decode, keyframes: { fullEvery: 4, maxDeltaRatio: Number.POSITIVE_INFINITY }, keyframeCacheBytes });
  for (let f = 0; f < frames; f++) tt.record(f, frame(f));
  return tt;
}

/** Reads every frame, in a scattered order, and checks each against what was recorded. */
function readAll(tt: TimeTravel): void {
  for (let k = 0; k < frames; k++) {
    const f = (k * 17) % frames;
    expect(snapshotsEqual(tt.seekToTime(f)!.snapshot, frame(f))).toBe(true);
  }
}

describe('keyframeCacheBytes', () => {
  it('by default keeps every keyframe decoded once read (within 32 MiB), counted in workingBytes', () => {
    expect(DEFAULT_KEYFRAME_CACHE_BYTES).toBe(32 * 1024 * 1024);
    const tt = recorded();
    readAll(tt);
    const { keyframes, workingBytes } = tt.memoryUsage();
    expect(keyframes).toBe(frames / 4);
    // Every keyframe, and at most the working snapshot and one more frame's snapshot besides.
    expect(workingBytes).toBeGreaterThanOrEqual(keyframes * size);
    expect(workingBytes).toBeLessThanOrEqual((keyframes + 2) * size);
    readAll(tt);
  });

  it('stays within its budget (the last two snapshots kept whatever it is), and reads are exact at any budget', () => {
    for (const budget of [0, 3 * size, 3.5 * size]) {
      const tt = recorded(budget);
      readAll(tt);
      // Cached snapshots within the budget (or the two always kept), plus the working snapshot.
      expect(tt.memoryUsage().workingBytes).toBeLessThanOrEqual(Math.max(budget, 2 * size) + size);
      readAll(tt);
    }
  });

  it('a budget of 0 holds no more than the working snapshot and the last two kept', () => {
    const tt = recorded(0);
    readAll(tt);
    expect(tt.memoryUsage().workingBytes).toBeLessThanOrEqual(3 * size);
  });

  it('keyframes: false keeps nothing decoded', () => {
    const tt = new TimeTravel({ encode, decode, keyframes: false });
    for (let f = 0; f < 8; f++) tt.record(f, frame(f));
    for (let f = 7; f >= 0; f--) expect(snapshotsEqual(tt.seekToTime(f)!.snapshot, frame(f))).toBe(true);
    expect(tt.memoryUsage().workingBytes).toBe(0);
  });

  it('a budget that is not a number of bytes >= 0 is InvalidInput', async () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '1', null]) {
      const error = await packErrorOf(() => new TimeTravel({ keyframeCacheBytes: bad as never }));
      expect(error.code).toBe('InvalidInput');
      expect(error.message).toMatch(/^keyframeCacheBytes is a number of bytes >= 0/);
      expect(error.details).toEqual({ option: 'keyframeCacheBytes', value: bad });
    }
  });
});

describe('SnapshotCache', () => {
  const key = (): Frame => keyFrame(new Uint8Array(1));
  const pairOfKey = (k: Frame): Frame => deltaFrame(k, new Uint8Array(1));

  it('drops pairs before keyframes, each least recently used first, and always keeps the two used last', () => {
    const cache = new SnapshotCache(3 * size);
    const [k1, k2, k3] = [key(), key(), key()];
    const [p1, p2] = [pairOfKey(k1), pairOfKey(k2)];
    for (const f of [k1, p1, k2, p2]) cache.set(f, frame(0));
    // Four snapshots in a budget of three: the least recently used pair went, not the older keyframe.
    expect([k1, p1, k2, p2].map((f) => cache.has(f))).toEqual([true, false, true, true]);
    cache.get(k1);
    cache.set(k3, frame(0));
    expect([k1, k2, p2, k3].map((f) => cache.has(f))).toEqual([true, true, false, true]);
    expect(cache.bytes).toBe(3 * size);
    // A spare is what would be dropped next (never the one excepted), taken out only when the budget is full.
    expect(cache.spare(k2)).toBeDefined();
    expect(cache.has(k2)).toBe(true);
    expect(cache.spare()).toBeUndefined();
    const tight = new SnapshotCache(0);
    for (const f of [k1, p1, k2]) tight.set(f, frame(0));
    expect([k1, p1, k2].map((f) => tight.has(f))).toEqual([false, true, true]);
  });
});
