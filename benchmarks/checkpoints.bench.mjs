// Benchmarks of incremental checkpoints and section dedupe in @tx2/pack-store.
//
//   pnpm bench:checkpoints                 (repo root: 1,000 checkpoints of the 10,000-entity reference world)
//   pnpm bench:checkpoints --quick         (200 checkpoints, shorter timings)
//   --checkpoints 500 --entities 10000 --changed 0.01 --terrain 262144 --no-write
//
// Storage: the same sequence of worlds (each step moves `changed * N` distinct random entities:
// Position += Velocity) saved as checkpoints by managers with different settings over a
// MemoryBackend, counting every stored byte (checkpoint files, metadata files, section
// objects). A second sequence adds a large static component (Terrain: `terrain` f32 heights on
// tile entities that never change) to show section dedupe. Every configuration's last
// checkpoint, and one in the middle, is loaded back and compared bit for bit.
//
// Times: createCheckpoint and loadCheckpoint with tinybench on a NodeFsBackend (durable: fsync
// per file) holding a chain of 20 checkpoints, and the mean create time over the storage runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { createPackedSnapshot, snapshotsEqual } from '@tx2/pack-format';
import { CheckpointManager, MemoryBackend, SECTION_SUFFIX } from '@tx2/pack-store';
import { Bench } from 'tinybench';

import { fmtMs, gitInfo, localDate, machineLine, writeResults } from './bench-env.mjs';
import { mulberry32, referenceColumns } from './world.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    checkpoints: { type: 'string' },
    entities: { type: 'string', default: '10000' },
    changed: { type: 'string', default: '0.01' },
    terrain: { type: 'string', default: '262144' },
    'no-write': { type: 'boolean', default: false },
  },
});
const COUNT = Number(args.checkpoints ?? (args.quick ? 200 : 1000));
const N = Number(args.entities.replace(/_/g, ''));
const CHANGED = Number(args.changed);
const TERRAIN = Number(args.terrain.replace(/_/g, ''));
if (!(COUNT >= 2) || !(N >= 100) || !(CHANGED > 0 && CHANGED <= 1) || !(TERRAIN >= 0)) throw new Error('bad arguments: see the header of checkpoints.bench.mjs');
const writeOut = !args['no-write'] && !process.env.BENCH_NO_WRITE;

const lines = ['# @tx2/pack-store checkpoint benchmark results (latest run)', '', machineLine(), ''];
const log = (s = '') => {
  console.log(s);
  lines.push(s);
};

/** The next world: `count` distinct random entities moved by their velocity (new Position arrays, the rest shared). */
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

/** The reference world plus a static Terrain component on `tiles` extra entities. */
function withTerrain(packed, tiles) {
  const rand = mulberry32(1234);
  const top = packed.entities.length;
  const tileIds = Uint32Array.from({ length: tiles }, (_, i) => top + 1 + i);
  const entities = new Uint32Array(top + tiles);
  entities.set(packed.entities);
  entities.set(tileIds, top);
  const height = Float32Array.from({ length: tiles }, () => Math.fround(rand() * 500));
  const terrain = createPackedSnapshot({ entities: tileIds, components: [{ id: 'Terrain', fields: { height } }] }).components[0];
  return { ...packed, entities, components: [...packed.components, terrain] };
}

function worlds(base, count) {
  const out = [base];
  for (let i = 1; i < count; i++) out.push(step(out[i - 1], Math.max(1, Math.round(N * CHANGED)), 1000 + i));
  return out;
}

async function storedBytes(backend) {
  let total = 0;
  let sections = 0;
  let objects = 0;
  for (const key of await backend.list()) {
    const size = (await backend.size(key)) ?? 0;
    total += size;
    if (key.endsWith(SECTION_SUFFIX)) {
      sections += size;
      objects++;
    }
  }
  return { total, sections, objects };
}

const MiB = (b) => (b / 2 ** 20).toFixed(2);
const rows = [];

async function storageRun(label, sequence, options) {
  const backend = new MemoryBackend();
  const manager = new CheckpointManager(backend, options);
  let deltas = 0;
  let createMs = 0;
  for (let i = 0; i < sequence.length; i++) {
    const t = performance.now();
    const info = await manager.createCheckpoint(`cp-${String(i).padStart(5, '0')}`, sequence[i]);
    createMs += performance.now() - t;
    if (info.storage.kind === 'delta') deltas++;
  }
  const bytes = await storedBytes(backend);
  // Loaded back by a manager with an empty cache: rebuilt from the nearest full checkpoint.
  const fresh = new CheckpointManager(backend, { ...options, cacheSize: 0 });
  for (const i of [Math.floor(sequence.length / 2) + 3, sequence.length - 1]) {
    const loaded = await fresh.loadCheckpoint(`cp-${String(i).padStart(5, '0')}`);
    if (!snapshotsEqual(loaded.snapshot, sequence[i])) throw new Error(`${label}: checkpoint ${i} does not load back exactly`);
  }
  const row = {
    label,
    checkpoints: sequence.length,
    deltas,
    bytes: bytes.total,
    sectionBytes: bytes.sections,
    sectionObjects: bytes.objects,
    meanCreateMs: createMs / sequence.length,
  };
  rows.push(row);
  return row;
}

