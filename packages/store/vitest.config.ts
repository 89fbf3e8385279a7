import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run against source under Node: point the `#directory` subpath import at the Node implementation.
    alias: [{ find: /^#directory$/, replacement: fileURLToPath(new URL('./src/directory.node.ts', import.meta.url)) }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // *.browser.test.ts run in Chromium only (vitest.browser.config.ts), pages.test.ts drives Chromium (vitest.pages.config.ts).
    exclude: ['test/**/*.browser.test.ts', 'test/pages.test.ts', '**/node_modules/**'],
    // Generous limits: CI must pass on a loaded 2-core machine (no test asserts on speed).
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // `pnpm test` runs with --coverage: a floor a little below what the suite measures today.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // Browser-only code: covered by the Chromium suites (test:browser), not measurable in Node.
      exclude: ['src/backends/indexeddb.ts', 'src/backends/indexeddb-records.ts', 'src/backends/opfs.ts', 'src/backends/web-lock.ts', 'src/backends/storage-errors.ts'],
      reporter: ['text-summary'],
      thresholds: { statements: 88, branches: 81, functions: 84, lines: 93 },
    },
  },
});
