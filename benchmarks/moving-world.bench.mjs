// The "moving world" benchmark (issue 15): checkpoints and time travel of a world where every
// entity moves every tick, against a plain full zstd-1 save of the same world, in one run.
//
//   node --expose-gc benchmarks/moving-world.bench.mjs                      (10k: 1,000 ticks; 100k: 200)
//   node --expose-gc benchmarks/moving-world.bench.mjs --entities 10k --ticks 1000
//   node --expose-gc benchmarks/moving-world.bench.mjs --root /work/main    (another checkout's build: before/after)
//
// The world is the reference world (benchmarks/world.mjs). Each tick every entity integrates
// its position by its velocity (x += vx * dt, dt = 1/60, in f32 as an ECS holding Float32Arrays
// does) and 10% of the entities, drawn at random, get a new health value. Per tick, one of:
//   - full save: SnapshotStore.save of the world (zstd-1 + auto filters, the store's default),
//     in its own store: the baseline every ratio is taken against;
//   - checkpoint: CheckpointManager.createCheckpoint (default options: incremental
//     { fullEvery: 10, maxDeltaRatio: 0.5 }, section dedupe on), and the same with the
//     policy { fullEvery: 10, maxDeltaRatio: Infinity };
//   - record: TimeTravel.record with zstd-1 encode options: the default keyframes policy
//     ({ fullEvery: 32, maxDeltaRatio: 1 }), { fullEvery: 32, maxDeltaRatio: Infinity }, and
//     keyframes: false (every frame a full snapshot: the seek floor); and the default policy
//     with keyframeCacheBytes: 0 (record-cache-off: no decoded keyframe kept beyond the last ones,
//     so random seeks are cold: they decode their keyframe).
// Bytes: what each tick adds to the store's backend (every file, sections pooled by dedupe
// included), or to TimeTravel.memoryUsage(); CPU: process.cpuUsage() around the call (user +
// system, so other processes on a shared machine count less than in wall time). Seeks:
// tinybench over `seekToTime(t).snapshot` at random recorded times (seek, rebuild, copy out);
// for checkpoints, over `loadCheckpoint` of a random checkpoint with nothing cached (shown in
// the seek columns).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { benchOptions, fmtMs, localDate, machineLine, writeResults } from './bench-env.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { args, sizes, write } = benchOptions({
  defaultSizes: [10_000, 100_000],
  options: {
    ticks: { type: 'string' },
    root: { type: 'string' },
    seeks: { type: 'string', default: '200' },
    only: { type: 'string' },
  },
});
const root = resolve(args.root ?? join(here, '..'));
const load = (pkg, entry = 'index.js') => import(pathToFileURL(join(root, 'packages', pkg, 'dist', entry)).href);
const [format, codecs, store, timetravel, world] = await Promise.all([load('format'), load('codecs'), load('store'), load('timetravel'), load('cli', 'reference-world.js')]);

const DT = Math.fround(1 / 60);
const gc = globalThis.gc ?? (() => {});
const ticksFor = (n) => Number(args.ticks ?? (n > 10_000 ? 200 : 1000));

/** A memory backend that knows how many bytes it holds. */
class CountingBackend extends store.MemoryBackend {
  sizes = new Map();
  bytes = 0;
  #set(key, length) {
    this.bytes += length - (this.sizes.get(key) ?? 0);
    this.sizes.set(key, length);
  }
  async put(key, bytes) {
    await super.put(key, bytes);
    this.#set(key, bytes.length);
  }
  async putStream(key, pieces) {
    const parts = [];
    for await (const p of pieces) parts.push(p.slice());
    const length = parts.reduce((a, p) => a + p.length, 0);
    this.#set(key, length);
    async function* again() {
      yield* parts;
    }
    await super.putStream(key, again());
  }
  async delete(key) {
    const existed = await super.delete(key);
    this.#set(key, 0);
    this.sizes.delete(key);
    return existed;
  }
}

