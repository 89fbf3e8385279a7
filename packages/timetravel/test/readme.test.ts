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
    expect(out.trim().split('\n')).toEqual([
      '4 0 3',
      '1 10',
      '3 undefined',
      '20',
      "[ 'main', 'what-if' ] [ 0, 1, 5 ]",
      '[ 0, 1, 2, 3 ]',
      '[ 0, 1, 5 ]',
    ]);
  });
});
