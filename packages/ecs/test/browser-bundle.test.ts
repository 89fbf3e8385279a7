// The package entry and each adapter must bundle for browsers: no Node built-in anywhere in their graphs.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const entries = ['index', 'bitecs', 'koota', 'miniplex'];

describe('browser bundles', () => {
  it.each(entries)('src/%s.ts bundles for the browser platform with no Node built-in', async (name) => {
    const nodeImports: string[] = [];
    const result = await build({
      entryPoints: [fileURLToPath(new URL(`../src/${name}.ts`, import.meta.url))],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      logLevel: 'silent',
      plugins: [
        {
          name: 'no-node-builtins',
          setup(b) {
            b.onResolve({ filter: /^node:|^(fs|path|os|crypto|stream|buffer|util|zlib|worker_threads|child_process)$/ }, (args) => {
              nodeImports.push(`${args.path} (from ${args.importer})`);
              return { path: args.path, external: true };
            });
          },
        },
      ],
    });
    expect(result.errors).toEqual([]);
    expect(nodeImports).toEqual([]);
    expect(result.outputFiles[0]!.text.length).toBeGreaterThan(0);
  });
});
