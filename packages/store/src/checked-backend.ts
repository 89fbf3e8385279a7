// A StorageBackend given to a store may be the application's own code: its answers are checked
// before the store uses them, so a backend that answers the wrong thing (null bytes, a list
// that is not a list of keys, a size that is not a size) or fails with anything but a
// PackError gives PackError('Io') naming the backend and the method, not a TypeError deep
// inside a load.
import { isBytes, isPackError, PackError } from '@tx2/pack-format';
import type { StorageBackend } from './backend.js';
import { describeValue } from './errors.js';

const CHECKED = new WeakSet<object>();

type Check = (answer: unknown, args: readonly unknown[]) => string | undefined;

const bytesOrNothing: Check = (answer) => (answer === undefined || isBytes(answer) ? undefined : 'bytes (a Uint8Array) or undefined');

/** What each method must answer: undefined when the answer is fine, else what was expected. */
const CHECKS: Record<string, Check> = {
  get: bytesOrNothing,
  readRange: (answer, args) => {
    const wrong = bytesOrNothing(answer, args);
    if (wrong !== undefined) return wrong;
    const length = args[2];
    return answer !== undefined && typeof length === 'number' && (answer as Uint8Array).length > length ? `at most the ${length} bytes asked for` : undefined;
  },
  size: (answer) => (answer === undefined || (Number.isSafeInteger(answer) && (answer as number) >= 0) ? undefined : 'a byte count (an integer >= 0) or undefined'),
  has: (answer) => (typeof answer === 'boolean' ? undefined : 'true or false'),
  delete: (answer) => (typeof answer === 'boolean' ? undefined : 'true or false'),
  list: (answer) => (Array.isArray(answer) && answer.every((key) => typeof key === 'string') ? undefined : 'an array of key strings'),
  lock: (answer) => (typeof answer === 'function' ? undefined : 'a release function'),
  put: () => undefined,
  putStream: () => undefined,
};

/** A failure of a backend method as a PackError: its own PackErrors as they are, a browser quota error as QuotaExceeded, anything else as Io. */
function backendFailure(name: string, method: string, key: unknown, error: unknown): PackError {
  if (isPackError(error)) return error;
  const details = { backend: name, method, ...(typeof key === 'string' ? { key } : {}) };
  const message = error instanceof Error ? error.message : describeValue(error);
  if ((error as { name?: unknown } | null)?.name === 'QuotaExceededError') {
    return new PackError('QuotaExceeded', `${name}: ${method} failed, the storage quota is full (${message}): free space or ask for more, then save again`, {
      cause: error,
      details,
    });
  }
  return new PackError('Io', `${name}: ${method}${typeof key === 'string' ? `("${key}")` : ''} failed: ${message}`, { cause: error, details });
}

/** `backend` behind a proxy whose methods check their answers and wrap foreign failures (the backend's own other members pass through). */
export function checkedBackend(backend: StorageBackend): StorageBackend {
  if (CHECKED.has(backend)) return backend;
  const methods = new Map<PropertyKey, unknown>();
  const proxy = new Proxy(backend, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      const check = typeof property === 'string' ? CHECKS[property] : undefined;
      if (check === undefined || typeof value !== 'function') return value;
      let wrapped = methods.get(property) as ((...args: unknown[]) => Promise<unknown>) | undefined;
      if (wrapped === undefined || (wrapped as { original?: unknown }).original !== value) {
        const method = property as string;
        wrapped = async (...args: unknown[]) => {
          const name = String(target.name);
          let answer: unknown;
          try {
            answer = await (value as (...a: unknown[]) => unknown).apply(target, args);
          } catch (error) {
            throw backendFailure(name, method, args[0], error);
          }
          const expected = check(answer, args);
          if (expected !== undefined) {
            throw new PackError(
              'Io',
              `${name}: ${method}${typeof args[0] === 'string' ? `("${args[0]}")` : ''} answered ${describeValue(answer)}, not ${expected}: the storage backend is broken`,
              {
                details: { backend: name, method, ...(typeof args[0] === 'string' ? { key: args[0] } : {}) },
              },
            );
          }
          if (method === 'lock') {
            const release = answer as () => unknown;
            return async () => {
              try {
                await release();
              } catch (error) {
                throw backendFailure(name, 'release (of lock)', undefined, error);
              }
            };
          }
          return answer;
        };
        (wrapped as { original?: unknown }).original = value;
        methods.set(property, wrapped);
      }
      return wrapped;
    },
  });
  CHECKED.add(proxy);
  return proxy;
}
