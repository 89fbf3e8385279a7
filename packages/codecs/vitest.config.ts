import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { nodeTestConfig } from '../../vitest.node.js';

export default defineConfig(
  nodeTestConfig({
    // Tests run against source: point the `#zlib` subpath import at the Node implementation.
    resolve: { alias: [{ find: /^#zlib$/, replacement: fileURLToPath(new URL('./src/zlib.node.ts', import.meta.url)) }] },
    coverageExclude: ['src/wasm/*-binary.ts'], // generated WebAssembly images
    thresholds: { statements: 93, branches: 87, functions: 96, lines: 96 },
  }),
);
