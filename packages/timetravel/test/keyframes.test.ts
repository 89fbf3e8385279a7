import fc from 'fast-check';
import { decodeSnapshot, encodeSnapshot, type PackedSnapshot, snapshotsEqual } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { type KeyframeOptions, TimeTravel } from '../src/index.js';
import { EvolvingWorld, type WorldChange } from './evolving-world.js';

/** The simple model: every timeline a map of time -> full encoded snapshot. */
class Model {
  readonly lines = new Map<string, Map<number, Uint8Array>>([['main', new Map()]]);
  active = 'main';
  get line(): Map<number, Uint8Array> {
    return this.lines.get(this.active)!;
  }
  times(name = this.active): number[] {
    return [...this.lines.get(name)!.keys()].sort((a, b) => a - b);
  }
  atOrBefore(t: number): number | undefined {
    return this.times()
      .filter((x) => x <= t)
      .pop();
  }
  atOrAfter(t: number): number | undefined {
    return this.times().find((x) => x >= t);
  }
  nearest(t: number): number | undefined {
    let best: number | undefined;
    for (const x of this.times()) if (best === undefined || Math.abs(x - t) < Math.abs(best - t)) best = x;
    return best;
  }
}

type Op =
  | { op: 'change'; change: WorldChange }
  | { op: 'record'; time: number }
  | { op: 'seek' | 'before' | 'after' | 'fork' | 'pruneBefore' | 'pruneAfter'; time: number }
  | { op: 'forkTimeline'; name: string; time: number }
  | { op: 'switch' | 'delete' | 'copyTo'; name: string }
  | { op: 'readAll' };

const time = fc.integer({ min: 0, max: 24 }).map((n) => n / 2);
const name = fc.constantFrom('main', 'b', 'c');
const change: fc.Arbitrary<WorldChange> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('move' as const),
      rows: fc.array(fc.nat(20), { minLength: 1, maxLength: 3 }),
      bits: fc.array(fc.integer(), { minLength: 3, maxLength: 3 }),
    }),
  },
  fc.constant({ kind: 'grow' as const }),
  fc.record({ kind: fc.constant('shrink' as const), row: fc.nat(20) }),
  fc.record({ kind: fc.constant('meta' as const), value: fc.integer() }),
  fc.constant({ kind: 'extra' as const }),
  fc.record({ kind: fc.constant('rename' as const), row: fc.nat(20), name: fc.string({ maxLength: 3 }) }),
  fc.record({ kind: fc.constant('mass' as const), row: fc.nat(20), value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) }),
  fc.constant({ kind: 'nothing' as const }),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('change' as const), change }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant('record' as const), time }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('seek' as const, 'before' as const, 'after' as const, 'fork' as const), time }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('pruneBefore' as const, 'pruneAfter' as const), time }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('forkTimeline' as const), name, time }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('switch' as const, 'delete' as const, 'copyTo' as const), name }) },
  { weight: 1, arbitrary: fc.constant({ op: 'readAll' as const }) },
);
const keyframes: fc.Arbitrary<KeyframeOptions | false | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant(false as const),
  fc.record({ fullEvery: fc.integer({ min: 1, max: 5 }), maxDeltaRatio: fc.constantFrom(0.05, 0.5, 1, Infinity) }),
);

function same(actual: PackedSnapshot | undefined, bytes: Uint8Array | undefined): void {
  expect(actual === undefined).toBe(bytes === undefined);
  if (actual !== undefined) expect(snapshotsEqual(actual, decodeSnapshot(bytes!))).toBe(true);
}

/** Every entry of the active timeline, through entries() (bytes and snapshot) in time order. */
function readAll(tt: TimeTravel, model: Model): void {
  const entries = tt.entries();
  expect(entries.map((e) => e.time)).toEqual(model.times());
  for (const e of entries) {
    same(e.snapshot, model.line.get(e.time));
    same(decodeSnapshot(e.bytes), model.line.get(e.time));
  }
}

function checkMemory(tt: TimeTravel, options: KeyframeOptions | false | undefined): void {
  for (const line of tt.listTimelines()) {
    const m = tt.memoryUsage(line);
    tt.switchTimeline(line);
    expect(m.frames).toBe(tt.length);
    expect(m.keyframes + m.deltas).toBe(m.frames);
    expect(m.byteLength).toBe(m.keyframeBytes + m.deltaBytes);
    if (m.frames > 0) expect(m.keyframes).toBeGreaterThanOrEqual(1);
    const every = options === false ? 1 : (options?.fullEvery ?? 32);
    expect(m.keyframes).toBeGreaterThanOrEqual(Math.ceil(m.frames / every));
  }
}

