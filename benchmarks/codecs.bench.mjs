// Benchmarks of @tx2/pack-codecs on the reference world: the compression table of the
// reference (Rust) crate, reproduced with our codecs, filters and the container.
//
//   pnpm bench:codecs                                (repo root: N = 10k, 100k, 1M)
//   pnpm bench:codecs --entities 10000               (a subset; comma-separate or repeat)
//   --time-scale 0.5 / BENCH_TIME_SCALE              (scale every time budget)
//   --no-write / BENCH_NO_WRITE=1                    (print only)
//
// Write = SnapshotEncoder(options).encode(packed) (reused output buffer, CRC-32 on);
// read = decodeSnapshot(bytes, { codecs, filters }) with CRC-32 verification, to typed arrays.
// Run with `node --expose-gc` (the package script does) so a full GC runs before every task.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createCodecRegistry, DEFAULT_PACK, packOptions } from '@tx2/pack-codecs';
import { SnapshotEncoder, decodeSnapshot, getColumn } from '@tx2/pack-format';
import { Bench } from 'tinybench';

import { benchOptions, fmtMs, gitInfo, localDate, readVersion } from './bench-env.mjs';
import { referenceColumns } from './world.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];
const TARGET_N = 10_000;

// The reference crate on the 10,000-entity world (native, with SHA-256 digests).
const RUST = {
  none: { bytes: 440_612, writeMs: 0.87, readMs: 0.42 },
  'zstd-3': { bytes: 256_638, writeMs: 0.86, readMs: 0.87 },
  'zstd-19': { bytes: 237_207, writeMs: 50.7, readMs: 0.74 },
};

const { sizes, timeScale, write: writeResults } = benchOptions({ defaultSizes: DEFAULT_SIZES });
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : null;
const log = (...m) => console.error(...m);

function settingsFor(n) {
  const s =
    n <= 20_000
      ? { time: 1000, warmupTime: 200, iterations: 10, warmupIterations: 3 }
      : n <= 200_000
        ? { time: 800, warmupTime: 150, iterations: 4, warmupIterations: 1 }
        : { time: 800, warmup: false, warmupTime: 0, iterations: 1, warmupIterations: 0 };
  return { ...s, time: Math.round(s.time * timeScale), warmupTime: Math.round(s.warmupTime * timeScale) };
}

let sink;
function measure(label, fn, settings) {
  if (gc) gc();
  const bench = new Bench({ ...settings, throws: true, timestampProvider: 'hrtimeNow' });
  bench.add(label, fn);
  const [task] = bench.runSync();
  const r = task.result;
  if (r.state !== 'completed') throw new Error(`${label}: task ${r.state}${r.error ? `: ${r.error.message}` : ''}`);
  const l = r.latency;
  return { medianMs: l.p50, meanMs: l.mean, minMs: l.min, maxMs: l.max, p99Ms: l.p99, rmePct: l.rme, samples: l.samplesCount };
}

const FIELDS = [
  ['Position', 'x', 'position'],
  ['Position', 'y', 'position'],
  ['Position', 'z', 'position'],
  ['Velocity', 'x', 'velocity'],
  ['Velocity', 'y', 'velocity'],
  ['Velocity', 'z', 'velocity'],
  ['Health', 'current', 'health'],
  ['Health', 'max', 'health'],
];

/** Every value of the decoded snapshot must equal the reference columns, bit for bit. */
function check(label, decoded, cols) {
  const fail = (what) => {
    throw new Error(`correctness check failed for "${label}": ${what}`);
  };
  if (decoded.entities.length !== cols.n) fail(`${decoded.entities.length} entities`);
  for (let i = 0; i < cols.n; i++) if (decoded.entities[i] !== cols.entities[i]) fail(`entity ${i}`);
  for (const [component, field, group] of FIELDS) {
    const got = getColumn(decoded, component, field, 'f32');
    const want = cols[group][field];
    const a = new Uint8Array(got.buffer, got.byteOffset, got.byteLength);
    const b = new Uint8Array(want.buffer, want.byteOffset, want.byteLength);
    if (!Buffer.from(a).equals(Buffer.from(b))) fail(`${component}.${field} differs`);
  }
}

