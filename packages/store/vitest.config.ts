import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { nodeTestConfig } from '../../vitest.node.js';

export default defineConfig(
  nodeTestConfig({
    // Tests run against source under Node: point the `#directory` subpath import at the Node implementation.
    resolve: { alias: [{ find: /^#directory$/, replacement: fileURLToPath(new URL('./src/directory.node.ts', import.meta.url)) }] },
    // pages.test.ts drives Chromium (vitest.pages.config.ts).
    exclude: ['test/pages.test.ts'],
    // Browser-only code: covered by the Chromium suites (test:browser), not measurable in Node.
    coverageExclude: ['src/backends/indexeddb.ts', 'src/backends/indexeddb-records.ts', 'src/backends/opfs.ts', 'src/backends/web-lock.ts', 'src/backends/storage-errors.ts'],
    thresholds: { statements: 88, branches: 81, functions: 84, lines: 93 },
  }),
);
