// Benchmarks of @tx2/pack-timetravel.
//
//   pnpm bench:timetravel            (repo root)
//   pnpm bench:timetravel --times 100000 --frames 1000 --entities 10000 --seeks 1000
//
// 1. Keyframes and deltas: `frames` frames of the reference world (`entities` entities) where
//    1% of the entities move each frame (position += velocity, in place in the world's typed
//    arrays, as an ECS does), recorded with each keyframe setting: keyframes: false (every
//    frame a full snapshot: the baseline), the default (a keyframe every 32 frames) and two
//    other intervals. Reported: bytes held (memoryUsage().byteLength) against the baseline's
//    (exactly the bytes of `frames` full snapshots), retained heap after a GC against the
//    baseline's, record time per frame, and `seekToTime(t).snapshot` (seek and read the
//    snapshot, rebuilt from its keyframe) at `seeks` uniform random times, plus stepping
//    forward frame by frame. Targets: bytes <= 5% of full snapshots, every seek < 5 ms.
// 2. Queries: a TimeTravel holding `times` recorded times (plus 1,000 and 10,000 for
//    comparison, to show the logarithmic growth), each entry a small encoded world recorded
//    with recordEncoded and keyframes: false (the queries never read the entries, so how they
//    are stored does not matter). Times are increasing with random gaps (and negative ones).
//    Queries are uniform random times over the recorded range; tinybench measures batches of
//    1,000 queries, reported per query. Also: record() of the 10,000-entity reference world
//    (encode + insert) and forkAtTime on it (decode with copy), as full snapshots.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

import { encodeSnapshot } from '@tx2/pack-format';
import { TimeTravel } from '@tx2/pack-timetravel';
import { Bench } from 'tinybench';

import { fmtMs, gitInfo, localDate, machineLine, MemorySampler, readVersion, writeResults } from './bench-env.mjs';
import { mulberry32, referenceColumns } from './world.mjs';

