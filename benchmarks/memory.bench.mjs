// Peak memory (max RSS) of a save and a load of the reference world, per codec, each case in a
// fresh child process so that one case's heap and WebAssembly memories cannot hide another's.
// Optionally the same cases with another build (the previous commit), in the same run.
//
//   pnpm --filter @tx2/pack-codecs... build
//   node benchmarks/memory.bench.mjs [--entities 1m] [--old /path/to/old/checkout] [--no-write]
//
// Cases: 'save+load' (encodeSnapshot then decodeSnapshot of its output, touching every column),
// 'save' (encodeSnapshot only), 'load' (decodeSnapshot of a file read before measuring) and
// 'load-file' (readSnapshotFile of @tx2/pack-store/node: the file is read section by section,
// never whole). The ratio is against codec 'none' of the same build and case. Writes
// results/memory-latest.md.
//
// The floor: what a compressed case must hold beyond the uncompressed one whatever the code does.
// Loading uncompressed bytes makes columns that are views into them, so a compressed 'load' or
// 'save+load' must hold its decoded columns (the none file's size) beside its own bytes: floor =
// (none peak + compressed bytes) / none peak. 'save' and 'load-file' have none (1.00): there the
// none path holds the same columns (its output, its read buffers). "vs floor" = peak / floor peak.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { benchOptions, machineLine, writeResults } from './bench-env.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const ROWS = [
  { key: 'none', codec: 'none', level: 0 },
  { key: 'zstd-1', codec: 'zstd', level: 1 },
  { key: 'zstd-3', codec: 'zstd', level: 3 },
  { key: 'lz4-1', codec: 'lz4', level: 1 },
];
const CASES = ['save+load', 'save', 'load', 'load-file'];

/** The child: runs one case and prints { baseline, peak, bytes } (KiB of RSS) as JSON. */
async function child([root, rowKey, kase, n, file]) {
  const p = (pkg, entry = 'index.js') => import(pathToFileURL(path.join(root, 'packages', pkg, 'dist', entry)).href);
  const [format, codecs, world] = await Promise.all([p('format'), p('codecs'), p('cli', 'reference-world.js')]);
  const row = ROWS.find((r) => r.key === rowKey);
  const options = row.codec === 'none' ? {} : await codecs.packOptions({ codec: row.codec, level: row.level, filter: 'auto' });
  const read = { codecs: (await codecs.createCodecRegistry(['lz4', 'zstd'])).codecs, filters: codecs.filterById };
  const touch = (snapshot) => {
    let sum = 0;
    for (const c of snapshot.components) for (const f of c.fields ?? []) sum += f.values?.length ?? 0;
    return sum + snapshot.entities.length;
  };
  let bytes = 0;
  if (kase === 'load-file') {
    const store = await p('store', 'node.js');
    const reader = (await p('store')).SnapshotReader.create();
    globalThis.gc?.();
    const baseline = process.resourceUsage().maxRSS;
    touch(await store.readSnapshotFile(file, reader));
    process.stdout.write(JSON.stringify({ baseline, peak: process.resourceUsage().maxRSS, bytes: readFileSync(file).length }));
    return;
  }
  if (kase === 'load') {
    const stored = readFileSync(file); // a Buffer is a Uint8Array: no second copy of the file
    globalThis.gc?.();
    const baseline = process.resourceUsage().maxRSS;
    touch(format.decodeSnapshot(stored, read));
    bytes = stored.length;
    process.stdout.write(JSON.stringify({ baseline, peak: process.resourceUsage().maxRSS, bytes }));
    return;
  }
  const packed = world.referenceColumns(Number(n)).packed;
  globalThis.gc?.();
  const baseline = process.resourceUsage().maxRSS;
  const stored = format.encodeSnapshot(packed, options);
  bytes = stored.length;
  if (kase === 'save' && file) writeFileSync(file, stored);
  if (kase === 'save+load') touch(format.decodeSnapshot(stored, read));
  process.stdout.write(JSON.stringify({ baseline, peak: process.resourceUsage().maxRSS, bytes }));
}

