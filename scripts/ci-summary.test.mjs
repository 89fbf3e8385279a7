// Tests for scripts/ci-summary.mjs. Run: node --test scripts/ci-summary.test.mjs
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { summarize } from './ci-summary.mjs';

describe('summarize', () => {
  test('adds vitest counts behind turbo prefixes and colours, with coverage output around them', () => {
    const log = [
      '@tx2/pack-format:test: \x1b[2m      Tests \x1b[22m \x1b[1m\x1b[32m120 passed\x1b[39m\x1b[22m\x1b[90m (120)\x1b[39m',
      '@tx2/pack-format:test: =============================== Coverage summary ===============================',
      '@tx2/pack-format:test: Statements   : 93.1% ( 3000/3222 )',
      '@tx2/pack-store:test:       Tests  2 failed | 40 passed | 1 skipped (43)',
      '@tx2/pack-cli:test:       Tests  3 failed (3)',
      '@tx2/pack-cli:test:  Test Files  1 failed (1)',
    ].join('\n');
    assert.deepEqual(summarize(log), { passed: 160, failed: 5, coverage: [] });
  });

  test("adds node:test's spec totals", () => {
    assert.deepEqual(summarize('ℹ tests 12\nℹ pass 11\nℹ fail 1\n'), { passed: 11, failed: 1, coverage: [] });
  });

  test('names the coverage floors a package missed', () => {
    const log = '@tx2/pack-store:test: ERROR: Coverage for lines (80.1%) does not meet global threshold (85%)\n';
    assert.deepEqual(summarize(log).coverage, ['@tx2/pack-store: Coverage for lines (80.1%) does not meet global threshold (85%)']);
  });
});
