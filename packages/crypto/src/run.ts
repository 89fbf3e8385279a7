// One implementation, two APIs: each transform is a generator that yields batches of primitive
// operations; `runSync` executes them one by one on a synchronous backend, `runAsync` awaits
// each batch (in parallel) on any backend. So the sync and async paths cannot drift apart.
// A `call` step hands the engine to a function, so that a transform can run a reader of
// @tx2/pack-format (whose section hooks are then synchronous or not) as one of its steps.
import { PackError } from '@tx2/pack-format';
import type { CryptoBackend, ScryptCost, SyncCryptoBackend } from './backend.js';
import { describe, fail } from './bytes.js';

/** One primitive operation of a transform. `out`, when set, receives the result. */
export type Op =
  | { kind: 'seal'; key: Uint8Array; nonce: Uint8Array; data: Uint8Array; aad: Uint8Array; out?: Uint8Array }
  | { kind: 'open'; key: Uint8Array; nonce: Uint8Array; data: Uint8Array; aad: Uint8Array; out?: Uint8Array }
  | { kind: 'sha256'; data: Uint8Array }
  | { kind: 'scrypt'; passphrase: Uint8Array; salt: Uint8Array; cost: ScryptCost }
  | { kind: 'call'; call: (engine: Engine) => unknown };

/** What runs a transform: its backend, and whether every step must finish synchronously. */
export type Engine = { readonly sync: true; readonly backend: SyncCryptoBackend } | { readonly sync: false; readonly backend: CryptoBackend };

/** What an operation returns: bytes, null for an `open` whose tag does not match, or what a `call` returns. */
export type OpResult = unknown;

/** A transform: yields batches of operations, receives their results, returns `T`. */
export type Steps<T> = Generator<Op[], T, OpResult[]>;

/** A step that runs `fn` with the engine (synchronously for runSync: a promise there is an error). */
export function* call<T>(fn: (engine: Engine) => T | Promise<T>): Steps<T> {
  const [result] = yield [{ kind: 'call', call: fn }];
  return result as T;
}

function wrap(op: Op, backend: CryptoBackend, error: unknown): never {
  if (error instanceof PackError || op.kind === 'call') throw error;
  const code = op.kind === 'seal' ? 'Encryption' : op.kind === 'open' ? 'Decryption' : op.kind === 'scrypt' ? 'InvalidInput' : 'ChecksumMismatch';
  throw new PackError(code, `the ${backend.name} backend failed to ${op.kind}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

function start(op: Op, engine: Engine): OpResult | Promise<OpResult> {
  const { backend } = engine;
  switch (op.kind) {
    case 'seal':
      return backend.seal(op.key, op.nonce, op.data, op.aad, op.out);
    case 'open':
      return backend.open(op.key, op.nonce, op.data, op.aad, op.out);
    case 'sha256':
      return backend.sha256(op.data);
    case 'scrypt':
      return !engine.sync && backend.scryptAsync ? backend.scryptAsync(op.passphrase, op.salt, op.cost) : backend.scrypt(op.passphrase, op.salt, op.cost);
    case 'call':
      return op.call(engine);
  }
}

/** Checks that `backend` is a synchronous backend, for the `…Sync` functions. */
export function requireSync(backend: CryptoBackend): SyncCryptoBackend {
  if (typeof backend !== 'object' || backend === null || typeof backend.seal !== 'function') {
    fail('InvalidInput', `backend must be a CryptoBackend (nodeBackend, webCryptoBackend, nobleBackend), got ${describe(backend)}`);
  }
  if (!backend.sync) fail('InvalidInput', `the ${backend.name} backend is asynchronous only: use the async function, or nobleBackend with the …Sync one`);
  return backend as SyncCryptoBackend;
}

/** Runs a transform synchronously. */
export function runSync<T>(steps: Steps<T>, backend: SyncCryptoBackend): T {
  const engine: Engine = { sync: true, backend };
  let next = steps.next([]);
  while (!next.done) {
    const results = next.value.map((op) => {
      try {
        const r = start(op, engine);
        if (r instanceof Promise) {
          r.catch(() => {});
          fail('InvalidInput', `the ${backend.name} backend returned a promise from a synchronous call`);
        }
        return r;
      } catch (error) {
        return wrap(op, backend, error);
      }
    });
    next = steps.next(results);
  }
  return next.value;
}

/** Runs a transform, awaiting each batch of operations (whose members run concurrently). */
export async function runAsync<T>(steps: Steps<T>, backend: CryptoBackend): Promise<T> {
  if (typeof backend !== 'object' || backend === null || typeof backend.seal !== 'function') {
    fail('InvalidInput', `backend must be a CryptoBackend (nodeBackend, webCryptoBackend, nobleBackend), got ${describe(backend)}`);
  }
  const engine: Engine = { sync: false, backend };
  let next = steps.next([]);
  while (!next.done) {
    const results = await Promise.all(
      next.value.map(async (op) => {
        try {
          return await start(op, engine);
        } catch (error) {
          return wrap(op, backend, error);
        }
      }),
    );
    next = steps.next(results);
  }
  return next.value;
}
