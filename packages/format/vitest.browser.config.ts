import { defineConfig } from 'vitest/config';
import { browserTestConfig } from '../../vitest.browser.js';

// The format's conformance suites in real Chromium: every test file that needs no Node API, and the
// browser-only tests (*.browser.test.ts), which fetch the committed vectors from the test server.
export default defineConfig(
  browserTestConfig(
    ['test/**/*.test.ts'],
    [
      // Node-only: they read and write vector files with node:fs, or measure Node's heap.
      'test/corruption.fuzz.test.ts',
      'test/crc32.test.ts',
      'test/ecs-corruption.fuzz.test.ts',
      'test/sha256.test.ts',
      'test/delta-vectors.test.ts',
      'test/readme.test.ts',
      'test/spec-vectors.test.ts',
      'test/vectors.test.ts',
      'test/vectors/**',
      // The independent spec reader reads the committed vectors with node:fs.
      'test/spec-reader/**',
    ],
  ),
);
