// Compressed writes on Web Workers in headless Chromium: encodeSnapshot against the browser build
// of @tx2/pack-codecs/workers (createCompressionPool) on the reference world, same page, same run.
//
//   node browser/workers.bench.mjs [--entities 1m] [--threads 2] [--levels 1,3] [--rounds 3] [--time-scale 1]
//
// The page is bundled with esbuild (platform browser, so `@tx2/pack-codecs/workers` resolves to
// its browser build). esbuild does not follow `new Worker(new URL(...))`, so the worker script
// (dist/compress-worker.browser.js of the codecs package) is bundled as a second entry next to
// the page, where that URL finds it: what an application built with esbuild does. Each round times
// every step with tinybench (runner.mjs) in alternating order; the table keeps each step's median
// per round and gives the pool/single ratio of each round (same page, back to back) and their median.
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright';
import { benchOptions, fmtMs, machineLine, writeResults } from '../bench-env.mjs';
import { chromiumSettings } from './chromium-settings.mjs';
import { DEFAULT_SETTINGS } from './runner.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, '.out');
const CODECS_DIST = join(HERE, '..', '..', 'packages', 'codecs', 'dist');
const log = (...m) => console.error(...m);

const { args, sizes, timeScale, write } = benchOptions({
  defaultSizes: [1_000_000],
  options: { threads: { type: 'string' }, levels: { type: 'string' }, rounds: { type: 'string' } },
});
const n = sizes[0];
const threads = Number(args.threads ?? 2);
const levels = (args.levels ?? '1,3').split(',').map(Number);
const rounds = Math.max(1, Number(args.rounds ?? 3));
const settings = { ...DEFAULT_SETTINGS, time: Math.round(DEFAULT_SETTINGS.time * timeScale), warmupTime: Math.round(DEFAULT_SETTINGS.warmupTime * timeScale) };

mkdirSync(OUT, { recursive: true });
const common = { bundle: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'silent', absWorkingDir: join(HERE, '..') };
await build({ ...common, entryPoints: [join(HERE, 'workers-page.mjs')], outfile: join(OUT, 'workers-page.js') });
await build({ ...common, entryPoints: [join(CODECS_DIST, 'compress-worker.browser.js')], outfile: join(OUT, 'compress-worker.browser.js') });

const files = {
  '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>tx2-pack Web Worker pool benchmark</title><script type="module" src="/workers-page.js"></script>'],
  '/favicon.ico': ['image/x-icon', ''],
  '/workers-page.js': ['text/javascript', () => readFileSync(join(OUT, 'workers-page.js'))],
  '/compress-worker.browser.js': ['text/javascript', () => readFileSync(join(OUT, 'compress-worker.browser.js'))],
};
const server = createServer((req, res) => {
  const file = files[new URL(req.url, 'http://x').pathname];
  if (file === undefined) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': file[0], 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' });
  res.end(typeof file[1] === 'function' ? file[1]() : file[1]);
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));

const { chromiumArgs, chromiumPath } = await chromiumSettings(OUT);
const started = new Date();
const machineAtStart = machineLine();
const browser = await chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs] });
const version = browser.version();
const perRound = [];
const loads = [];
let facts;
try {
  const page = await browser.newPage();
  page.on('console', (m) => log(`  ${m.text()}`));
  page.on('pageerror', (e) => log(`  page error: ${e.message}`));
  page.setDefaultTimeout(0);
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => typeof globalThis.runWorkersBench === 'function');
  for (let round = 0; round < rounds; round++) {
    loads.push(os.loadavg()[0]);
    log(`== round ${round + 1}/${rounds} (load ${loads.at(-1).toFixed(2)})`);
    facts = await page.evaluate((o) => globalThis.runWorkersBench(o), { n, threads, levels, settings, reverse: round % 2 === 1 });
    perRound.push(new Map(facts.results.map((r) => [r.name, r])));
  }
  loads.push(os.loadavg()[0]);
  await page.evaluate(() => globalThis.closeWorkersBench());
} finally {
  await browser.close();
  server.close();
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const rows = [];
for (const level of levels) {
  const single = `zstd-${level} single`;
  const pooled = `zstd-${level} pool-${threads}`;
  const ratios = perRound.map((m) => m.get(pooled).medianMs / m.get(single).medianMs);
  for (const name of [single, pooled]) {
    const medians = perRound.map((m) => m.get(name).medianMs);
    const mins = perRound.map((m) => m.get(name).minMs);
    const isPool = name === pooled;
    rows.push(
      `| ${n.toLocaleString('en-US')} | ${level} | ${isPool ? `pool, ${threads} Web Workers` : 'single (encodeSnapshot)'} | ${facts.bytes[level].toLocaleString('en-US')} | ${medians.map(fmtMs).join(' / ')} | ${fmtMs(median(medians))} | ${fmtMs(Math.min(...mins))} | ${isPool ? `${ratios.map((r) => r.toFixed(2)).join(' / ')} | **${median(ratios).toFixed(2)}×**` : '1 | 1.00×'} |`,
    );
  }
}
const lines = [
  `# Compressed writes on Web Workers in Chromium (N = ${n.toLocaleString('en-US')})`,
  '',
  `Run: ${machineAtStart}; Chromium ${version} (navigator.hardwareConcurrency ${facts.hardwareConcurrency}, cross-origin isolated: ${facts.crossOriginIsolated}); finished ${new Date().toISOString()} (${Math.round((Date.now() - started) / 1000)} s).`,
  `Load average (1 min) at the start of each round and at the end: ${loads.map((l) => l.toFixed(2)).join(', ')} on ${os.cpus().length} cores.`,
  `Command: \`node benchmarks/browser/workers.bench.mjs --entities ${n} --threads ${threads} --levels ${levels.join(',')} --rounds ${rounds}${timeScale === 1 ? '' : ` --time-scale ${timeScale}`}\`.`,
  '',
  `Reference world (referenceColumns of @tx2/pack-cli/reference-world), zstd with auto filters, CRC-32 on, in one page. Single = encodeSnapshot on the page's thread; pool = createCompressionPool({ threads: ${threads} }).encode of the browser build (default thresholds), started and warmed up (workers running, codec loaded, bytes checked equal to encodeSnapshot's) before timing. Each round times every step under tinybench (${settings.time} ms + ${settings.warmupTime} ms warm-up, at least ${settings.iterations} calls), alternating the order of the steps between rounds. Wall-clock medians per round; ratio = pool / single of the same round and level.`,
  '',
  '| entities | level | mode | bytes | median ms per round | median of rounds | min ms | ratio per round | ratio (median) |',
  '|---:|---:|---|---:|---:|---:|---:|---:|---:|',
  ...rows,
  '',
];
const markdown = lines.join('\n');
console.log(markdown);
if (write) log(`\nwrote ${writeResults('workers-browser', markdown)}`);
