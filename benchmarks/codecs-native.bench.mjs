// Compressed write and read through encodeSnapshot / decodeSnapshot (zstd-1, zstd-3, LZ4-1,
// filters 'auto', CRC-32 on) side by side with the native zstd and lz4 command-line tools'
// library speed (`zstd -b`, `lz4 -b`) on a file of the same world's uncompressed snapshot bytes,
// and optionally against another build (the previous commit), all in one run.
//
//   pnpm --filter @tx2/pack-codecs... build
//   node --expose-gc benchmarks/codecs-native.bench.mjs [--entities 10k,100k,1m] [--old /work/main] [--no-write]
//
// Writes results/codecs-native-latest.md. Needs `zstd` and `lz4` on PATH for the native
// columns (apt-get install zstd lz4); without them those columns show '—'.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';

import { benchOptions, fmtMs, machineLine, writeResults } from './bench-env.mjs';

const { args, sizes, timeScale, write } = benchOptions({ defaultSizes: [10_000, 100_000], options: { old: { type: 'string' } } });
const here = path.dirname(new URL(import.meta.url).pathname);
const log = (...m) => console.error(...m);
const gc = globalThis.gc ?? (() => {});

/** The format, codecs and reference world of the build under `root` (its dist/ folders). */
async function loadBuild(root) {
  const p = (pkg, entry = 'index.js') => import(pathToFileURL(path.join(root, 'packages', pkg, 'dist', entry)).href);
  const [format, codecs, world] = await Promise.all([p('format'), p('codecs'), p('cli', 'reference-world.js')]);
  return { format, codecs, world };
}

const ROWS = [
  { key: 'zstd-1', codec: 'zstd', level: 1, cli: ['zstd', '-b1'] },
  { key: 'zstd-3', codec: 'zstd', level: 3, cli: ['zstd', '-b3'] },
  { key: 'lz4-1', codec: 'lz4', level: 1, cli: ['lz4', '-b1'] },
];

/** The tasks of one build for `n` entities: write and read of every row, and the bytes written. */
async function tasksOf(build, n) {
  const { format, codecs, world } = build;
  const packed = world.referenceColumns(n).packed;
  const out = {};
  for (const row of ROWS) {
    const options = await codecs.packOptions({ codec: row.codec, level: row.level, filter: 'auto' });
    const read = { codecs: (await codecs.createCodecRegistry([row.codec])).codecs, filters: codecs.filterById };
    const bytes = format.encodeSnapshot(packed, options);
    format.decodeSnapshot(bytes, read);
    out[row.key] = { bytes: bytes.length, write: () => format.encodeSnapshot(packed, options), read: () => format.decodeSnapshot(bytes, read) };
  }
  return { raw: format.encodeSnapshot(packed), rows: out };
}

/** Median ms of `fn` with tinybench. */
function median(label, fn, n) {
  gc();
  const time = Math.round((n >= 1_000_000 ? 1500 : 800) * timeScale);
  const bench = new Bench({ time, warmupTime: Math.round(150 * timeScale), iterations: n >= 1_000_000 ? 3 : 10, throws: true });
  bench.add(label, fn);
  const [task] = bench.runSync();
  return task.result.latency.p50;
}

/** Compression and decompression ms of the native CLI's in-memory benchmark over `file`, or null. */
function nativeMs(cli, file, rawLength) {
  // zstd and lz4 print their results on stderr (lz4 with exit code 0, zstd too).
  const run = spawnSync(cli[0], [...cli.slice(1), `-i${Math.max(1, Math.round(2 * timeScale))}`, file], { encoding: 'utf8' });
  if (run.error) return null;
  return parseCli(`${run.stdout}${run.stderr}`, rawLength);
}

function parseCli(text, rawLength) {
  const all = [...text.matchAll(/([\d.]+)\s*MB\/s\s*,\s*([\d.]+)\s*MB\/s/g)];
  const last = all.at(-1);
  if (last === undefined) return null;
  // Both tools count 1 MB = 1,000,000 bytes.
  return { write: (rawLength / (Number(last[1]) * 1e6)) * 1e3, read: (rawLength / (Number(last[2]) * 1e6)) * 1e3 };
}

function cliVersion(tool) {
  try {
    return execFileSync(tool, ['-V'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .trim()
      .split('\n')[0];
  } catch {
    return 'missing';
  }
}

const builds = { new: await loadBuild(path.resolve(here, '..')) };
if (args.old) builds.old = await loadBuild(path.resolve(args.old));
const dir = mkdtempSync(path.join(os.tmpdir(), 'tx2-codecs-native-'));
const lines = [
  `# Compressed write/read vs the native zstd and lz4 libraries (and the previous build)`,
  '',
  `${machineLine()}; ${cliVersion('zstd')}; ${cliVersion('lz4')}; time scale ${timeScale}${args.old ? `; old build: ${args.old}` : ''}`,
  '',
  'Write = `encodeSnapshot(packed, await packOptions({ codec, level }))` (filters auto, CRC-32 on); read = `decodeSnapshot` with CRC verification.',
  'Native = the CLI benchmark (`zstd -b1`, `zstd -b3`, `lz4 -b1`: library speed, in memory, one frame) over a file of the uncompressed snapshot bytes of the same world.',
  'Medians in ms; ratios < 1 mean ours is faster.',
  '',
];
try {
  for (const n of sizes) {
    log(`== ${n.toLocaleString('en-US')} entities`);
    const tasks = { new: await tasksOf(builds.new, n) };
    if (builds.old) tasks.old = await tasksOf(builds.old, n);
    const file = path.join(dir, `raw-${n}.bin`);
    writeFileSync(file, tasks.new.raw);
    lines.push(`## ${n.toLocaleString('en-US')} entities (${tasks.new.raw.length.toLocaleString('en-US')} uncompressed bytes)`, '');
    lines.push(
      `| codec | bytes | write | native write | write / native | read | native read | read / native${builds.old ? ' | old write | new/old write | old read | new/old read' : ''} |`,
      `|---|---:|---:|---:|---:|---:|---:|---:${builds.old ? '|---:|---:|---:|---:' : ''}|`,
    );
    for (const row of ROWS) {
      log(`  ${row.key}`);
      const t = tasks.new.rows[row.key];
      const native = nativeMs(row.cli, file, tasks.new.raw.length);
      // Old and new alternate so that both see the same machine load.
      const w = median(`${row.key} write`, t.write, n);
      const r = median(`${row.key} read`, t.read, n);
      let oldCells = '';
      if (tasks.old) {
        const o = tasks.old.rows[row.key];
        const ow = median(`${row.key} old write`, o.write, n);
        const or = median(`${row.key} old read`, o.read, n);
        oldCells = ` | ${fmtMs(ow)} | ${(w / ow).toFixed(2)} | ${fmtMs(or)} | ${(r / or).toFixed(2)}`;
      }
      const ratio = (a, b) => (b ? (a / b).toFixed(2) : '—');
      lines.push(
        `| ${row.key} | ${t.bytes.toLocaleString('en-US')} | ${fmtMs(w)} | ${fmtMs(native?.write)} | ${ratio(w, native?.write)} | ${fmtMs(r)} | ${fmtMs(native?.read)} | ${ratio(r, native?.read)}${oldCells} |`,
      );
    }
    lines.push('');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const markdown = `${lines.join('\n')}\n`;
console.log(markdown);
if (write) log(`wrote ${writeResults('codecs-native', markdown)}`);
