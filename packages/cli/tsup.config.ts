import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // reference-world is its own entry so that benchmarks load the generator without the CLI.
  entry: ['src/index.ts', 'src/cli.ts', 'src/reference-world.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts', 'src/reference-world.ts'] },
  clean: true,
  target: 'es2022',
  sourcemap: true,
  splitting: true,
  define: { __TX2PACK_VERSION__: JSON.stringify(version) },
});