function storageTable(title, results) {
  const baseline = results[0].bytes;
  log(`### ${title}`);
  log('');
  log('| configuration | checkpoints (deltas) | stored MiB | per checkpoint KiB | vs full | section objects (MiB) | mean create ms (memory) |');
  log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    log(
      `| ${r.label} | ${r.checkpoints} (${r.deltas}) | ${MiB(r.bytes)} | ${(r.bytes / r.checkpoints / 1024).toFixed(1)} | ${((100 * r.bytes) / baseline).toFixed(1)}% | ${r.sectionObjects} (${MiB(r.sectionBytes)}) | ${fmtMs(r.meanCreateMs)} |`,
    );
  }
  log('');
}

const started = new Date();
console.error(`checkpoint benchmark: ${COUNT} checkpoints, ${N} entities, ${CHANGED * 100}% moved per step${args.quick ? ' (quick)' : ''}`);
const { packed } = referenceColumns(N);

log(
  `## Storage of ${COUNT.toLocaleString('en')} checkpoints (${N.toLocaleString('en')}-entity reference world, ${(CHANGED * 100).toFixed(1)}% of entities moved per step, zstd level 1)`,
);
log('');
const plainSeq = worlds(packed, COUNT);
storageTable('Reference world', [
  await storageRun('full, no dedupe (`incremental: false, dedupeSections: false`)', plainSeq, { incremental: false, dedupeSections: false }),
  await storageRun('incremental (default: fullEvery 10, maxDeltaRatio 0.5), dedupe on (default)', plainSeq, {}),
  await storageRun('incremental fullEvery 50, dedupe on', plainSeq, { incremental: { fullEvery: 50 } }),
]);
if (TERRAIN > 0) {
  const terrainSeq = worlds(withTerrain(packed, TERRAIN), COUNT);
  storageTable(`With a static Terrain component (${TERRAIN.toLocaleString('en')} f32 heights, ${MiB(TERRAIN * 4)} MiB raw, never changed)`, [
    await storageRun('full, no dedupe', terrainSeq, { incremental: false, dedupeSections: false }),
    await storageRun('full, dedupe on (`incremental: false`)', terrainSeq, { incremental: false }),
    await storageRun('incremental (default), dedupe off', terrainSeq, { dedupeSections: false }),
    await storageRun('incremental (default), dedupe on (default)', terrainSeq, {}),
  ]);
}

// Times on the filesystem.
const dir = mkdtempSync(join(os.tmpdir(), 'tx2-checkpoints-bench-'));
const times = [];
try {
  const timeSeq = worlds(packed, 64);
  const bench = new Bench({ time: args.quick ? 400 : 1500, warmupTime: args.quick ? 50 : 200, iterations: 5 });
  const configs = [
    ['full (incremental: false)', { incremental: false }],
    ['incremental (default)', {}],
  ];
  for (const [name, options] of configs) {
    const sub = join(dir, name.replace(/\W+/g, '-'));
    const manager = new CheckpointManager(sub, options);
    for (let i = 0; i < 20; i++) await manager.createCheckpoint(`seed-${i}`, timeSeq[i]);
    let n = 0;
    bench.add(
      `createCheckpoint, ${name}`,
      async () => {
        const i = n++;
        await manager.createCheckpoint(`run-${i}`, timeSeq[20 + (i % 40)]);
      },
      {
        // Keep the chain at about 20 checkpoints so every sample does the same work.
        afterEach: async () => {
          if ((await manager.store.backend.list()).length > 200) await manager.pruneOldCheckpoints(20);
        },
      },
    );
    const cold = new CheckpointManager(sub, { ...options, cacheSize: 0 });
    let latest;
    const findLatest = { beforeAll: async () => void (latest = (await manager.latest()).id) };
    bench.add(`loadCheckpoint of the latest, ${name}, same manager`, () => manager.loadCheckpoint(latest), findLatest);
    bench.add(`loadCheckpoint of the latest, ${name}, new manager (cacheSize 0)`, () => cold.loadCheckpoint(latest), findLatest);
  }
  await bench.run();
  log(`## Create and load times (NodeFsBackend in ${os.tmpdir()}, durable; chain of about 20 checkpoints; tinybench medians)`);
  log('');
  log('| task | median ms | p99 ms | samples |');
  log('|---|---:|---:|---:|');
  for (const task of bench.tasks) {
    const r = task.result;
    const median = r.latency?.p50 ?? r.period;
    const p99 = r.latency?.p99 ?? r.period;
    times.push({ task: task.name, medianMs: median, p99Ms: p99 });
    log(`| ${task.name} | ${fmtMs(median)} | ${fmtMs(p99)} | ${r.latency?.samplesCount ?? ''} |`);
  }
  log('');
  log(
    '"same manager": incremental managers serve a copy of the latest checkpoint they keep in memory; with `incremental: false` nothing is kept, so it reads the file like a new manager. "new manager" (cacheSize 0): an incremental load rebuilds from the nearest full checkpoint (up to 9 deltas with the default policy), verifying every base and result hash.',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (writeOut) {
  const file = writeResults('checkpoints', `${lines.join('\n')}\n`);
  const json = join(file, '..', `checkpoints-${localDate(started)}${args.quick ? '-quick' : ''}.json`);
  writeFileSync(
    json,
    `${JSON.stringify({ benchmark: 'checkpoints', machine: machineLine(), startedAt: started.toISOString(), git: gitInfo(['../packages/store'], 'storePackageDirty'), checkpoints: COUNT, entities: N, changed: CHANGED, terrain: TERRAIN, storage: rows, times }, null, 2)}\n`,
  );
  console.error(`wrote ${file} and ${json}`);
}
