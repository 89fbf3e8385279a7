import { scryptSync } from 'node:crypto';
import { isPackError, type PackErrorCode } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { deriveKey, deriveKeySync, EncryptionKey, SALT_LENGTH, SCRYPT_DEFAULTS } from '../src/index.js';
import { BACKENDS, SYNC_BACKENDS } from './helpers/backends.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };
const SALT = Uint8Array.from({ length: 16 }, (_, i) => i);

async function expectRejects(promise: Promise<unknown>, code: PackErrorCode, message?: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isPackError(error, code), `expected a ${code} PackError, got ${String(error)}`).toBe(true);
  if (message) expect((error as Error).message).toMatch(message);
}

describe('deriveKey', () => {
  it('follows OWASP guidance by default: scrypt N = 2^17, r = 8, p = 1, 16-byte random salt', async () => {
    expect(SCRYPT_DEFAULTS).toEqual({ N: 131072, r: 8, p: 1 });
    expect(SALT_LENGTH).toBe(16);
    const derived = await deriveKey('correct horse battery staple');
    expect(derived.kdf).toMatchObject({ algorithm: 'scrypt', N: 2 ** 17, r: 8, p: 1 });
    expect(derived.kdf.salt).toHaveLength(16);
    const expected = scryptSync('correct horse battery staple', derived.kdf.salt, 32, { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 2 ** 20 });
    expect(derived.key.toBytes()).toEqual(new Uint8Array(expected));
  });

  it('uses a fresh salt each time, so one passphrase gives different keys', async () => {
    const a = await deriveKey('pass', { scrypt: FAST });
    const b = await deriveKey('pass', { scrypt: FAST });
    expect(a.kdf.salt).not.toEqual(b.kdf.salt);
    expect(a.key.equals(b.key)).toBe(false);
  });

  it('gives the same key on every backend, sync and async', async () => {
    const reference = scryptSync('pässword', SALT, 32, { ...FAST, maxmem: 2 ** 26 });
    for (const backend of BACKENDS) {
      const derived = await deriveKey('pässword', { scrypt: FAST, salt: SALT, backend });
      expect(derived.key.toBytes(), backend.name).toEqual(new Uint8Array(reference));
    }
    for (const backend of SYNC_BACKENDS) {
      expect(deriveKeySync('pässword', { scrypt: FAST, salt: SALT, backend }).key.toBytes(), backend.name).toEqual(new Uint8Array(reference));
    }
  });

  it('normalizes the passphrase to Unicode NFC', async () => {
    const composed = deriveKeySync('caf\u00e9', { scrypt: FAST, salt: SALT });
    const decomposed = deriveKeySync('cafe\u0301', { scrypt: FAST, salt: SALT });
    expect(composed.key.equals(decomposed.key)).toBe(true);
  });

  it('refuses an empty passphrase with a clear typed error', async () => {
    await expectRejects(deriveKey(''), 'InvalidInput', /passphrase is empty/);
    expect(() => deriveKeySync('')).toThrow(/passphrase is empty/);
    await expectRejects(deriveKey(undefined as never), 'InvalidInput', /must be a string/);
  });

  it('refuses weak or absurd cost parameters and bad salts', async () => {
    await expectRejects(deriveKey('x', { scrypt: { N: 2 ** 9 } }), 'InvalidInput', /power of two from 2\^10/);
    await expectRejects(deriveKey('x', { scrypt: { N: 3000 } }), 'InvalidInput', /power of two/);
    await expectRejects(deriveKey('x', { scrypt: { r: 0 } }), 'InvalidInput', /r must be/);
    await expectRejects(deriveKey('x', { scrypt: { p: 256 } }), 'InvalidInput', /p must be/);
    await expectRejects(deriveKey('x', { scrypt: { N: 2 ** 24, r: 64 } }), 'InvalidInput', /memory/);
    await expectRejects(deriveKey('x', { scrypt: FAST, salt: new Uint8Array(8) }), 'InvalidInput', /salt must be 16 bytes/);
  });

  it('re-derives the same key from the same salt and cost', async () => {
    const first = await deriveKey('again', { scrypt: FAST });
    const second = await deriveKey('again', { scrypt: first.kdf, salt: first.kdf.salt });
    expect(second.key.equals(first.key)).toBe(true);
    expect(EncryptionKey.isKey(first.key)).toBe(true);
  });
});
