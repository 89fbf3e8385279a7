import { PackError } from '@tx2/pack-format';
import type { ReleaseLock } from '../backend.js';
import { checkTimeout } from '../errors.js';

// While a writer holds a store's lock it also holds a second, shared lock whose name carries a
// description of the holder: `navigator.locks.query()` lists held lock names, so a writer that
// times out can say who holds the store without any storage of its own. The browser releases
// both when the tab or worker goes away, so a crashed writer never leaves a stale lock behind.
const HOLDER_SEPARATOR = '\u0000holder:';

/** A description of this page or worker for lock messages: its URL and a random tag. */
function defaultOwner(): string {
  const where = typeof globalThis.location === 'object' ? globalThis.location.href : 'an unknown context';
  const kind = typeof (globalThis as { document?: unknown }).document === 'object' ? 'a tab' : 'a worker';
  return `${kind} at ${where} (${globalThis.crypto.randomUUID().slice(0, 8)})`;
}

const thisContext = defaultOwner();

/** The description the holder of `name` published, or undefined when none is visible. */
async function findHolder(locks: LockManager, name: string): Promise<{ owner?: string; clientId?: string }> {
  try {
    const state = await locks.query();
    const prefix = `${name}${HOLDER_SEPARATOR}`;
    const tag = state.held?.find((lock) => lock.name?.startsWith(prefix));
    const main = state.held?.find((lock) => lock.name === name);
    return { owner: tag?.name?.slice(prefix.length), clientId: main?.clientId };
  } catch {
    return {};
  }
}

/**
 * Takes the exclusive Web Lock `name` (shared by every tab and worker of the origin), waiting up
 * to `timeoutMs`; then PackError('Io') naming the holder. `owner` describes this writer to others.
 */
export async function acquireWebLock(name: string, timeoutMs: number, owner: string = thisContext): Promise<ReleaseLock> {
  checkTimeout(timeoutMs, 'the lock timeout');
  const locks = globalThis.navigator?.locks;
  if (locks === undefined) {
    throw new PackError('Io', 'this context has no Web Locks API (navigator.locks): use a secure context (https or localhost) in a current browser', {
      details: { lockFile: name },
    });
  }
  // A zero timeout asks once (ifAvailable); otherwise an AbortSignal ends the wait.
  const controller = new AbortController();
  const timer = timeoutMs === 0 ? undefined : setTimeout(() => controller.abort(), timeoutMs);
  const options: LockOptions = timeoutMs === 0 ? { mode: 'exclusive', ifAvailable: true } : { mode: 'exclusive', signal: controller.signal };
  let granted!: (unlock: () => void) => void;
  const grant = new Promise<() => void>((resolve) => (granted = resolve));
  const request = locks.request(name, options, async (lock) => {
    clearTimeout(timer);
    if (lock === null) return false;
    let unlock!: () => void;
    const held = new Promise<void>((resolve) => (unlock = resolve));
    // The holder tag: a shared lock of a name of its own is granted at once.
    void locks.request(`${name}${HOLDER_SEPARATOR}${owner}`, { mode: 'shared' }, () => held).catch(() => {});
    granted(unlock);
    await held;
    return true;
  });
  // `request` settles once the callback has returned and the browser has let the lock go.
  const outcome = await Promise.race([
    grant,
    request.then(
      (taken) => ({ taken }),
      (error: unknown) => ({ error }),
    ),
  ]);
  if (typeof outcome === 'function') {
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      outcome();
      await request;
    };
  }
  clearTimeout(timer);
  const error = 'error' in outcome ? outcome.error : undefined;
  if ('taken' in outcome || (error as { name?: unknown } | undefined)?.name === 'AbortError') {
    const { owner: holder, clientId } = await findHolder(locks, name);
    const who = holder ?? (clientId === undefined ? 'another tab or worker' : `another tab or worker (client ${clientId})`);
    throw new PackError('Io', `the store ${name} is locked by ${who} for more than ${timeoutMs} ms: wait for it to finish saving, or close that tab`, {
      details: { lockFile: name, holder: holder ?? null, holderClientId: clientId },
    });
  }
  throw new PackError('Io', `could not take the Web Lock ${name}: ${(error as Error | undefined)?.message ?? String(error)}`, {
    cause: error,
    details: { lockFile: name },
  });
}

/** Runs `work` holding the Web Lock `name` (granted at once when the name is unique); without Web Locks, just runs it. */
export async function withWebLock<T>(name: string, work: () => Promise<T>): Promise<T> {
  const locks = globalThis.navigator?.locks;
  if (locks === undefined) return work();
  return locks.request(name, { mode: 'exclusive' }, work);
}
