// The browser benchmark: the same steps (steps.mjs, store-steps.mjs) in Node and in headless
// Chromium in one session, side by side with the ratio Chromium / Node.
//
//   pnpm bench:browser                          (repo root; N = 10,000)
//   pnpm bench:browser --entities 100k          (another world size)
//   pnpm bench:browser --filter diff            (only the steps whose name contains "diff"; "a|b": either)
//   pnpm bench:browser --packages /other/clone  (time another checkout's built packages, e.g. a baseline)
//   --rounds 3 / BENCH_ROUNDS                   (Node and Chromium take turns 3 times, default 2)
//   --time-scale 0.5 / BENCH_TIME_SCALE, --no-write / BENCH_NO_WRITE=1
//
// The page is bundled with esbuild and served from 127.0.0.1 with cross-origin isolation, so that
// performance.now() has Chromium's fine resolution (5 µs instead of 100 µs). Chromium is the
// machine's (TX2_CHROMIUM or /usr/bin/chromium) started with the flags of the browser tests
// (chromiumArgs in the root vitest.browser.ts).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright';
import { benchOptions, fmtMs, machineLine, writeResults } from '../bench-env.mjs';
import { chromiumSettings } from './chromium-settings.mjs';
import { DEFAULT_SETTINGS } from './runner.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, '.out');
const log = (...m) => console.error(...m);

const { args, sizes, timeScale, write } = benchOptions({
  defaultSizes: [10_000],
  options: { filter: { type: 'string' }, packages: { type: 'string' }, rounds: { type: 'string' } },
});
// Node and Chromium take turns this many times; each step keeps its lowest median, so a burst of
// load from other processes on a shared machine does not land on one side only.
const rounds = Math.max(1, Number(args.rounds ?? process.env.BENCH_ROUNDS ?? 2));
const n = sizes[0];
const filter = args.filter ?? '';
const checkout = resolve(args.packages ?? join(HERE, '..', '..'));
const settings = { ...DEFAULT_SETTINGS, time: Math.round(DEFAULT_SETTINGS.time * timeScale), warmupTime: Math.round(DEFAULT_SETTINGS.warmupTime * timeScale) };

