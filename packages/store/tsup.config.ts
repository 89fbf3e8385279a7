import { defineConfig } from 'tsup';

export default defineConfig({
  // index: the portable main entry; node: `@tx2/pack-store/node`; directory.*: the two
  // implementations of the `#directory` subpath import (package.json "imports").
  entry: ['src/index.ts', 'src/node.ts', 'src/directory.node.ts', 'src/directory.browser.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'es2022',
  sourcemap: true,
  // Shared chunks: the main entry, `/node` and `#directory` must share one NodeFsBackend class.
  splitting: true,
  esbuildOptions(options) {
    // Keep `import ... from "#directory"` in the output: Node resolves it through package.json
    // "imports" (node -> directory.node.js, else directory.browser.js). Set for esbuild only, so
    // the .d.ts build resolves it through tsconfig "paths" (see the format package).
    options.external = [...(options.external ?? []), '#directory'];
  },
});
