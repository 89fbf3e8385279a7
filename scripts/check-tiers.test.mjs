// Tests for scripts/check-tiers.mjs. Run: node --test scripts/check-tiers.test.mjs
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { checkTiers, extractImports, formatViolation } from './check-tiers.mjs';
import { fixture as makeFixture } from './test-fixture.mjs';

const SCRIPT = fileURLToPath(new URL('./check-tiers.mjs', import.meta.url));
const fixture = (files) => makeFixture('check-tiers', files);

const pkg = (dir, extra = {}) => ({ name: `@tx2/pack-${dir}`, version: '0.0.0', ...extra });

/** A valid repo; `overrides` adds or replaces files. */
function repo(overrides = {}) {
  return fixture({
    'packages/format/package.json': pkg('format', { dependencies: { '@msgpack/msgpack': '^3.1.3' } }),
    'packages/format/src/index.ts': `export * from "./model.js";\nimport { crc32 } from "#crc32";\nexport { crc32 };\n`,
    'packages/format/src/model.ts': `export const x = 1;\n`,
    'packages/format/test/self.test.ts': `import { x } from "@tx2/pack-format";\nimport { x as y } from "../src/index.js";\n`,
    'packages/codecs/package.json': pkg('codecs', { dependencies: { '@tx2/pack-format': 'workspace:^' } }),
    'packages/codecs/src/index.ts': `import type { X } from "@tx2/pack-format";\nexport const c = 1;\n`,
    'packages/store/package.json': pkg('store', {
      dependencies: { '@tx2/pack-format': 'workspace:^', '@tx2/pack-codecs': 'workspace:^' },
      devDependencies: { '@tx2/pack-crypto': 'workspace:^' },
    }),
    'packages/store/src/index.ts': [
      `import { a } from "@tx2/pack-format";`,
      `export * from "@tx2/pack-codecs/sub";`,
      `const m = await import("@tx2/pack-crypto");`,
      `// import { r } from "@tx2/pack-replay";   <- comment, ignored`,
      `/* export * from "@tx2/pack-cli"; */`,
      `const s = "import x from '@tx2/pack-cli'";`,
      'const t = `from "@tx2/pack-timetravel"`;',
      `const re = /from "@tx2\\/pack-cli"/;`,
      ``,
    ].join('\n'),
    ...overrides,
  });
}

function messages(root) {
  return checkTiers(root).map(formatViolation);
}

describe('extractImports', () => {
  test('finds every import form with line numbers', () => {
    const code = [
      `import a from "m1";`,
      `import { b,`,
      `  c } from 'm2';`,
      `import "m3";`,
      `export * from "m4";`,
      `export { d } from "m5";`,
      `const e = await import("m6");`,
      `const f = require("m7");`,
      `import g = require("m8");`,
      `type H = import("m9").H;`,
      `vi.mock("m10");`,
      'const i = await import(`m11`);',
      `import type { J } from "m12";`,
    ].join('\n');
    assert.deepEqual(extractImports(code), [
      { specifier: 'm1', line: 1 },
      { specifier: 'm2', line: 3 },
      { specifier: 'm3', line: 4 },
      { specifier: 'm4', line: 5 },
      { specifier: 'm5', line: 6 },
      { specifier: 'm6', line: 7 },
      { specifier: 'm7', line: 8 },
      { specifier: 'm8', line: 9 },
      { specifier: 'm9', line: 10 },
      { specifier: 'm10', line: 11 },
      { specifier: 'm11', line: 12 },
      { specifier: 'm12', line: 13 },
    ]);
  });

  test('ignores comments, strings, regexes and templates with substitutions', () => {
    const code = [
      `// import a from "c1";`,
      `/* import b from "c2"; */`,
      `const s = "import c from 'c3'";`,
      `const r = /import("c4")/g;`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test, not a template
      'const t = `${x}` + `import("c5")`;',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test, not a template
      'const u = `a ${ { k: `b` }.k } from "c6"`;',
      `const v = obj.import("c7");`,
      `const w = a / 2; import z from "real";`,
    ].join('\n');
    assert.deepEqual(extractImports(code), [{ specifier: 'real', line: 8 }]);
  });
});