// The rows: [label, codec, level, filter]. "default" is packOptions() with no arguments.
const ROWS = [
  { key: 'none', label: 'none', codec: 'none', filter: 'none' },
  { key: 'lz4', label: 'LZ4 (level 1)', codec: 'lz4', level: 1 },
  { key: 'zstd-1', label: 'Zstd-1', codec: 'zstd', level: 1 },
  { key: 'zstd-3', label: 'Zstd-3', codec: 'zstd', level: 3 },
  { key: 'zstd-3-nofilter', label: 'Zstd-3, no filters', codec: 'zstd', level: 3, filter: 'none' },
  { key: 'zstd-19', label: 'Zstd-19', codec: 'zstd', level: 19 },
  { key: 'deflate-6', label: 'Deflate-6', codec: 'deflate', level: 6 },
  { key: 'gzip-6', label: 'gzip-6', codec: 'gzip', level: 6 },
  { key: 'default', label: `default: packOptions() = ${DEFAULT_PACK.codec}-${DEFAULT_PACK.level}, filter ${DEFAULT_PACK.filter}` },
];

async function runSize(n, registry) {
  const settings = settingsFor(n);
  log(`\n== N = ${n.toLocaleString('en-US')} entities`);
  const cols = referenceColumns(n);
  const readOptions = { codecs: registry.codecs, filters: registry.filters };
  const rows = [];
  let noneBytes = 0;
  for (const row of ROWS) {
    const options = row.key === 'default' ? await packOptions() : await packOptions({ codec: row.codec, level: row.level, filter: row.filter ?? 'auto' });
    const encoder = new SnapshotEncoder(options);
    const bytes = encoder.encode(cols.packed).slice();
    check(row.label, decodeSnapshot(bytes, readOptions), cols);
    if (row.key === 'none') noneBytes = bytes.length;
    log(`  ${row.label}: write…`);
    const write = measure(
      `${row.label} write`,
      () => {
        sink = encoder.encode(cols.packed);
      },
      settings,
    );
    if (!Buffer.from(sink).equals(Buffer.from(bytes))) throw new Error(`"${row.label}": the timed write differs from the checked one`);
    log(`  ${row.label}: read…`);
    const read = measure(
      `${row.label} read`,
      () => {
        sink = decodeSnapshot(bytes, readOptions);
      },
      settings,
    );
    check(row.label, sink, cols);
    sink = undefined;
    rows.push({
      key: row.key,
      label: row.label,
      codec: options.codec.name,
      level: options.level,
      filter: row.filter ?? 'auto',
      bytes: bytes.length,
      ratio: noneBytes / bytes.length,
      write,
      read,
      sha256: 'n/a',
      rust: n === TARGET_N ? (RUST[row.key] ?? null) : null,
    });
  }
  return { entities: n, settings, rows, targets: n === TARGET_N ? targets(rows) : null };
}

function targets(rows) {
  const r = Object.fromEntries(rows.map((x) => [x.key, x]));
  const d = r.default;
  const ms = (v) => `${fmtMs(v)} ms`;
  const B = (v) => `${v.toLocaleString('en-US')} B`;
  const t = (name, pass, shown) => ({ name, pass, shown });
  const writeLimit = 1.5 * RUST['zstd-3'].writeMs;
  const readLimit = 1.2 * RUST['zstd-3'].readMs;
  return [
    t('default codec <= 218,000 bytes', d.bytes <= 218_000, B(d.bytes)),
    t(`default codec write <= 1.5x Rust Zstd-3 (${ms(writeLimit)})`, d.write.medianMs <= writeLimit, ms(d.write.medianMs)),
    t(`default codec read <= 1.2x Rust Zstd-3 (${ms(readLimit)})`, d.read.medianMs <= readLimit, ms(d.read.medianMs)),
    t('Zstd-3 <= 218,000 bytes', r['zstd-3'].bytes <= 218_000, B(r['zstd-3'].bytes)),
    t('Zstd-19 <= 213,000 bytes', r['zstd-19'].bytes <= 213_000, B(r['zstd-19'].bytes)),
    t('LZ4 write faster than Zstd-1', r.lz4.write.medianMs < r['zstd-1'].write.medianMs, `${ms(r.lz4.write.medianMs)} vs ${ms(r['zstd-1'].write.medianMs)}`),
    t('LZ4 read faster than Zstd-1', r.lz4.read.medianMs < r['zstd-1'].read.medianMs, `${ms(r.lz4.read.medianMs)} vs ${ms(r['zstd-1'].read.medianMs)}`),
  ];
}

