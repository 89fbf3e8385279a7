// Benchmarks of snapshot deltas (@tx2/pack-format diff / applyDelta / encodeDelta) on the
// reference world where 1% of entities move per step, against full snapshots in the same run.
//
//   pnpm bench:delta                          (repo root: 10k and 100k entities)
//   pnpm bench:delta --entities 10000         (a subset)
//   --changed 0.01                            (fraction of entities moved per step)
//   --time-scale 0.5 / --no-write             (shorter runs / print only)
//
// A step moves `changed * N` distinct random entities: Position += Velocity (x, y, z), the way a
// physics tick moves what is awake. Every delta is checked to rebuild its target bit for bit.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { packOptions, readOptions } from '@tx2/pack-codecs';
import { SnapshotEncoder, applyDelta, decodeDelta, decodeSnapshot, diff, encodeDelta, snapshotHash, snapshotsEqual } from '@tx2/pack-format';
import { Bench } from 'tinybench';

import { benchOptions, fmtMs, gitInfo, localDate, machineLine, writeResults } from './bench-env.mjs';
import { mulberry32, referenceColumns } from './world.mjs';

const { args, sizes, timeScale, write } = benchOptions({ defaultSizes: [10_000, 100_000], options: { changed: { type: 'string' } } });
const changed = Number(args.changed ?? 0.01);
if (!(changed > 0 && changed <= 1)) throw new Error('--changed must be in (0, 1]');
const gc = globalThis.gc ?? (() => {});

/** The next frame: `count` distinct random entities moved by their velocity. */
function step(packed, count, seed) {
  const rand = mulberry32(seed);
  const [position, velocity] = packed.components;
  const n = position.entityIds.length;
  const fields = position.fields.map((f) => ({ ...f, values: f.values.slice() }));
  const moved = new Set();
  while (moved.size < count) moved.add(Math.floor(rand() * n));
  for (const r of moved) for (let a = 0; a < 3; a++) fields[a].values[r] += velocity.fields[a].values[r];
  return { ...packed, timestamp: packed.timestamp + 16, worldTime: packed.worldTime + 1, components: [{ ...position, fields }, ...packed.components.slice(1)] };
}

/** `step`, plus churn: every 1000th entity despawns and as many new ones spawn with fresh ids at the end. */
function stepWithChurn(packed, count, seed) {
  const moved = step(packed, count, seed);
  const n = packed.entities.length;
  const keep = [];
  for (let i = 0; i < n; i++) if (i % 1000 !== 7) keep.push(i);
  const born = n - keep.length;
  const top = packed.entities.reduce((m, id) => Math.max(m, id), 0);
  const ids = Uint32Array.from([...keep.map((i) => packed.entities[i]), ...Array.from({ length: born }, (_, j) => top + 1 + j)]);
  const components = moved.components.map((c) => ({
    ...c,
    entityIds: ids,
    fields: c.fields.map((f) => {
      const values = new Float32Array(ids.length);
      for (let r = 0; r < keep.length; r++) values[r] = f.values[keep[r]];
      for (let r = keep.length; r < ids.length; r++) values[r] = r;
      return { ...f, values };
    }),
  }));
  return { ...moved, entities: ids, components };
}

/** Median milliseconds of `fn` under tinybench. */
async function median(name, fn, n) {
  const bench = new Bench({ time: (n >= 100_000 ? 1500 : 800) * timeScale, iterations: 5, warmupTime: 100 * timeScale, warmupIterations: 3 });
  bench.add(name, fn);
  gc();
  await bench.run();
  const task = bench.tasks[0];
  if (task.result?.state !== 'completed') throw new Error(`${name}: ${task.result?.error ?? 'did not complete'}`);
  return task.result.latency.p50;
}

