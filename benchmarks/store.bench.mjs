// Benchmarks of @tx2/pack-store on the reference world.
//
//   pnpm bench:store                         (repo root: N = 10k and 100k; none, lz4, zstd-3)
//   pnpm bench:store --entities 10000        (a subset; comma-separate or repeat)
//   pnpm bench:store --memory [--world-mib 1024]
//       peak extra memory of a streamed save to a file and of a load from it, for a
//       reference world of about `world-mib` MiB (default 1024), measured by sampling
//       process.memoryUsage() (rss and arrayBuffers) against the baseline after building the world.
//
// In memory: write = SnapshotWriter.writeToBytes, read = SnapshotReader.readFromBytes.
// Store: SnapshotStore over NodeFsBackend in a temporary directory (durable: fsync of the
// file and the directory on every save), save = store.save, load = store.load.
// Run with `node --expose-gc` (the package script does) so a full GC runs between tasks.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { SnapshotReader, SnapshotStore, SnapshotWriter } from '@tx2/pack-store';

import { referenceColumns } from './world.mjs';

const { values: args } = parseArgs({
  options: {
    entities: { type: 'string', multiple: true },
    memory: { type: 'boolean', default: false },
    'world-mib': { type: 'string', default: '1024' },
  },
});

const gc = globalThis.gc ?? (() => {});
const CONFIGS = [
  ['none', SnapshotWriter.create().withCodec('none')],
  ['lz4', SnapshotWriter.create().withCodec('lz4')],
  ['zstd-3', SnapshotWriter.create().withCodec('zstd', 3)],
];

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
  console.log(`@tx2/pack-store benchmark — node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}; median ms`);
  console.log('entities  codec    bytes       mem write  mem read  store save  store load');
  for (const n of sizes) {
    const { packed } = referenceColumns(n);
    for (const [name, writer] of CONFIGS) {
      await writer.encodeOptions();
      const reader = SnapshotReader.create();
      const bytes = await writer.writeToBytes(packed);
      gc();
      const write = await time(() => writer.writeToBytes(packed));
      gc();
      const read = await time(() => reader.readFromBytes(bytes));
      const dir = mkdtempSync(join(os.tmpdir(), 'tx2-store-bench-'));
      try {
        const store = new SnapshotStore(dir, { writer, reader });
        gc();
        const save = await time(() => store.save(packed, 'slot'));
        gc();
        const load = await time(() => store.load('slot'));
        console.log(`${String(n).padStart(8)}  ${name.padEnd(7)} ${String(bytes.length).padStart(10)}  ${fmt(write)}  ${fmt(read)}  ${fmt(save)}    ${fmt(load)}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
}

function sampler() {
  gc();
  const base = process.memoryUsage();
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
  console.log(`reference world: ${n} entities, ${MiB(worldBytes)} of column data`);
  const dir = mkdtempSync(join(os.tmpdir(), 'tx2-store-mem-'));
  try {
    for (const [name, writer] of CONFIGS) {
      const file = join(dir, `world-${name}.tx2pack`);
      await writer.encodeOptions();
      const s = sampler();
      const size = await writer.writeToFile(file, packed);
      const w = s.stop();
      console.log(`save ${name.padEnd(7)} file ${MiB(size)}: peak extra rss ${MiB(w.rss)} (${((100 * w.rss) / worldBytes).toFixed(1)}% of the world), arrayBuffers ${MiB(w.arrayBuffers)}`);
      const r = sampler();
      let loaded = await SnapshotReader.create().readFromFile(file);
      const l = r.stop();
      console.log(`load ${name.padEnd(7)}: peak extra rss ${MiB(l.rss)} (${((100 * l.rss) / size).toFixed(1)}% of the file; the loaded world itself is ${MiB(worldBytes)}), arrayBuffers ${MiB(l.arrayBuffers)}`);
      loaded = undefined;
      void loaded;
      rmSync(file, { force: true });
      gc();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await (args.memory ? memory() : speed());
