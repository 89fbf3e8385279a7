import { defineConfig } from 'vitest/config';
import { browserTestConfig } from '../../vitest.browser.js';

// The package's suites in real Chromium, and end to end on the browser backends (*.browser.test.ts).
export default defineConfig(
  browserTestConfig(
    ['test/**/*.test.ts'],
    [
      // Node-only: they use node:fs directories, Node's heap figures, or the README's Node example.
      'test/entries.test.ts',
      'test/memory.test.ts',
      'test/persistence.test.ts',
      'test/readme.test.ts',
    ],
  ),
);
