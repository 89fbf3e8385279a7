// Prints one plain closing line, "N passed, M failed", summed over every test runner in a
// CI log (vitest per package, node:test for the repository scripts).
import { readFileSync } from 'node:fs';

const log = readFileSync(process.argv[2], 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
let passed = 0;
let failed = 0;
for (const m of log.matchAll(/Tests\s+(?:(\d+) failed \| )?(\d+) passed/g)) {
  failed += Number(m[1] ?? 0);
  passed += Number(m[2]);
}
for (const m of log.matchAll(/^ℹ pass (\d+)$/gm)) passed += Number(m[1]);
for (const m of log.matchAll(/^ℹ fail (\d+)$/gm)) failed += Number(m[1]);
console.log(`${passed} passed, ${failed} failed`);
