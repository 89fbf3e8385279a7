import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/crc32.node.ts", "src/crc32.browser.ts"],
  format: ["esm"],
  dts: true,
  clean: true,
  target: "es2022",
  sourcemap: true,
  splitting: false,
  esbuildOptions(options) {
    // JS: keep `import ... from "#crc32"` in dist/index.js; Node resolves it at runtime
    // through package.json "imports" (node -> crc32.node.js, else crc32.browser.js).
    // This is set for esbuild only, not tsup's `external`, so the .d.ts build resolves
    // `#crc32` through tsconfig "paths" to src/crc32.browser.ts instead of emitting a
    // `#crc32` import into index.d.ts, which node10 resolution (attw) cannot follow.
    options.external = [...(options.external ?? []), "#crc32"];
  },
});
