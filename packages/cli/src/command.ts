// What every command shares: the global options, the key options, and checked option values.
import type { Command } from 'cac';
import { CODEC_NAMES, type CodecName } from '@tx2/pack-codecs';
import { usageError } from './errors.js';
import { PASSPHRASE_ENV, type KeyOptions } from './keys.js';
import { Output, type OutputOptions } from './output.js';

/** The options every command accepts. */
export interface GlobalOptions {
  json?: boolean;
  verbose?: boolean;
  /** false with --no-color. */
  color?: boolean;
}

/** Makes the Output of one command run from its parsed options. */
export type OutputFactory = (options: GlobalOptions) => Output;

/** An OutputFactory writing where `io` says (process streams by default). */
export function outputFactory(io: OutputOptions = {}): OutputFactory {
  return (options) => new Output({ ...io, json: options.json === true, verbose: options.verbose === true, ...(options.color === false ? { color: false } : {}) });
}

/**
 * Adds `--key-file` and `--passphrase` to a command: by default they open an encrypted input;
 * with `'output'` (import) they encrypt the file the command writes.
 */
export function withKeyOptions(command: Command, purpose: 'input' | 'output' = 'input'): Command {
  if (purpose === 'output') {
    return command
      .option('--key-file <path>', 'encrypt the output with this key: 32 raw bytes, 64 hex digits or base64 (see `tx2pack keygen`)')
      .option('--passphrase', `encrypt the output with a passphrase from ${PASSPHRASE_ENV}, or prompted for (not echoed)`);
  }
  return command
    .option('--key-file <path>', 'key of an encrypted input: 32 raw bytes, 64 hex digits or base64 (see `tx2pack keygen`)')
    .option('--passphrase', `read the passphrase of an encrypted input from ${PASSPHRASE_ENV}, or prompt for it (not echoed)`);
}

/** The key options as parsed by cac. */
export function keyOptions(options: { keyFile?: unknown; passphrase?: unknown }): KeyOptions {
  if (options.keyFile !== undefined && typeof options.keyFile !== 'string') throw usageError('--key-file needs a path');
  return {
    ...(options.keyFile === undefined ? {} : { keyFile: options.keyFile }),
    ...(options.passphrase === true ? { passphrase: true } : {}),
  };
}

/** A whole number option from `min` to `max`. */
export function integerOption(value: unknown, flag: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw usageError(`${flag} needs a whole number ${range}, got ${describeArgument(value)}`);
  }
  return n;
}

/** An argument as messages show it: quoted, control characters escaped, at most 60 characters. */
export function describeArgument(value: unknown): string {
  if (Array.isArray(value)) return `${value.length} values (give it once)`;
  const text = String(value);
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/** A codec name option (none, lz4, zstd, deflate, gzip). */
export function codecOption(value: unknown): CodecName {
  if (typeof value === 'string' && (CODEC_NAMES as readonly string[]).includes(value)) return value as CodecName;
  throw usageError(`--codec must be one of ${CODEC_NAMES.join(', ')}, got ${describeArgument(value)}`);
}

/** A level option: a number, or fast / default / best. */
export function levelOption(value: unknown): number | 'fast' | 'default' | 'best' {
  if (value === 'fast' || value === 'default' || value === 'best') return value;
  return integerOption(value, '--level', 0);
}

/** A filter option (auto, none, shuffle, delta). */
export function filterOption(value: unknown): 'auto' | 'none' | 'shuffle' | 'delta' {
  if (value === 'auto' || value === 'none' || value === 'shuffle' || value === 'delta') return value;
  throw usageError(`--filter must be one of auto, none, shuffle, delta, got ${describeArgument(value)}`);
}

/** A required positional argument as a string. */
export function pathArgument(value: unknown, name: string): string {
  if (value === undefined || value === '') throw usageError(`missing ${name}`);
  return String(value);
}
