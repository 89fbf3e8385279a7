import { defineConfig } from 'vitest/config';
import { browserTestConfig } from '../../vitest.browser.js';

// The package's suites in real Chromium, and end to end on the browser backends (*.browser.test.ts).
// readme.test.ts runs the README's Node example with node:fs: Node only.
export default defineConfig(browserTestConfig(['test/**/*.test.ts'], ['test/readme.test.ts']));
