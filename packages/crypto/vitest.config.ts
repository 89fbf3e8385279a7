import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = fileURLToPath(new URL('./src/', import.meta.url));
const nodePlatform = fileURLToPath(new URL('./src/platform.node.ts', import.meta.url));

export default defineConfig({
  plugins: [
    {
      // Tests run against source: point this package's `#platform` subpath import at the Node
      // implementation. Only for imports from src/: the build of @tx2/pack-format, which the
      // tests load too, resolves its own `#platform` through its package.json "imports".
      name: 'tx2-crypto-platform',
      enforce: 'pre',
      resolveId(id, importer) {
        return id === '#platform' && importer !== undefined && importer.startsWith(source) ? nodePlatform : null;
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    // *.browser.test.ts run in Chromium only (vitest.browser.config.ts).
    exclude: ['test/**/*.browser.test.ts', '**/node_modules/**'],
    // Generous limits: CI must pass on a loaded 2-core machine (no test asserts on speed).
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // `pnpm test` runs with --coverage: a floor a little below what the suite measures today.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary'],
      thresholds: { statements: 92, branches: 86, functions: 97, lines: 96 },
    },
  },
});