function table(run) {
  const rust = run.entities === TARGET_N;
  const lines = [
    `### N = ${run.entities.toLocaleString('en-US')} entities`,
    '',
    `| codec and level | filters | bytes | ratio | write (ms) | read (ms) | SHA-256 |${rust ? ' Rust bytes | Rust write (ms) | Rust read (ms) |' : ''}`,
    `|---|---|---:|---:|---:|---:|---|${rust ? '---:|---:|---:|' : ''}`,
  ];
  for (const r of run.rows) {
    const ref = r.rust ? ` ${r.rust.bytes.toLocaleString('en-US')} | ${r.rust.writeMs} | ${r.rust.readMs} |` : rust ? ' | | |' : '';
    lines.push(
      `| ${r.label} | ${r.filter} | ${r.bytes.toLocaleString('en-US')} | ${r.ratio.toFixed(2)} | ${fmtMs(r.write.medianMs)} | ${fmtMs(r.read.medianMs)} | ${r.sha256} |${ref}`,
    );
  }
  lines.push(
    '',
    'ratio = bytes of the "none" row / bytes of the row. Write and read are medians, CRC-32 on (written and verified). SHA-256 digests are future work of the crypto tier ("n/a"); the Rust figures include them.',
  );
  return lines.join('\n');
}

function targetLines(run) {
  return [`### Targets (N = ${run.entities.toLocaleString('en-US')})`, '', ...run.targets.map((t) => `- ${t.pass ? 'PASS' : 'FAIL'} ${t.name}: ${t.shown}`)].join('\n');
}

const started = new Date();
const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  totalMemoryBytes: os.totalmem(),
  loadAverage: os.loadavg(),
  node: process.version,
  v8: process.versions.v8,
  platform: process.platform,
  arch: process.arch,
  osRelease: os.release(),
};
log(`tx2-pack codec benchmarks: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverage.map((v) => v.toFixed(2)).join(' ')}`);
if (!gc) log('warning: global.gc is not exposed (run node with --expose-gc)');

const registry = await createCodecRegistry();
const runs = [];
for (const n of sizes) {
  const run = await runSize(n, registry);
  runs.push(run);
  console.log(`\n${table(run)}\n`);
  if (run.targets) console.log(`${targetLines(run)}\n`);
}
if (!runs.some((r) => r.targets)) console.log(`Targets: not checked (they apply to N = ${TARGET_N.toLocaleString('en-US')}, which was not run).`);

const finished = new Date();
const result = {
  benchmark: 'codecs',
  date: localDate(started),
  startedAt: started.toISOString(),
  durationSeconds: (finished - started) / 1000,
  machine,
  versions: { '@tx2/pack-codecs': readVersion('@tx2/pack-codecs'), '@tx2/pack-format': readVersion('@tx2/pack-format'), tinybench: readVersion('tinybench') },
  git: gitInfo(['../packages/codecs', '../packages/format'], 'packagesDirty'),
  gcExposed: gc !== null,
  defaultPack: DEFAULT_PACK,
  rust: { entities: TARGET_N, note: 'reference crate, native, with SHA-256', rows: RUST },
  methodology:
    'tinybench (runSync, hrtime), one task per Bench, full GC before each task; reported time = median. Write = SnapshotEncoder(packOptions(...)).encode(packed) into its reused buffer, CRC-32 on; read = decodeSnapshot(bytes, { codecs, filters }) with CRC-32 verification. Every row is checked value for value before and after timing.',
  timeScale,
  runs,
};

if (writeResults) {
  const dir = join(HERE, 'results');
  mkdirSync(dir, { recursive: true });
  const jsonPath = join(dir, `codecs-${result.date}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  const md = [
    '# @tx2/pack-codecs benchmark results (latest run)',
    '',
    `${result.startedAt} — ${machine.cpu}, ${machine.cores} cores, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${machine.node} (${machine.platform}-${machine.arch}), load average ${machine.loadAverage.map((v) => v.toFixed(2)).join(' ')}` +
      (result.git ? `, commit ${result.git.commit.slice(0, 12)}${result.git.packagesDirty ? ' (packages modified)' : ''}` : ''),
    '',
    `Default: \`packOptions()\` = ${DEFAULT_PACK.codec} level ${DEFAULT_PACK.level}, filters ${DEFAULT_PACK.filter} (byte-shuffle on numeric columns, delta on entity sets). Median per op; see benchmarks/README.md.`,
    '',
    ...runs.flatMap((run) => [table(run), '', ...(run.targets ? [targetLines(run), ''] : [])]),
  ].join('\n');
  writeFileSync(join(dir, 'codecs-latest.md'), md);
  log(`\nwrote ${jsonPath} and ${join(dir, 'codecs-latest.md')} (${result.durationSeconds.toFixed(0)} s)`);
}
