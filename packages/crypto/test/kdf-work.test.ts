// The scrypt work limit: a header may not ask a reader for more than maxKdfWork (N·r·p) of
// derivation, whatever its memory, and a writer refuses by default what readers would refuse.
import { crc32, isPackError, type PackErrorCode } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import {
  type CryptoBackend,
  createSectionOpener,
  decodeEncrypted,
  decryptSnapshot,
  deriveKey,
  deriveKeyForSnapshot,
  deriveKeySync,
  encryptSnapshot,
  SCRYPT_DEFAULTS,
  SCRYPT_MAX_MEMORY,
  SCRYPT_MAX_WORK,
} from '../src/index.js';
import { nodeBackend } from './helpers/backends.js';
import { smallSnapshot } from './helpers/snapshots.js';

async function failure(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

async function expectPackError(run: () => unknown, code: PackErrorCode, message?: RegExp): Promise<Record<string, unknown>> {
  const error = await failure(run);
  if (!isPackError(error, code)) throw new Error(`expected a ${code} PackError, got ${String(error)}`, { cause: error });
  if (message) expect(error.message).toMatch(message);
  return error.details;
}

/** A backend that counts scrypt calls: a refused header must cost none. */
function counting(backend: CryptoBackend): { backend: CryptoBackend; scrypt: () => number } {
  let calls = 0;
  const wrapped: CryptoBackend = {
    ...backend,
    scrypt: (...a) => {
      calls++;
      return backend.scrypt(...a);
    },
  };
  delete (wrapped as { scryptAsync?: unknown }).scryptAsync;
  return { backend: wrapped, scrypt: () => calls };
}

/** `file` with the header's scrypt log2(N), r and p replaced, and the header CRC made valid again. */
function withCost(file: Uint8Array, logN: number, r: number, p: number): Uint8Array {
  const out = file.slice();
  out[50] = logN;
  out[51] = r;
  out[52] = p;
  new DataView(out.buffer).setUint32(124, crc32(out.subarray(0, 124)), true);
  return out;
}

describe('scrypt work limit', () => {
  it('defaults to 2^23: eight times the default cost, and above every OWASP scrypt setting', () => {
    expect(SCRYPT_MAX_WORK).toBe(2 ** 23);
    const work = ({ N, r, p }: { N: number; r: number; p: number }) => N * r * p;
    expect(work(SCRYPT_DEFAULTS) * 8).toBe(SCRYPT_MAX_WORK);
    for (const owasp of [
      { N: 2 ** 17, r: 8, p: 1 },
      { N: 2 ** 16, r: 8, p: 2 },
      { N: 2 ** 15, r: 8, p: 3 },
      { N: 2 ** 14, r: 8, p: 5 },
      { N: 2 ** 13, r: 8, p: 10 },
    ]) {
      expect(work(owasp)).toBeLessThanOrEqual(SCRYPT_MAX_WORK);
    }
    // The most the 1 GiB memory limit allows at p = 1.
    expect(SCRYPT_MAX_MEMORY / 128).toBe(SCRYPT_MAX_WORK);
  });

  it('refuses a crafted header asking for p = 255 before deriving anything, naming the cost and the option', async () => {
    const derived = await deriveKey('pw', { scrypt: { N: 2 ** 10, r: 8, p: 1 } });
    const file = await encryptSnapshot(smallSnapshot(), derived);
    // 512 MiB of memory (allowed) but N·r·p near 2^30: minutes natively, hours in pure JavaScript.
    const hostile = withCost(file, 19, 8, 255);
    const { backend, scrypt } = counting(nodeBackend);
    const details = await expectPackError(
      () => decodeEncrypted(hostile, { key: { passphrase: 'pw' }, backend }),
      'Decryption',
      /N = 2\^19, r = 8, p = 255\) ask for N·r·p = 1069547520 of work, over the limit of 8388608: raise maxKdfWork/,
    );
    expect(details).toStrictEqual({ work: 1069547520, maxWork: 2 ** 23, N: 2 ** 19, r: 8, p: 255 });
    await expectPackError(() => decryptSnapshot(hostile, { passphrase: 'pw' }, { backend }), 'Decryption', /maxKdfWork/);
    await expectPackError(() => deriveKeyForSnapshot(hostile, 'pw', { backend }), 'Decryption', /maxKdfWork/);
    await expectPackError(() => createSectionOpener(hostile.subarray(0, 128), { passphrase: 'pw' }, { backend }), 'Decryption', /maxKdfWork/);
    // Small N, huge p: within memory, over the work limit.
    await expectPackError(() => decodeEncrypted(withCost(file, 16, 8, 255), { key: { passphrase: 'pw' }, backend }), 'Decryption', /maxKdfWork/);
    expect(scrypt()).toBe(0);
  });

  it('is raised or lowered with maxKdfWork', async () => {
    const derived = await deriveKey('pw', { scrypt: { N: 2 ** 10, r: 8, p: 2 } });
    const file = await encryptSnapshot(smallSnapshot(), derived);
    const plain = await decryptSnapshot(file, { passphrase: 'pw' });
    expect(await decryptSnapshot(file, { passphrase: 'pw' }, { maxKdfWork: 2 ** 14 })).toStrictEqual(plain);
    const { backend, scrypt } = counting(nodeBackend);
    await expectPackError(() => decryptSnapshot(file, { passphrase: 'pw' }, { maxKdfWork: 2 ** 14 - 1, backend }), 'Decryption', /over the limit of 16383/);
    expect(scrypt()).toBe(0);
    // A header over a limit opens once the limit is raised to its cost (here the cost is
    // rewritten, so the derived key is another: WrongKey proves the derivation ran).
    const costly = withCost(file, 10, 8, 255);
    await expectPackError(() => decryptSnapshot(costly, { passphrase: 'pw' }, { maxKdfWork: 2 ** 10 * 8 * 254 }), 'Decryption', /maxKdfWork/);
    await expectPackError(() => decryptSnapshot(costly, { passphrase: 'pw' }, { maxKdfWork: 2 ** 10 * 8 * 255 }), 'WrongKey', /wrong passphrase/);
  });

  it('makes deriveKey refuse what readers refuse by default, unless maxWork is raised', async () => {
    const details = await expectPackError(
      () => deriveKey('x', { scrypt: { N: 2 ** 17, r: 8, p: 9 } }),
      'InvalidInput',
      /N·r·p = 9437184 of work, over the limit of 8388608: lower N, r or p/,
    );
    expect(details).toMatchObject({ work: 9437184, maxWork: 2 ** 23 });
    expect(() => deriveKeySync('x', { scrypt: { N: 2 ** 10, r: 1, p: 255 }, maxWork: 2 ** 10 * 255 - 1 })).toThrow(/over the limit/);
    const key = deriveKeySync('x', { scrypt: { N: 2 ** 10, r: 1, p: 255 }, maxWork: 2 ** 10 * 255 });
    expect(key.kdf).toMatchObject({ N: 2 ** 10, r: 1, p: 255 });
  });
});
