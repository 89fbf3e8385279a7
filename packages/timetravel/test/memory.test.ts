import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { CodecId, createPackedSnapshot, decodeSnapshot, encodeSnapshot, isPackError, type PackedSnapshot, type SectionCodec, snapshotsEqual } from '@tx2/pack-format';
import { MemoryBackend, SnapshotStore } from '@tx2/pack-store';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KEYFRAME_INTERVAL, DEFAULT_KEYFRAMES, type KeyframeOptions, TimeTravel } from '../src/index.js';
import { loadTimeline, saveTimeline } from '../src/persistence.js';
import { world } from './helpers.js';

/** A world of `n` entities whose positions `step` moves, 1% of the entities a frame, in place. */
function movingWorld(n: number) {
  const entities = Uint32Array.from({ length: n }, (_, i) => i + 1);
  const x = Float32Array.from({ length: n }, (_, i) => i * 0.5);
  const y = Float32Array.from({ length: n }, (_, i) => -i);
  const hp = new Float32Array(n).fill(100);
  let seed = 1;
  const snapshot = (t: number): PackedSnapshot =>
    createPackedSnapshot({
      entities,
      worldTime: t,
      timestamp: 1_700_000_000_000,
      components: [
        { id: 'Position', fields: { x, y } },
        { id: 'Health', fields: { hp } },
      ],
    });
  const step = (): void => {
    for (let k = 0; k < Math.max(1, n / 100); k++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const i = seed % n;
      x[i]! += 1;
      y[i]! -= 1;
    }
  };
  return { snapshot, step };
}

describe('memoryUsage', () => {
  it('keyframes: false stores every frame whole, as before', () => {
    const tt = new TimeTravel({ keyframes: false });
    let expected = 0;
    for (let t = 0; t < 5; t++) {
      tt.record(t, world(t));
      expected += encodeSnapshot(world(t)).byteLength;
    }
    expect(tt.memoryUsage()).toMatchObject({ frames: 5, keyframes: 5, deltas: 0, keyframeBytes: expected, deltaBytes: 0, byteLength: expected, workingBytes: 0 });
  });

  it('by default, a keyframe every 32 frames and small deltas between them', () => {
    const w = movingWorld(2000);
    const tt = new TimeTravel();
    const full = encodeSnapshot(w.snapshot(0)).byteLength;
    for (let t = 0; t < 100; t++) {
      w.step();
      tt.record(t, w.snapshot(t));
    }
    const m = tt.memoryUsage();
    expect(DEFAULT_KEYFRAME_INTERVAL).toBe(32);
    expect(m).toMatchObject({ frames: 100, keyframes: 4, deltas: 96, keyframeBytes: 4 * full });
    expect(m.deltaBytes / m.deltas).toBeLessThan(full / 50);
    expect(m.byteLength / (100 * full)).toBeLessThan(0.07);
    expect(m.workingBytes).toBeGreaterThan(full / 2);
    expect(tt.memoryUsage('main')).toEqual(m);
  });

  it('counts frames shared by timelines once; prunes free them; a pruned keyframe is rebuilt as a new one', () => {
    const w = movingWorld(1000);
    const tt = new TimeTravel({ keyframes: { fullEvery: 10 } });
    for (let t = 0; t < 30; t++) {
      w.step();
      tt.record(t, w.snapshot(t));
    }
    const main = tt.memoryUsage('main');
    tt.forkTimeline('branch', 14);
    expect(tt.memoryUsage()).toEqual(main);
    expect(tt.memoryUsage('branch')).toMatchObject({ frames: 15, keyframes: 2, deltas: 13 });
    tt.switchTimeline('branch');
    w.step();
    tt.record(15, w.snapshot(15));
    expect(tt.memoryUsage().frames).toBe(31);
    const keyBytes = main.keyframeBytes / main.keyframes;
    expect(tt.pruneBefore(5)).toBe(5);
    // Frame 5 was a delta: now a keyframe; frames 6..9 hang on it.
    expect(tt.memoryUsage('branch')).toMatchObject({ frames: 11, keyframes: 2, deltas: 9, keyframeBytes: 2 * keyBytes });
    tt.switchTimeline('main');
    expect(tt.deleteTimeline('branch')).toBe(true);
    expect(tt.memoryUsage()).toEqual({ ...main, workingBytes: tt.memoryUsage().workingBytes });
    tt.clear();
    expect(tt.memoryUsage()).toMatchObject({ frames: 0, byteLength: 0 });
  });

  it('throws for an unknown timeline', () => {
    expect(() => new TimeTravel().memoryUsage('nope')).toThrow(/no timeline "nope"/);
  });
});

