import { isPackError, PackError } from '@tx2/pack-format';
import { describeValue } from '../errors.js';

/** True when `error` is the browser's refusal of a write for lack of quota (a DOMException named QuotaExceededError). */
export function isQuotaError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'QuotaExceededError';
}

/** The site's storage usage and quota in bytes, when the browser tells (never throws). */
async function storageEstimate(): Promise<{ usage?: number; quota?: number }> {
  try {
    const estimate = await globalThis.navigator?.storage?.estimate?.();
    return { usage: estimate?.usage, quota: estimate?.quota };
  } catch {
    return {};
  }
}

/**
 * The PackError for a failed browser storage operation: 'QuotaExceeded' when the quota is full
 * (the write did not happen), 'Io' otherwise; a PackError passes through unchanged. `needed` is
 * the size of the write that failed, when known.
 */
export async function browserStorageError(backend: string, action: string, key: string | undefined, cause: unknown, needed = 0): Promise<PackError> {
  if (isPackError(cause)) return cause;
  const where = key === undefined ? backend : `${JSON.stringify(key)} in ${backend}`;
  const estimate = isQuotaError(cause) || needed > 0 ? await storageEstimate() : {};
  // Chromium sometimes ends a file write that ran out of quota with an AbortError of its data
  // pipe instead: a write that cannot fit in what is left of the quota is a full quota too.
  const full = isQuotaError(cause) || (estimate.usage !== undefined && estimate.quota !== undefined && needed > estimate.quota - estimate.usage);
  if (full) {
    const { usage, quota } = estimate;
    const used = usage !== undefined && quota !== undefined ? ` (${usage} of ${quota} bytes used)` : '';
    return new PackError(
      'QuotaExceeded',
      `could not ${action} ${where}: the browser's storage quota for this site is full${used}; the previous save is intact. Delete old saves or checkpoints, or ask for persistent storage with navigator.storage.persist(), then save again`,
      { cause, details: { path: key, backend, usage, quota } },
    );
  }
  const name = typeof cause === 'object' && cause !== null ? (cause as { name?: unknown }).name : undefined;
  return new PackError('Io', `could not ${action} ${where}${typeof name === 'string' ? ` (${name})` : ''}: ${describeMessage(cause)}`, {
    cause,
    details: { path: key, backend, errno: typeof name === 'string' ? name : undefined },
  });
}

/** The message of an error-like value, or a short rendering of anything else. */
function describeMessage(cause: unknown): string {
  const message = typeof cause === 'object' && cause !== null ? (cause as { message?: unknown }).message : undefined;
  return typeof message === 'string' && message.length > 0 ? message.slice(0, 200) : describeValue(cause);
}

/** Throws PackError('InvalidInput') unless `key` is a plain file name (what every store backend accepts). */
export function checkFileKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.includes('/') || key.includes('\\') || key.startsWith('.') || key.includes('\0')) {
    throw new PackError('InvalidInput', `invalid storage key ${describeValue(key)}: keys are plain file names`, { details: { path: describeValue(key) } });
  }
  return key;
}