describe('checkTiers', () => {
  test('a valid repository has no violations', () => {
    assert.deepEqual(messages(repo()), []);
  });

  test('src importing a higher tier fails, naming file, line and import', () => {
    const root = repo({
      'packages/codecs/src/bad.ts': `export const y = 2;\nimport { s } from "@tx2/pack-store";\n`,
    });
    const msgs = messages(root);
    assert.equal(msgs.length, 1);
    assert.match(msgs[0], /^packages\/codecs\/src\/bad\.ts:2: imports "@tx2\/pack-store"/);
    assert.match(msgs[0], /@tx2\/pack-store \(tier 3\) from @tx2\/pack-codecs \(tier 1\)/);
  });

  test('ecs sits above store and below replay: it may use store, not replay, and format may not use it', () => {
    const root = repo({
      'packages/ecs/package.json': pkg('ecs', { dependencies: { '@tx2/pack-format': 'workspace:^' }, devDependencies: { '@tx2/pack-store': 'workspace:^' } }),
      'packages/ecs/src/index.ts': `import { f } from "@tx2/pack-format";\nimport { s } from "@tx2/pack-store";\nimport { r } from "@tx2/pack-replay";\n`,
      'packages/format/src/ecs.ts': `import { e } from "@tx2/pack-ecs/bitecs";\n`,
    });
    const msgs = messages(root);
    assert.equal(msgs.length, 2);
    assert.match(msgs.join('\n'), /packages\/ecs\/src\/index\.ts:3: .*@tx2\/pack-replay \(tier 5\) from @tx2\/pack-ecs \(tier 4\)/);
    assert.match(msgs.join('\n'), /packages\/format\/src\/ecs\.ts:1: .*@tx2\/pack-ecs \(tier 4\) from @tx2\/pack-format \(tier 0\)/);
  });

  for (const [label, line] of [
    ['export-from', `export { s } from "@tx2/pack-replay";`],
    ['side-effect import', `import "@tx2/pack-replay/setup";`],
    ['dynamic import()', `const m = await import("@tx2/pack-replay");`],
    ['require()', `const m = require("@tx2/pack-replay");`],
    ['type import()', `type T = import("@tx2/pack-replay").T;`],
  ]) {
    test(`${label} of a higher tier fails`, () => {
      const root = repo({ 'packages/store/src/more.mts': `${line}\n` });
      const msgs = messages(root);
      assert.equal(msgs.length, 1, msgs.join('\n'));
      assert.match(msgs[0], /^packages\/store\/src\/more\.mts:1: .*@tx2\/pack-replay/);
    });
  }

  test('tests importing a higher tier fail too', () => {
    const root = repo({ 'packages/format/test/x.test.ts': `import { c } from "@tx2/pack-codecs";\n` });
    assert.match(messages(root).join('\n'), /packages\/format\/test\/x\.test\.ts:1: imports "@tx2\/pack-codecs"/);
  });

  test('self-import is an error in src but allowed in test', () => {
    const root = repo({ 'packages/format/src/loop.js': `import { x } from "@tx2/pack-format";\n` });
    const msgs = messages(root);
    assert.equal(msgs.length, 1);
    assert.match(msgs[0], /^packages\/format\/src\/loop\.js:1: .*its own package @tx2\/pack-format/);
  });

  for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    test(`package.json ${field} on a higher tier fails`, () => {
      const root = repo({
        'packages/codecs/package.json': pkg('codecs', { [field]: { '@tx2/pack-crypto': 'workspace:^' } }),
      });
      const msgs = messages(root);
      assert.equal(msgs.length, 1);
      assert.match(msgs[0], new RegExp(`^packages/codecs/package\\.json: ${field} lists @tx2/pack-crypto \\(tier 2\\)`));
    });
  }

  test('package.json depending on itself fails', () => {
    const root = repo({ 'packages/format/package.json': pkg('format', { devDependencies: { '@tx2/pack-format': 'workspace:*' } }) });
    assert.match(messages(root).join('\n'), /packages\/format\/package\.json: devDependencies lists its own package/);
  });

  test('unknown directory under packages/ fails', () => {
    const root = repo({ 'packages/extras/package.json': { name: '@tx2/pack-extras' } });
    assert.match(messages(root).join('\n'), /^packages\/extras: packages\/extras is not in the tier table/);
  });

  test('unknown @tx2/pack-* package reference fails', () => {
    const root = repo({ 'packages/codecs/src/u.ts': `import "@tx2/pack-nope";\n` });
    assert.match(messages(root).join('\n'), /packages\/codecs\/src\/u\.ts:1: .*unknown package @tx2\/pack-nope/);
  });

  test('wrong package name fails', () => {
    const root = repo({ 'packages/codecs/package.json': { name: '@tx2/codecs' } });
    assert.match(messages(root).join('\n'), /packages\/codecs\/package\.json: package name must be "@tx2\/pack-codecs"/);
  });

  test('relative path into a higher-tier package fails; into a lower tier is fine', () => {
    const root = repo({
      'packages/codecs/src/rel.ts': `import { s } from "../../store/src/index.js";\nimport { f } from "../../format/src/model.js";\n`,
    });
    const msgs = messages(root);
    assert.equal(msgs.length, 1);
    assert.match(msgs[0], /^packages\/codecs\/src\/rel\.ts:1: imports "\.\.\/\.\.\/store\/src\/index\.js" \(a path into packages\/store\)/);
  });

  test('CLI exits 1 with a clear message on violations and 0 when clean', () => {
    const bad = repo({ 'packages/format/src/up.ts': `export * from "@tx2/pack-cli";\n` });
    const r1 = spawnSync(process.execPath, [SCRIPT, bad], { encoding: 'utf8' });
    assert.equal(r1.status, 1);
    assert.match(r1.stderr, /packages\/format\/src\/up\.ts:1: imports "@tx2\/pack-cli"/);
    assert.match(r1.stderr, /FAILED with 1 violation/);

    const r0 = spawnSync(process.execPath, [SCRIPT, repo()], { encoding: 'utf8' });
    assert.equal(r0.status, 0, r0.stderr);
    assert.match(r0.stdout, /check-tiers: OK/);
  });
});
