import { isPackError, PackError } from '@tx2/pack-format';

/** PackError('InvalidInput') for a bad argument of the replay engine. */
export function invalidInput(message: string, details?: Record<string, unknown>): PackError {
  return new PackError('InvalidInput', message, details === undefined ? {} : { details });
}

/** `options` when it is an options object or undefined (as `{}`); PackError('InvalidInput') naming `what` otherwise. */
export function optionsOf<T extends object>(options: T | undefined, what: string): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidInput(`${what} takes an options object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  return options;
}

/** `value` when it is a boolean or undefined; PackError('InvalidInput') naming the option otherwise. */
export function booleanOption(value: unknown, option: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw invalidInput(`${option} must be true or false, got ${typeof value}`, { option, value });
  return value;
}

/**
 * A failure of a checkpoint source (a CheckpointManager or your own) as a PackError: its own
 * PackErrors as they are, anything else as PackError('Io') with the original as `cause`.
 */
export function sourceError(error: unknown, what: string, details: Record<string, unknown>): PackError {
  if (isPackError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new PackError('Io', `${what} failed: ${message}`, { cause: error, details });
}
