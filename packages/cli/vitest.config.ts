import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous limits: CI must pass on a loaded 2-core machine (no test asserts on speed).
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // The tests mostly wait on `tx2pack` subprocesses: more files in flight than cores keeps both cores busy.
    maxWorkers: 3,
    // `pnpm test` runs with --coverage: a floor a little below what the suite measures today.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary'],
      // Low: most CLI tests run `tx2pack` as a subprocess, whose coverage is not collected.
      thresholds: { statements: 10, branches: 8, functions: 6, lines: 10 },
    },
  },
});
