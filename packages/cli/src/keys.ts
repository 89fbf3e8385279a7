// Where keys come from: a key file (32 raw bytes, 64 hex digits or base64), or a passphrase
// from an environment variable or a prompt that does not echo. Never from a command-line
// argument, which other users can read in the process list and which shells keep in history.
import { open } from 'node:fs/promises';
import { deriveKey, EncryptionKey, type DecryptionKeyInput, type EncryptionKeyInput } from '@tx2/pack-crypto';
import { CliError, ExitCode, usageError } from './errors.js';
import type { Output } from './output.js';
import { promptHidden } from './passphrase-prompt.js';

/** The environment variable `--passphrase` reads before prompting. */
export const PASSPHRASE_ENV = 'TX2PACK_PASSPHRASE';
/** The environment variable `--new-passphrase` reads before prompting. */
export const NEW_PASSPHRASE_ENV = 'TX2PACK_NEW_PASSPHRASE';

/** The key options of a command: `--key-file <path>` or `--passphrase`. */
export interface KeyOptions {
  keyFile?: string;
  passphrase?: boolean;
}

/** Reads a key file: 32 raw bytes, or text holding 64 hex digits or the base64 of 32 bytes. */
export async function readKeyFile(path: string): Promise<EncryptionKey> {
  const bytes = await readBounded(path, KEY_FILE_LIMIT);
  if (bytes.length === 32) return EncryptionKey.fromBytes(bytes);
  const text = new TextDecoder().decode(bytes).trim();
  try {
    if (/^[0-9a-fA-F]{64}$/.test(text)) return EncryptionKey.fromHex(text);
    if (/^[A-Za-z0-9+/]{43}=?$/.test(text)) return EncryptionKey.fromBase64(text);
  } catch {
    // reported below
  }
  throw notAKey(path);
}

function notAKey(path: string): CliError {
  return new CliError(
    `key file ${path} does not hold a key: it must contain 32 raw bytes, 64 hex digits or 44 base64 characters (create one with \`tx2pack keygen ${path}\`)`,
    ExitCode.Key,
  );
}

/** Longest key file read: a key is 32 bytes, or 64 hex digits or 44 base64 characters with some whitespace. */
const KEY_FILE_LIMIT = 4096;

/** The bytes of the regular file `path`, refusing one longer than `limit` (a device such as /dev/zero never ends). */
async function readBounded(path: string, limit: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new CliError(`key file ${path} is a directory: name the file \`tx2pack keygen\` wrote`, ExitCode.Usage);
    const buffer = new Uint8Array(limit + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > limit) throw notAKey(path);
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

async function passphraseFrom(envName: string, flag: string, output: Output, confirm: boolean): Promise<string> {
  const fromEnv = process.env[envName];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!output.canPrompt) {
    throw usageError(`${flag} needs a terminal to prompt on, or the passphrase in the environment variable ${envName}`);
  }
  const passphrase = await promptHidden(confirm ? 'New passphrase: ' : 'Passphrase: ');
  if (passphrase === '') throw usageError(`the passphrase is empty: type one, or set it in ${envName}`);
  if (confirm && (await promptHidden('Repeat it: ')) !== passphrase) throw usageError('the two passphrases differ: run the command again');
  return passphrase;
}

function checkOneSource(options: KeyOptions, keyFlag: string, passFlag: string): void {
  if (options.keyFile !== undefined && options.passphrase === true) throw usageError(`give either ${keyFlag} or ${passFlag}, not both`);
  if (options.keyFile !== undefined && (typeof options.keyFile !== 'string' || options.keyFile === '')) throw usageError(`${keyFlag} needs a path`);
}

/** True when the options name a key or passphrase. */
export function hasKey(options: KeyOptions): boolean {
  return options.keyFile !== undefined || options.passphrase === true;
}

/** The key to open an encrypted file with, from `--key-file` or `--passphrase`; undefined when neither was given. */
export async function decryptionKey(options: KeyOptions, output: Output): Promise<DecryptionKeyInput | undefined> {
  checkOneSource(options, '--key-file', '--passphrase');
  if (options.keyFile !== undefined) return readKeyFile(options.keyFile);
  if (options.passphrase === true) return { passphrase: await passphraseFrom(PASSPHRASE_ENV, '--passphrase', output, false) };
  return undefined;
}

/** A key to encrypt with (a passphrase is stretched with scrypt here); undefined when no option names one. */
export async function encryptionKey(
  options: KeyOptions,
  output: Output,
  flags: { keyFile: string; passphrase: string; env: string } = { keyFile: '--key-file', passphrase: '--passphrase', env: PASSPHRASE_ENV },
): Promise<EncryptionKeyInput | undefined> {
  checkOneSource(options, flags.keyFile, flags.passphrase);
  if (options.keyFile !== undefined) return readKeyFile(options.keyFile);
  if (options.passphrase !== true) return undefined;
  const passphrase = await passphraseFrom(flags.env, flags.passphrase, output, true);
  output.detail('deriving the key from the passphrase (scrypt, N = 2^17, r = 8, p = 1: about half a second)');
  return deriveKey(passphrase);
}

/** The error for an encrypted file opened without a key. */
export function keyRequired(path: string, fingerprint: string, passphrase: boolean): CliError {
  const how = passphrase ? `--passphrase (or ${PASSPHRASE_ENV}=...)` : '--key-file <path>';
  return new CliError(`${path} is encrypted (key fingerprint ${fingerprint}): pass its key with ${how}`, ExitCode.Key);
}
