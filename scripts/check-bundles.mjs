#!/usr/bin/env node
// Bundle budgets: bundles each tier's main entry for the browser (esbuild: platform browser,
// ESM, minified, code splitting) straight from the packages' TypeScript sources, so it needs
// no build. Fails when
//   - a bundle needs a Node built-in (`node:*`, or a bare name such as `buffer` that a bundler
//     would fill with an npm shim), or references a Node-only global (Buffer, process, require);
//   - the Zstandard or LZ4 WebAssembly lands in the initial chunks instead of a lazy one;
//   - a gzip size is above its budget in scripts/bundle-budgets.json.
// Prints a table of what each entry costs (gzip, initial chunks vs chunks loaded on demand).
//
// Usage: node scripts/check-bundles.mjs [--update] [--markdown]
//   --update    rewrites the budgets to the measured sizes plus 10% headroom (a deliberate raise)
//   --markdown  prints the table as markdown (for the README)

import { readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUDGETS_FILE = path.join(ROOT, 'scripts', 'bundle-budgets.json');

/**
 * The bundles measured: a name, what it stands for, and the package entries it imports whole.
 * Adding an entry point (a browser backend, say) is one line here plus its budget.
 */
export const MATRIX = [
  { name: 'format', what: 'format alone (network sync)', entries: ['@tx2/pack-format'] },
  { name: 'format+codecs', what: 'format + codecs', entries: ['@tx2/pack-format', '@tx2/pack-codecs'] },
  { name: 'codecs+workers', what: 'format + codecs + Web Worker pool', entries: ['@tx2/pack-format', '@tx2/pack-codecs', '@tx2/pack-codecs/workers'] },
  { name: 'format+codecs+crypto', what: '+ crypto', entries: ['@tx2/pack-format', '@tx2/pack-codecs', '@tx2/pack-crypto'] },
  { name: 'store', what: '+ store (main entry)', entries: ['@tx2/pack-format', '@tx2/pack-codecs', '@tx2/pack-crypto', '@tx2/pack-store'] },
  { name: 'replay', what: 'replay (with format)', entries: ['@tx2/pack-format', '@tx2/pack-replay'] },
  { name: 'timetravel', what: 'timetravel in memory (with format)', entries: ['@tx2/pack-format', '@tx2/pack-timetravel'] },
  {
    name: 'everything',
    what: 'everything but the CLI',
    entries: ['@tx2/pack-format', '@tx2/pack-codecs', '@tx2/pack-crypto', '@tx2/pack-store', '@tx2/pack-replay', '@tx2/pack-timetravel', '@tx2/pack-timetravel/persistence'],
  },
];

/** Sources whose code must only ever be loaded on demand (embedded WebAssembly). */
export const LAZY_ONLY = [/packages\/codecs\/src\/wasm\/zstd-binary\.ts$/, /packages\/codecs\/src\/wasm\/lz4-binary\.ts$/];

/** Globals that exist in Node but not in browsers: esbuild's `define` renames their free references (only those) to a marker found afterwards. */
const NODE_GLOBALS = ['Buffer', 'process', 'require', '__dirname', '__filename', 'setImmediate', 'global'];
const MARKER = '__tx2_node_global_';
const MARKED = new RegExp(`${MARKER}(\\w+)`, 'g');

const SCOPE = '@tx2/pack-';
const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The source file a `./dist/x.js` target of a package stands for: `src/x.ts`. */
function sourceOf(packageDir, target) {
  const rel = target.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts');
  return path.join(packageDir, rel);
}

/** The browser target of a condition map (or a plain string): "browser", else "default"; never "node". */
function browserTarget(value) {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return undefined;
  return browserTarget(value.browser ?? value.import ?? value.default);
}

/** Finds the package directory holding `file` (the nearest package.json). */
function packageDirOf(file) {
  let dir = path.dirname(file);
  for (;;) {
    try {
      readFileSync(path.join(dir, 'package.json'));
      return dir;
    } catch {
      const up = path.dirname(dir);
      if (up === dir) return undefined;
      dir = up;
    }
  }
}

/**
 * hash-wasm (format's lazily loaded WebAssembly SHA-256) falls back to Node's `global` after a
 * `typeof globalThis` test; packages/format/tsup.config.ts defines `global` as `globalThis` when it
 * bundles it, so the published build is portable. Do the same here, for that package only.
 */
const hashWasmGlobalPlugin = {
  name: 'tx2-hash-wasm-global',
  setup(build) {
    build.onLoad({ filter: /[\\/]hash-wasm[\\/].*\.m?js$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(/(?<![\w.$])global(?![\w$])/g, 'globalThis'),
      loader: 'js',
    }));
  },
};