function run(ops: Op[], options: KeyframeOptions | false | undefined, strings = true): void {
  const tt = new TimeTravel({ keyframes: options });
  const model = new Model();
  const world = new EvolvingWorld({ strings });
  let tag = 0;
  for (const o of ops) {
    switch (o.op) {
      case 'change':
        world.change(o.change);
        break;
      case 'record': {
        const snapshot = world.snapshot(tag++);
        tt.record(o.time, snapshot);
        model.line.set(o.time, encodeSnapshot(snapshot));
        break;
      }
      case 'seek': {
        const got = tt.seekToTime(o.time);
        expect(got?.time).toBe(model.nearest(o.time));
        same(got?.snapshot, got && model.line.get(got.time));
        break;
      }
      case 'before':
      case 'after': {
        const got = o.op === 'before' ? tt.snapshotAtOrBefore(o.time) : tt.snapshotAtOrAfter(o.time);
        const want = o.op === 'before' ? model.atOrBefore(o.time) : model.atOrAfter(o.time);
        expect(got?.time).toBe(want);
        same(got?.snapshot, want === undefined ? undefined : model.line.get(want));
        break;
      }
      case 'fork': {
        const want = model.atOrBefore(o.time);
        same(tt.forkAtTime(o.time), want === undefined ? undefined : model.line.get(want));
        break;
      }
      case 'pruneBefore':
      case 'pruneAfter': {
        const gone = model.times().filter((t) => (o.op === 'pruneBefore' ? t < o.time : t > o.time));
        expect(o.op === 'pruneBefore' ? tt.pruneBefore(o.time) : tt.pruneAfter(o.time)).toBe(gone.length);
        for (const t of gone) model.line.delete(t);
        break;
      }
      case 'forkTimeline':
        if (model.lines.has(o.name)) {
          expect(() => tt.forkTimeline(o.name, o.time)).toThrow(/already exists/);
        } else {
          tt.forkTimeline(o.name, o.time);
          model.lines.set(o.name, new Map([...model.line].filter(([t]) => t <= o.time)));
        }
        break;
      case 'switch':
        if (model.lines.has(o.name)) {
          tt.switchTimeline(o.name);
          model.active = o.name;
        }
        break;
      case 'delete':
        if (o.name !== model.active) expect(tt.deleteTimeline(o.name)).toBe(model.lines.delete(o.name));
        break;
      case 'copyTo':
        if (o.name !== model.active) {
          tt.replaceTimeline(o.name, tt.entries());
          model.lines.set(o.name, new Map(model.line));
        }
        break;
      case 'readAll':
        readAll(tt, model);
        break;
    }
  }
  for (const line of model.lines.keys()) {
    tt.switchTimeline(line);
    model.active = line;
    expect(tt.times()).toEqual(model.times());
    // Backwards, so that every read rebuilds from a keyframe rather than stepping forward.
    for (const t of model.times().reverse()) same(tt.snapshotAtOrAfter(t)!.snapshot, model.line.get(t));
    readAll(tt, model);
  }
  checkMemory(tt, options);
}

describe('keyframes and deltas against a model of full snapshots', () => {
  it('records (in and out of order), seeks, prunes, forks and timelines read back exactly what was recorded', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), keyframes, fc.boolean(), (ops, options, strings) => run(ops, options, strings)),
      { seed: 20261203, numRuns: 300 },
    );
  });

  it('long in-order runs with small keyframe intervals, then out-of-order inserts and prunes in the middle of chains', () => {
    fc.assert(
      fc.property(
        fc.array(change, { minLength: 30, maxLength: 60 }),
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 120 }).map((n) => n / 2 + 0.25),
            change,
          ),
          { maxLength: 10 },
        ),
        fc.integer({ min: 2, max: 8 }),
        fc.array(
          time.map((t) => t * 2),
          { maxLength: 3 },
        ),
        fc.boolean(),
        (changes, inserts, every, prunes, strings) => {
          const ops: Op[] = [];
          for (const [i, c] of changes.entries()) ops.push({ op: 'change', change: c }, { op: 'record', time: i });
          for (const [t, c] of inserts) ops.push({ op: 'change', change: c }, { op: 'record', time: t }, { op: 'seek', time: t + 0.5 });
          for (const t of prunes) ops.push({ op: 'pruneBefore', time: t }, { op: 'readAll' });
          run(ops, { fullEvery: every }, strings);
        },
      ),
      { seed: 20261203, numRuns: 60 },
    );
  });
});
