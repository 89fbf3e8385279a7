// The rule for snapshot ids, shared by every layer that names snapshots (store file names,
// checkpoint ids, timeline names): one owner, so the layers can never disagree.
import { PackError } from './errors.js';

/** A short, safe rendering of an id for messages (never throws). */
function describeId(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** Longest snapshot id accepted, in UTF-16 code units (file names stay under common 255-byte limits). */
export const MAX_ID_LENGTH = 128;

// Letters, digits and . _ - @ + = ~ only (any script's letters and digits): portable file names.
const ID_PATTERN = /^[\p{L}\p{N}._\-@+=~]+$/u;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;

/** Throws PackError('InvalidInput') unless `id` is a safe snapshot id; returns it otherwise. */
export function validateId(id: unknown): string {
  const fail = (why: string): never => {
    throw new PackError('InvalidInput', `invalid snapshot id ${describeId(id)}: ${why}`, { details: { id: typeof id === 'string' ? id : describeId(id) } });
  };
  if (typeof id !== 'string') return fail('an id must be a string');
  if (id.length === 0) return fail('an id must not be empty');
  if (id.length > MAX_ID_LENGTH) return fail(`an id is at most ${MAX_ID_LENGTH} characters`);
  if (/[\u0000-\u001f\u007f-\u009f]/.test(id)) return fail('control characters are not allowed');
  if (id.includes('/') || id.includes('\\')) return fail('path separators are not allowed');
  if (id.includes('..')) return fail('".." is not allowed');
  if (id.startsWith('.') || id.startsWith('-')) return fail('an id must not start with "." or "-"');
  if (id.endsWith('.')) return fail('an id must not end with "."');
  if (!ID_PATTERN.test(id)) return fail('use letters, digits and . _ - @ + = ~ only');
  if (WINDOWS_RESERVED.test(id)) return fail('this name is reserved on Windows');
  return id;
}

/** True when `id` passes {@link validateId}. */
export function isValidId(id: unknown): id is string {
  try {
    validateId(id);
    return true;
  } catch {
    return false;
  }
}
