// The page of the Web Worker pool benchmark (bundled by esbuild, browser build of
// @tx2/pack-codecs/workers): builds the reference world and exposes `runWorkersBench`, which
// times encodeSnapshot against a pool of Web Workers on the same world, same options.
import { packOptions } from '@tx2/pack-codecs';
import { createCompressionPool } from '@tx2/pack-codecs/workers';
import { referenceColumns } from '@tx2/pack-cli/reference-world';
import { bytesEqual, encodeSnapshot } from '@tx2/pack-format';
import { runSteps } from './runner.mjs';

let world;
let pool;

/** The steps of one level: single encodeSnapshot, and the pool with `threads` Web Workers (default thresholds). */
async function stepsFor(level) {
  const options = await packOptions({ codec: 'zstd', level, filter: 'auto' });
  const reference = encodeSnapshot(world.packed, options);
  // Warm-up and check: workers started, codec loaded in each, bytes identical.
  const parallel = await pool.encode(world.packed, options);
  if (!bytesEqual(parallel, reference)) throw new Error(`zstd-${level}: the pool's bytes differ from encodeSnapshot's`);
  return {
    bytes: reference.length,
    steps: [
      { name: `zstd-${level} single`, fn: () => encodeSnapshot(world.packed, options) },
      { name: `zstd-${level} pool-${pool.threads}`, fn: () => pool.encode(world.packed, options) },
    ],
  };
}

/** One round: every step of every level, in the given order; returns tinybench results and output sizes. */
globalThis.runWorkersBench = async ({ n, threads, levels, settings, reverse }) => {
  world ??= referenceColumns(n);
  pool ??= await createCompressionPool({ threads });
  const bytes = {};
  let steps = [];
  for (const level of levels) {
    const made = await stepsFor(level);
    bytes[level] = made.bytes;
    steps.push(...made.steps);
  }
  // Alternate the order between rounds so that neither side always runs first.
  if (reverse) steps = steps.reverse();
  const results = await runSteps(steps, settings, '', (line) => console.log(line));
  return { results, bytes, hardwareConcurrency: navigator.hardwareConcurrency, crossOriginIsolated: globalThis.crossOriginIsolated === true };
};

/** Terminates the pool's workers. */
globalThis.closeWorkersBench = async () => {
  await pool?.close();
  pool = undefined;
};