/** An esbuild plugin that takes @tx2 packages from `checkout` (built dist), and for Node leaves every package external. */
function packagesFrom(root, node) {
  return {
    name: 'tx2-packages',
    setup(b) {
      b.onResolve({ filter: /^[^./#]/ }, async (a) => {
        if (a.pluginData === 'inner' || a.path.startsWith('node:')) return undefined;
        const tx2 = a.path.startsWith('@tx2/');
        if (!tx2 && !node) return undefined;
        const found = await b.resolve(a.path, { kind: a.kind, resolveDir: tx2 ? join(root, 'benchmarks') : a.resolveDir, pluginData: 'inner' });
        // A @tx2 entry this checkout lacks (e.g. @tx2/pack-store/node before it existed) is an empty module.
        if (found.errors.length > 0) return tx2 ? { path: a.path, namespace: 'tx2-missing' } : { errors: found.errors };
        return node ? { path: tx2 ? pathToFileURL(found.path).href : a.path, external: true } : { path: found.path };
      });
      b.onLoad({ filter: /.*/, namespace: 'tx2-missing' }, () => ({ contents: 'export {};', loader: 'js' }));
    },
  };
}

/** Bundles `entry` for the browser or Node into .out/`outfile`; returns an error message instead of throwing. */
async function bundle(entry, outfile, node) {
  try {
    await build({
      entryPoints: [join(HERE, entry)],
      outfile: join(OUT, outfile),
      bundle: true,
      format: 'esm',
      platform: node ? 'node' : 'browser',
      target: node ? 'node20' : 'es2022',
      logLevel: 'silent',
      plugins: [packagesFrom(checkout, node)],
    });
    return undefined;
  } catch (error) {
    return error.errors?.map((e) => e.text).join('; ') ?? String(error);
  }
}

/** The short commit of a checkout, or 'unknown'. */
function commitOf(dir) {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Serves the page and its scripts on 127.0.0.1, cross-origin isolated. */
async function serve() {
  const files = {
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>tx2-pack browser benchmark</title><script type="module" src="/page.js"></script>'],
    '/favicon.ico': ['image/x-icon', ''],
    '/page.js': ['text/javascript', () => readFileSync(join(OUT, 'page.js'))],
    '/store.js': ['text/javascript', () => readFileSync(join(OUT, 'store.js'))],
  };
  const server = createServer((req, res) => {
    const file = files[new URL(req.url, 'http://x').pathname];
    if (file === undefined) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file[0], 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' });
    res.end(typeof file[1] === 'function' ? file[1]() : file[1]);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

mkdirSync(OUT, { recursive: true });
log(`packages from ${checkout}; N = ${n}; tinybench ${JSON.stringify(settings)}`);
for (const [entry, out, node] of [
  ['page.mjs', 'page.js', false],
  ['node-entry.mjs', 'node.mjs', true],
]) {
  const error = await bundle(entry, out, node);
  if (error) throw new Error(`${entry} does not bundle: ${error}`);
}
const storeError = await bundle('store-page.mjs', 'store.js', false);
if (storeError) log(`the store does not bundle for the browser, so its rows are left out in Chromium: ${storeError.slice(0, 300)}`);

const { runNodeBench } = await import(`${pathToFileURL(join(OUT, 'node.mjs')).href}?${Date.now()}`);
const { chromiumArgs, chromiumPath } = await chromiumSettings(OUT);
const { server, url } = await serve();
const browser = await chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs] });
const version = browser.version();
const best = { node: new Map(), chromium: new Map() };
/** Keeps each step's lowest median over the rounds. */
const keep = (side, results) => {
  for (const r of results) if (!(best[side].get(r.name)?.medianMs <= r.medianMs)) best[side].set(r.name, r);
};
let isolated = false;
let missing = [];
try {
  const page = await browser.newPage();
  page.on('console', (m) => log(`  ${m.text()}`));
  page.on('pageerror', (e) => log(`  page error: ${e.message}`));
  page.setDefaultTimeout(0);
  await page.goto(url);
  await page.waitForFunction(() => typeof globalThis.runBrowserBench === 'function');
  if (!storeError) {
    await page.addScriptTag({ url: '/store.js', type: 'module' });
    await page.waitForFunction(() => typeof globalThis.runBrowserStoreBench === 'function');
  }
  for (let round = 1; round <= rounds; round++) {
    log(`\n== round ${round}/${rounds}: Node`);
    keep('node', (await runNodeBench({ n, settings, filter, log: (l) => log(`  ${l}`) })).results);
    log(`\n== round ${round}/${rounds}: Chromium`);
    const web = await page.evaluate((o) => globalThis.runBrowserBench(o), { n, settings, filter });
    isolated = web.crossOriginIsolated;
    keep('chromium', web.results);
    if (!storeError) {
      const webStore = await page.evaluate((o) => globalThis.runBrowserStoreBench(o), { n, settings, filter });
      missing = webStore.missing;
      keep('chromium', webStore.results);
    }
  }
} finally {
  await browser.close();
  server.close();
}

// The table: every row either side measured, Node first.
const chromeRows = best.chromium;
const nodeRows = best.node;
const names = [...new Set([...nodeRows.keys(), ...chromeRows.keys()])];
const ratio = (a, b) => (a && b ? `${(b.medianMs / a.medianMs).toFixed(2)}×` : '—');
const note = [];
if (storeError) note.push('store rows in Chromium left out: @tx2/pack-store does not bundle for the browser in this checkout.');
else if (missing.length > 0) note.push(`not in this checkout's store: ${missing.join(', ')} (their rows are Node-only).`);
note.push('Node: the IndexedDB and OPFS rows are NodeFsBackend (durable, fsync) in a temporary folder; MemoryBackend is the same code both sides.');
const lines = [
  `# Browser benchmark: Node vs headless Chromium (N = ${n.toLocaleString('en-US')})`,
  '',
  `${machineLine()}; Chromium ${version}; cross-origin isolated: ${isolated}; packages from \`${checkout}\` at commit ${commitOf(checkout)}.`,
  `Median ms per call under tinybench (${settings.time} ms + ${settings.warmupTime} ms warm-up per step, at least ${settings.iterations} calls), the lowest of ${rounds} rounds in which Node and Chromium take turns; ratio = Chromium / Node.`,
  '',
  '| step | Node ms | Chromium ms | ratio |',
  '|---|---:|---:|---:|',
  ...names.map((name) => `| ${name} | ${fmtMs(nodeRows.get(name)?.medianMs)} | ${fmtMs(chromeRows.get(name)?.medianMs)} | ${ratio(nodeRows.get(name), chromeRows.get(name))} |`),
  '',
  ...note,
  '',
];
const markdown = lines.join('\n');
console.log(markdown);
if (write) log(`\nwrote ${writeResults('browser', markdown)}`);
