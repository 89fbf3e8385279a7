// The WebAssembly zstd codec against zstd's C library built natively, doing the same work:
// the sections of one snapshot write (the bytes `encodeSnapshot` hands the codec, already
// filtered), compressed with the same calls and parameters (level, and the block size of the
// codec's blockSize 'auto'), checked to give the same bytes. This isolates the cost of
// running zstd as WebAssembly from everything else a write does (filters, CRC, layout).
//
//   pnpm --filter @tx2/pack-codecs... build && pnpm --filter @tx2/pack-cli build
//   node --expose-gc benchmarks/zstd-same-params.bench.mjs --zstd-src <zstd-1.5.7 source dir> [--entities 10k,100k]
//
// The native side is compiled here with `cc -O3` from the zstd sources (the same release as
// the embedded module: the upstream tarball that packages/codecs/wasm/build.sh verifies).
// Writes results/zstd-same-params-latest.md.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Bench } from 'tinybench';

import { benchOptions, fmtMs, machineLine, writeResults } from './bench-env.mjs';

const { args, sizes, timeScale, write } = benchOptions({ defaultSizes: [10_000, 100_000], options: { 'zstd-src': { type: 'string' } } });
const here = path.dirname(new URL(import.meta.url).pathname);
const log = (...m) => console.error(...m);
const LEVELS = [1, 3];

const format = await import('@tx2/pack-format');
const codecs = await import('@tx2/pack-codecs');
const world = await import('@tx2/pack-cli/reference-world');

/** The sections a write hands the zstd codec: their bytes and the block size the codec picks (replayed from its calls). */
async function capture(packed, level) {
  const options = await codecs.packOptions({ codec: 'zstd', level, filter: 'auto' });
  const sections = [];
  const real = options.codec;
  const spy = {
    ...real,
    compressWith(length, fill, take, lv) {
      return real.compressWith(
        length,
        (input) => {
          fill(input);
          sections.push(input.slice());
        },
        take,
        lv,
      );
    },
  };
  const bytes = format.encodeSnapshot(packed, { ...options, codec: spy });
  return { sections, snapshotBytes: bytes.length, options };
}

/** zstd's 'auto' block size, as the codec documents it (packages/codecs/src/zstd.ts). */
const autoBlock = (length) => (length < 4096 ? 0 : Math.ceil(length / 4) >= 128 * 1024 ? 0 : Math.ceil(length / 4));

function fnv(frames) {
  let h = 2166136261;
  for (const f of frames) for (let i = 0; i < f.length; i++) h = Math.imul(h ^ f[i], 16777619) >>> 0;
  return h;
}

function sectionsFile(sections, file) {
  const head = Buffer.alloc(4 + 8 * sections.length);
  head.writeUInt32LE(sections.length, 0);
  sections.forEach((s, i) => {
    head.writeUInt32LE(s.length, 4 + 8 * i);
    head.writeUInt32LE(autoBlock(s.length), 8 + 8 * i);
  });
  writeFileSync(file, Buffer.concat([head, ...sections]));
}

function median(label, fn) {
  globalThis.gc?.();
  const bench = new Bench({ time: Math.round(1500 * timeScale), warmupTime: Math.round(300 * timeScale), iterations: 20, throws: true });
  bench.add(label, fn);
  const [task] = bench.runSync();
  return { median: task.result.latency.p50, min: task.result.latency.min };
}

const src = args['zstd-src'];
if (!src || !existsSync(path.join(src, 'lib', 'zstd.h'))) {
  console.error('--zstd-src <dir>: the unpacked zstd 1.5.7 source tree (it has lib/zstd.h); packages/codecs/wasm/build.sh says where to get the tarball');
  process.exit(2);
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'tx2-zstd-same-'));
const lib = path.join(src, 'lib');
const cfiles = ['common', 'compress'].flatMap((d) =>
  readdirSync(path.join(lib, d))
    .filter((f) => f.endsWith('.c'))
    .map((f) => path.join(lib, d, f)),
);
const exe = path.join(dir, 'zstd-sections');
log('compiling the native side');
execFileSync('cc', ['-O3', `-I${lib}`, '-o', exe, path.join(here, 'native', 'zstd-sections.c'), ...cfiles, '-lpthread']);

const lines = [
  '# WebAssembly zstd vs native zstd, same sections, same parameters, same output bytes',
  '',
  `${machineLine()}; native: cc -O3 (${execFileSync('cc', ['--version'], { encoding: 'utf8' }).split('\n')[0]}), time scale ${timeScale}`,
  '',
  'One pass = compressing every section of one `encodeSnapshot` write of the reference world (filters auto), as the codec does it.',
  "WebAssembly = the package codec's `compressWith`; native = the same zstd release built with `cc -O3`, same calls and parameters;",
  '"same bytes" compares an FNV-1a hash of all frames. Full write = the whole `encodeSnapshot` (filters, CRC-32, layout) for context.',
  '',
  '| entities | level | sections | WebAssembly pass median / min | native pass median / min | median ratio | min ratio | same bytes | full write median |',
  '|---:|---:|---:|---:|---:|---:|---:|:---:|---:|',
];
try {
  for (const n of sizes) {
    const packed = world.referenceColumns(n).packed;
    for (const level of LEVELS) {
      log(`== ${n} entities, zstd-${level}`);
      const { sections, options } = await capture(packed, level);
      const codec = options.codec;
      const frames = [];
      const pass = (keep) => {
        for (const s of sections) {
          codec.compressWith(
            s.length,
            (input) => input.set(s),
            (frame) => (keep ? frames.push(frame.slice()) : frame.length),
            level,
          );
        }
      };
      pass(true);
      const file = path.join(dir, `sections-${n}-${level}.bin`);
      sectionsFile(sections, file);
      const passes = Math.max(50, Math.round((n >= 100_000 ? 200 : 1500) * timeScale));
      const native = JSON.parse(execFileSync(exe, [file, String(level), String(passes)], { encoding: 'utf8' }));
      const wasm = median(`wasm ${n} ${level}`, () => pass(false));
      const full = median(`full ${n} ${level}`, () => format.encodeSnapshot(packed, options));
      const same = native.fnv === fnv(frames) && native.bytes === frames.reduce((a, f) => a + f.length, 0);
      lines.push(
        `| ${n.toLocaleString('en-US')} | ${level} | ${sections.length} | ${fmtMs(wasm.median)} / ${fmtMs(wasm.min)} | ${fmtMs(native.median)} / ${fmtMs(native.min)} | ${(wasm.median / native.median).toFixed(2)} | ${(wasm.min / native.min).toFixed(2)} | ${same ? 'yes' : 'NO'} | ${fmtMs(full.median)} |`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const markdown = `${lines.join('\n')}\n`;
console.log(markdown);
if (write) log(`wrote ${writeResults('zstd-same-params', markdown)}`);
