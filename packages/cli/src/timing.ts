// Timing for `bench` on a busy machine: each sample repeats the work long enough to dwarf the
// timer, settings are measured in interleaved rounds (a burst of load hits every setting alike,
// not one), and results are medians with their spread rather than a single mean.
import { performance } from 'node:perf_hooks';

/** The median and spread of a set of samples, in milliseconds per operation. */
export interface SampleStats {
  median: number;
  /** Half the interquartile range relative to the median (0.04 = ±4%). */
  spread: number;
  samples: number;
}

/** The value at quantile `q` (0..1) of sorted `values`, interpolated. */
function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

/** Median and relative interquartile spread of `values`. */
export function stats(values: readonly number[]): SampleStats {
  const sorted = [...values].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  const spread = median > 0 ? (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / 2 / median : 0;
  return { median, spread, samples: sorted.length };
}

/** How many calls of `fn` make one sample of at least `minSampleMs` (measured once, after a first call). */
export function calibrate(fn: () => unknown, minSampleMs: number): number {
  fn();
  const start = performance.now();
  fn();
  const once = Math.max(performance.now() - start, 0.001);
  return Math.max(1, Math.ceil(minSampleMs / once));
}

/** One sample: `iterations` calls of `fn`, in milliseconds per call. */
export function sample(fn: () => unknown, iterations: number): number {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  return (performance.now() - start) / iterations;
}
