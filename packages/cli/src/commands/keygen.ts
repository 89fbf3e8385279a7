// `tx2pack keygen <file>`: a new random AES-256 key file for --key-file.
import { existsSync } from 'node:fs';
import type { CAC } from 'cac';
import { EncryptionKey } from '@tx2/pack-crypto';
import { pathArgument, type GlobalOptions, type OutputFactory } from '../command.js';
import { ExitCode, usageError } from '../errors.js';
import type { Output } from '../output.js';
import { writeFileAtomic } from '../snapshot-file.js';

/** Options of `keygen`. */
export interface KeygenOptions extends GlobalOptions {
  force?: boolean;
}

/** Writes a new random key as 64 hex digits, readable only by its owner; prints its fingerprint. */
export async function runKeygen(file: string, options: KeygenOptions, output: Output): Promise<number> {
  if (existsSync(file) && options.force !== true) throw usageError(`${file} exists: pass --force to replace it (files encrypted with the old key then need the old key)`);
  const key = EncryptionKey.generate();
  // Created owner-only: the key is never readable by others, not even for a moment.
  await writeFileAtomic(file, new TextEncoder().encode(`${key.toHex()}\n`), 0o600);
  if (output.json) output.data({ file, fingerprint: key.fingerprint });
  else output.print(`wrote ${output.colors.bold(file)}: a new AES-256 key, fingerprint ${key.fingerprint}. Keep it safe: without it, files encrypted with it cannot be read.`);
  return ExitCode.Ok;
}

/** Registers `keygen`. */
export function registerKeygen(cli: CAC, outputFor: OutputFactory): void {
  cli
    .command('keygen <file>', 'Write a new random encryption key (64 hex digits, mode 600) for --key-file')
    .option('--force', 'replace <file> when it exists')
    .example('tx2pack keygen world.key')
    .action((file: unknown, options: KeygenOptions) => runKeygen(pathArgument(file, '<file>'), options, outputFor(options)));
}
