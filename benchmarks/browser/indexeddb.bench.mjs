// IndexedDB save/load before and after, in one headless Chromium page: the store of this checkout
// and of a baseline checkout (--baseline /path, its packages built) are bundled side by side and
// take turns on every step, so load from other processes falls on both alike.
//
//   node browser/indexeddb.bench.mjs --baseline /path/to/other/checkout [--entities 10k] [--rounds 8]
//
// Rows: SnapshotStore save/load through MemoryBackend (reference) and IndexedDBBackend with
// strict (default) and relaxed durability, and the backend's own put/get/readRange of the saved file.
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright';
import { benchOptions, fmtMs, machineLine, writeResults } from '../bench-env.mjs';
import { chromiumSettings } from './chromium-settings.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, '.out');
const log = (...m) => console.error(...m);
const { args, sizes, write } = benchOptions({ defaultSizes: [10_000], options: { baseline: { type: 'string' }, rounds: { type: 'string' } } });
if (args.baseline === undefined) throw new Error('--baseline /path/to/checkout is required (a checkout with built packages)');
const n = sizes[0];
const rounds = Math.max(1, Number(args.rounds ?? 8));
const variants = [
  ['before', resolve(args.baseline)],
  ['after', resolve(join(HERE, '..', '..'))],
];

/** Bundles the page entry with the @tx2 packages of `root`, tagged `tag`. */
async function bundle(tag, root) {
  await build({
    entryPoints: [join(HERE, 'indexeddb-page.mjs')],
    outfile: join(OUT, `idb-${tag}.js`),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
    define: { VARIANT: JSON.stringify(tag) },
    plugins: [
      {
        name: 'tx2-packages',
        setup(b) {
          b.onResolve({ filter: /^@tx2\// }, async (a) => {
            if (a.pluginData === 'inner') return undefined;
            const found = await b.resolve(a.path, { kind: a.kind, resolveDir: join(root, 'benchmarks'), pluginData: 'inner' });
            return found.errors.length > 0 ? { errors: found.errors } : { path: found.path };
          });
        },
      },
    ],
  });
}

mkdirSync(OUT, { recursive: true });
for (const [tag, root] of variants) await bundle(tag, root);
const { chromiumArgs, chromiumPath } = await chromiumSettings(OUT);
const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  const headers = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' };
  if (path === '/') return res.writeHead(200, { ...headers, 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><title>IndexedDB A/B</title>');
  const m = /^\/idb-(before|after)\.js$/.exec(path);
  if (m === null) return res.writeHead(404).end();
  res.writeHead(200, { ...headers, 'content-type': 'text/javascript' }).end(readFileSync(join(OUT, `idb-${m[1]}.js`)));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs] });
let samples;
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  page.setDefaultTimeout(0);
  await page.goto(url);
  for (const [tag] of variants) await page.addScriptTag({ url: `/idb-${tag}.js`, type: 'module' });
  await page.waitForFunction(() => globalThis.idbVariants?.before && globalThis.idbVariants?.after);
  // Each round runs every step of each build for ~150 ms, builds alternating; a step keeps all its times.
  samples = await page.evaluate(
    async ({ n, rounds, tags }) => {
      const run = `idb-ab-${Date.now()}`;
      const steps = {};
      for (const tag of tags) steps[tag] = await globalThis.idbVariants[tag].makeSteps(n, `${run}-${tag}`);
      const times = {};
      for (let round = 0; round < rounds; round++) {
        for (let s = 0; s < steps[tags[0]].length; s++) {
          for (const tag of round % 2 === 0 ? tags : [...tags].reverse()) {
            const [name, fn] = steps[tag][s];
            const key = `${tag}\u0000${name}`;
            times[key] ??= [];
            const until = performance.now() + 150;
            do {
              const t0 = performance.now();
              await fn();
              times[key].push(performance.now() - t0);
            } while (performance.now() < until);
          }
        }
      }
      return times;
    },
    { n, rounds, tags: variants.map(([t]) => t) },
  );
} finally {
  await browser.close();
  server.close();
}
const version = browser.version();
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const names = [...new Set(Object.keys(samples).map((k) => k.split('\u0000')[1]))];
const lines = [
  `# IndexedDB before/after in headless Chromium (N = ${n.toLocaleString('en-US')})`,
  '',
  `${machineLine()}; Chromium ${version}; before: packages of \`${variants[0][1]}\`, after: this checkout.`,
  `Median ms per call; ${rounds} rounds, each running every step of both builds for 150 ms, the builds taking turns (calls per row in brackets).`,
  '',
  '| step | before ms | after ms | after / before |',
  '|---|---:|---:|---:|',
  ...names.map((name) => {
    const [b, a] = ['before', 'after'].map((t) => samples[`${t}\u0000${name}`]);
    return `| ${name} | ${fmtMs(median(b))} (${b.length}) | ${fmtMs(median(a))} (${a.length}) | ${(median(a) / median(b)).toFixed(2)}× |`;
  }),
  '',
];
const markdown = lines.join('\n');
console.log(markdown);
if (write) log(`wrote ${writeResults('browser-indexeddb', markdown)}`);