/**
 * An esbuild plugin that resolves `@tx2/pack-*` entries and `#subpath` imports of the
 * workspace packages to their TypeScript sources (browser conditions), and records every
 * Node built-in a bundle would need instead of failing at the first one.
 */
export function workspacePlugin(root, found) {
  return {
    name: 'tx2-workspace-sources',
    setup(b) {
      b.onResolve({ filter: /^@tx2\/pack-/ }, (args) => {
        const [dir, ...sub] = args.path.slice(SCOPE.length).split('/');
        const packageDir = path.join(root, 'packages', dir);
        const exports = readJson(path.join(packageDir, 'package.json')).exports ?? {};
        const key = sub.length === 0 ? '.' : `./${sub.join('/')}`;
        const target = browserTarget(exports[key]);
        if (target === undefined) return { errors: [{ text: `${args.path} is not an export of packages/${dir}/package.json` }] };
        return { path: sourceOf(packageDir, target) };
      });
      b.onResolve({ filter: /^#/ }, (args) => {
        const packageDir = packageDirOf(args.importer);
        const imports = packageDir === undefined ? undefined : readJson(path.join(packageDir, 'package.json')).imports;
        const target = browserTarget(imports?.[args.path]);
        if (target === undefined) return { errors: [{ text: `${args.path} is not in the "imports" of the package of ${args.importer}` }] };
        return { path: sourceOf(packageDir, target) };
      });
      b.onResolve({ filter: /.*/ }, (args) => {
        const bare = args.path.replace(/^node:/, '').split('/')[0];
        if (!args.path.startsWith('node:') && !BUILTINS.has(bare)) return undefined;
        found.push({ module: args.path, importer: path.relative(root, args.importer) });
        return { path: args.path, external: true };
      });
    },
  };
}

