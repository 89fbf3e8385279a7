// Times a list of steps with tinybench, the same way in Node and in the page.
import { Bench } from 'tinybench';

/** Settings of one run: tinybench time budgets per step, in milliseconds. */
export const DEFAULT_SETTINGS = { time: 600, warmupTime: 150, iterations: 10, warmupIterations: 3 };

/**
 * Runs each step (optionally only those whose name contains `filter`, or one of its `|`-separated parts) under tinybench and returns
 * { name, group, medianMs, meanMs, minMs, rmePct, samples } per step, in order.
 */
export async function runSteps(steps, settings = DEFAULT_SETTINGS, filter = '', log = () => {}) {
  const results = [];
  for (const step of steps) {
    if (filter && !filter.split('|').some((part) => step.name.includes(part))) continue;
    // One task per Bench, so each step gets its own warm-up right before it is timed.
    const bench = new Bench({ ...settings, throws: true });
    bench.add(step.name, step.fn);
    await bench.run();
    const r = bench.tasks[0].result;
    if (r.state !== 'completed') throw new Error(`${step.name}: ${r.state}${r.error ? `: ${r.error.message}` : ''}`);
    const l = r.latency;
    results.push({ name: step.name, group: step.group, medianMs: l.p50, meanMs: l.mean, minMs: l.min, rmePct: l.rme, samples: l.samplesCount });
    log(`${step.name}: ${l.p50.toFixed(3)} ms`);
  }
  return results;
}
