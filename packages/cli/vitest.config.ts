import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Generous: each test runs several `tx2pack` processes, and a loaded 2-core machine slows them all.
    testTimeout: 120_000,
    // The tests mostly wait on `tx2pack` subprocesses: more files in flight than cores keeps both cores busy.
    maxWorkers: 3,
  },
});
