// Benchmarks of @tx2/pack-store on the reference world.
//
//   pnpm bench:store                         (repo root: N = 10k and 100k; none, lz4, zstd-3)
//   pnpm bench:store --entities 10000        (a subset; comma-separate or repeat)
//   pnpm bench:store --memory [--world-mib 1024]
//       peak extra memory of a streamed save to a file and of a load from it, for a
//       reference world of about `world-mib` MiB (default 1024), measured by sampling
//       process.memoryUsage() (rss and arrayBuffers) against the baseline after building the world.
//   --configs none,zstd-3+aes   only these writer configurations (default: all; names below)
//   --no-write                  do not write benchmarks/results/store-<date>.json and store-latest.md
//
// Configurations: none, lz4, zstd-3, and zstd-3+aes (zstd level 3, then AES-256-GCM per
// section through @tx2/pack-crypto; the reader has the key).
//
// In memory: write = SnapshotWriter.writeToBytes, read = SnapshotReader.readFromBytes.
// Store: SnapshotStore over NodeFsBackend in a temporary directory (durable: fsync of the
// file and the directory on every save), save = store.save, load = store.load.
// Run with `node --expose-gc` (the package script does) so a full GC runs between tasks.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { EncryptionKey } from '@tx2/pack-crypto';
import { SnapshotReader, SnapshotStore, SnapshotWriter } from '@tx2/pack-store';

import { gitInfo, localDate, readVersion } from './bench-env.mjs';
import { referenceColumns } from './world.mjs';
import { readSnapshotFile, writeSnapshotFile } from '@tx2/pack-store/node';

