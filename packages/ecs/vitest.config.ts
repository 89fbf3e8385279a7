import { defineConfig } from 'vitest/config';
import { nodeTestConfig } from '../../vitest.node.js';

export default defineConfig(nodeTestConfig({ thresholds: { statements: 94, branches: 87, functions: 95, lines: 95 } }));
