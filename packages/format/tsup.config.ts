import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/platform.node.ts', 'src/platform.browser.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'es2022',
  sourcemap: true,
  // platform.wasm (hash-wasm's WebAssembly) becomes its own chunk, loaded by import() on first use.
  splitting: true,
  // hash-wasm is bundled into that chunk (only SHA-256 and CRC-32 of it), with its unreachable
  // fallback to Node's `global` (after a `typeof globalThis` check) spelled portably.
  noExternal: ['hash-wasm'],
  esbuildOptions(options) {
    options.define = { ...options.define, global: 'globalThis' };
    // JS: keep `import ... from "#platform"` in dist/index.js; Node resolves it at runtime
    // through package.json "imports" (node -> platform.node.js, else platform.browser.js).
    // This is set for esbuild only, not tsup's `external`, so the .d.ts build resolves
    // `#platform` through tsconfig "paths" to src/platform.browser.ts instead of emitting a
    // `#platform` import into index.d.ts, which node10 resolution (attw) cannot follow.
    options.external = [...(options.external ?? []), '#platform'];
  },
});
