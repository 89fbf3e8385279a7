import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { nodeTestConfig } from '../../vitest.node.js';

export default defineConfig(
  nodeTestConfig({
    // Tests run against source: point the `#platform` subpath import at the Node implementation.
    resolve: { alias: [{ find: /^#platform$/, replacement: fileURLToPath(new URL('./src/platform.node.ts', import.meta.url)) }] },
    thresholds: { statements: 93, branches: 89, functions: 95, lines: 96 },
  }),
);
