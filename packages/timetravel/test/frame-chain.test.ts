import fc from 'fast-check';
import { getColumn } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { type Frame, frameByteLength, keyOf } from '../src/frame.js';
import { FrameChain } from '../src/frame-chain.js';
import { keyframePolicy } from '../src/keyframe-policy.js';
import { Timeline } from '../src/timeline.js';
import { EvolvingWorld, type WorldChange } from './evolving-world.js';
import { TimeTravel } from '../src/index.js';

/** The layout every operation must leave: first frame a keyframe, each delta on the frame just before, chains within the policy. */
function checkLayout(line: Timeline, chain: FrameChain): void {
  const { fullEvery, maxDeltaRatio } = chain.policy;
  line.frames.forEach((frame: Frame, j) => {
    if (j === 0) expect(frame.kind).toBe('key');
    if (frame.kind === 'key') return;
    // Chained on the frame before, or made from the keyframe of the run (a moving world's temporal deltas).
    if (frame.base !== line.frames[j - 1]) {
      expect(frame.base.kind).toBe('key');
      expect(frame.base).toBe(keyOf(line.frames[j - 1]!));
    }
    expect(frame.depth).toBeLessThan(fullEvery);
    expect(frame.chainBytes).toBeLessThanOrEqual(maxDeltaRatio * frame.key.bytes.byteLength);
    expect(frame.chainBytes).toBe((frame.base.kind === 'key' ? 0 : frame.base.chainBytes) + frameByteLength(frame));
  });
}

const move = (row: number, bits: number): WorldChange => ({ kind: 'move', rows: [row], bits: [bits] });

describe('frame layout', () => {
  it('inserts, replacements and prunes re-link the chain: no frame hangs on a frame the timeline no longer has', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 8, arbitrary: fc.record({ record: fc.integer({ min: 0, max: 40 }), grow: fc.integer({ min: 0, max: 9 }).map((n) => n === 0), bits: fc.integer() }) },
            { weight: 1, arbitrary: fc.record({ pruneBefore: fc.integer({ min: 0, max: 40 }) }) },
            { weight: 1, arbitrary: fc.record({ pruneAfter: fc.integer({ min: 0, max: 40 }) }) },
          ),
          { maxLength: 60 },
        ),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(0.02, 0.3, 1, Infinity),
        (ops, every, maxDeltaRatio) => {
          const chain = new FrameChain(keyframePolicy({ fullEvery: every, maxDeltaRatio }), {}, {});
          const line = new Timeline();
          const world = new EvolvingWorld();
          for (const o of ops) {
            if ('record' in o) {
              world.change(o.grow ? { kind: 'grow' } : move(o.record, o.bits));
              line.record(o.record, { snapshot: world.snapshot(o.record) }, chain);
            } else if ('pruneBefore' in o) line.pruneBefore(o.pruneBefore, chain);
            else line.pruneAfter(o.pruneAfter);
            checkLayout(line, chain);
          }
        },
      ),
      { seed: 20261203, numRuns: 200 },
    );
  });

  it('a prune in the middle of a chain makes its first frame a keyframe and re-links the rest; an insert re-expresses its successor', () => {
    const chain = new FrameChain(keyframePolicy({ fullEvery: 4 }), {}, {});
    const line = new Timeline();
    const world = new EvolvingWorld();
    for (let t = 0; t < 10; t++) {
      world.change(move(t, t * 99));
      line.record(t, { snapshot: world.snapshot(t) }, chain);
    }
    expect(line.frames.map((f) => f.kind)).toEqual(['key', 'delta', 'delta', 'delta', 'key', 'delta', 'delta', 'delta', 'key', 'delta']);
    line.pruneBefore(1.5, chain);
    expect(line.frames.map((f) => f.kind)).toEqual(['key', 'delta', 'key', 'delta', 'delta', 'delta', 'key', 'delta']);
    checkLayout(line, chain);
    const [first, second, third] = line.frames;
    world.change(move(0, 12345));
    line.record(2.5, { snapshot: world.snapshot(2.5) }, chain);
    checkLayout(line, chain);
    expect(line.frames[0]).toBe(first);
    expect(line.frames[2]).not.toBe(second); // re-made against the inserted frame
    expect(line.frames[3]).toBe(third); // a keyframe: untouched
  });

  it('moves become value patches; births, metadata and strings become encoded deltas', () => {
    // No byte limit: in a world this small an encoded delta outweighs a keyframe, which would win.
    const chain = new FrameChain(keyframePolicy({ fullEvery: 100, maxDeltaRatio: Infinity }), {}, {});
    const line = new Timeline();
    const world = new EvolvingWorld();
    const kinds = (change: WorldChange): string => {
      world.change(change);
      line.record(line.length, { snapshot: world.snapshot(line.length) }, chain);
      const frame = line.frames[line.length - 1]!;
      return frame.kind === 'key' ? 'key' : frame.change instanceof Uint8Array ? 'encoded' : 'patch';
    };
    expect(kinds({ kind: 'nothing' })).toBe('key');
    expect(kinds(move(1, 0x7fc00001))).toBe('patch'); // a NaN with a payload
    expect(kinds({ kind: 'mass', row: 2, value: -(2n ** 63n) })).toBe('patch');
    expect(kinds({ kind: 'nothing' })).toBe('patch');
    expect(kinds({ kind: 'grow' })).toBe('encoded');
    expect(kinds({ kind: 'meta', value: 3 })).toBe('encoded');
    expect(kinds({ kind: 'rename', row: 0, name: 'z' })).toBe('encoded');
    expect(kinds({ kind: 'extra' })).toBe('encoded');
    checkLayout(line, chain);
  });
});

describe('the working snapshot', () => {
  it('is never handed out: changing what a read returns never changes a later read', () => {
    const tt = new TimeTravel({ keyframes: { fullEvery: 8 } });
    const world = new EvolvingWorld();
    for (let t = 0; t < 20; t++) {
      world.change(move(t, t * 1000));
      tt.record(t, world.snapshot(t));
    }
    const expected = tt.entries().map((e) => [...getColumn(e.snapshot, 'Position', 'x', 'f32')]);
    for (let t = 0; t < 20; t++) {
      const read = tt.seekToTime(t)!.snapshot;
      getColumn(read, 'Position', 'x', 'f32').fill(-7);
      read.components.pop();
      const fork = tt.forkAtTime(t + 0.5)!;
      getColumn(fork, 'Position', 'x', 'f32').fill(-9);
    }
    expect(tt.entries().map((e) => [...getColumn(e.snapshot, 'Position', 'x', 'f32')])).toEqual(expected);
  });
});
