// The statistics of `bench`: medians and spreads of samples.
import { describe, expect, it } from 'vitest';
import { calibrate, sample, stats } from '../src/timing.js';

describe('bench statistics', () => {
  it('takes the median and half the interquartile range relative to it, unmoved by one outlier', () => {
    const s = stats([10, 11, 9, 10, 500]);
    expect(s.median).toBe(10);
    expect(s.spread).toBeCloseTo((11 - 10) / 2 / 10);
    expect(s.samples).toBe(5);
  });

  it('interpolates an even count', () => {
    expect(stats([1, 2, 3, 4]).median).toBe(2.5);
    expect(stats([5]).spread).toBe(0);
  });

  it('calibrates to at least one call, and samples per call', () => {
    let calls = 0;
    const fn = () => calls++;
    const iterations = calibrate(fn, 0);
    expect(iterations).toBe(1);
    expect(sample(fn, 4)).toBeGreaterThanOrEqual(0);
    expect(calls).toBe(2 + 4);
  });
});
