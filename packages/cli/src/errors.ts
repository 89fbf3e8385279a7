// User errors: one clear line saying what went wrong and what to do, and an exit code per
// kind of problem. Stack traces only for real bugs, and only with --verbose.
import { isPackError, type PackError } from '@tx2/pack-format';

/** The exit codes of `tx2pack` (documented in the README). */
export const ExitCode = {
  /** Success; for `verify`, the file is intact. */
  Ok: 0,
  /** The data failed a check: corrupt or truncated file, checksum or authentication failure, inconsistent store. */
  Corrupt: 1,
  /** Wrong usage: unknown command or option, missing or malformed argument. */
  Usage: 2,
  /** A file, directory or store entry does not exist or cannot be read or written. */
  NotFound: 3,
  /** An encrypted file and no key, or the wrong key or passphrase. */
  Key: 4,
  /** The input is valid but cannot be handled: a newer format version, data the format cannot hold. */
  Unsupported: 5,
  /** A bug in tx2pack: please report it with the output of --verbose. */
  Internal: 70,
} as const;

/** One of the {@link ExitCode} values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error meant for the user: its message is printed as is, and the process exits with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  /** `message` says what went wrong and what to do. */
  constructor(message: string, exitCode: ExitCode, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A usage error (exit code 2), e.g. a bad option value. */
export function usageError(message: string): CliError {
  return new CliError(message, ExitCode.Usage);
}

// Keyed by string: a code added to the format later falls back to Corrupt instead of breaking the build.
const PACK_EXIT: Readonly<Record<string, ExitCode>> = {
  InvalidFormat: ExitCode.Corrupt,
  ChecksumMismatch: ExitCode.Corrupt,
  Truncated: ExitCode.Corrupt,
  Decompression: ExitCode.Corrupt,
  Decryption: ExitCode.Corrupt,
  InvalidCheckpoint: ExitCode.Corrupt,
  WrongKey: ExitCode.Key,
  VersionMismatch: ExitCode.Unsupported,
  SchemaMismatch: ExitCode.Unsupported,
  Serialization: ExitCode.Unsupported,
  InvalidInput: ExitCode.Usage,
  SnapshotNotFound: ExitCode.NotFound,
  Io: ExitCode.NotFound,
  QuotaExceeded: ExitCode.NotFound,
  Compression: ExitCode.Internal,
  Encryption: ExitCode.Internal,
  DeltaBaseMismatch: ExitCode.Usage,
};

const PACK_HINT: Readonly<Record<string, string>> = {
  InvalidFormat: 'run `tx2pack verify` on it for details, and restore it from a backup',
  ChecksumMismatch: 'run `tx2pack verify` on it for details, and restore it from a backup',
  Truncated: 'an interrupted copy or download? copy the file again',
  Decompression: 'run `tx2pack verify` on it for details, and restore it from a backup',
  Decryption: 'the file was modified or is corrupt: restore it from a backup',
  WrongKey: 'pass the key file or passphrase it was encrypted with; `tx2pack inspect` shows its key fingerprint',
  VersionMismatch: 'upgrade tx2pack (`npm install -g @tx2/pack-cli@latest`)',
};

interface NodeSystemError {
  code: string;
  path?: string;
  syscall?: string;
}

function isSystemError(error: unknown): error is NodeSystemError & Error {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

function systemMessage(error: NodeSystemError & Error): CliError {
  const where = error.path === undefined ? '' : ` ${error.path}`;
  switch (error.code) {
    case 'ENOENT':
      return new CliError(`no such file or directory:${where}: check the path`, ExitCode.NotFound, { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new CliError(`permission denied:${where}: check its permissions or choose another path`, ExitCode.NotFound, { cause: error });
    case 'EISDIR':
      return new CliError(`${where.trim()} is a directory, a file was expected: name a .tx2pack file`, ExitCode.Usage, { cause: error });
    case 'ENOTDIR':
      return new CliError(`${where.trim()} is not a directory: name a store or checkpoint directory`, ExitCode.Usage, { cause: error });
    case 'ENOSPC':
      return new CliError(`no space left on the device while writing${where}: free some space and run it again`, ExitCode.NotFound, { cause: error });
    default:
      return new CliError(`${error.message}`, ExitCode.NotFound, { cause: error });
  }
}

/** The hint of a PackError; `verify` never sends the user to `verify`. */
function packHint(error: PackError, during: 'verify' | undefined): string | undefined {
  const hint = PACK_HINT[error.code];
  return during === 'verify' && hint?.startsWith('run `tx2pack verify`') ? 'restore it from a backup' : hint;
}

/**
 * Turns any thrown value into a CliError: PackErrors and system errors by code, argument-parser
 * errors as usage errors. `during` names the command reporting it, so hints never suggest running it again.
 */
export function toCliError(error: unknown, during?: 'verify'): CliError {
  if (error instanceof CliError) return error;
  if (isPackError(error)) {
    const hint = packHint(error, during);
    // PackError messages already say what to do after a colon; add the CLI's own fix where they speak of APIs.
    const message = hint !== undefined && !error.message.includes('tx2pack') ? `${error.message} (${hint})` : error.message;
    return new CliError(message, PACK_EXIT[error.code] ?? ExitCode.Corrupt, { cause: error });
  }
  if (isSystemError(error)) return systemMessage(error);
  const nodeCode = (error as { code?: unknown } | null)?.code;
  if (error instanceof Error && nodeCode === 'ERR_INVALID_ARG_VALUE' && /null bytes/.test(error.message)) {
    return new CliError('a path contains a NUL character (\\0), which no file name may hold: check the arguments', ExitCode.Usage, { cause: error });
  }
  if (error instanceof Error && (nodeCode === 'ERR_STRING_TOO_LONG' || nodeCode === 'ERR_FS_FILE_TOO_LARGE')) {
    return new CliError(`the input is too large to read whole (${error.message}): split it, or use the store's streaming API`, ExitCode.Unsupported, { cause: error });
  }
  if (error instanceof Error && error.name === 'CACError') {
    return new CliError(`${error.message}: see \`tx2pack --help\``, ExitCode.Usage, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(`unexpected error: ${message} (this is a bug in tx2pack: please report it with the output of --verbose)`, ExitCode.Internal, { cause: error });
}
