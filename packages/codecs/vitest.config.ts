import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { nodeTestConfig } from '../../vitest.node.js';

export default defineConfig(
  nodeTestConfig({
    // Tests run against source: point the `#zlib` subpath import at the Node implementation.
    resolve: { alias: [{ find: /^#zlib$/, replacement: fileURLToPath(new URL('./src/zlib.node.ts', import.meta.url)) }] },
    // Generated WebAssembly images; and the worker pool, whose threads run the built script, so
    // test/compression-pool.test.ts exercises it from dist/ (out of reach of source coverage).
    coverageExclude: ['src/wasm/*-binary.ts', 'src/compression-pool.ts', 'src/compress-worker*.ts', 'src/workers.*.ts'],
    thresholds: { statements: 93, branches: 87, functions: 96, lines: 96 },
  }),
);
