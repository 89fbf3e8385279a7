import { defineConfig } from 'tsup';

export default defineConfig({
  // index: the in-memory API; persistence: `@tx2/pack-timetravel/persistence` (the only part that needs the store).
  entry: ['src/index.ts', 'src/persistence.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'es2022',
  sourcemap: true,
  // Shared chunks: both entries must share one TimeTravel class (persistence checks instanceof).
  splitting: true,
});
