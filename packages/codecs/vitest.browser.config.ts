import { defineConfig } from 'vitest/config';
import { browserTestConfig } from '../../vitest.browser.js';

// The codecs' conformance suites in real Chromium, where `#zlib` resolves to the browser build
// (fflate) and the WebAssembly codecs compile in the page.
export default defineConfig(
  browserTestConfig(
    ['test/**/*.test.ts'],
    [
      // Node-only: they run the zstd/lz4/gzip command-line tools, read vector files with node:fs, or
      // check the Node build's own module graph.
      'test/browser-ready.test.ts',
      'test/compression-pool.test.ts', // worker_threads (compression-pool.browser.test.ts runs the Web Worker build)
      'test/frames-vectors.test.ts',
      'test/interop.test.ts',
      'test/readme.test.ts',
    ],
  ),
);
