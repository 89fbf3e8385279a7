import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous limits: CI must pass on a loaded 2-core machine (no test asserts on speed).
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
