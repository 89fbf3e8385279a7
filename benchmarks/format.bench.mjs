// Benchmarks of @tx2/pack-format against same-process peers on the reference world.
//
//   pnpm bench                               (repo root: all sizes 10k, 100k, 1M)
//   pnpm bench --entities 10000              (a subset; repeat or comma-separate: --entities 10000,100000)
//   BENCH_ENTITIES=10000,100000 pnpm bench   (same, by environment)
//   --time-scale 0.5 / BENCH_TIME_SCALE      (scale every time budget; < 1 for a quick look)
//   --no-write / BENCH_NO_WRITE=1            (print only, write no result files)
//
// Run with `node --expose-gc` (the package's bench script does) so a full GC runs before every task.
// Tables go to stdout, progress to stderr.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

import { Decoder as MsgpackDecoder, Encoder as MsgpackEncoder } from '@msgpack/msgpack';
import { SnapshotEncoder, decodeSnapshot, fromWorldSnapshot, getColumn, toWorldSnapshot } from '@tx2/pack-format';
import { Packr, Unpackr, isNativeAccelerationEnabled } from 'msgpackr';
import { Bench } from 'tinybench';

import { benchOptions, fmtMs, gitInfo, localDate, readVersion } from './bench-env.mjs';
import { REFERENCE_SCHEMA, REFERENCE_TIMESTAMP, REFERENCE_VERSION, mulberry32, referenceColumns, referenceWorld } from './world.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];
const TARGET_N = 10_000;

// ---------------------------------------------------------------------------------------------
// Options

const { sizes, timeScale, write: writeResults } = benchOptions({ defaultSizes: DEFAULT_SIZES });
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : null;

/** tinybench settings by world size: long enough for a stable median, short enough for a few minutes in all. */
function settingsFor(n) {
  // Fast tasks are bounded by `time` (thousands of samples at 10k); slow peers by `iterations`.
  // At 1M the correctness check right before timing serves as the warmup call, and a slow peer
  // gets a single timed call: 1M figures are indicative.
  const s =
    n <= 20_000
      ? { time: 600, warmupTime: 200, iterations: 20, warmupIterations: 5 }
      : n <= 200_000
        ? { time: 1000, warmupTime: 200, iterations: 5, warmupIterations: 2 }
        : { time: 1000, warmup: false, warmupTime: 0, iterations: 1, warmupIterations: 0 };
  return { ...s, time: Math.round(s.time * timeScale), warmupTime: Math.round(s.warmupTime * timeScale) };
}

const log = (...m) => console.error(...m);

// ---------------------------------------------------------------------------------------------
// Measurement

let sink; // results of timed calls land here so that nothing can be optimized away

function measure(label, fn, settings) {
  if (gc) gc();
  const bench = new Bench({ ...settings, throws: true, timestampProvider: 'hrtimeNow' });
  bench.add(label, fn);
  const [task] = bench.runSync();
  const r = task.result;
  if (r.state !== 'completed') throw new Error(`${label}: task ${r.state}${r.error ? `: ${r.error.message}` : ''}`);
  const l = r.latency;
  return { medianMs: l.p50, meanMs: l.mean, minMs: l.min, maxMs: l.max, p75Ms: l.p75, p99Ms: l.p99, rmePct: l.rme, samples: l.samplesCount };
}

// ---------------------------------------------------------------------------------------------
// Correctness checks, run before (and after) timing so a broken method cannot post a fast-but-wrong number

function spotIndices(n) {
  const rand = mulberry32(7);
  const set = new Set([0, 1, n >> 1, n - 1]);
  for (let k = 0; k < 16; k++) set.add(Math.floor(rand() * n));
  return [...set].filter((i) => i >= 0 && i < n);
}

function fail(method, what) {
  throw new Error(`correctness check failed for "${method}": ${what}`);
}

