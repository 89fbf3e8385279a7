import { defineConfig } from 'vitest/config';
import { nodeTestConfig } from '../../vitest.node.js';

export default defineConfig(
  nodeTestConfig({
    // The tests mostly wait on `tx2pack` subprocesses: more files in flight than cores keeps both cores busy.
    maxWorkers: 3,
    // Low: most CLI tests run `tx2pack` as a subprocess, whose coverage is not collected.
    thresholds: { statements: 10, branches: 8, functions: 6, lines: 10 },
  }),
);
