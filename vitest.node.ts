// Shared settings of every package's Node test run (`pnpm test` in a package): where tests are,
// the limits a loaded 2-core CI machine needs, and v8 coverage with the package's own floor.
import type { ViteUserConfig } from 'vitest/config';

/** What differs between packages' Node test runs. */
export interface NodeTestOptions {
  /** Coverage floor in percent: a little below what the suite measures today. */
  thresholds: { statements: number; branches: number; functions: number; lines: number };
  /** Test files to leave out besides the Chromium-only *.browser.test.ts. */
  exclude?: string[];
  /** Source files coverage cannot measure in Node (generated code, browser-only code). */
  coverageExclude?: string[];
  /** Module resolution for tests that run against source (subpath imports such as `#platform`). */
  resolve?: ViteUserConfig['resolve'];
  plugins?: ViteUserConfig['plugins'];
  /** Test files in flight at once (vitest's default when unset). */
  maxWorkers?: number;
}

/** A vitest config that runs a package's test/**\/*.test.ts under Node with coverage floors. */
export function nodeTestConfig(options: NodeTestOptions): ViteUserConfig {
  return {
    resolve: options.resolve,
    plugins: options.plugins,
    test: {
      include: ['test/**/*.test.ts'],
      // *.browser.test.ts run in Chromium only (vitest.browser.config.ts).
      exclude: ['test/**/*.browser.test.ts', '**/node_modules/**', ...(options.exclude ?? [])],
      // Generous limits: CI must pass on a loaded 2-core machine (no test asserts on speed).
      testTimeout: 180_000,
      hookTimeout: 120_000,
      ...(options.maxWorkers === undefined ? {} : { maxWorkers: options.maxWorkers }),
      // `pnpm test` runs with --coverage.
      coverage: {
        provider: 'v8',
        include: ['src/**/*.ts'],
        exclude: options.coverageExclude ?? [],
        reporter: ['text-summary'],
        thresholds: options.thresholds,
      },
    },
  };
}
