// Shared helpers of the benchmarks: options, formatting, machine and commit facts, memory sampling, results files.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const gc = globalThis.gc ?? (() => {});

/** One line describing the machine, Node and the commit. */
export function machineLine() {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim();
  } catch {}
  const mem = (os.totalmem() / 2 ** 30).toFixed(1);
  return `${new Date().toISOString()}, ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores, ${mem} GiB, Node ${process.version} (${process.platform}-${process.arch}), load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, commit ${commit}`;
}

/** Samples process memory (rss, and heapUsed + arrayBuffers = JS-held bytes) against a baseline taken after a GC. */
export class MemorySampler {
  constructor(intervalMs = 5) {
    gc();
    gc();
    this.base = process.memoryUsage();
    this.peakRss = 0;
    this.peakHeld = 0;
    this.timer = setInterval(() => this.sample(), intervalMs);
  }
  sample() {
    const m = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, m.rss - this.base.rss);
    this.peakHeld = Math.max(this.peakHeld, m.heapUsed + m.arrayBuffers - (this.base.heapUsed + this.base.arrayBuffers));
  }
  stop() {
    this.sample();
    clearInterval(this.timer);
    return { peakRssMiB: this.peakRss / 2 ** 20, peakHeldMiB: this.peakHeld / 2 ** 20 };
  }
}

/** Writes results/<name>-latest.md. */
export function writeResults(name, markdown) {
  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}-latest.md`), markdown);
  return join(dir, `${name}-latest.md`);
}

/** Entity counts from `--entities 10k,100000,1m` style lists, deduplicated and sorted. */
export function parseSizes(list) {
  const sizes = list
    .flatMap((s) => s.split(','))
    .map((s) => s.trim().replace(/_/g, ''))
    .filter(Boolean)
    .map((s) => {
      const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(s);
      if (m === null) throw new Error(`--entities: not a count: "${s}"`);
      const n = Number(m[1]) * ({ k: 1e3, m: 1e6 }[m[2].toLowerCase()] ?? 1);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--entities: not a positive integer: "${s}"`);
      return n;
    });
  return [...new Set(sizes)].sort((a, b) => a - b);
}

/** A millisecond figure with three significant digits ('—' when absent). */
export function fmtMs(v) {
  if (v == null) return '—';
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(1);
  if (a >= 10) return v.toFixed(2);
  if (a >= 1) return v.toFixed(3);
  return Number(v.toPrecision(3)).toString();
}

/** YYYY-MM-DD in local time, for result file names. */
export function localDate(d) {
  const p = (v) => String(v).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The installed version of a benchmark dependency, or null. */
export function readVersion(pkg, from = here) {
  try {
    return JSON.parse(readFileSync(join(from, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

/** The commit, and under `key` whether the given package folders have uncommitted changes; null outside git. */
export function gitInfo(paths, key) {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: here, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--', ...paths], { cwd: here, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim() !== '';
    return { commit, [key]: dirty };
  } catch {
    return null;
  }
}

/**
 * The options every size-based benchmark shares: `--entities` (or BENCH_ENTITIES), `--time-scale`
 * (or BENCH_TIME_SCALE, > 0) and `--no-write` (or BENCH_NO_WRITE), plus a script's own `options`.
 */
export function benchOptions({ defaultSizes, options = {} }) {
  const { values: args } = parseArgs({
    options: {
      entities: { type: 'string', multiple: true },
      'time-scale': { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      ...options,
    },
    allowPositionals: false,
  });
  const sizes = args.entities ? parseSizes(args.entities) : process.env.BENCH_ENTITIES ? parseSizes([process.env.BENCH_ENTITIES]) : defaultSizes;
  const timeScale = Number(args['time-scale'] ?? process.env.BENCH_TIME_SCALE ?? 1);
  if (!(timeScale > 0)) throw new Error('--time-scale must be a positive number');
  const write = !args['no-write'] && !process.env.BENCH_NO_WRITE;
  return { args, sizes, timeScale, write };
}
