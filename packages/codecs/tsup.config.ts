import { defineConfig } from 'tsup';

export default defineConfig({
  // zlib.*: the two implementations of the `#zlib` subpath import (package.json "imports");
  // workers.* + compress-worker.*: the two builds of the `/workers` entry (package.json "exports":
  // node -> worker_threads, else Web Workers) and the script each one's workers run.
  entry: [
    'src/index.ts',
    'src/zlib.node.ts',
    'src/zlib.browser.ts',
    'src/workers.node.ts',
    'src/workers.browser.ts',
    'src/compress-worker.node.ts',
    'src/compress-worker.browser.ts',
  ],
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'es2022',
  sourcemap: true,
  // Each codec (and its embedded WebAssembly) becomes its own chunk, loaded by import() on first use.
  splitting: true,
  esbuildOptions(options) {
    // Keep `import ... from "#zlib"` in the output: Node resolves it through package.json
    // "imports" (node -> zlib.node.js, else zlib.browser.js). Set for esbuild only, so the
    // .d.ts build resolves `#zlib` through tsconfig "paths" (see the format package).
    options.external = [...(options.external ?? []), '#zlib'];
    // Maps without embedded sources: the sources include ~0.8 MB of base64 WebAssembly.
    options.sourcesContent = false;
  },
});
