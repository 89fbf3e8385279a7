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
    expect(out).toContain('5 tick-0');
    expect(out).toContain('4 undefined');
    expect(out).toContain('frame tick-0\nframe tick-1\nframe tick-2\nframe tick-3\nframe tick-4\nended');
    expect(out).toContain('[ 4, 3, 2, 1, 0 ]');
  });
});
