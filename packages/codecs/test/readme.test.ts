// The README example must run as written (against the built package, as a user imports it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = existsSync(join(ROOT, 'dist', 'index.js'));
if (!built && process.env.CI !== 'true') console.warn('skipping the README example: run `pnpm build` first');

(built || process.env.CI === 'true' ? it : it.skip)('the README example runs', () => {
  expect(built, 'dist/index.js is missing: run `pnpm build` first').toBe(true);
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const code = /## Example\n\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code, 'README.md has no ```js example under "## Example"').toBeTruthy();
  // Inside the package directory, so that both package names resolve (self-reference and dependency).
  const dir = mkdtempSync(join(ROOT, '.readme-'));
  try {
    const file = join(dir, 'example.mjs');
    writeFileSync(file, code!);
    const result = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('10000');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
