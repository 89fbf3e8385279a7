import { encodeSnapshot, isPackError, PackError, type PackedSnapshot } from '@tx2/pack-format';

/**
 * Wraps a Node.js I/O failure in a PackError that names the operation and path: 'QuotaExceeded'
 * for a full disk or disk quota (ENOSPC, EDQUOT), the code the browser backends give for a full
 * storage quota, since the user's situation and remedy are the same; 'Io' for anything else.
 * `backend` is the name of the backend that failed, when there is one.
 */
export function ioError(action: string, path: string, cause: unknown, backend?: string): PackError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    const what = code === 'ENOSPC' ? 'the disk is full' : "the user's disk quota is full";
    // Writes go to a temporary file renamed over the old one only when complete: the failed one left nothing behind.
    return new PackError(
      'QuotaExceeded',
      `could not ${action} ${path} (${code}): ${what}; the previous save is intact. Free some space (delete old saves or checkpoints, or prune), then save again`,
      { cause, details: { path, backend, errno: code } },
    );
  }
  const hint = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? ': the store directory is not writable; check its permissions' : '';
  return new PackError('Io', `could not ${action} ${path}${code ? ` (${code})` : ''}${hint}`, { cause, details: { path, backend, errno: code } });
}

/** A short, safe rendering of any value for messages (never throws, at most ~80 characters). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Throws PackError('InvalidInput') unless `value` is undefined or a plain options object; returns it (or {}). */
export function optionsObject<T extends object>(value: T | undefined, what: string): T {
  if (value === undefined) return {} as T;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PackError('InvalidInput', `${what} must be an object, got ${describeValue(value)}`);
  }
  return value;
}

/** Throws PackError('InvalidInput') unless `ms` is a timeout setTimeout can honour (0 to 2^31 - 1 ms). */
export function checkTimeout(ms: unknown, what: string): number {
  if (typeof ms !== 'number' || !(ms >= 0 && ms <= 2_147_483_647)) {
    throw new PackError('InvalidInput', `${what} must be a number of milliseconds from 0 to 2147483647, got ${describeValue(ms)}`);
  }
  return ms;
}

/** Throws PackError('InvalidInput') unless `bytes` is a Uint8Array (what a backend stores). */
export function checkBytes(bytes: unknown): void {
  if (!(bytes instanceof Uint8Array)) throw new PackError('InvalidInput', `a backend stores bytes: expected a Uint8Array, got ${describeValue(bytes)}`);
}

/** Throws PackError('InvalidInput') unless `snapshot` is an object (the encoder checks the rest). */
export function checkSnapshotObject(snapshot: unknown, what: string): asserts snapshot is PackedSnapshot {
  if (typeof snapshot !== 'object' || snapshot === null || Array.isArray(snapshot)) {
    throw new PackError('InvalidInput', `${what} expects a PackedSnapshot (createPackedSnapshot or fromWorldSnapshot make one), got ${describeValue(snapshot)}`);
  }
}

/**
 * The error to report when work on a caller's snapshot threw `error`: a PackError as is;
 * otherwise the encoder's own refusal of the snapshot, which names what is malformed; a
 * snapshot the encoder accepts keeps the original error (a bug, not bad input).
 */
export function malformedSnapshotError(snapshot: PackedSnapshot, error: unknown): unknown {
  if (isPackError(error)) return error;
  try {
    encodeSnapshot(snapshot);
  } catch (refusal) {
    if (isPackError(refusal)) return refusal;
  }
  return error;
}

/** Throws PackError('InvalidInput') unless `offset` and `length` are non-negative safe integers (a byte range). */
export function checkRange(offset: unknown, length: unknown): void {
  if (!Number.isSafeInteger(offset) || (offset as number) < 0 || !Number.isSafeInteger(length) || (length as number) < 0) {
    throw new PackError('InvalidInput', `a byte range needs a non-negative integer offset and length, got ${describeValue(offset)} and ${describeValue(length)}`, {
      details: { offset: describeValue(offset), length: describeValue(length) },
    });
  }
}
