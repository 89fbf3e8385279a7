import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const built = existsSync(path.join(root, 'dist', 'bitecs.js'));

/** The first js code block after `heading`, run as an ES module against the built package; its stdout lines. */
function run(heading: string): string[] {
  const section = readme.slice(readme.indexOf(heading));
  const code = /```js\n([\s\S]*?)```/.exec(section)![1]!;
  return execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' }).trim().split('\n');
}

/** What each `console.log` of a block says it prints (its trailing `// ...` comment), in order. */
function promised(heading: string): string[] {
  const section = readme.slice(readme.indexOf(heading));
  const code = /```js\n([\s\S]*?)```/.exec(section)![1]!;
  return [...code.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]!);
}

describe.skipIf(!built)('README examples (run against dist: build first)', () => {
  it.each([['What every adapter does'], ['## bitECS'], ['## koota'], ['## miniplex']])('the example under "%s" runs and prints what its comments say', (heading) => {
    expect(readme.indexOf(heading)).toBeGreaterThanOrEqual(0);
    const out = run(heading);
    const expected = promised(heading);
    expect(expected.length).toBeGreaterThan(0);
    expect(out).toEqual(expected);
  });
});
