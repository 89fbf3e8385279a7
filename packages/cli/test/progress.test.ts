// Progress reports, driven by a fake terminal and a fake clock (no timing in the assertions).
import { describe, expect, it } from 'vitest';
import { Output } from '../src/output.js';
import { formatEta, Progress } from '../src/progress.js';

/** A stream that records what is written; `isTTY` as a terminal's. */
function fakeStream(isTTY: boolean): { isTTY: boolean; text: string; write(s: string): boolean } {
  return {
    isTTY,
    text: '',
    write(s: string) {
      this.text += s;
      return true;
    },
  };
}

/** A clock the test moves by hand. */
function fakeClock(): { now: () => number; advance(ms: number): void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

const frames = (text: string): string[] => text.split('\r\x1b[2K').filter((f) => f !== '');

describe('Progress', () => {
  it('shows nothing for work that ends within half a second', () => {
    const stream = fakeStream(true);
    const clock = fakeClock();
    const progress = new Progress('reading', 1000, stream, { now: clock.now });
    clock.advance(499);
    progress.advance(999);
    progress.finish();
    expect(stream.text).toBe('');
  });

  it('never draws a 0% frame: before any work is counted it shows that it is working, then bytes, rate and ETA from real work', () => {
    const stream = fakeStream(true);
    const clock = fakeClock();
    const progress = new Progress('reading world.json', 100_000_000, stream, { now: clock.now });
    clock.advance(600);
    progress.tick();
    clock.advance(400);
    progress.advance(25_000_000); // 25 MB in 1 s
    const [first, second] = frames(stream.text);
    expect(first).toContain('working, 0.6 s so far');
    expect(first).not.toMatch(/%|ETA/);
    expect(second).toContain('25%');
    expect(second).toContain('25.0 MB / 100.0 MB');
    expect(second).toContain('25.0 MB/s');
    expect(second).toContain('ETA 3.0 s');
    progress.finish();
    expect(stream.text.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('redraws at most every 100 ms of the clock', () => {
    const stream = fakeStream(true);
    const clock = fakeClock();
    const progress = new Progress('x', 1000, stream, { now: clock.now });
    clock.advance(500);
    for (let i = 0; i < 50; i++) progress.advance(1);
    expect(frames(stream.text)).toHaveLength(1);
    clock.advance(100);
    progress.advance(1);
    expect(frames(stream.text)).toHaveLength(2);
  });

  it('counts items as well as bytes, and shows no total when it is unknown', () => {
    const stream = fakeStream(true);
    const clock = fakeClock();
    const entities = new Progress('writing JSON', 0, stream, { now: clock.now, unit: { plural: 'entities' } });
    clock.advance(2000);
    entities.advance(50_001);
    expect(frames(stream.text)[0]).toBe('writing JSON  50,001 entities  25,001 entities/s');
  });

  it('labels can change as the work moves on', () => {
    const stream = fakeStream(true);
    const clock = fakeClock();
    const progress = new Progress('encoding Position', 10, stream, { now: clock.now });
    clock.advance(1000);
    progress.advance(5);
    clock.advance(1000);
    progress.relabel('encoding Health');
    expect(frames(stream.text)[1]).toMatch(/^encoding Health {2}\[#{10}-{10}\] {2}50%/);
  });

  it('formats ETAs for people', () => {
    expect(formatEta(400)).toBe('0.4 s');
    expect(formatEta(12_400)).toBe('12 s');
    expect(formatEta(185_000)).toBe('3 min 5 s');
  });
});

describe('Output.progress', () => {
  const run = (isTTY: boolean, options: { json?: boolean; env?: NodeJS.ProcessEnv } = {}): string => {
    const stderr = fakeStream(isTTY);
    const clock = fakeClock();
    const output = new Output({ stdout: fakeStream(isTTY), stderr, env: options.env ?? {}, json: options.json ?? false, now: clock.now });
    const progress = output.progress('reading', 100);
    clock.advance(1000);
    progress.advance(50);
    progress.finish();
    return stderr.text;
  };

  it('draws on a terminal', () => {
    expect(run(true)).toContain('50%');
  });

  it('draws nothing when stderr is piped, with --json, or on a dumb terminal', () => {
    expect(run(false)).toBe('');
    expect(run(true, { json: true })).toBe('');
    expect(run(true, { env: { TERM: 'dumb' } })).toBe('');
  });

  it('is unchanged by NO_COLOR (it has no colors to turn off)', () => {
    expect(run(true, { env: { NO_COLOR: '1' } })).toBe(run(true));
  });
});
