/** Stable machine-readable error codes; never renamed once released. */
export const PackErrorCode = {
  /** The bytes are not a tx2-pack container, or a structure inside it is malformed. */
  InvalidFormat: 'InvalidFormat',
  /** The container was written by a newer format version than this reader supports. */
  VersionMismatch: 'VersionMismatch',
  /** A header, descriptor or section checksum does not match its bytes. */
  ChecksumMismatch: 'ChecksumMismatch',
  /** The input ends before a structure it declares. */
  Truncated: 'Truncated',
  /** Component data does not fit the declared schema. */
  SchemaMismatch: 'SchemaMismatch',
  /** The snapshot given to an encoder is not valid (duplicate ids, bad types, ...). */
  InvalidInput: 'InvalidInput',
  /** A value cannot be serialized (functions, symbols, cycles, ...). */
  Serialization: 'Serialization',
  /** A codec failed while compressing a section. */
  Compression: 'Compression',
  /** A codec failed while decompressing a section, or the codec is unknown. */
  Decompression: 'Decompression',
  /** Encrypting a section failed. */
  Encryption: 'Encryption',
  /** A section failed to decrypt or authenticate, or a key is missing. */
  Decryption: 'Decryption',
  /** The key given does not match the key the snapshot was encrypted with. */
  WrongKey: 'WrongKey',
  /** A snapshot id was not found in a store. */
  SnapshotNotFound: 'SnapshotNotFound',
  /** A checkpoint or its chain is missing or inconsistent. */
  InvalidCheckpoint: 'InvalidCheckpoint',
  /** Reading or writing storage failed. */
  Io: 'Io',
  /**
   * The storage's quota is full (a browser's QuotaExceededError, a full disk or disk quota on Node: ENOSPC, EDQUOT): nothing was written and the
   * previous bytes under that key are intact; free space or ask for more, then save again.
   */
  QuotaExceeded: 'QuotaExceeded',
  /** A delta was applied to a snapshot other than the one it was made from. */
  DeltaBaseMismatch: 'DeltaBaseMismatch',
  /**
   * A reader's size, depth or work limit was exceeded before the work was done; `details.limit`
   * names the option to raise when the input is trusted, `details.value` and `details.max` the numbers.
   */
  LimitExceeded: 'LimitExceeded',
  /** An invariant of tx2-pack itself does not hold: a bug, never bad input; report it. */
  Internal: 'Internal',
} as const;

/** One of the stable error codes of {@link PackErrorCode}. */
export type PackErrorCode = (typeof PackErrorCode)[keyof typeof PackErrorCode];

// A registered symbol is shared by every copy of this library loaded in one realm
// (two versions in node_modules, a bundled and an unbundled copy), unlike `instanceof`.
const PACK_ERROR_BRAND = Symbol.for('@tx2/pack-format/PackError');

/** Options of a {@link PackError}: the underlying cause and structured details. */
export interface PackErrorOptions {
  cause?: unknown;
  /** Extra structured facts (section index, versions, sizes) for tools and logs. */
  details?: Record<string, unknown>;
}

/** The one error type thrown by every tx2-pack package; switch on `code`. */
export class PackError extends Error {
  readonly code: PackErrorCode;
  readonly details: Record<string, unknown>;

  /** Creates an error with a stable code and a message saying what is wrong and what to do. */
  constructor(code: PackErrorCode, message: string, options: PackErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PackError';
    this.code = code;
    this.details = options.details ?? {};
    Object.defineProperty(this, PACK_ERROR_BRAND, { value: true });
  }
}

/** True when `value` is a PackError from any loaded copy of tx2-pack; optionally of one code. */
export function isPackError(value: unknown, code?: PackErrorCode): value is PackError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[PACK_ERROR_BRAND] !== true) return false;
  return code === undefined || (value as PackError).code === code;
}
