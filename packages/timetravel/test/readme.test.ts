import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('README', () => {
  const examples = (): string[] => [...readFileSync(path.join(root, 'README.md'), 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const run = (code: string): string[] => execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' }).trim().split('\n');

  it.skipIf(!existsSync(path.join(root, 'dist', 'index.js')))('the example runs', () => {
    expect(run(examples()[0]!)).toEqual(['4 0 3', '1 10', '3 undefined', '20', "[ 'main', 'what-if' ] [ 0, 1, 5 ]", '[ 0, 1, 2, 3 ]', '[ 0, 1, 5 ]']);
  });

  it.skipIf(!existsSync(path.join(root, 'dist', 'index.js')))('the keyframes example runs', () => {
    expect(examples()).toHaveLength(2);
    expect(run(examples()[1]!)).toEqual(['10 90 true', '42.5']);
  });
});
