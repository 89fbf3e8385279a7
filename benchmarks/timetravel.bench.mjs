// Benchmarks of @tx2/pack-timetravel.
//
//   pnpm bench:timetravel            (repo root)
//   pnpm bench:timetravel --times 100000
//
// A TimeTravel holding `times` recorded times (plus 1,000 and 10,000 for comparison, to show
// the logarithmic growth), each entry a small encoded world recorded with recordEncoded
// (the queries never decode, so the entry size does not matter). Times are increasing with
// random gaps (and negative ones). Queries are uniform random times over the recorded range;
// tinybench measures batches of 1,000 queries, reported per query. Also: record() of the
// 10,000-entity reference world (encode + insert) and forkAtTime on it (decode with copy).
import { parseArgs } from 'node:util';

import { encodeSnapshot } from '@tx2/pack-format';
import { TimeTravel } from '@tx2/pack-timetravel';
import { Bench } from 'tinybench';

import { machineLine, MemorySampler, writeResults } from './bench-env.mjs';
import { mulberry32, referenceColumns } from './world.mjs';

const { values: args } = parseArgs({
  options: {
    times: { type: 'string', default: '100000' },
    'no-write': { type: 'boolean', default: false },
  },
});
const TIMES = Number(args.times.replace(/_/g, ''));
const BATCH = 1000;
const tiny = encodeSnapshot(referenceColumns(1).packed);

function filled(n) {
  const rand = mulberry32(7);
  const tt = new TimeTravel();
  let t = -n / 4;
  for (let i = 0; i < n; i++) {
    t += 0.01 + rand();
    tt.recordEncoded(t, tiny);
  }
  return tt;
}

const lines = ['# @tx2/pack-timetravel benchmark results (latest run)', '', machineLine(), ''];
const log = (s) => {
  console.log(s);
  lines.push(s);
};

const bench = new Bench({ time: 1000, warmupTime: 200 });
const sizes = [...new Set([1000, 10000, TIMES])].sort((a, b) => a - b);
let memLine = '';
for (const n of sizes) {
  const sampler = n === TIMES ? new MemorySampler() : undefined;
  const start = performance.now();
  const tt = filled(n);
  const recordMs = performance.now() - start;
  if (sampler) {
    const m = sampler.stop();
    memLine = `Recording ${n.toLocaleString('en')} entries of ${tiny.byteLength} bytes with recordEncoded took ${recordMs.toFixed(0)} ms (${((recordMs * 1000) / n).toFixed(2)} µs each); peak heap+arrayBuffers over baseline ${m.peakHeldMiB.toFixed(1)} MiB.`;
  }
  const lo = tt.earliestTime;
  const span = tt.latestTime - lo;
  const rand = mulberry32(99);
  const queries = Float64Array.from({ length: 1 << 16 }, () => lo - 5 + rand() * (span + 10));
  let q = 0;
  let sink = 0;
  bench.add(`seekToTime, ${n.toLocaleString('en')} times`, () => {
    for (let i = 0; i < BATCH; i++) sink += tt.seekToTime(queries[q++ & 0xffff]).time;
  });
  bench.add(`snapshotAtOrBefore, ${n.toLocaleString('en')} times`, () => {
    for (let i = 0; i < BATCH; i++) sink += tt.snapshotAtOrBefore(queries[q++ & 0xffff])?.time ?? 0;
  });
  bench.add(`snapshotAtOrAfter, ${n.toLocaleString('en')} times`, () => {
    for (let i = 0; i < BATCH; i++) sink += tt.snapshotAtOrAfter(queries[q++ & 0xffff])?.time ?? 0;
  });
  if (Number.isNaN(sink)) console.log(sink);
}

const { packed } = referenceColumns(10000);
const world = new TimeTravel();
let wt = 0;
bench.add('record(t, 10,000-entity world) (encode + append)', () => {
  world.record(wt++, packed);
  if (world.length > 200) world.pruneBefore(wt - 100);
});
bench.add('forkAtTime on 10,000-entity world (decode with copy)', () => {
  if (world.forkAtTime(world.latestTime) === undefined) throw new Error('no fork');
});

await bench.run();

log(`## Queries (median per query; tinybench batches of ${BATCH})`);
log('');
log(memLine);
log('');
log('| task | per op (µs) | p99 per op (µs) | samples |');
log('|---|---:|---:|---:|');
for (const task of bench.tasks) {
  const r = task.result;
  const per = task.name.includes('10,000-entity') ? 1 : BATCH;
  const median = r.latency?.p50 ?? r.period;
  const p99 = r.latency?.p99 ?? r.period;
  log(`| ${task.name} | ${((median * 1000) / per).toFixed(3)} | ${((p99 * 1000) / per).toFixed(3)} | ${r.latency?.samplesCount ?? r.samples?.length ?? ''} |`);
}
log('');
log('Target: seekToTime well under 10 µs per query at 100,000 times, growing logarithmically with the number of times.');

if (!args['no-write']) console.error(`wrote ${writeResults('timetravel', lines.join('\n') + '\n')}`);