describe('keyframe options', () => {
  it('rejects bad settings with a typed error saying what is allowed', () => {
    for (const keyframes of [
      { fullEvery: 0 },
      { fullEvery: 1.5 },
      { fullEvery: Number.NaN },
      { maxDeltaRatio: 0 },
      { maxDeltaRatio: Number.NaN },
      'often' as never,
      null as never,
    ]) {
      let error: unknown;
      try {
        new TimeTravel({ keyframes });
      } catch (err) {
        error = err;
      }
      expect(isPackError(error, 'InvalidInput')).toBe(true);
    }
    expect(() => new TimeTravel({ keyframes: { fullEvery: 0 } })).toThrow(/integer >= 1/);
    expect(new TimeTravel({ keyframes: { fullEvery: 1, maxDeltaRatio: Infinity } }).length).toBe(0);
  });

  it('the deprecated name `every` still sets fullEvery; both names at once must agree', () => {
    const frames = (keyframes: KeyframeOptions): number => {
      const tt = new TimeTravel({ keyframes });
      const w = movingWorld(200);
      for (let t = 0; t < 9; t++) {
        w.step();
        tt.record(t, w.snapshot(t));
      }
      return tt.memoryUsage().keyframes;
    };
    expect(frames({ every: 3 })).toBe(3);
    expect(frames({ every: 3 })).toBe(frames({ fullEvery: 3 }));
    expect(frames({ every: 3, fullEvery: 3 })).toBe(3);
    let error: unknown;
    try {
      new TimeTravel({ keyframes: { every: 3, fullEvery: 4 } });
    } catch (err) {
      error = err;
    }
    expect(isPackError(error, 'InvalidInput')).toBe(true);
    expect((error as Error).message).toMatch(/keyframes\.every \(3\) and keyframes\.fullEvery \(4\) disagree/);
  });

  it('refuses unknown keyframe settings instead of ignoring them, naming the option', () => {
    let error: unknown;
    try {
      new TimeTravel({ keyframes: { fullevery: 3 } as never });
    } catch (err) {
      error = err;
    }
    expect(isPackError(error, 'InvalidInput')).toBe(true);
    expect((error as { details: unknown }).details).toEqual({ option: 'keyframes.fullevery', value: 3 });
    expect(DEFAULT_KEYFRAMES).toEqual({ fullEvery: DEFAULT_KEYFRAME_INTERVAL, maxDeltaRatio: 1 });
  });

  it('fullEvery: 1 stores every frame whole', () => {
    const tt = new TimeTravel({ keyframes: { fullEvery: 1 } });
    for (let t = 0; t < 4; t++) tt.record(t, world(t));
    expect(tt.memoryUsage()).toMatchObject({ keyframes: 4, deltas: 0 });
  });

  it('maxDeltaRatio makes a keyframe once the deltas outweigh it', () => {
    const w = movingWorld(1000);
    const tt = new TimeTravel({ keyframes: { fullEvery: 1000, maxDeltaRatio: 0.05 } });
    for (let t = 0; t < 40; t++) {
      w.step();
      tt.record(t, w.snapshot(t));
    }
    const m = tt.memoryUsage();
    expect(m.keyframes).toBeGreaterThan(1);
    expect(m.deltaBytes).toBeLessThanOrEqual(0.05 * m.keyframeBytes);
  });
});