/** A decoded WorldSnapshot must hold the reference world: same entity count, ids and (spot-checked) values. */
function checkWorld(method, world, cols) {
  if (!world || !Array.isArray(world.entities)) fail(method, 'no entities array');
  if (world.entities.length !== cols.n) fail(method, `${world.entities.length} entities, expected ${cols.n}`);
  if (world.timestamp !== REFERENCE_TIMESTAMP) fail(method, `timestamp ${world.timestamp}`);
  if (world.version !== REFERENCE_VERSION) fail(method, `version ${world.version}`);
  for (const i of spotIndices(cols.n)) {
    const e = world.entities[i];
    if (e.id !== cols.entities[i]) fail(method, `entity ${i} has id ${e.id}, expected ${cols.entities[i]}`);
    const ids = e.components.map((c) => c.id).join(',');
    if (ids !== 'Position,Velocity,Health') fail(method, `entity ${i} components ${ids}`);
    const [p, v, h] = e.components.map((c) => c.data);
    const expect = [
      [p.x, cols.position.x[i]],
      [p.y, cols.position.y[i]],
      [p.z, cols.position.z[i]],
      [v.x, cols.velocity.x[i]],
      [v.y, cols.velocity.y[i]],
      [v.z, cols.velocity.z[i]],
      [h.current, cols.health.current[i]],
      [h.max, cols.health.max[i]],
    ];
    for (const [got, want] of expect) if (got !== want) fail(method, `entity ${i}: value ${got}, expected ${want}`);
  }
}

/** A decoded PackedSnapshot must hold the reference columns. Returns whether the columns are views over `bytes`. */
function checkPacked(method, packed, cols, bytes) {
  if (packed.entities.length !== cols.n) fail(method, `${packed.entities.length} entities, expected ${cols.n}`);
  const fields = [
    ['Position', 'x', cols.position.x],
    ['Position', 'y', cols.position.y],
    ['Position', 'z', cols.position.z],
    ['Velocity', 'x', cols.velocity.x],
    ['Velocity', 'y', cols.velocity.y],
    ['Velocity', 'z', cols.velocity.z],
    ['Health', 'current', cols.health.current],
    ['Health', 'max', cols.health.max],
  ];
  let views = true;
  for (const [component, field, want] of fields) {
    const got = getColumn(packed, component, field, 'f32');
    if (got.length !== cols.n) fail(method, `${component}.${field} has ${got.length} values`);
    if (got.buffer !== bytes.buffer) views = false;
    for (const i of spotIndices(cols.n)) {
      if (packed.entities[i] !== cols.entities[i]) fail(method, `entity ${i} has id ${packed.entities[i]}`);
      if (got[i] !== want[i]) fail(method, `${component}.${field}[${i}] = ${got[i]}, expected ${want[i]}`);
    }
  }
  return views;
}

