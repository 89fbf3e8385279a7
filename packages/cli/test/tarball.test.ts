// The CLI as users get it: every workspace package packed into a tarball (pnpm pack, which
// rewrites workspace: ranges to versions), installed with npm into an empty directory (third-party
// dependencies from the npm registry), and `tx2pack demo` run from there.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The repository's pinned pnpm (package.json "packageManager"): a global pnpm of another version may be first on PATH. */
const PNPM = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { packageManager: string }).packageManager;
const { dir, cleanup } = tempDir('tarballs');
afterAll(cleanup);

/** The environment without what the test runner's pnpm set for its own scripts (npm_config_*, npm_execpath, ...). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(npm_|pnpm_)/i.test(key)) env[key] = value;
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', NO_COLOR: '1' };
}

/** Runs a command; resolves with its output, rejects naming it when it fails. */
function exec(file: string, args: readonly string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env: cleanEnv(), maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} (in ${cwd}) failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

describe('the packed CLI', () => {
  it(
    'installs from the tarballs of every package into an empty directory, and `tx2pack demo` passes there',
    async () => {
      const packages = readdirSync(path.join(ROOT, 'packages'));
      const tarballs = path.join(dir, 'tarballs');
      await exec(npx, ['--yes', PNPM, '--recursive', '--filter', './packages/*', 'pack', '--pack-destination', tarballs], ROOT);
      const files = readdirSync(tarballs).filter((f) => f.endsWith('.tgz'));
      expect(files).toHaveLength(packages.length);

      const app = path.join(dir, 'app');
      mkdirSync(app);
      writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'tx2pack-tarball-check', private: true }));
      await exec(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error', ...files.map((f) => path.join(tarballs, f))], app);
      // No workspace: range may survive packing: npm could not resolve it outside the repository.
      const cli = JSON.parse(readFileSync(path.join(app, 'node_modules/@tx2/pack-cli/package.json'), 'utf8')) as { dependencies: Record<string, string> };
      for (const range of Object.values(cli.dependencies)) expect(range).not.toMatch(/^workspace:/);

      const { stdout } = await exec(path.join(app, 'node_modules/.bin/tx2pack'), ['demo', '--entities', '500', '--ticks', '2'], app);
      expect(stdout).toMatch(/All \d+ checks passed/);
    },
    20 * 60_000,
  );
});
