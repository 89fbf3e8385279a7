import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous limits: CI must pass on a loaded 2-core machine (no test asserts on speed).
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // `pnpm test` runs with --coverage: a floor a little below what the suite measures today.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary'],
      thresholds: { statements: 94, branches: 87, functions: 95, lines: 95 },
    },
  },
});
