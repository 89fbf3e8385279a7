// Compressed writes on worker threads (@tx2/pack-codecs/workers) against the single-thread path.
//
// Usage: node workers.bench.mjs [--entities 100k,1m] [--rounds 5] [--encodes 3]
//
// Every sample is a fresh process (peak RSS means something only per process): it builds the
// reference world's columns, encodes once to warm up (WebAssembly compiled, worker threads
// started), then times `--encodes` encodes: wall time (performance.now), CPU time of the whole
// process (process.cpuUsage: the main thread and the workers), peak RSS (resourceUsage().maxRSS).
// Cases run interleaved, in a rotated order, `--rounds` times: the machine is shared, so the
// tables give medians over every encode of every round, with the load average around each round.
// Each sample checks that the pool's bytes equal encodeSnapshot's.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { localDate, machineLine, parseSizes, writeResults } from './bench-env.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const MODES = ['single', 'workers-2', 'workers-2-all'];
const LEVELS = [1, 3];

if (process.argv[2] === '--child') await child(JSON.parse(process.argv[3]));
else await main();

/** One sample: encodes the world `encodes` times in one mode and prints the measurements as JSON. */
async function child({ n, level, mode, encodes }) {
  const { encodeSnapshot, bytesEqual } = await import('@tx2/pack-format');
  const { packOptions } = await import('@tx2/pack-codecs');
  const { createCompressionPool } = await import('@tx2/pack-codecs/workers');
  const { referenceColumns } = await import('./world.mjs');
  const { packed } = referenceColumns(n);
  const options = await packOptions({ codec: 'zstd', level });
  // workers-2-all: thresholds at 0, every section on a worker (what the default thresholds decide against).
  const pool = mode === 'single' ? undefined : await createCompressionPool(mode === 'workers-2' ? { threads: 2 } : { threads: 2, minSectionBytes: 0, minSnapshotBytes: 0 });
  const encode = () => (pool === undefined ? encodeSnapshot(packed, options) : pool.encode(packed, options));
  const reference = encodeSnapshot(packed, options);
  const warm = await encode();
  if (!bytesEqual(warm, reference)) throw new Error(`${mode} n=${n} zstd-${level}: the bytes differ from encodeSnapshot's`);
  const rssBefore = process.resourceUsage().maxRSS;
  const wall = [];
  const cpu = [];
  for (let i = 0; i < encodes; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await encode();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  await pool?.close();
  process.stdout.write(JSON.stringify({ wall, cpu, peakRssKiB: process.resourceUsage().maxRSS, rssBeforeKiB: rssBefore, bytes: reference.length }));
}

async function main() {
  const { values } = parseArgs({ options: { entities: { type: 'string', multiple: true }, rounds: { type: 'string' }, encodes: { type: 'string' } } });
  const sizes = parseSizes(values.entities ?? ['100k', '1m']);
  const rounds = Number(values.rounds ?? 5);
  const encodes = Number(values.encodes ?? 3);
  const cases = sizes.flatMap((n) => LEVELS.flatMap((level) => MODES.map((mode) => ({ n, level, mode }))));
  const samples = new Map(cases.map((c) => [key(c), []]));
  const loads = [];
  const started = new Date();
  const machineAtStart = machineLine();
  for (let round = 0; round < rounds; round++) {
    loads.push(os.loadavg()[0]);
    // Rotate the order each round so that no case always runs right after another.
    const order = cases.map((_, i) => cases[(i + round) % cases.length]);
    for (const c of order) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', JSON.stringify({ ...c, encodes })], {
        cwd: HERE,
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      samples.get(key(c)).push(JSON.parse(out));
      console.error(
        `round ${round + 1}/${rounds} ${key(c)}: wall ${JSON.parse(out)
          .wall.map((v) => v.toFixed(0))
          .join(' ')} ms, load ${os.loadavg()[0].toFixed(2)}`,
      );
    }
  }
  loads.push(os.loadavg()[0]);
  const markdown = report({ sizes, rounds, encodes, cases, samples, loads, started, machineAtStart });
  const path = writeResults('workers', markdown);
  writeFileSync(path.replace('-latest.md', `-${localDate(started)}.md`), markdown);
  console.log(markdown);
}

function key(c) {
  return `${c.n} zstd-${c.level} ${c.mode}`;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function report({ sizes, rounds, encodes, samples, loads, started, machineAtStart }) {
  const lines = [
    '# Compressed writes on worker threads',
    '',
    `Run: ${machineAtStart}; finished ${new Date().toISOString()} (${((Date.now() - started.getTime()) / 1000).toFixed(0)} s).`,
    `Load average (1 min) at the start of each round and at the end: ${loads.map((l) => l.toFixed(2)).join(', ')} (median ${median(loads).toFixed(2)}) on ${os.cpus().length} cores.`,
    '',
    `Reference world (benchmarks/world.mjs, referenceColumns), zstd + auto filters, CRC-32 on. Single = encodeSnapshot; workers-2 = createCompressionPool({ threads: 2 }).encode (default thresholds: sections < 256 KiB and snapshots < 4 MiB stay on the calling thread); workers-2-all = the same with both thresholds at 0. ` +
      `${rounds} rounds, cases interleaved in rotated order, each sample a fresh process: one warm-up encode, then ${encodes} timed encodes. ` +
      'Wall and CPU (whole process: main thread + workers) are medians over every timed encode; peak RSS is the median of the processes\' maxRSS (world columns included); "RSS before" is maxRSS after the warm-up encode. Ratios: mode / single of the same size and level, same run.',
    '',
    '| entities | level | mode | bytes | wall ms (median) | wall min–max | CPU ms (median) | peak RSS MiB | RSS before MiB | wall ratio | CPU ratio | RSS ratio |',
    '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const n of sizes) {
    for (const level of LEVELS) {
      const base = summary(samples.get(key({ n, level, mode: 'single' })));
      for (const mode of MODES) {
        const s = summary(samples.get(key({ n, level, mode })));
        lines.push(
          `| ${n.toLocaleString('en-US')} | ${level} | ${mode} | ${s.bytes.toLocaleString('en-US')} | ${s.wall.toFixed(1)} | ${s.min.toFixed(0)}–${s.max.toFixed(0)} | ${s.cpu.toFixed(1)} | ${s.rss.toFixed(0)} | ${s.before.toFixed(0)} | ${(s.wall / base.wall).toFixed(2)} | ${(s.cpu / base.cpu).toFixed(2)} | ${(s.rss / base.rss).toFixed(2)} |`,
        );
      }
    }
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}

function summary(list) {
  const wall = list.flatMap((s) => s.wall);
  return {
    bytes: list[0].bytes,
    wall: median(wall),
    min: Math.min(...wall),
    max: Math.max(...wall),
    cpu: median(list.flatMap((s) => s.cpu)),
    rss: median(list.map((s) => s.peakRssKiB / 1024)),
    before: median(list.map((s) => s.rssBeforeKiB / 1024)),
  };
}
