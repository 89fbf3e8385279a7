import { type PackedSnapshot, PackError } from '@tx2/pack-format';

/** PackError('InvalidInput') for a bad argument of the time-travel API. */
export function invalidInput(message: string): PackError {
  return new PackError('InvalidInput', message);
}

/** `time` if it is a finite number; otherwise PackError('InvalidInput') naming `what`. */
export function checkTime(time: number, what: string): number {
  if (typeof time !== 'number' || !Number.isFinite(time)) {
    throw invalidInput(`${what}: time must be a finite number, got ${typeof time === 'number' ? String(time) : typeof time}`);
  }
  return time === 0 ? 0 : time; // -0 and 0 are one time
}

/**
 * `snapshot` when it has the shape of a PackedSnapshot (an object with a Uint32Array of
 * entities and an array of components); PackError('InvalidInput') naming `what` otherwise.
 * The encoder checks the rest.
 */
export function requireSnapshot(snapshot: unknown, what: string): PackedSnapshot {
  const s = snapshot as Partial<PackedSnapshot> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    !(s.entities instanceof Uint32Array) ||
    !Array.isArray(s.components) ||
    s.components.some((c) => typeof c !== 'object' || c === null)
  ) {
    throw invalidInput(`${what} expects a PackedSnapshot (createPackedSnapshot or fromWorldSnapshot of @tx2/pack-format builds one)`);
  }
  return snapshot as PackedSnapshot;
}