/** The moving world: a reference world whose columns change in place each tick. */
function movingWorld(n) {
  const c = world.referenceColumns(n);
  const rand = world.mulberry32(7);
  let tick = 0;
  return {
    packed: c.packed,
    step() {
      const { x, y, z } = c.position;
      const v = c.velocity;
      for (let i = 0; i < n; i++) {
        x[i] = Math.fround(x[i] + Math.fround(v.x[i] * DT));
        y[i] = Math.fround(y[i] + Math.fround(v.y[i] * DT));
        z[i] = Math.fround(z[i] + Math.fround(v.z[i] * DT));
      }
      const h = c.health.current;
      for (let k = 0; k < n / 10; k++) h[Math.floor(rand() * n)] = Math.fround(1 + Math.floor(rand() * 99));
      tick++;
      c.packed.worldTime = tick;
      c.packed.timestamp = world.REFERENCE_TIMESTAMP + tick;
    },
  };
}

const sorted = (a) => Float64Array.from(a).sort();
const q = (s, p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;

/** Runs `op` once per tick over a fresh moving world; CPU (ms) and bytes added per tick. */
async function perTick(n, ticks, op, bytesNow) {
  const w = movingWorld(n);
  const cpu = [];
  const bytes = [];
  gc();
  let before = await bytesNow();
  for (let t = 0; t < ticks; t++) {
    w.step();
    const c0 = process.cpuUsage();
    await op(w.packed, t);
    const c1 = process.cpuUsage(c0);
    cpu.push((c1.user + c1.system) / 1000);
    const now = await bytesNow();
    bytes.push(now - before);
    before = now;
  }
  return { cpu, bytes };
}

function summary(run) {
  const s = sorted(run.cpu);
  return { cpuMean: mean(run.cpu), cpuMedian: q(s, 0.5), cpuP90: q(s, 0.9), bytesMean: mean(run.bytes) };
}

async function runSize(n) {
  const ticks = ticksFor(n);
  const zstd = await codecs.packOptions();
  const read = await codecs.readOptions();
  const fullBytes = format.encodeSnapshot(movingWorld(n).packed, zstd).length;
  const results = {};
  const only = args.only?.split(',');
  const want = (name) => only === undefined || only.includes(name);

  if (want('save')) {
    const backend = new CountingBackend();
    const s = new store.SnapshotStore(backend);
    results.save = summary(
      await perTick(
        n,
        ticks,
        (p, t) => s.save(p, `t${t}`),
        () => backend.bytes,
      ),
    );
  }
  for (const [name, incremental] of [
    ['checkpoint', undefined],
    ['checkpoint-unbounded', { fullEvery: 10, maxDeltaRatio: Number.POSITIVE_INFINITY }],
  ]) {
    if (!want(name)) continue;
    const backend = new CountingBackend();
    const m = new store.CheckpointManager(backend, incremental === undefined ? {} : { incremental });
    const kinds = { full: 0, delta: 0 };
    const run = await perTick(
      n,
      ticks,
      async (p, t) => {
        const made = await m.createCheckpoint(`t${t}`, p);
        kinds[made.storage.kind]++;
      },
      () => backend.bytes,
    );
    // Loads: a load of a random checkpoint with nothing cached (a manager with cacheSize 0 that
    // creates nothing): the stored file, then every delta its rebuild applies.
    const rand = world.mulberry32(98);
    const loads = Number(args.seeks);
    const reader = new store.CheckpointManager(backend, { cacheSize: 0 });
    const loadOne = async () => {
      const t = Math.floor(rand() * ticks);
      const loaded = await reader.loadCheckpoint(`t${t}`);
      if (loaded.snapshot.worldTime !== t + 1) throw new Error(`load t${t} read worldTime ${loaded.snapshot.worldTime}`);
    };
    const bench = new Bench({ iterations: loads, time: 0, warmupIterations: 5, warmupTime: 0 });
    bench.add('load', loadOne);
    await bench.run();
    const latency = bench.tasks[0].result.latency;
    const loadCpu = [];
    for (let k = 0; k < loads; k++) {
      const c0 = process.cpuUsage();
      await loadOne();
      const c1 = process.cpuUsage(c0);
      loadCpu.push((c1.user + c1.system) / 1000);
    }
    results[name] = { ...summary(run), kinds, seekMedian: latency.p50, seekP99: latency.p99, seekMean: latency.mean, seekCpuMedian: q(sorted(loadCpu), 0.5) };
  }
  for (const [name, keyframes, cache] of [
    ['record', undefined],
    ['record-unbounded', { fullEvery: 32, maxDeltaRatio: Number.POSITIVE_INFINITY }],
    ['record-keyframes-off', false],
    ['record-cache-off', undefined, 0],
  ]) {
    if (!want(name)) continue;
    const tt = new timetravel.TimeTravel({
      encode: zstd,
      decode: read,
      ...(keyframes === undefined ? {} : { keyframes }),
      ...(cache === undefined ? {} : { keyframeCacheBytes: cache }),
    });
    const run = await perTick(
      n,
      ticks,
      (p, t) => tt.record(t, p),
      // What the history holds (keyframes and deltas): byteLength already leaves out workingBytes, the decoded snapshots kept (reported apart).
      () => tt.memoryUsage().byteLength,
    );
    const usage = tt.memoryUsage();
    const rand = world.mulberry32(99);
    const seeks = Number(args.seeks);
    const bench = new Bench({ iterations: seeks, time: 0, warmupIterations: 5, warmupTime: 0 });
    bench.add('seek', () => {
      const t = Math.floor(rand() * ticks);
      const snap = tt.seekToTime(t).snapshot;
      if (snap.worldTime !== t + 1) throw new Error(`seek ${t} read worldTime ${snap.worldTime}`);
    });
    await bench.run();
    const seek = bench.tasks[0].result.latency;
    // CPU per seek as well: on a loaded machine a seek longer than a scheduler slice is preempted, and its wall time grows far beyond its work.
    const seekCpu = [];
    for (let k = 0; k < seeks; k++) {
      const t = Math.floor(rand() * ticks);
      const c0 = process.cpuUsage();
      tt.seekToTime(t).snapshot;
      const c1 = process.cpuUsage(c0);
      seekCpu.push((c1.user + c1.system) / 1000);
    }
    results[name] = {
      ...summary(run),
      kinds: { full: usage.keyframes, delta: usage.deltas },
      seekMedian: seek.p50,
      seekP99: seek.p99,
      seekMean: seek.mean,
      seekCpuMedian: q(sorted(seekCpu), 0.5),
      seekCpuP90: q(sorted(seekCpu), 0.9),
      workingBytes: tt.memoryUsage().workingBytes ?? 0,
    };
  }
  return { n, ticks, fullBytes, results };
}

const runs = [];
for (const n of sizes) {
  const r = await runSize(n);
  runs.push(r);
  console.log(JSON.stringify(r, (_k, v) => (typeof v === 'number' ? Number(v.toPrecision(4)) : v)));
}

const pct = (a, b) => `${((100 * a) / b).toFixed(1)}%`;
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
let md = `# Moving world (${localDate(new Date())})\n\n${machineLine()}\n\nBuild: ${root}\n\n`;
md +=
  '| entities | ticks | run | stored bytes / tick | vs full zstd-1 snapshot | CPU / tick mean (ms) | median | p90 | vs full save (mean) | seek or load median / p99 (ms) | seek or load CPU median / p90 (ms) | decoded kept (workingBytes) |\n';
md += '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n';
for (const { n, ticks, fullBytes, results } of runs) {
  const base = results.save;
  for (const [name, r] of Object.entries(results)) {
    const kinds = r.kinds ? ` (${r.kinds.full} full, ${r.kinds.delta} delta)` : '';
    const seek = r.seekMedian === undefined ? '—' : `${fmtMs(r.seekMedian)} / ${fmtMs(r.seekP99)}`;
    md += `| ${n.toLocaleString('en')} | ${ticks} | ${name}${kinds} | ${Math.round(r.bytesMean).toLocaleString('en')} | ${pct(r.bytesMean, fullBytes)} | ${fmtMs(r.cpuMean)} | ${fmtMs(r.cpuMedian)} | ${fmtMs(r.cpuP90)} | ${base ? ratio(r.cpuMean, base.cpuMean) : '—'} | ${seek} | ${r.seekCpuMedian === undefined ? '—' : `${fmtMs(r.seekCpuMedian)}${r.seekCpuP90 === undefined ? '' : ` / ${fmtMs(r.seekCpuP90)}`}`} | ${r.workingBytes === undefined ? '—' : r.workingBytes.toLocaleString('en')} |\n`;
  }
  md += `| ${n.toLocaleString('en')} | | (one full zstd-1 snapshot: ${fullBytes.toLocaleString('en')} bytes) | | | | | | | | | |\n`;
}
console.log(md);
if (write) console.log(`wrote ${writeResults(args.root ? 'moving-world-before' : 'moving-world', md)}`);
