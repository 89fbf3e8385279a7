import { PackError } from '@tx2/pack-format';

/** PackError('InvalidInput') for a bad argument of the replay engine. */
export function invalidInput(message: string): PackError {
  return new PackError('InvalidInput', message);
}