/** Bundles the modules `entries` for the browser; returns its chunks (initial or lazy, with gzip sizes) and what it needed of Node. */
export async function bundle(entries, { root = ROOT, source } = {}) {
  const found = [];
  const contents = source ?? entries.map((e, i) => `export * as m${i} from ${JSON.stringify(e)};`).join('\n');
  const result = await build({
    stdin: { contents, resolveDir: root, sourcefile: 'bundle-entry.mjs', loader: 'js' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    metafile: true,
    absWorkingDir: root,
    outdir: path.join(root, '.bundle-check'),
    logLevel: 'silent',
    plugins: [workspacePlugin(root, found), hashWasmGlobalPlugin],
    define: Object.fromEntries(NODE_GLOBALS.map((g) => [g, `${MARKER}${g}`])),
  });
  const byPath = new Map(result.outputFiles.map((f) => [f.path, f]));
  const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
  const entry = outputs.find(([, meta]) => meta.entryPoint !== undefined)?.[0];
  // Initial: the entry chunk and what it imports statically; lazy: what only import() reaches.
  const initial = new Set();
  const visit = (file) => {
    if (initial.has(file)) return;
    initial.add(file);
    for (const edge of result.metafile.outputs[file].imports) if (edge.kind === 'import-statement' && !edge.external) visit(edge.path);
  };
  visit(entry);
  const chunks = outputs.map(([file, meta]) => {
    const text = byPath.get(path.resolve(root, file)).contents;
    const globals = [...new Set([...new TextDecoder().decode(text).matchAll(MARKED)].map((m) => m[1]))];
    return {
      file,
      initial: initial.has(file),
      bytes: text.length,
      gzip: gzipSync(text, { level: 9 }).length,
      inputs: Object.keys(meta.inputs),
      globals,
    };
  });
  return { chunks, nodeBuiltins: found };
}

/** Sums a bundle's chunks: initial and lazy gzip bytes. */
export function sizesOf(chunks) {
  const sum = (list) => list.reduce((n, c) => n + c.gzip, 0);
  const initial = sum(chunks.filter((c) => c.initial));
  return { initial, lazy: sum(chunks) - initial, total: sum(chunks) };
}

/** What is wrong with one measured bundle: Node needs, eager WebAssembly, sizes over budget (empty when fine). */
export function problemsOf(name, measured, budget) {
  const out = [];
  for (const { module, importer } of measured.nodeBuiltins) {
    out.push(`${name}: needs the Node built-in "${module}" (imported by ${importer}): move that code to a Node-only entry or a "#subpath" import with a browser build`);
  }
  for (const chunk of measured.chunks) {
    if (chunk.globals.length > 0) out.push(`${name}: ${chunk.file} references Node-only global(s) ${chunk.globals.join(', ')}: use a portable equivalent`);
    if (!chunk.initial) continue;
    for (const input of chunk.inputs) {
      if (LAZY_ONLY.some((re) => re.test(input))) out.push(`${name}: ${input} (embedded WebAssembly) is in the initial chunks: load it with import() on first use`);
    }
  }
  const sizes = sizesOf(measured.chunks);
  if (budget === undefined) {
    out.push(`${name}: no budget in scripts/bundle-budgets.json: add one (node scripts/check-bundles.mjs --update writes the measured sizes plus 10%)`);
    return out;
  }
  for (const part of ['initial', 'total']) {
    if (sizes[part] > budget[part]) {
      out.push(
        `${name}: the ${part} gzip size grew to ${kib(sizes[part])} KiB, over its budget of ${kib(budget[part])} KiB (+${kib(sizes[part] - budget[part])} KiB). ` +
          `Find what grew (the chunks below), shrink it or load it lazily; if the growth is worth it, raise "${name}".${part} in scripts/bundle-budgets.json ` +
          `deliberately in the same commit and say why (node scripts/check-bundles.mjs --update sets every budget to the measured size plus 10%)`,
      );
    }
  }
  return out;
}

/** Bytes as KiB with one decimal. */
export function kib(bytes) {
  return (bytes / 1024).toFixed(1);
}

/** A table of the measured sizes (plain text, or markdown). */
export function table(rows, markdown) {
  const head = ['bundle', 'what it holds', 'initial gzip', 'lazy gzip', 'total gzip', 'initial min'];
  const body = rows.map(({ row, measured }) => {
    const s = sizesOf(measured.chunks);
    const minified = measured.chunks.filter((c) => c.initial).reduce((n, c) => n + c.bytes, 0);
    return [row.name, row.what, `${kib(s.initial)} KiB`, `${kib(s.lazy)} KiB`, `${kib(s.total)} KiB`, `${kib(minified)} KiB`];
  });
  if (markdown) return [head, head.map(() => '---'), ...body].map((r) => `| ${r.join(' | ')} |`).join('\n');
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((r) => r[i].length)));
  return [head, ...body].map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ')).join('\n');
}

async function main() {
  const args = new Set(process.argv.slice(2));
  const budgets = (() => {
    try {
      return readJson(BUDGETS_FILE);
    } catch {
      return {};
    }
  })();
  const rows = [];
  for (const row of MATRIX) rows.push({ row, measured: await bundle(row.entries) });
  console.log(table(rows, args.has('--markdown')));
  if (args.has('--update')) {
    const next = {
      $comment:
        'Gzip bytes per bundle of scripts/check-bundles.mjs (initial chunks, and all chunks with those loaded on demand). Raise one deliberately, saying why in the commit.',
    };
    for (const { row, measured } of rows) {
      const s = sizesOf(measured.chunks);
      next[row.name] = { initial: Math.ceil((s.initial * 1.1) / 256) * 256, total: Math.ceil((s.total * 1.1) / 256) * 256 };
    }
    writeFileSync(BUDGETS_FILE, `${JSON.stringify(next, null, 2)}\n`);
    console.log(`\nwrote ${path.relative(ROOT, BUDGETS_FILE)} (measured gzip sizes plus 10%)`);
  }
  const current = args.has('--update') ? readJson(BUDGETS_FILE) : budgets;
  const problems = rows.flatMap(({ row, measured }) => problemsOf(row.name, measured, current[row.name]));
  if (problems.length > 0) {
    console.error(`\nbundle check failed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log('\nbundle check ok: no Node built-ins, zstd/lz4 WebAssembly loaded lazily, every size within its budget');
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
