// Tests for scripts/check-bundles.mjs. Run: node --test scripts/check-bundles.test.mjs
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { BUDGETS_FILE, bundle, MATRIX, problemsOf, sizesOf, table } from './check-bundles.mjs';
import { fixture as makeFixture } from './test-fixture.mjs';

const fixture = (files) => makeFixture('check-bundles', files);

const pkg = (dir, extra = {}) => ({ name: `@tx2/pack-${dir}`, type: 'module', exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } }, ...extra });

describe('bundle', () => {
  test('resolves entries and #subpath imports to the browser sources; a portable bundle has no problems', async () => {
    const root = fixture({
      'packages/format/package.json': pkg('format', {
        imports: { '#platform': { types: './dist/platform.browser.d.ts', node: './dist/platform.node.js', default: './dist/platform.browser.js' } },
      }),
      'packages/format/src/index.ts': "export { where } from '#platform';\nexport const answer: number = 42;\n",
      'packages/format/src/platform.browser.ts': "export const where = 'browser';\n",
      'packages/format/src/platform.node.ts': "import { hostname } from 'node:os';\nexport const where = hostname();\n",
    });
    const measured = await bundle(['@tx2/pack-format'], { root });
    assert.deepEqual(measured.nodeBuiltins, []);
    assert.equal(measured.chunks.length, 1);
    assert.ok(measured.chunks[0].inputs.includes('packages/format/src/platform.browser.ts'));
    const sizes = sizesOf(measured.chunks);
    assert.ok(sizes.initial > 0 && sizes.lazy === 0 && sizes.total === sizes.initial);
    assert.deepEqual(problemsOf('format', measured, { initial: 10_000, total: 10_000 }), []);
  });

  test('a Node built-in (node: or bare, which bundlers fill with a shim) and a Node global are reported with their importer', async () => {
    const root = fixture({
      'packages/store/package.json': pkg('store'),
      'packages/store/src/index.ts': "export { spool } from './spool.js';\nexport { lines } from './lines.js';\nexport const size = (s: string): number => Buffer.byteLength(s);\n",
      'packages/store/src/spool.ts': "import { tmpdir } from 'node:os';\nexport const spool = (): string => tmpdir();\n",
      'packages/store/src/lines.ts': "import { EventEmitter } from 'events';\nexport const lines = new EventEmitter();\n",
    });
    const measured = await bundle(['@tx2/pack-store'], { root });
    assert.deepEqual(measured.nodeBuiltins.map((n) => `${n.module} <- ${n.importer}`).sort(), ['events <- packages/store/src/lines.ts', 'node:os <- packages/store/src/spool.ts']);
    const problems = problemsOf('store', measured, { initial: 10_000, total: 10_000 });
    assert.ok(problems.some((p) => p.includes('"node:os" (imported by packages/store/src/spool.ts)')));
    assert.ok(problems.some((p) => p.includes('"events"')));
    assert.ok(problems.some((p) => /Node-only global\(s\) Buffer/.test(p)));
  });

  test('embedded WebAssembly must stay lazy: a static import fails, import() passes', async () => {
    const files = (how) => ({
      'packages/codecs/package.json': pkg('codecs'),
      'packages/codecs/src/wasm/zstd-binary.ts': `export const ZSTD_WASM_BASE64 = '${'QUJD'.repeat(200)}';\n`,
      'packages/codecs/src/index.ts':
        how === 'lazy'
          ? "export const load = async (): Promise<number> => (await import('./wasm/zstd-binary.js')).ZSTD_WASM_BASE64.length;\n"
          : "import { ZSTD_WASM_BASE64 } from './wasm/zstd-binary.js';\nexport const load = async (): Promise<number> => ZSTD_WASM_BASE64.length;\n",
    });
    const lazy = await bundle(['@tx2/pack-codecs'], { root: fixture(files('lazy')) });
    assert.equal(lazy.chunks.filter((c) => !c.initial).length, 1);
    assert.ok(sizesOf(lazy.chunks).lazy > 0);
    assert.deepEqual(problemsOf('codecs', lazy, { initial: 10_000, total: 10_000 }), []);
    const eager = await bundle(['@tx2/pack-codecs'], { root: fixture(files('eager')) });
    const problems = problemsOf('codecs', eager, { initial: 10_000, total: 10_000 });
    assert.equal(problems.length, 1);
    assert.match(problems[0], /zstd-binary\.ts \(embedded WebAssembly\) is in the initial chunks/);
  });
});

describe('budgets', () => {
  const measured = { nodeBuiltins: [], chunks: [{ file: 'a.js', initial: true, bytes: 9000, gzip: 3000, inputs: [], globals: [] }] };

  test('a size over budget says what grew, by how much, and how to raise the budget deliberately', () => {
    const [problem, ...rest] = problemsOf('store', measured, { initial: 2048, total: 4096 });
    assert.equal(rest.length, 0);
    assert.match(problem, /^store: the initial gzip size grew to 2\.9 KiB, over its budget of 2\.0 KiB \(\+0\.9 KiB\)/);
    assert.match(problem, /raise "store"\.initial in scripts\/bundle-budgets\.json/);
    assert.match(problem, /--update/);
  });

  test('a bundle without a budget is a problem too', () => {
    assert.match(problemsOf('new-entry', measured, undefined)[0], /no budget in scripts\/bundle-budgets\.json/);
  });

  test('every bundle of the matrix has a committed budget, and the table names each', () => {
    const budgets = JSON.parse(readFileSync(BUDGETS_FILE, 'utf8'));
    for (const row of MATRIX) {
      assert.ok(Number.isInteger(budgets[row.name]?.initial) && Number.isInteger(budgets[row.name]?.total), `budget of ${row.name}`);
    }
    const text = table([{ row: MATRIX[0], measured }], true);
    assert.match(text, /^\| bundle \| what it holds \|/);
    assert.match(text, /\| format \| format alone \(network sync\) \| 2\.9 KiB \| 0\.0 KiB \| 2\.9 KiB \| 8\.8 KiB \|/);
  });
});

describe('this repository', () => {
  test('the in-memory timetravel entry bundles without the store; its persistence entry brings it', async () => {
    const memory = await bundle(['@tx2/pack-timetravel']);
    assert.deepEqual(memory.nodeBuiltins, []);
    const inputs = memory.chunks.flatMap((c) => c.inputs);
    assert.ok(!inputs.some((i) => i.startsWith('packages/store/')));
    const persistence = await bundle(['@tx2/pack-timetravel/persistence']);
    assert.deepEqual(persistence.nodeBuiltins, []);
    assert.ok(persistence.chunks.flatMap((c) => c.inputs).includes('packages/store/src/directory.browser.ts'));
  });
});
