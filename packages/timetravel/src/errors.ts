import { PackError } from '@tx2/pack-format';

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
