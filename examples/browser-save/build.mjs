// Bundles the example page into dist/ with esbuild: the page script and its index.html.
import { copyFileSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

mkdirSync('dist', { recursive: true });
await build({
  entryPoints: ['src/main.ts'],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  splitting: true,
  minify: true,
  sourcemap: true,
  outdir: 'dist',
  logLevel: 'warning',
});
copyFileSync('index.html', 'dist/index.html');
