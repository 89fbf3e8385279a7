// The Chromium executable and flags the browser tests use (the root vitest.browser.ts, a
// TypeScript module, compiled on the fly), so that the browser benchmarks drive the same browser.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/** `{ chromiumPath, chromiumArgs }` of vitest.browser.ts, compiled into `outDir`. */
export async function chromiumSettings(outDir) {
  const outfile = join(outDir, 'vitest-browser.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, '..', '..', 'vitest.browser.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    logLevel: 'silent',
  });
  const { chromiumArgs, chromiumPath } = await import(pathToFileURL(outfile).href);
  return { chromiumArgs, chromiumPath };
}
