// Shared helpers of the replay and timetravel benchmarks: machine header, memory sampling, results file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const gc = globalThis.gc ?? (() => {});

/** One line describing the machine, Node and the commit. */
export function machineLine() {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim();
  } catch {}
  const mem = (os.totalmem() / 2 ** 30).toFixed(1);
  return `${new Date().toISOString()}, ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores, ${mem} GiB, Node ${process.version} (${process.platform}-${process.arch}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, commit ${commit}`;
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
