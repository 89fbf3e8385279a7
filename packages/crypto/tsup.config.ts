import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/platform.node.ts', 'src/platform.browser.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'es2022',
  sourcemap: true,
  splitting: false,
  esbuildOptions(options) {
    // JS: keep `import ... from "#platform"` in dist/index.js; Node resolves it at runtime
    // through package.json "imports" (node -> platform.node.js, else platform.browser.js).
    // Set for esbuild only, not tsup's `external`, so the .d.ts build resolves `#platform`
    // through tsconfig "paths" to src/platform.browser.ts (node10 resolution, used by attw,
    // cannot follow a `#platform` import in index.d.ts).
    options.external = [...(options.external ?? []), '#platform'];
  },
});
