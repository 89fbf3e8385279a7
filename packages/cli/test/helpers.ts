// Runs the built CLI (dist/cli.js) as a subprocess, as users do.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli.js ...args` with a clean color environment (plus `env`), in `cwd`. */
export function tx2pack(args: readonly string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<CliResult> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: undefined,
    FORCE_COLOR: undefined,
    TX2PACK_PASSPHRASE: undefined,
    TX2PACK_NEW_PASSPHRASE: undefined,
    ...options.env,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs the CLI with --json and parses stdout (which must hold nothing but the JSON). */
// biome-ignore lint/suspicious/noExplicitAny: callers read fields of the parsed JSON without declaring its shape.
export async function tx2packJson<T = any>(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<{ code: number; data: T; stderr: string }> {
  const result = await tx2pack([...args, '--json'], options);
  let data: T;
  try {
    data = JSON.parse(result.stdout) as T;
  } catch (error) {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`, { cause: error });
  }
  return { code: result.code, data, stderr: result.stderr };
}

/** A fresh temporary directory and its cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `tx2pack-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** True when the text holds an ANSI escape sequence. */
export const hasAnsi = (text: string): boolean => /\u001b\[/.test(text);

/** True when the text looks like a JavaScript stack trace. */
export const hasStack = (text: string): boolean => /\n\s+at .+[:(]\d+/.test(text) || /node:internal/.test(text);
