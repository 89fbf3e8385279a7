// One implementation, two APIs: each transform is a generator that yields batches of primitive
// operations; `runSync` executes them one by one on a synchronous backend, `runAsync` awaits
// each batch (in parallel) on any backend. So the sync and async paths cannot drift apart.
import { PackError } from '@tx2/pack-format';
import type { CryptoBackend, ScryptCost, SyncCryptoBackend } from './backend.js';
import { describe, fail } from './bytes.js';

/** One primitive operation of a transform. `out`, when set, receives the result. */
export type Op =
  | { kind: 'seal'; key: Uint8Array; nonce: Uint8Array; data: Uint8Array; aad: Uint8Array; out?: Uint8Array }
  | { kind: 'open'; key: Uint8Array; nonce: Uint8Array; data: Uint8Array; aad: Uint8Array; out?: Uint8Array }
  | { kind: 'sha256'; data: Uint8Array }
  | { kind: 'scrypt'; passphrase: Uint8Array; salt: Uint8Array; cost: ScryptCost };

/** What an operation returns: bytes, or null for an `open` whose tag does not match. */
export type OpResult = Uint8Array | null;

/** A transform: yields batches of operations, receives their results, returns `T`. */
export type Steps<T> = Generator<Op[], T, OpResult[]>;

function wrap(op: Op, backend: CryptoBackend, error: unknown): never {
  if (error instanceof PackError) throw error;
  const code = op.kind === 'seal' ? 'Encryption' : op.kind === 'open' ? 'Decryption' : op.kind === 'scrypt' ? 'InvalidInput' : 'ChecksumMismatch';
  throw new PackError(code, `the ${backend.name} backend failed to ${op.kind}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

function start(op: Op, backend: CryptoBackend, preferAsync: boolean): OpResult | Promise<OpResult> {
  switch (op.kind) {
    case 'seal':
      return backend.seal(op.key, op.nonce, op.data, op.aad, op.out);
    case 'open':
      return backend.open(op.key, op.nonce, op.data, op.aad, op.out);
    case 'sha256':
      return backend.sha256(op.data);
    case 'scrypt':
      return preferAsync && backend.scryptAsync ? backend.scryptAsync(op.passphrase, op.salt, op.cost) : backend.scrypt(op.passphrase, op.salt, op.cost);
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
  let next = steps.next([]);
  while (!next.done) {
    const results = next.value.map((op) => {
      try {
        const r = start(op, backend, false);
        if (r instanceof Promise) fail('InvalidInput', `the ${backend.name} backend returned a promise from a synchronous call`);
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
  let next = steps.next([]);
  while (!next.done) {
    const results = await Promise.all(
      next.value.map(async (op) => {
        try {
          return await start(op, backend, true);
        } catch (error) {
          return wrap(op, backend, error);
        }
      }),
    );
    next = steps.next(results);
  }
  return next.value;
}
