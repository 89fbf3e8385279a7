import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run against source: point the `#zlib` subpath import at the Node implementation.
    alias: [
      {
        find: /^#zlib$/,
        replacement: fileURLToPath(new URL('./src/zlib.node.ts', import.meta.url)),
      },
    ],
  },
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
      // Generated WebAssembly images; and the worker pool, whose threads run the built script, so
      // test/compression-pool.test.ts exercises it from dist/ (out of reach of source coverage).
      exclude: ['src/wasm/*-binary.ts', 'src/compression-pool.ts', 'src/compress-worker.ts', 'src/workers.ts'],
      reporter: ['text-summary'],
      thresholds: { statements: 93, branches: 87, functions: 96, lines: 96 },
    },
  },
});