function sameOutput(a, b) {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

// ---------------------------------------------------------------------------------------------
// Methods. Each has encode() -> output, bytesOf(output), own(output) -> a stable input for decode,
// decode(input) -> result, check(result, input) and optionally freshDecode(input) (a new decoder instance,
// used for the check before timing).

function methods(cols, world) {
  const { packed } = cols;
  const list = [];

  // Ours, columnar: typed arrays in, typed-array views out.
  for (const checksums of [false, true]) {
    const encoder = new SnapshotEncoder({ checksums });
    const name = `ours columnar, checksums ${checksums ? 'on' : 'off'}`;
    list.push({
      name,
      group: 'columnar',
      describe: `SnapshotEncoder({ checksums: ${checksums} }).encode(packed) into its reused buffer; decodeSnapshot(bytes, { verifyChecksums: ${checksums} }) to typed-array views`,
      encode: () => encoder.encode(packed),
      bytesOf: (out) => out.length,
      own: (out) => out.slice(),
      decode: (bytes) => decodeSnapshot(bytes, { verifyChecksums: checksums }),
      check: (res, bytes) => ({ views: checkPacked(name, res, cols, bytes) }),
    });
  }

  // Ours, from and to WorldSnapshot objects.
  const objectVariants = [
    { label: 'schema f32, checksums on', schema: REFERENCE_SCHEMA, checksums: true },
    { label: 'schema f32, checksums off', schema: REFERENCE_SCHEMA, checksums: false },
    { label: 'inferred (no schema), checksums on', schema: undefined, checksums: true },
  ];
  for (const { label, schema, checksums } of objectVariants) {
    const encoder = new SnapshotEncoder({ checksums });
    const options = schema ? { schema } : {};
    const name = `ours objects, ${label}`;
    list.push({
      name,
      group: 'objects',
      describe: `encoder.encode(fromWorldSnapshot(world${schema ? ', { schema }' : ''})) with checksums ${checksums ? 'on' : 'off'}; toWorldSnapshot(decodeSnapshot(bytes, { verifyChecksums: ${checksums} }))`,
      encode: () => encoder.encode(fromWorldSnapshot(world, options)),
      bytesOf: (out) => out.length,
      own: (out) => out.slice(),
      decode: (bytes) => toWorldSnapshot(decodeSnapshot(bytes, { verifyChecksums: checksums })),
      check: (res) => checkWorld(name, res, cols),
    });
  }

  // Peers, on the same world in the tx2 object shape.
  list.push({
    name: 'JSON',
    group: 'peer',
    describe: 'JSON.stringify(world) / JSON.parse(string); bytes = UTF-8 length',
    encode: () => JSON.stringify(world),
    bytesOf: (out) => Buffer.byteLength(out, 'utf8'),
    own: (out) => out,
    decode: (s) => JSON.parse(s),
    check: (res) => checkWorld('JSON', res, cols),
  });

  const mpEncoder = new MsgpackEncoder();
  const mpDecoder = new MsgpackDecoder();
  list.push({
    name: '@msgpack/msgpack',
    group: 'peer',
    describe: 'reused Encoder / Decoder instances, default options',
    encode: () => mpEncoder.encode(world),
    bytesOf: (out) => out.length,
    own: (out) => out.slice(),
    decode: (bytes) => mpDecoder.decode(bytes),
    freshDecode: (bytes) => new MsgpackDecoder().decode(bytes),
    check: (res) => checkWorld('@msgpack/msgpack', res, cols),
  });

  const msgpackrVariants = [
    { name: 'msgpackr', options: undefined, describe: 'new Packr() / new Unpackr(), default options: records extension on, structuredClone off' },
    { name: 'msgpackr, useRecords: false', options: { useRecords: false }, describe: 'Packr/Unpackr with useRecords: false (plain MessagePack maps, like @msgpack/msgpack)' },
  ];
  for (const { name, options, describe } of msgpackrVariants) {
    const packr = new Packr(options);
    const unpackr = new Unpackr(options);
    list.push({
      name,
      group: 'peer',
      describe,
      encode: () => packr.pack(world),
      bytesOf: (out) => out.length,
      own: (out) => Buffer.from(out), // a Buffer, as msgpackr returns and expects in Node
      decode: (bytes) => unpackr.unpack(bytes),
      // The check before timing uses a fresh Unpackr: no state may be shared with the Packr.
      freshDecode: (bytes) => new Unpackr(options).unpack(bytes),
      check: (res) => checkWorld(name, res, cols),
    });
  }

  list.push({
    name: 'node:v8',
    group: 'peer',
    describe: 'v8.serialize(world) / v8.deserialize(buffer)',
    encode: () => v8.serialize(world),
    bytesOf: (out) => out.length,
    own: (out) => out,
    decode: (bytes) => v8.deserialize(bytes),
    check: (res) => checkWorld('node:v8', res, cols),
  });

  return list;
}

// ---------------------------------------------------------------------------------------------
// One world size

function runSize(n) {
  const settings = settingsFor(n);
  log(
    `\n== N = ${n.toLocaleString('en-US')} entities (time ${settings.time} ms, warmup ${settings.warmup === false ? 'off' : `${settings.warmupTime} ms`}, >= ${settings.iterations} iterations per task)`,
  );
  let cols = referenceColumns(n);
  let world = referenceWorld(n, { columns: cols });
  const rows = [];

  for (const m of methods(cols, world)) {
    // Check once before timing (at 1M these calls double as the warmup).
    const first = m.encode();
    const bytes = m.bytesOf(first);
    const input = m.own(first);
    const info = m.check((m.freshDecode ?? m.decode)(input), input) ?? {};

    log(`  ${m.name}: encode…`);
    const encode = measure(
      `${m.name} encode`,
      () => {
        sink = m.encode();
      },
      settings,
    );
    // The last timed output must be the checked one, byte for byte (every method is deterministic here).
    if (!sameOutput(sink, input)) throw new Error(`"${m.name}": the last timed encode differs from the checked output`);
    sink = undefined;

    log(`  ${m.name}: decode…`);
    const decode = measure(
      `${m.name} decode`,
      () => {
        sink = m.decode(input);
      },
      settings,
    );
    m.check(sink, input);
    sink = undefined;

    rows.push({ method: m.name, group: m.group, describe: m.describe, bytes, encode, decode, ...info });
  }

  // The floor: copying our columnar bytes into a preallocated buffer.
  const ours = new SnapshotEncoder({ checksums: false }).encodeCopy(cols.packed);
  const target = new Uint8Array(ours.length);
  log('  memcpy…');
  const memcpy = measure(
    'memcpy',
    () => {
      target.set(ours);
    },
    settings,
  );
  for (const i of [0, ours.length >> 1, ours.length - 1]) if (target[i] !== ours[i]) throw new Error('memcpy check failed');
  rows.push({
    method: 'memcpy (floor)',
    group: 'floor',
    describe: 'target.set(ourColumnarBytes) into a preallocated Uint8Array',
    bytes: ours.length,
    encode: memcpy,
    decode: null,
  });

  // Ratios.
  const byName = Object.fromEntries(rows.map((r) => [r.method, r]));
  const ref = byName.msgpackr;
  for (const r of rows) {
    r.encodeSpeedupVsMsgpackr = ref.encode.medianMs / r.encode.medianMs;
    r.decodeSpeedupVsMsgpackr = r.decode ? ref.decode.medianMs / r.decode.medianMs : null;
    if (r.group === 'columnar') {
      r.encodeVsMemcpy = r.encode.medianMs / memcpy.medianMs;
      r.decodeVsMemcpy = r.decode.medianMs / memcpy.medianMs;
    }
  }

  cols = world = null;
  return { entities: n, settings, rows, targets: n === TARGET_N ? targetChecks(byName) : null };
}

// ---------------------------------------------------------------------------------------------
// Targets (N = 10,000), from the performance issue

function targetChecks(r) {
  const off = r['ours columnar, checksums off'];
  const on = r['ours columnar, checksums on'];
  const objects = r['ours objects, schema f32, checksums on'];
  const ms = (v) => `${fmtMs(v)} ms`;
  const x = (v) => `${v.toFixed(2)}x`;
  const B = (v) => `${v.toLocaleString('en-US')} B`;
  const t = (name, value, limit, pass, shown) => ({ name, value, limit, pass, shown });
  return [
    t(
      'columnar encode, checksums off <= 3x memcpy',
      off.encodeVsMemcpy,
      3,
      off.encodeVsMemcpy <= 3,
      `${x(off.encodeVsMemcpy)} memcpy (${ms(off.encode.medianMs)} vs ${ms(r['memcpy (floor)'].encode.medianMs)})`,
    ),
    t('columnar encode, checksums on < 0.15 ms', on.encode.medianMs, 0.15, on.encode.medianMs < 0.15, ms(on.encode.medianMs)),
    t('decode to views, no checksums < 0.05 ms', off.decode.medianMs, 0.05, off.decode.medianMs < 0.05, ms(off.decode.medianMs)),
    t('decode to views, checksums verified < 0.15 ms', on.decode.medianMs, 0.15, on.decode.medianMs < 0.15, ms(on.decode.medianMs)),
    t('bytes <= 440,000', on.bytes, 440_000, on.bytes <= 440_000, B(on.bytes)),
    t('bytes ~360,000 or less (<= 363,600, +1%)', on.bytes, 363_600, on.bytes <= 363_600, B(on.bytes)),
    t(
      'objects encode >= 4x faster than msgpackr',
      objects.encodeSpeedupVsMsgpackr,
      4,
      objects.encodeSpeedupVsMsgpackr >= 4,
      `${x(objects.encodeSpeedupVsMsgpackr)} (${ms(objects.encode.medianMs)} vs ${ms(r.msgpackr.encode.medianMs)})`,
    ),
    t(
      'objects decode >= 3x faster than msgpackr',
      objects.decodeSpeedupVsMsgpackr,
      3,
      objects.decodeSpeedupVsMsgpackr >= 3,
      `${x(objects.decodeSpeedupVsMsgpackr)} (${ms(objects.decode.medianMs)} vs ${ms(r.msgpackr.decode.medianMs)})`,
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// Output

const fmtX = (v) => (v == null ? '—' : `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}x`);

function table(run) {
  const lines = [
    `### N = ${run.entities.toLocaleString('en-US')} entities`,
    '',
    '| method | encode median (ms) | decode median (ms) | bytes | encode vs msgpackr | decode vs msgpackr | encode / memcpy | decode / memcpy |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of run.rows) {
    lines.push(
      `| ${r.method} | ${fmtMs(r.encode.medianMs)} | ${fmtMs(r.decode?.medianMs)} | ${r.bytes.toLocaleString('en-US')} | ${fmtX(r.encodeSpeedupVsMsgpackr)} | ${fmtX(r.decodeSpeedupVsMsgpackr)} | ${fmtX(r.encodeVsMemcpy)} | ${fmtX(r.decodeVsMemcpy)} |`,
    );
  }
  lines.push('', '"vs msgpackr" = msgpackr median / row median (higher is faster); "/ memcpy" = row median / memcpy median (lower is closer to the floor).');
  return lines.join('\n');
}

function targetLines(run) {
  return [`### Targets (N = ${run.entities.toLocaleString('en-US')})`, '', ...run.targets.map((t) => `- ${t.pass ? 'PASS' : 'FAIL'} ${t.name}: ${t.shown}`)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main

const started = new Date();
const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  totalMemoryBytes: os.totalmem(),
  node: process.version,
  v8: process.versions.v8,
  platform: process.platform,
  arch: process.arch,
  osRelease: os.release(),
};
const versions = {
  '@tx2/pack-format': readVersion('@tx2/pack-format'),
  tinybench: readVersion('tinybench'),
  msgpackr: readVersion('msgpackr'),
  msgpackrNativeAcceleration: isNativeAccelerationEnabled,
  '@msgpack/msgpack': readVersion('@msgpack/msgpack'),
};
log(
  `tx2-pack format benchmarks: ${machine.cpu}, ${machine.cores} cores, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${machine.node} ${machine.platform}-${machine.arch}`,
);
if (!gc) log('warning: global.gc is not exposed (run node with --expose-gc); GC between tasks is skipped');

const runs = [];
for (const n of sizes) {
  const run = runSize(n);
  runs.push(run);
  console.log(`\n${table(run)}\n`);
  if (run.targets) console.log(`${targetLines(run)}\n`);
}
if (!runs.some((r) => r.targets)) console.log(`Targets: not checked (they apply to N = ${TARGET_N.toLocaleString('en-US')}, which was not run).`);

const finished = new Date();
const result = {
  benchmark: 'format',
  date: localDate(started),
  startedAt: started.toISOString(),
  durationSeconds: (finished - started) / 1000,
  machine,
  versions,
  git: gitInfo(['../packages/format'], 'formatPackageDirty'),
  gcExposed: gc !== null,
  methodology:
    'tinybench (runSync, hrtime) per task, one task per Bench, full GC before each task; reported time = median (p50) of per-call latency samples; all methods run in the same process on the same reference world (benchmarks/world.mjs, mulberry32 seed 42).',
  timeScale,
  runs,
};

if (writeResults) {
  const dir = join(HERE, 'results');
  mkdirSync(dir, { recursive: true });
  const jsonPath = join(dir, `format-${result.date}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  const md = [
    '# @tx2/pack-format benchmark results (latest run)',
    '',
    `${result.startedAt} — ${machine.cpu}, ${machine.cores} cores, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${machine.node} (${machine.platform}-${machine.arch})` +
      (result.git ? `, commit ${result.git.commit.slice(0, 12)}${result.git.formatPackageDirty ? ' (packages/format modified)' : ''}` : ''),
    '',
    `Peers: msgpackr ${versions.msgpackr} (native acceleration ${versions.msgpackrNativeAcceleration ? 'on' : 'off'}), @msgpack/msgpack ${versions['@msgpack/msgpack']}; tinybench ${versions.tinybench}. Median per op; see benchmarks/README.md for the methodology.`,
    '',
    ...runs.flatMap((run) => [table(run), '', ...(run.targets ? [targetLines(run), ''] : [])]),
  ].join('\n');
  writeFileSync(join(dir, 'format-latest.md'), md);
  log(`\nwrote ${jsonPath} and ${join(dir, 'format-latest.md')} (${result.durationSeconds.toFixed(0)} s)`);
}
