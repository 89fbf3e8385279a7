// Browser readiness: no Node.js API outside the `#zlib` fast path, and each codec's code
// (WebAssembly, fflate) is loaded by import() only when that codec is first asked for.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The dist files loaded when `entry` is imported, following static imports only (`#zlib` as a browser resolves it). */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(join(DIST, file), 'utf8');
    for (const m of code.matchAll(/(?:^|[;\n}])\s*(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']/g)) {
      const spec = m[1]!;
      if (spec === '#zlib') visit('zlib.browser.js');
      else if (spec.startsWith('./')) visit(spec.slice(2));
    }
  };
  visit(entry);
  return seen;
}

describe('browser readiness', () => {
  // zlib.node.ts: the `#zlib` fast path; the other two: the Node build of the `/workers` entry.
  const NODE_ONLY = ['zlib.node.ts', 'workers.node.ts', 'compress-worker.node.ts'];

  it('uses no Node.js module outside src/zlib.node.ts and the /workers entry', () => {
    for (const file of sources(SRC)) {
      if (NODE_ONLY.some((name) => file.endsWith(`/${name}`))) continue;
      const code = readFileSync(file, 'utf8');
      expect(code, file).not.toMatch(/from ['"]node:|import\(['"]node:|require\(|\bBuffer\b|process\./);
    }
  });

  const built = existsSync(join(DIST, 'index.js'));
  const check = built ? it : process.env.CI === 'true' ? it : it.skip;
  if (!built) console.warn('skipping the dist checks: run `pnpm build` first');

  check('importing the package loads no codec: WebAssembly, fflate and node:zlib come later through import()', () => {
    expect(built, 'dist/index.js is missing: run `pnpm build` first').toBe(true);
    const closure = staticClosure('index.js');
    const code = [...closure].map((f) => readFileSync(join(DIST, f), 'utf8')).join('\n');
    expect(code).not.toMatch(/ZSTD_WASM_BASE64|LZ4_WASM_BASE64/);
    expect(code).not.toMatch(/node:zlib|from ["']fflate["']/);
    expect(code).not.toMatch(/node:worker_threads|node:os/);
    const all = readdirSync(DIST).filter((f) => f.endsWith('.js'));
    const zstd = all.filter((f) => readFileSync(join(DIST, f), 'utf8').includes('ZSTD_WASM_BASE64'));
    expect(zstd.length).toBeGreaterThan(0);
    for (const f of zstd) expect(closure.has(f)).toBe(false);
  });
});
