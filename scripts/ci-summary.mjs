// Prints one plain closing line, "N passed, M failed", summed over every test runner in a
// CI log (vitest per package, node:test for the repository scripts). Before it, it names the
// coverage floors a run missed, so a red run with every test passing says why.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Reads a CI log: the test counts, and the coverage floors missed ("package: message"). */
export function summarize(text) {
  const log = text.replace(/\x1b\[[0-9;]*m/g, '');
  let passed = 0;
  let failed = 0;
  // vitest: "Tests  2 failed | 120 passed | 1 skipped (123)", after turbo's prefix ("@tx2/pack-x:test: ").
  for (const m of log.matchAll(/Tests\s+(?:(\d+) failed \| )?(\d+) passed/g)) {
    failed += Number(m[1] ?? 0);
    passed += Number(m[2]);
  }
  // vitest when every test failed: "Tests  3 failed (3)".
  for (const m of log.matchAll(/Tests\s+(\d+) failed \(/g)) failed += Number(m[1]);
  // node:test (spec reporter).
  for (const m of log.matchAll(/^ℹ pass (\d+)$/gm)) passed += Number(m[1]);
  for (const m of log.matchAll(/^ℹ fail (\d+)$/gm)) failed += Number(m[1]);
  // vitest's coverage thresholds: "ERROR: Coverage for lines (80%) does not meet global threshold (85%)".
  const coverage = [...log.matchAll(/^(?:(\S+):test: )?ERROR: (Coverage for .* does not meet .*)$/gm)].map((m) => `${m[1] ?? 'coverage'}: ${m[2]}`);
  return { passed, failed, coverage };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { passed, failed, coverage } = summarize(readFileSync(process.argv[2], 'utf8'));
  for (const line of coverage) console.log(`below its coverage floor: ${line}`);
  console.log(`${passed} passed, ${failed} failed`);
}
