import { defineConfig } from 'vitest/config';
import { nodeTestConfig } from '../../vitest.node.js';

export default defineConfig(nodeTestConfig({ thresholds: { statements: 97, branches: 94, functions: 93, lines: 98 } }));
