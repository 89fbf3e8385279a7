import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { nodeTestConfig } from '../../vitest.node.js';

const source = fileURLToPath(new URL('./src/', import.meta.url));
const nodePlatform = fileURLToPath(new URL('./src/platform.node.ts', import.meta.url));

export default defineConfig(
  nodeTestConfig({
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
    thresholds: { statements: 92, branches: 86, functions: 97, lines: 96 },
  }),
);
