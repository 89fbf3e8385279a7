// A small timing helper for `bench`: warm up, then take the median of repeated runs.
import { performance } from 'node:perf_hooks';

/** The last result of `fn` and its median duration in milliseconds. */
export interface Timed<T> {
  result: T;
  ms: number;
  samples: number;
}

/** Runs `fn` a few times to warm up, then for about `budgetMs` (at least 5 times); returns the median time. */
export function timeMedian<T>(fn: () => T, budgetMs: number): Timed<T> {
  let result = fn();
  for (let i = 0; i < 2; i++) result = fn();
  const times: number[] = [];
  const until = performance.now() + budgetMs;
  while (times.length < 5 || performance.now() < until) {
    const start = performance.now();
    result = fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { result, ms: times[Math.floor(times.length / 2)]!, samples: times.length };
}
