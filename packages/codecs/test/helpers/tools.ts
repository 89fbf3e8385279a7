// Reference command-line tools (zstd, lz4, gzip) for interoperability tests.
import { spawnSync } from 'node:child_process';
import { it } from 'vitest';

/** True when `tool` runs. */
export function hasTool(tool: string): boolean {
  const result = spawnSync(tool, ['--version'], { stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}

/**
 * `it` for a test that needs `tool`: locally it is skipped (with a message) when the tool
 * is missing; with CI=true it fails, saying how to install it.
 */
export function itWithTool(tool: string): typeof it | ((name: string, fn: () => unknown) => void) {
  if (hasTool(tool)) return it;
  if (process.env.CI === 'true') {
    return (name: string) =>
      it(name, () => {
        throw new Error(`the reference "${tool}" command-line tool is missing; CI installs it in .ci/run (apt-get install -y ${tool})`);
      });
  }
  console.warn(`skipping interoperability tests with "${tool}": the tool is not installed (apt-get install -y ${tool}); CI=true makes them fail instead`);
  return it.skip;
}

/** Runs `tool args`, feeding `input` on stdin, and returns stdout; throws on a non-zero exit. */
export function run(tool: string, args: string[], input: Uint8Array): Uint8Array {
  const result = spawnSync(tool, args, { input, maxBuffer: 1 << 30 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} exited with ${result.status}: ${result.stderr.toString()}`);
  return new Uint8Array(result.stdout.buffer, result.stdout.byteOffset, result.stdout.byteLength);
}
