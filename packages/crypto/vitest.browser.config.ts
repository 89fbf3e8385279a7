import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import { browserTestConfig } from '../../vitest.browser.js';

const source = fileURLToPath(new URL('./src/', import.meta.url));
const browserPlatform = fileURLToPath(new URL('./src/platform.browser.ts', import.meta.url));

// The crypto package's suites in real Chromium, where `#platform` is the browser implementation
// (WebCrypto and @noble) and node:crypto does not exist.
export default mergeConfig(
  defineConfig({
    plugins: [
      {
        // Tests run against source: this package's `#platform` is src/platform.browser.ts. Only for
        // imports from src/: the build of @tx2/pack-format resolves its own `#platform`.
        name: 'tx2-crypto-platform',
        enforce: 'pre',
        resolveId(id, importer) {
          return id === '#platform' && importer !== undefined && importer.startsWith(source) ? browserPlatform : null;
        },
      },
    ],
  }),
  browserTestConfig(
    ['test/**/*.test.ts'],
    [
      // Node-only: they compare against node:crypto, read published vector files with node:fs, check
      // the Node platform, or run the README's examples in Node.
      'test/digest.test.ts',
      'test/encrypt.test.ts',
      'test/kdf.test.ts',
      'test/key.test.ts',
      'test/platform.test.ts',
      'test/readme.test.ts',
      'test/vectors.test.ts',
    ],
  ),
);
