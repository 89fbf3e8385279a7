import { defineConfig } from 'vitest/config';
import { nodeTestConfig } from '../../vitest.node.js';

export default defineConfig(nodeTestConfig({ thresholds: { statements: 92, branches: 90, functions: 93, lines: 95 } }));
