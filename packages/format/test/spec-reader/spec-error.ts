// The error a spec reader reports: one of the codes of docs/format.md section 11.

/** Error codes of docs/format.md sections 11 and 12.6. */
export type SpecErrorCode =
  | 'InvalidFormat'
  | 'VersionMismatch'
  | 'ChecksumMismatch'
  | 'Truncated'
  | 'Decompression'
  | 'LimitExceeded'
  | 'Decryption'
  | 'DeltaBaseMismatch'
  | 'InvalidInput';

/** A refusal with the section 11 code the spec assigns to it. */
export class SpecError extends Error {
  constructor(
    readonly code: SpecErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
