// Fixture repositories for the scripts' tests: a temporary directory of the given files, removed
// when the test file ends.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

const roots = [];
after(() => {
  for (const dir of roots) rmSync(dir, { recursive: true, force: true });
});

/** A fixture repo named after `prefix`: { "packages/x/package.json": {...} | "text", ... } (objects are written as JSON). */
export function fixture(prefix, files) {
  const root = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  roots.push(root);
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(root, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return root;
}