describe('encoded frames', () => {
  it('recordEncoded makes deltas; TimedSnapshot.bytes of a delta frame is its full encoding, made on demand', () => {
    const tt = new TimeTravel();
    const w = movingWorld(500);
    const recorded: Uint8Array[] = [];
    for (let t = 0; t < 6; t++) {
      w.step();
      recorded.push(encodeSnapshot(w.snapshot(t)));
      tt.recordEncoded(t, recorded[t]!);
    }
    expect(tt.memoryUsage()).toMatchObject({ keyframes: 1, deltas: 5 });
    const entries = tt.entries();
    expect(entries[0]!.bytes).toEqual(recorded[0]); // a keyframe: the bytes as given
    for (let t = 0; t < 6; t++) {
      expect(snapshotsEqual(decodeSnapshot(entries[t]!.bytes), decodeSnapshot(recorded[t]!))).toBe(true);
      expect(entries[t]!.bytes).toBe(entries[t]!.bytes); // memoized
    }
    expect(() => tt.recordEncoded(7, new Uint8Array([1, 2, 3]))).toThrow();
    expect(tt.length).toBe(6);
    // Checked even as a first frame (a keyframe): the next frame would need to decode it.
    expect(() => new TimeTravel().recordEncoded(0, recorded[0]!.subarray(0, 100))).toThrow();
    // keyframes: false keeps the bytes unread, as before.
    const whole = new TimeTravel({ keyframes: false });
    whole.recordEncoded(0, new Uint8Array([1, 2, 3]));
    expect(whole.length).toBe(1);
  });

  it('replaceTimeline takes snapshots, bytes or TimedSnapshots, in any order', () => {
    const tt = new TimeTravel({ keyframes: { fullEvery: 3 } });
    const worlds = [0, 1, 2, 3].map((t) => world(t));
    const entries = [3, 1, 2, 0].map((t) => (t % 2 === 0 ? { time: t, snapshot: worlds[t]! } : { time: t, bytes: encodeSnapshot(worlds[t]!) }));
    tt.replaceTimeline('main', entries);
    expect(tt.times()).toEqual([0, 1, 2, 3]);
    tt.replaceTimeline('copy', tt.entries());
    tt.switchTimeline('copy');
    for (let t = 0; t < 4; t++) expect(snapshotsEqual(tt.snapshotAtOrAfter(t)!.snapshot, worlds[t]!)).toBe(true);
    expect(() => tt.replaceTimeline('bad', [{ time: 0 } as never])).toThrow(/neither a snapshot nor encoded bytes/);
    expect(tt.hasTimeline('bad')).toBe(false);
  });

  it('saves and loads a timeline of deltas, out-of-order records included', async () => {
    const w = movingWorld(300);
    const tt = new TimeTravel({ keyframes: { fullEvery: 4 } });
    const want = new Map<number, Uint8Array>();
    for (const t of [0, 1, 2, 3, 4, 5, 6, 2.5, -1, 7, 8]) {
      w.step();
      tt.record(t, w.snapshot(t));
      want.set(t, encodeSnapshot(w.snapshot(t)));
    }
    const store = new SnapshotStore(new MemoryBackend());
    expect(await saveTimeline(tt, store)).toBe(11);
    const back = new TimeTravel({ keyframes: { fullEvery: 4 } });
    expect(await loadTimeline(back, store, 'main')).toBe(11);
    expect(back.times()).toEqual([...want.keys()].sort((a, b) => a - b));
    for (const [t, bytes] of want) expect(snapshotsEqual(back.snapshotAtOrAfter(t)!.snapshot, decodeSnapshot(bytes))).toBe(true);
    expect(back.memoryUsage().deltas).toBeGreaterThan(5);
  });
});

describe('compressed history', () => {
  it('keyframes and encoded deltas use the encode options; reads use the decode options', () => {
    const deflate: SectionCodec = { id: CodecId.Deflate, name: 'deflate', compress: (raw) => deflateRawSync(raw), decompress: (stored) => inflateRawSync(stored) };
    const tt = new TimeTravel({ encode: { codec: deflate }, decode: { codecs: (id) => (id === deflate.id ? deflate : undefined) }, keyframes: { fullEvery: 5 } });
    const plain = new TimeTravel({ keyframes: { fullEvery: 5 } });
    const w = movingWorld(2000);
    const recorded: PackedSnapshot[] = [];
    for (let t = 0; t < 12; t++) {
      w.step();
      // Frame 7 gains an entity with no components: an encoded delta, compressed.
      const s: PackedSnapshot = t === 7 ? { ...w.snapshot(t), entities: Uint32Array.from({ length: 2001 }, (_, i) => i + 1) } : w.snapshot(t);
      tt.record(t, s);
      plain.record(t, s);
      recorded.push(decodeSnapshot(encodeSnapshot(s)));
    }
    for (let t = 11; t >= 0; t--) expect(snapshotsEqual(tt.snapshotAtOrAfter(t)!.snapshot, recorded[t]!)).toBe(true);
    expect(tt.memoryUsage().keyframeBytes).toBeLessThan(0.9 * plain.memoryUsage().keyframeBytes);
    expect(() => new TimeTravel({ encode: { codec: deflate }, keyframes: false }).record(0, w.snapshot(0))).not.toThrow();
  });
});

describe('partial reads', () => {
  it('decode.components limits what reads return, never what is kept (inserts and replaceTimeline keep whole snapshots)', () => {
    const tt = new TimeTravel({ decode: { components: ['Position'] }, keyframes: { fullEvery: 4 } });
    const w = movingWorld(200);
    const recorded = new Map<number, PackedSnapshot>();
    for (const t of [0, 1, 2, 3, 4, 5, 2.5, 0.5]) {
      w.step();
      tt.record(t, w.snapshot(t));
      recorded.set(t, decodeSnapshot(encodeSnapshot(w.snapshot(t))));
    }
    tt.replaceTimeline('copy', tt.entries());
    for (const line of ['main', 'copy']) {
      tt.switchTimeline(line);
      for (const e of tt.entries()) {
        expect(e.snapshot.components.map((c) => c.id)).toEqual(['Position']);
        expect(snapshotsEqual(decodeSnapshot(e.bytes), recorded.get(e.time)!)).toBe(true);
      }
    }
  });
});
