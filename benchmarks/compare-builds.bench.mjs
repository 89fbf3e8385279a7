// Old vs new build of tx2-pack in one process: the same reference world through both builds'
// dist/ folders, in alternating rounds, so a change is judged against its own base on the same
// machine at the same moment (ratio new/old), not against figures from another day.
//
//   git worktree add /tmp/old <base-commit> && (cd /tmp/old && pnpm install --offline && pnpm build)
//   pnpm build && node --expose-gc benchmarks/compare-builds.bench.mjs /tmp/old . [10000,100000]
//
// ROUNDS (default 3) sets the rounds; each task's figure is the median of the rounds' medians.
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [oldRoot, newRoot, sizesArg = '10000,100000'] = process.argv.slice(2);
const sizes = sizesArg.split(',').map(Number);
const req = createRequire(path.join(newRoot, 'benchmarks', 'package.json'));
const { Bench } = await import(pathToFileURL(req.resolve('tinybench')).href);

async function load(root) {
  const p = (pkg, entry = 'index.js') => import(pathToFileURL(path.join(root, 'packages', pkg, 'dist', entry)).href);
  const [format, codecs, store, world] = await Promise.all([p('format'), p('codecs'), p('store'), p('cli', 'reference-world.js')]);
  return { format, codecs, store, world };
}

function tasks(lib, n) {
  const { format, codecs, store, world } = lib;
  const packed = format.fromWorldSnapshot(world.referenceWorld(n), { schema: world.REFERENCE_SCHEMA });
  return (async () => {
    const zstd = await codecs.packOptions();
    const read = await codecs.readOptions();
    const plain = format.encodeSnapshot(packed);
    const compressed = format.encodeSnapshot(packed, zstd);
    const writer = store.SnapshotWriter.create();
    const reader = store.SnapshotReader.create();
    const partial = reader.withComponents(['Health']);
    const decode = (r, b) => (typeof r.decode === 'function' ? r.decode(b) : r.readFromBytes(b));
    const encode = (w, s) => (typeof w.encode === 'function' ? w.encode(s) : w.writeToBytes(s));
    const mem = new store.SnapshotStore(new store.MemoryBackend());
    return {
      'encodeSnapshot none': () => format.encodeSnapshot(packed),
      'encodeSnapshot zstd-1+auto': () => format.encodeSnapshot(packed, zstd),
      'decodeSnapshot none': () => format.decodeSnapshot(plain),
      'decodeSnapshot zstd-1+auto': () => format.decodeSnapshot(compressed, read),
      snapshotHash: () => format.snapshotHash(packed),
      'SnapshotWriter encode (default zstd-1)': () => encode(writer, packed),
      'SnapshotReader decode (zstd-1)': () => decode(reader, compressed),
      'SnapshotReader partial (1 component)': () => decode(partial, compressed),
      'SnapshotStore save+load (memory)': async () => {
        await mem.save(packed, 'slot');
        await mem.load('slot');
      },
    };
  })();
}

const libs = { old: await load(oldRoot), new: await load(newRoot) };
const rounds = Number(process.env.ROUNDS ?? 3);
console.log(
  `# old vs new build: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
for (const n of sizes) {
  const built = { old: await tasks(libs.old, n), new: await tasks(libs.new, n) };
  const medians = {};
  for (let r = 0; r < rounds; r++) {
    for (const which of r % 2 === 0 ? ['old', 'new'] : ['new', 'old']) {
      const bench = new Bench({ time: n >= 100000 ? 400 : 250, warmupTime: 50 });
      for (const [name, fn] of Object.entries(built[which])) bench.add(name, fn);
      globalThis.gc?.();
      await bench.run();
      for (const t of bench.tasks) {
        const m = t.result?.latency?.p50 ?? t.result?.p50;
        (medians[t.name] ??= { old: [], new: [] })[which].push(m);
      }
    }
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`\n## ${n.toLocaleString('en-US')} entities (median of ${rounds} rounds' medians, ms)\n`);
  console.log('| task | old | new | new/old |\n|---|---:|---:|---:|');
  for (const [name, { old, new: nu }] of Object.entries(medians)) {
    const o = med(old);
    const v = med(nu);
    console.log(`| ${name} | ${o.toFixed(3)} | ${v.toFixed(3)} | ${(v / o).toFixed(2)} |`);
  }
}
