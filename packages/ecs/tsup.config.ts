import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/bitecs.ts', 'src/koota.ts', 'src/miniplex.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'es2022',
  sourcemap: true,
  // The subpaths share the core (registry, snapshot building) through one chunk.
  splitting: true,
  external: ['bitecs', 'koota', 'miniplex'],
});
