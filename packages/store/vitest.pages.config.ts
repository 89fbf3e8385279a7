import { defineConfig } from 'vitest/config';

// Chromium driven from Node with Playwright (test/pages.test.ts): page reloads, browser restarts
// and two tabs in one profile, which vitest's browser mode cannot do. Run by `pnpm test:browser`.
export default defineConfig({
  test: {
    include: ['test/pages.test.ts'],
    // Generous limits: CI must pass on a loaded 2-core machine (no test asserts on speed).
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
