// The README example must run as written, against the built package (turbo builds before testing).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('README', () => {
  it('runs its example and prints what its comments say', () => {
    expect(existsSync(`${root}dist/index.js`), 'build the package first: pnpm --filter @tx2/pack-crypto build').toBe(true);
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const code = /```js\n([\s\S]*?)```/.exec(readme)![1]!;
    const out = execFileSync(process.execPath, ['--input-type=module', '--eval', code], { cwd: root, encoding: 'utf8' });
    expect(out).toContain('Uint32Array(3) [ 10, 20, 30 ]');
    expect(out).toContain("[ 'Position' ]");
    expect(out).toContain("algorithm: 'scrypt'");
    expect(out).toMatch(/Decryption - this snapshot is encrypted: pass a key/);
    expect(out).toMatch(/WrongKey - wrong key: this snapshot was encrypted with a raw key with fingerprint [0-9a-f]{16}/);
    expect(out.trim().endsWith('true')).toBe(true);
  });
});
