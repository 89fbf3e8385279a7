import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('README', () => {
  it.skipIf(!existsSync(path.join(root, 'dist', 'index.js')))('the example runs', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const code = /```js\n([\s\S]*?)```/.exec(readme)![1]!;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
    expect(out).toContain("[ 'Health' ]");
    expect(out).toContain('Before the boss 3 1');
    expect(out).toContain("[ 't0' ]");
  });

  it.skipIf(!existsSync(path.join(root, 'dist', 'index.js')))('the incremental checkpoint example runs and prints what it says', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Incremental checkpoints'));
    const code = /```js\n([\s\S]*?)```/.exec(section)![1]!;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
    expect(out.trim().split('\n')).toEqual([
      'step-0 full first large',
      'step-1 delta  small',
      'step-2 delta  small',
      'step-10 full full-every large',
      'step-11 delta  small',
      'true',
      'step-1:full step-2:delta',
      '3',
    ]);
  });
});
