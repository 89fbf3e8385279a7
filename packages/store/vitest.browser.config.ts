import { defineConfig } from 'vitest/config';
import { browserTestConfig } from '../../vitest.browser.js';

// The store in real Chromium: the browser backends (IndexedDB, OPFS, Web Locks) against the shared
// backend suite, and the store end to end on IndexedDB. The other test files use node:fs.
export default defineConfig(browserTestConfig(['test/**/*.browser.test.ts']));
