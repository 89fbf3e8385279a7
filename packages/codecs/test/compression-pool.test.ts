// The worker pool (@tx2/pack-codecs/workers) under Node.js, run from the build: worker threads
// load the built worker script. The shared suite (helpers/pool-suite.ts) checks the bytes against
// encodeSnapshot; here also that a process using the pool exits on its own.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, describe, it } from 'vitest';
import { poolSuite } from './helpers/pool-suite.js';

// The `node` build of the /workers entry and the main entry it shares its codec registry with.
const WORKERS_ENTRY = fileURLToPath(new URL('../dist/workers.node.js', import.meta.url));
const CODECS_ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));

poolSuite({
  workers: (await import(WORKERS_ENTRY)) as typeof import('../src/workers.node.js'),
  codecs: (await import(CODECS_ENTRY)) as typeof import('../src/index.js'),
  nativeZlib: true,
});

describe('CompressionPool lifetime', () => {
  // A script that encodes on the pool, then closes it or forgets to: both must end by themselves.
  // With 4 threads some get no section at all: an unused thread must not hold the process either.
  it.each([
    ['closes the pool', 'await pool.close();', 2],
    ['forgets to close the pool', '', 2],
    ['forgets to close a pool with idle threads', '', 4],
  ])('a script that %s exits on its own', (_, ending, threads) => {
    const script = `
      import { createPackedSnapshot } from '@tx2/pack-format';
      import { packOptions } from '@tx2/pack-codecs';
      import { createCompressionPool } from ${JSON.stringify(WORKERS_ENTRY)};
      const x = new Float32Array(300000).map((_, i) => Math.sin(i));
      const packed = createPackedSnapshot({ entities: new Uint32Array(300000).map((_, i) => i), components: [{ id: 'P', fields: { x } }] });
      const pool = await createCompressionPool({ threads: ${threads}, minSectionBytes: 0, minSnapshotBytes: 0 });
      const bytes = await pool.encode(packed, await packOptions());
      ${ending}
      console.log('encoded', bytes.length);
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 120_000 });
    expect(run.error, run.stderr).toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^encoded \d+/);
  });
});

it('the README example of the worker pool runs as written', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const code = /## Worker threads[^\n]*\n[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code, 'README.md has no ```js example under "## Worker threads"').toBeTruthy();
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', code!], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 120_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout.trim()).toBe('true');
});
