import { isPackError } from '@tx2/pack-format';
import { describe, expect, it, vi } from 'vitest';
import { ReplayEngine, type ReplayFrame } from '../src/index.js';
import { countingSource, world } from './helpers.js';

function engineOf(n: number, loop = false): ReplayEngine {
  const engine = new ReplayEngine({ loop });
  for (let i = 0; i < n; i++) engine.addCheckpoint(`c${i}`, world(i));
  return engine;
}

describe('playback', () => {
  it('plays forward to the end, one onFrame call per frame', async () => {
    const e = engineOf(5);
    const ids: string[] = [];
    const off = e.onFrame((f) => ids.push(f.id));
    expect(await e.play({ fps: 1000 })).toBe('ended');
    expect(ids).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(e.isPlaying).toBe(false);
    off();
    await e.seekToStart();
    await e.play({ fps: 1000 });
    expect(ids.length).toBe(5);
  });

  it('plays backward, lazily loaded checkpoints included', async () => {
    const e = new ReplayEngine();
    await e.loadFromManager(countingSource(4));
    await e.seekToEnd();
    const ids: string[] = [];
    e.onFrame((f) => ids.push(f.id));
    expect(await e.play({ fps: 500, direction: 'backward' })).toBe('ended');
    expect(ids).toEqual(['c3', 'c2', 'c1', 'c0']);
  });

  it('pause stops a looping playback; speed scales the frame rate', async () => {
    // A fake clock: the frame times are exact, whatever the machine's load.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const e = engineOf(3, true);
      const frames: ReplayFrame[] = [];
      const shownAt: number[] = [];
      const started = performance.now();
      e.onFrame((f) => {
        frames.push(f);
        shownAt.push(performance.now() - started);
        if (frames.length === 7) e.pause();
      });
      const played = e.play({ fps: 10, speed: 10 });
      await vi.runAllTimersAsync();
      expect(await played).toBe('paused');
      expect(frames.map((f) => f.index)).toEqual([0, 1, 2, 0, 1, 2, 0]);
      // 1000 / (10 fps * speed 10) = 10 ms between frames.
      expect(shownAt).toEqual([0, 10, 20, 30, 40, 50, 60]);
      expect(e.isPlaying).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a new play pauses the previous one; an empty engine ends at once', async () => {
    const e = engineOf(3, true);
    const first = e.play({ fps: 20 });
    expect(e.isPlaying).toBe(true);
    const second = e.play({ fps: 1000, direction: 'backward' });
    expect(await first).toBe('paused');
    e.loop = false;
    expect(await second).toBe('ended');
    expect(await engineOf(0).play()).toBe('ended');
  });

  it('rejects bad play options with typed errors', async () => {
    const e = engineOf(2);
    for (const options of [{ speed: 0 }, { speed: -1 }, { fps: Number.NaN }, { direction: 'sideways' as never }]) {
      await expect(e.play(options)).rejects.toSatisfy((err: unknown) => isPackError(err, 'InvalidInput'));
    }
  });

  it('async iteration in both directions, from a given index, stopping after one cycle with loop on', async () => {
    const e = engineOf(4, true);
    const fwd: number[] = [];
    for await (const f of e.frames({ from: 2 })) fwd.push(f.index);
    expect(fwd).toEqual([2, 3, 0, 1]);
    const back: number[] = [];
    for await (const f of e.frames({ from: 1, direction: 'backward' })) back.push(f.index);
    expect(back).toEqual([1, 0, 3, 2]);
    e.loop = false;
    const rest: number[] = [];
    for await (const f of e.frames({ from: 1, direction: 'backward' })) rest.push(f.index);
    expect(rest).toEqual([1, 0]);
    const all: number[] = [];
    for await (const f of e) {
      all.push(f.index);
      if (f.index === 2) break;
    }
    expect(all).toEqual([0, 1, 2]);
    expect(e.index).toBe(2);
  });
});