function runChild(root, row, kase, n, file = '') {
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', path.join(here, 'memory.bench.mjs'), '--child', root, row, kase, String(n), file], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`child ${row} ${kase} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

if (process.argv[2] === '--child') {
  await child(process.argv.slice(3));
} else {
  const { args, sizes, write } = benchOptions({ defaultSizes: [1_000_000], options: { old: { type: 'string' } } });
  const builds = { new: path.resolve(here, '..') };
  if (args.old) builds.old = path.resolve(args.old);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tx2-memory-'));
  const lines = [
    '# Peak memory of compressed save and load (max RSS, one child process per case)',
    '',
    `${machineLine()}${args.old ? `; old build: ${args.old}` : ''}`,
    '',
    'Save = `encodeSnapshot(packed, await packOptions({ codec, level, filter: "auto" }))`; load = `decodeSnapshot(bytes, { codecs, filters })`;',
    'load-file = `readSnapshotFile(file, SnapshotReader.create())` of `@tx2/pack-store/node` (sections read from the file one by one);',
    'save+load = both in one process. Peak = the child\'s max RSS; "over base" = peak minus the RSS after the world (or the file) was in memory.',
    'Floor (load, save+load) = (none peak + compressed bytes) / none peak: uncompressed columns are views into their bytes, compressed ones must be decoded beside them; "vs floor" = peak / that.',
    '',
  ];
  try {
    for (const n of sizes) {
      lines.push(`## ${n.toLocaleString('en-US')} entities`, '');
      const results = {};
      for (const [build, root] of Object.entries(builds)) {
        for (const row of ROWS) {
          const file = path.join(tmp, `${build}-${row.key}-${n}.tx2`);
          for (const kase of CASES) {
            console.error(`${build} ${row.key} ${kase} ${n}`);
            results[`${build} ${row.key} ${kase}`] = runChild(root, row.key, kase, n, kase === 'save+load' ? '' : file);
          }
        }
      }
      const floored = (kase) => kase === 'load' || kase === 'save+load';
      const head = `| codec | bytes | ${CASES.map((c) => `${c} peak MiB | vs none${floored(c) ? ' | floor | vs floor' : ''}${builds.old ? ' | old vs none | new/old' : ''}`).join(' | ')} | save+load over base MiB |`;
      const cols = (kase) => ['---:', '---:', ...(floored(kase) ? ['---:', '---:'] : []), ...(builds.old ? ['---:', '---:'] : [])].join('|');
      lines.push(head, `|---|---:|${CASES.map(cols).join('|')}|---:|`);
      for (const row of ROWS) {
        const cell = (build, kase) => results[`${build} ${row.key} ${kase}`];
        // Ratios against codec none of the same build and case, the floor, and the old build.
        const cells = CASES.map((kase) => {
          const r = cell('new', kase);
          const none = results[`new none ${kase}`];
          let text = `${(r.peak / 1024).toFixed(0)} | ${(r.peak / none.peak).toFixed(2)}`;
          if (floored(kase)) {
            const floor = row.key === 'none' ? none.peak : none.peak + r.bytes / 1024;
            text += ` | ${(floor / none.peak).toFixed(2)} | ${(r.peak / floor).toFixed(2)}`;
          }
          if (builds.old) {
            const o = cell('old', kase);
            text += ` | ${(o.peak / results[`old none ${kase}`].peak).toFixed(2)} | ${(r.peak / o.peak).toFixed(2)}`;
          }
          return text;
        });
        const both = cell('new', 'save+load');
        lines.push(`| ${row.key} | ${cell('new', 'save').bytes.toLocaleString('en-US')} | ${cells.join(' | ')} | ${((both.peak - both.baseline) / 1024).toFixed(0)} |`);
      }
      lines.push('');
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const md = lines.join('\n');
  console.log(md);
  if (write) console.error(`wrote ${writeResults('memory', md)}`);
}