const zstd = await packOptions();
const codecs = await readOptions();
const rows = [];
for (const n of sizes)
  for (const churn of [false, true]) {
    const base = referenceColumns(n).packed;
    const next = (churn ? stepWithChurn : step)(base, Math.max(1, Math.round(n * changed)), n);
    const baseHash = snapshotHash(base);
    const nextHash = snapshotHash(next);
    const delta = diff(base, next, { baseHash, nextHash });
    const deltaBytes = encodeDelta(delta);
    const deltaZstd = encodeDelta(delta, zstd);
    const plain = new SnapshotEncoder();
    const packedZstd = new SnapshotEncoder(zstd);
    const fullBytes = plain.encodeCopy(next);
    const fullZstd = packedZstd.encodeCopy(next);
    for (const d of [delta, decodeDelta(deltaBytes), decodeDelta(deltaZstd, codecs)]) {
      if (!snapshotsEqual(applyDelta(base, d), next)) throw new Error(`N=${n}: a delta did not rebuild its target`);
    }
    process.stderr.write(`N=${n}${churn ? ' with churn' : ''}: measuring\n`);
    let sink;
    const t = {
      hash: await median('snapshotHash', () => (sink = snapshotHash(next)), n),
      diff: await median('diff (hashes known)', () => (sink = diff(base, next, { baseHash, nextHash })), n),
      diffHashing: await median('diff (hashing both)', () => (sink = diff(base, next)), n),
      encodeDelta: await median('encodeDelta', () => (sink = encodeDelta(delta)), n),
      encodeDeltaZstd: await median('encodeDelta zstd-1', () => (sink = encodeDelta(delta, zstd)), n),
      decodeDelta: await median('decodeDelta', () => (sink = decodeDelta(deltaBytes)), n),
      apply: await median('applyDelta verify:false', () => (sink = applyDelta(base, delta, { verify: false })), n),
      applyVerified: await median('applyDelta verified', () => (sink = applyDelta(base, delta, { baseHash })), n),
      encodeFull: await median('encode full', () => (sink = plain.encode(next)), n),
      encodeFullZstd: await median('encode full zstd-1', () => (sink = packedZstd.encode(next)), n),
      decodeFull: await median('decode full', () => (sink = decodeSnapshot(fullBytes)), n),
    };
    void sink;
    rows.push({ n, churn, moved: Math.round(n * changed), fullBytes: fullBytes.length, fullZstd: fullZstd.length, deltaBytes: deltaBytes.length, deltaZstd: deltaZstd.length, t });
  }

const fmt = (v) => v.toLocaleString('en-US');
const label = (r) => `${fmt(r.moved)} moved${r.churn ? ', 0.1% despawned + spawned' : ''}`;
const pct = (a, b) => `${((100 * a) / b).toFixed(2)}%`;
const lines = [
  '# Snapshot delta benchmark (latest run)',
  '',
  machineLine(),
  '',
  `Reference world, ${changed * 100}% of entities moved per step (Position += Velocity). tinybench medians; CRC-32 on everywhere; zstd-1 = \`packOptions()\`. Every delta is checked to rebuild its target bit for bit before timing.`,
  '',
  '### Size',
  '',
  '| N | step | full snapshot | full, zstd-1 | delta | delta, zstd-1 | delta / full | delta zstd / full zstd |',
  '|---:|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${fmt(r.n)} | ${label(r)} | ${fmt(r.fullBytes)} | ${fmt(r.fullZstd)} | ${fmt(r.deltaBytes)} | ${fmt(r.deltaZstd)} | ${pct(r.deltaBytes, r.fullBytes)} | ${pct(r.deltaZstd, r.fullZstd)} |`,
  ),
  '',
  '### Time (ms)',
  '',
  '| N | step | diff (hashes known) | diff (hashing both) | snapshotHash | encodeDelta | encodeDelta zstd-1 | decodeDelta | applyDelta (verify off) | applyDelta (verified) | encode full | encode full zstd-1 | decode full |',
  '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${fmt(r.n)} | ${label(r)} | ${fmtMs(r.t.diff)} | ${fmtMs(r.t.diffHashing)} | ${fmtMs(r.t.hash)} | ${fmtMs(r.t.encodeDelta)} | ${fmtMs(r.t.encodeDeltaZstd)} | ${fmtMs(r.t.decodeDelta)} | ${fmtMs(r.t.apply)} | ${fmtMs(r.t.applyVerified)} | ${fmtMs(r.t.encodeFull)} | ${fmtMs(r.t.encodeFullZstd)} | ${fmtMs(r.t.decodeFull)} |`,
  ),
  '',
  'Save cost per frame: diff + encodeDelta (+ a hash of the new frame unless known) against encoding the full snapshot. Load cost: decodeDelta + applyDelta against decoding the full snapshot; a verified apply hashes the result (SHA-256 of its canonical encoding).',
  '',
];
const markdown = lines.join('\n');
process.stdout.write(`${markdown}\n`);
if (write) {
  const file = writeResults('delta', markdown);
  writeFileSync(
    join(file, '..', `delta-${localDate(new Date())}.json`),
    `${JSON.stringify({ machine: machineLine(), git: gitInfo(['packages/format'], 'formatModified'), changed, rows }, null, 2)}\n`,
  );
  process.stderr.write(`wrote ${file}\n`);
}