const { values: args } = parseArgs({
  options: {
    entities: { type: 'string', multiple: true },
    memory: { type: 'boolean', default: false },
    'world-mib': { type: 'string', default: '1024' },
    configs: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const HERE = dirname(fileURLToPath(import.meta.url));
const writeResults = !args['no-write'] && !process.env.BENCH_NO_WRITE;
const lines = []; // the report, also written to store-latest.md
const log = (line = '') => {
  console.log(line);
  lines.push(line);
};

const gc = globalThis.gc ?? (() => {});
const key = EncryptionKey.generate();
const plainReader = SnapshotReader.create();
const ALL_CONFIGS = [
  ['none', SnapshotWriter.create().withCodec('none'), plainReader],
  ['lz4', SnapshotWriter.create().withCodec('lz4'), plainReader],
  ['zstd-3', SnapshotWriter.create().withCodec('zstd', 3), plainReader],
  ['zstd-3+aes', SnapshotWriter.create().withCodec('zstd', 3).withKey(key), SnapshotReader.create().withKey(key)],
];
const wanted = args.configs?.split(',').map((c) => c.trim());
const CONFIGS = wanted ? ALL_CONFIGS.filter(([name]) => wanted.includes(name)) : ALL_CONFIGS;
if (CONFIGS.length === 0) throw new Error(`no configuration matches --configs ${args.configs} (known: ${ALL_CONFIGS.map(([n]) => n).join(', ')})`);
const results = [];

async function time(fn, budgetMs = 1500, minRuns = 5) {
  const samples = [];
  const start = performance.now();
  while (samples.length < minRuns || (performance.now() - start < budgetMs && samples.length < 200)) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const fmt = (ms) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1)).padStart(8);

async function speed() {
  const sizes = (args.entities ?? ['10000', '100000']).flatMap((s) => s.split(',')).map(Number);
  log('Median ms per call.');
  log('');
  log('```');
  log('entities  codec         bytes       mem write  mem read  store save  store load');
  for (const n of sizes) {
    const { packed } = referenceColumns(n);
    for (const [name, writer, reader] of CONFIGS) {
      await writer.encodeOptions();
      const bytes = await writer.encode(packed);
      gc();
      const write = await time(() => writer.encode(packed));
      gc();
      const read = await time(() => reader.decode(bytes));
      const dir = mkdtempSync(join(os.tmpdir(), 'tx2-store-bench-'));
      try {
        const store = new SnapshotStore(dir, { writer, reader });
        gc();
        const save = await time(() => store.save(packed, 'slot'));
        gc();
        const load = await time(() => store.load('slot'));
        log(`${String(n).padStart(8)}  ${name.padEnd(12)} ${String(bytes.length).padStart(10)}  ${fmt(write)}  ${fmt(read)}  ${fmt(save)}    ${fmt(load)}`);
        results.push({ entities: n, config: name, bytes: bytes.length, memWriteMs: write, memReadMs: read, storeSaveMs: save, storeLoadMs: load });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  log('```');
}

async function settle() {
  // Several full collections with turns of the event loop between them, so the previous task's
  // buffers (the loaded world, spent chunks) are released before the baseline is taken.
  for (let i = 0; i < 4; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc();
  }
}

async function sampler() {
  await settle();
  const base = process.memoryUsage();
  const started = performance.now();
  let peakRss = base.rss;
  let peakBuffers = base.arrayBuffers;
  const sample = () => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) peakRss = m.rss;
    if (m.arrayBuffers > peakBuffers) peakBuffers = m.arrayBuffers;
  };
  const timer = setInterval(sample, 2);
  return {
    sample,
    started,
    stop() {
      clearInterval(timer);
      sample();
      return { rss: peakRss - base.rss, arrayBuffers: peakBuffers - base.arrayBuffers };
    },
  };
}

async function memory() {
  const mib = Number(args['world-mib']);
  const n = Math.floor((mib * 2 ** 20) / 32); // 8 f32 fields per entity; ids are a range
  const MiB = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const { packed } = referenceColumns(n);
  const worldBytes = n * 32;
  log(`Reference world: ${n} entities, ${MiB(worldBytes)} of column data. Saves stream to a file (writeToFile), loads use readFromFile (component by component above 32 MiB).`);
  log('');
  log('```');
  const dir = mkdtempSync(join(os.tmpdir(), 'tx2-store-mem-'));
  try {
    for (const [name, writer, reader] of CONFIGS) {
      const file = join(dir, `world-${name}.tx2pack`);
      await writer.encodeOptions();
      const s = await sampler();
      const size = await writeSnapshotFile(file, packed, writer);
      const saveMs = performance.now() - s.started;
      const w = s.stop();
      log(
        `save ${name.padEnd(12)} file ${MiB(size)} in ${(saveMs / 1000).toFixed(1)} s: peak extra rss ${MiB(w.rss)} (${((100 * w.rss) / worldBytes).toFixed(1)}% of the world), arrayBuffers ${MiB(w.arrayBuffers)}`,
      );
      const r = await sampler();
      let loaded = await readSnapshotFile(file, reader);
      const loadMs = performance.now() - r.started;
      const l = r.stop();
      log(
        `load ${name.padEnd(12)} in ${(loadMs / 1000).toFixed(1)} s: peak extra rss ${MiB(l.rss)} (${((100 * l.rss) / size).toFixed(1)}% of the file; the loaded world itself is ${MiB(worldBytes)}), arrayBuffers ${MiB(l.arrayBuffers)}`,
      );
      results.push({
        worldBytes,
        entities: n,
        config: name,
        fileBytes: size,
        save: { ms: saveMs, peakExtraRssBytes: w.rss, peakExtraArrayBuffersBytes: w.arrayBuffers },
        load: { ms: loadMs, peakExtraRssBytes: l.rss, peakExtraArrayBuffersBytes: l.arrayBuffers },
      });
      loaded = undefined;
      void loaded;
      rmSync(file, { force: true });
      gc();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  log('```');
}

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
const mode = args.memory ? 'memory' : 'speed';
const machineLine = `${machine.cpu}, ${machine.cores} cores, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${machine.node} (${machine.platform}-${machine.arch})`;
console.log(`@tx2/pack-store benchmark (${mode}): ${machineLine}`);
if (!globalThis.gc) console.log('warning: global.gc is not exposed (run node with --expose-gc); GC between tasks is skipped');
await (args.memory ? memory() : speed());
const finished = new Date();

if (writeResults) {
  const git = gitInfo(['../packages/store'], 'storePackageDirty');
  const result = {
    benchmark: 'store',
    mode,
    date: localDate(started),
    startedAt: started.toISOString(),
    durationSeconds: (finished - started) / 1000,
    machine,
    versions: { '@tx2/pack-store': readVersion('@tx2/pack-store'), '@tx2/pack-crypto': readVersion('@tx2/pack-crypto') },
    git,
    gcExposed: globalThis.gc !== undefined,
    args: { entities: args.entities ?? null, worldMib: args.memory ? Number(args['world-mib']) : null, configs: CONFIGS.map(([n]) => n) },
    methodology: args.memory
      ? 'peak of process.memoryUsage() (rss, arrayBuffers) sampled every 2 ms, minus the value after a full GC once the world is built; one save and one load per configuration, in one process.'
      : 'median of repeated calls (at least 5, about 1.5 s per task), full GC before each task; store save/load on NodeFsBackend in a temporary directory (fsync on every save).',
    results,
  };
  const dir = join(HERE, 'results');
  mkdirSync(dir, { recursive: true });
  const jsonPath = join(dir, `store-${result.date}${mode === 'memory' ? '-memory' : ''}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  const md = [
    `# @tx2/pack-store benchmark results (latest run: ${mode})`,
    '',
    `${result.startedAt} — ${machineLine}${git ? `, commit ${git.commit.slice(0, 12)}${git.storePackageDirty ? ' (packages/store modified)' : ''}` : ''}`,
    '',
    ...lines,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'store-latest.md'), md);
  console.log(`\nwrote ${jsonPath} and ${join(dir, 'store-latest.md')} (${result.durationSeconds.toFixed(0)} s)`);
}
