// Every ```js example of the README runs against the built package and prints what its comments say.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const blocks = [...readFileSync(path.join(root, 'README.md'), 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
const run = (code: string): string[] => execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' }).trim().split('\n');

describe.skipIf(!existsSync(path.join(root, 'dist', 'index.js')))('README examples', () => {
  it('has the three examples', () => expect(blocks).toHaveLength(3));

  it('the first example runs and prints the error code', () => {
    expect(run(blocks[0]!)).toStrictEqual(['Truncated']);
  });

  it('the delta example prints what its comments say', () => {
    expect(run(blocks[1]!)).toStrictEqual(['true true', '  Position  patched   1 rows changed (x: 1)', 'true', 'DeltaBaseMismatch', 'true true']);
  });

  it('the ECS example prints what its comments say', () => {
    expect(run(blocks[2]!)).toStrictEqual(['true', '2 4294967295', '[{"x":1,"z":0},2,{"items":["sword"]}]', '{"rng":{"state":42}}']);
  });
});