const { values: args } = parseArgs({
  options: {
    times: { type: 'string', default: '100000' },
    frames: { type: 'string', default: '1000' },
    entities: { type: 'string', default: '10000' },
    seeks: { type: 'string', default: '1000' },
    'no-write': { type: 'boolean', default: false },
  },
});
const count = (name) => {
  const n = Number(args[name].replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: not a positive integer: "${args[name]}"`);
  return n;
};
const TIMES = count('times');
const FRAMES = count('frames');
const ENTITIES = count('entities');
const SEEKS = count('seeks');
const started = new Date();
const gc = globalThis.gc ?? (() => {});
if (!globalThis.gc) console.error('warning: run node with --expose-gc: retained heap cannot be measured without it');
const BATCH = 1000;
const tiny = encodeSnapshot(referenceColumns(1).packed);

function filled(n) {
  const rand = mulberry32(7);
  const tt = new TimeTravel({ keyframes: false });
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
const json = { keyframes: [], queries: [] };

// ---- 1. Keyframes and deltas -------------------------------------------------------------

const heldBytes = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** Records FRAMES frames of the moving reference world with `keyframes`, then seeks; one TimeTravel alive at a time. */
async function keyframeRun(label, keyframes, every) {
  const world = referenceColumns(ENTITIES);
  const { position: p, velocity: v } = world;
  const rand = mulberry32(2024);
  const movers = Math.max(1, Math.round(ENTITIES / 100));
  const before = heldBytes();
  const tt = new TimeTravel({ keyframes });
  const record = new Float64Array(FRAMES);
  for (let f = 0; f < FRAMES; f++) {
    for (let k = 0; k < movers; k++) {
      const i = Math.floor(rand() * ENTITIES);
      p.x[i] += v.x[i];
      p.y[i] += v.y[i];
      p.z[i] += v.z[i];
    }
    world.packed.worldTime = f;
    const t0 = performance.now();
    tt.record(f, world.packed);
    record[f] = performance.now() - t0;
  }
  const retained = heldBytes() - before;
  const memory = tt.memoryUsage();
  // Random seeks: each reads the snapshot (rebuilt from its keyframe when stored as a delta).
  const seek = new Float64Array(SEEKS);
  const seekRand = mulberry32(77);
  // Garbage collections during the seeks: each read hands out a fresh copy of the world.
  const pauses = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push(e.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  for (let q = 0; q < SEEKS; q++) {
    const t = seekRand() * (FRAMES - 1);
    const t0 = performance.now();
    const snapshot = tt.seekToTime(t).snapshot;
    seek[q] = performance.now() - t0;
    if (snapshot.worldTime !== Math.round(t)) throw new Error(`seekToTime(${t}) read frame ${snapshot.worldTime}`);
  }
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the observer report
  observer.disconnect();
  // The longest chains: the last frame before each keyframe (every - 1 deltas), reached from
  // another group of frames so that nothing rebuilt before helps; 5 rounds.
  const deepest = [];
  for (let round = 0; round < 5; round++) {
    for (let f = every - 1; f < FRAMES; f += every) {
      tt.seekToTime((f + every) % FRAMES).snapshot;
      const t0 = performance.now();
      tt.seekToTime(f).snapshot;
      deepest.push(performance.now() - t0);
    }
  }
  // Stepping forward frame by frame from a random start: one delta each.
  const steps = Math.min(FRAMES, 200);
  const step = new Float64Array(steps);
  const from = Math.floor(seekRand() * (FRAMES - steps));
  tt.seekToTime(from).snapshot;
  for (let k = 0; k < steps; k++) {
    const t0 = performance.now();
    tt.seekToTime(from + k).snapshot;
    step[k] = performance.now() - t0;
  }
  const sorted = (a) => Float64Array.from(a).sort();
  const rec = sorted(record);
  const sk = sorted(seek);
  const st = sorted(step);
  const dp = sorted(deepest);
  return {
    label,
    keyframes,
    memory,
    retainedBytes: retained,
    recordMs: { median: quantile(rec, 0.5), p99: quantile(rec, 0.99), max: rec[rec.length - 1], total: record.reduce((a, b) => a + b, 0) },
    seekMs: { median: quantile(sk, 0.5), p99: quantile(sk, 0.99), max: sk[sk.length - 1] },
    seekGc: { count: pauses.length, totalMs: pauses.reduce((a, b) => a + b, 0), maxMs: Math.max(0, ...pauses) },
    stepMs: { median: quantile(st, 0.5), p99: quantile(st, 0.99), max: st[st.length - 1] },
    deepestMs: { every, median: quantile(dp, 0.5), max: dp[dp.length - 1], samples: dp.length },
  };
}

const fullBytes = encodeSnapshot(referenceColumns(ENTITIES).packed).byteLength;
const configs = [
  ['full snapshots (keyframes: false)', false, 1],
  ['every 16', { every: 16 }, 16],
  ['default (every 32)', undefined, 32],
  ['every 64', { every: 64 }, 64],
];
const runs = [];
for (const [label, keyframes, every] of configs) {
  console.error(`keyframes: ${label}…`);
  runs.push(await keyframeRun(label, keyframes, every));
}
const baseline = runs[0];
const pct = (a, b) => `${((100 * a) / b).toFixed(2)}%`;
const mib = (b) => (b / 2 ** 20).toFixed(1);
log(`## Keyframes and deltas: ${FRAMES.toLocaleString('en')} frames of the ${ENTITIES.toLocaleString('en')}-entity reference world, 1% of entities moving per frame`);
log('');
log(
  `One full snapshot encodes to ${fullBytes.toLocaleString('en')} bytes; ${FRAMES.toLocaleString('en')} of them to ${mib(baseline.memory.byteLength)} MiB (the keyframes: false row). Seeks: \`seekToTime(t).snapshot\` at ${SEEKS.toLocaleString('en')} uniform random times (seek, rebuild from the keyframe, copy out); deepest: the frames just before a keyframe (the longest chain, every − 1 deltas), each reached from another group of frames, 5 rounds; steps: the same for ${Math.min(FRAMES, 200)} consecutive frames. Medians show the cost. The p99 and max show garbage-collection pauses (each read hands out a fresh copy of the world, about 1 GB/s back to back: see the GC columns; the full-snapshot row has the same tails) and other processes on a shared machine.`,
);
log('');
log(
  '| keyframes | keyframes / deltas | bytes held (MiB) | vs full snapshots | retained heap (MiB) | vs full snapshots | record median / p99 (ms) | seek median / p99 / max (ms) | deepest median / max (ms) | step median / max (ms) | GCs during seeks / longest pause (ms) |',
);
log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of runs) {
  log(
    `| ${r.label} | ${r.memory.keyframes} / ${r.memory.deltas} | ${mib(r.memory.byteLength)} | ${pct(r.memory.byteLength, baseline.memory.byteLength)} | ${mib(r.retainedBytes)} | ${pct(r.retainedBytes, baseline.retainedBytes)} | ${fmtMs(r.recordMs.median)} / ${fmtMs(r.recordMs.p99)} | ${fmtMs(r.seekMs.median)} / ${fmtMs(r.seekMs.p99)} / ${fmtMs(r.seekMs.max)} | ${fmtMs(r.deepestMs.median)} / ${fmtMs(r.deepestMs.max)} | ${fmtMs(r.stepMs.median)} / ${fmtMs(r.stepMs.max)} | ${r.seekGc.count} / ${fmtMs(r.seekGc.maxMs)} |`,
  );
}
const chosen = runs.find((r) => r.keyframes === undefined);
const memoryOk = chosen.memory.byteLength <= 0.05 * baseline.memory.byteLength && chosen.retainedBytes <= 0.05 * baseline.retainedBytes;
const seekOk = chosen.seekMs.max < 5;
const deepestOk = chosen.deepestMs.median < 5;
log('');
log(
  `Targets (default setting): bytes held ≤ 5% of full snapshots: ${pct(chosen.memory.byteLength, baseline.memory.byteLength)} (retained heap ${pct(chosen.retainedBytes, baseline.retainedBytes)}) — ${memoryOk ? 'met' : 'MISSED'}; seeks < 5 ms: median ${fmtMs(chosen.seekMs.median)} ms and longest chain median ${fmtMs(chosen.deepestMs.median)} ms — ${deepestOk ? 'met' : 'MISSED'}; slowest of ${SEEKS.toLocaleString('en')} random seeks ${fmtMs(chosen.seekMs.max)} ms — ${seekOk ? 'met' : 'MISSED'} (longest GC pause during them ${fmtMs(chosen.seekGc.maxMs)} ms). Load average at the end: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}.`,
);
log('');
json.keyframes = runs.map((r) => ({ ...r, keyframes: r.keyframes === undefined ? 'default' : r.keyframes }));
json.fullSnapshotBytes = fullBytes;
json.targets = { memoryOk, seekOk, deepestOk };

// ---- 2. Queries ----------------------------------------------------------------------------

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
const world = new TimeTravel({ keyframes: false });
let wt = 0;
bench.add('record(t, 10,000-entity world) (keyframes: false: encode + append)', () => {
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
  json.queries.push({ task: task.name, medianUs: (median * 1000) / per, p99Us: (p99 * 1000) / per });
}
log('');
log('Target: seekToTime well under 10 µs per query at 100,000 times, growing logarithmically with the number of times.');

if (!args['no-write']) {
  console.error(`wrote ${writeResults('timetravel', `${lines.join('\n')}\n`)}`);
  const here = dirname(fileURLToPath(import.meta.url));
  const result = {
    benchmark: 'timetravel',
    date: localDate(started),
    startedAt: started.toISOString(),
    durationSeconds: (Date.now() - started.getTime()) / 1000,
    machine: {
      cpu: os.cpus()[0]?.model ?? 'cpu',
      cores: os.cpus().length,
      totalMemoryBytes: os.totalmem(),
      node: process.version,
      v8: process.versions.v8,
      platform: process.platform,
      arch: process.arch,
      loadAverage: os.loadavg(),
    },
    versions: { '@tx2/pack-timetravel': readVersion('@tx2/pack-timetravel'), '@tx2/pack-format': readVersion('@tx2/pack-format') },
    git: gitInfo(['../packages/timetravel', '../packages/format'], 'packagesDirty'),
    gcExposed: globalThis.gc !== undefined,
    args: { times: TIMES, frames: FRAMES, entities: ENTITIES, seeks: SEEKS },
    ...json,
  };
  const path = join(here, 'results', `timetravel-${result.date}.json`);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  console.error(`wrote ${path}`);
}
