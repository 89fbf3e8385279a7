import { isPackError } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { ReplayEngine } from '../src/index.js';
import { world } from './helpers.js';

function engineOf(n: number, loop = false): ReplayEngine {
  const engine = new ReplayEngine({ loop });
  for (let i = 0; i < n; i++) engine.addCheckpoint(`c${i}`, world(i));
  return engine;
}

describe('ReplayEngine navigation', () => {
  it('an empty engine answers nothing without throwing, except seek', async () => {
    for (const loop of [false, true]) {
      const e = engineOf(0, loop);
      expect(e.length).toBe(0);
      expect(e.index).toBe(-1);
      expect(e.isAtStart).toBe(true);
      expect(e.isAtEnd).toBe(true);
      expect(await e.current()).toBeUndefined();
      expect(await e.next()).toBeUndefined();
      expect(await e.previous()).toBeUndefined();
      expect(await e.seekToStart()).toBeUndefined();
      expect(await e.seekToEnd()).toBeUndefined();
      await expect(e.seek(0)).rejects.toSatisfy((err: unknown) => isPackError(err, 'InvalidInput'));
      const seen = [];
      for await (const f of e) seen.push(f);
      expect(seen).toEqual([]);
    }
  });

  it('one element: loop off stays, loop on wraps onto itself', async () => {
    const off = engineOf(1);
    expect(off.isAtStart && off.isAtEnd).toBe(true);
    expect(await off.next()).toBeUndefined();
    expect(await off.previous()).toBeUndefined();
    expect(off.index).toBe(0);
    const on = engineOf(1, true);
    expect((await on.next())?.id).toBe('c0');
    expect((await on.previous())?.id).toBe('c0');
    expect(on.index).toBe(0);
  });

  it('loop off: stays at both ends and says so', async () => {
    const e = engineOf(3);
    expect((await e.current())?.id).toBe('c0');
    expect(await e.previous()).toBeUndefined();
    expect(e.index).toBe(0);
    expect((await e.next())?.id).toBe('c1');
    expect((await e.next())?.id).toBe('c2');
    expect(e.isAtEnd).toBe(true);
    expect(await e.next()).toBeUndefined();
    expect(e.index).toBe(2);
    expect((await e.previous())?.id).toBe('c1');
  });

  it('loop on: wraps at both ends', async () => {
    const e = engineOf(3, true);
    expect((await e.previous())?.id).toBe('c2');
    expect(e.isAtEnd).toBe(true);
    expect((await e.next())?.id).toBe('c0');
    expect(e.isAtStart).toBe(true);
    e.loop = false;
    expect(await e.previous()).toBeUndefined();
  });

  it('seeks to every index, and rejects every out-of-range index with a typed error', async () => {
    const e = engineOf(7);
    for (let i = 0; i < 7; i++) {
      const f = await e.seek(i);
      expect(f.index).toBe(i);
      expect(f.id).toBe(`c${i}`);
      expect(f.snapshot.worldTime).toBe(i);
      expect(e.index).toBe(i);
      expect(e.isAtStart).toBe(i === 0);
      expect(e.isAtEnd).toBe(i === 6);
    }
    for (const bad of [-1, 7, 100, 1.5, Number.NaN, Infinity]) {
      await expect(e.seek(bad)).rejects.toSatisfy((err: unknown) => isPackError(err, 'InvalidInput') && /out of range/.test((err as Error).message));
      expect(e.index).toBe(6);
    }
    expect((await e.seekToStart())?.index).toBe(0);
    expect((await e.seekToEnd())?.index).toBe(6);
  });

  it('clear empties the engine', async () => {
    const e = engineOf(3);
    await e.seek(2);
    e.clear();
    expect(e.length).toBe(0);
    expect(e.index).toBe(-1);
    expect(await e.current()).toBeUndefined();
    e.addCheckpoint('x', world(9));
    expect((await e.current())?.id).toBe('x');
  });

  it('rejects bad arguments with typed errors', () => {
    expect(() => new ReplayEngine({ cacheSize: 0 })).toThrow(/cacheSize/);
    const e = new ReplayEngine();
    expect(() => e.addCheckpoint('', world(0))).toThrow(/id/);
    expect(() => e.addCheckpoint('a', {} as never)).toThrow(/PackedSnapshot/);
  });
});
