import { inspect } from 'node:util';
import { isPackError, type PackErrorCode } from '@tx2/pack-format';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EncryptionKey, KEY_LENGTH } from '../src/index.js';

function expectPackError(fn: () => unknown, code: PackErrorCode, message?: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(isPackError(thrown, code), `expected a ${code} PackError, got ${String(thrown)}`).toBe(true);
  if (message) expect((thrown as Error).message).toMatch(message);
}

describe('EncryptionKey', () => {
  it('generates 32 random bytes, different every time', () => {
    const a = EncryptionKey.generate();
    const b = EncryptionKey.generate();
    expect(a.toBytes()).toHaveLength(KEY_LENGTH);
    expect(a.equals(b)).toBe(false);
    expect(a.toHex()).not.toBe(b.toHex());
  });

  it('round-trips through bytes, hex and base64', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const key = EncryptionKey.fromBytes(bytes);
        expect(key.toBytes()).toEqual(bytes);
        expect(key.toHex()).toBe(Buffer.from(bytes).toString('hex'));
        expect(key.toBase64()).toBe(Buffer.from(bytes).toString('base64'));
        expect(EncryptionKey.fromHex(key.toHex()).equals(key)).toBe(true);
        expect(EncryptionKey.fromHex(key.toHex().toUpperCase()).equals(key)).toBe(true);
        expect(EncryptionKey.fromBase64(key.toBase64()).equals(key)).toBe(true);
        expect(EncryptionKey.fromBase64(Buffer.from(bytes).toString('base64url')).equals(key)).toBe(true);
        expect(EncryptionKey.fromBytes(Buffer.from(bytes)).fingerprint).toBe(key.fingerprint);
      }),
      { seed: 20261203, numRuns: 200 },
    );
  });

  it('copies its input and its output', () => {
    const bytes = new Uint8Array(32).fill(7);
    const key = EncryptionKey.fromBytes(bytes);
    bytes.fill(0);
    expect(key.toBytes()[0]).toBe(7);
    key.toBytes().fill(1);
    expect(key.toBytes()[0]).toBe(7);
  });

  it.each([0, 16, 31, 33, 64])('refuses %i bytes with a clear InvalidInput error', (n) => {
    expectPackError(() => EncryptionKey.fromBytes(new Uint8Array(n)), 'InvalidInput', new RegExp(`exactly 32 bytes, the given array holds ${n}`));
    expectPackError(() => EncryptionKey.fromHex('ab'.repeat(n)), 'InvalidInput', /exactly 32 bytes/);
    expectPackError(() => EncryptionKey.fromBase64(Buffer.alloc(n).toString('base64')), 'InvalidInput', /exactly 32 bytes/);
  });

  it('refuses a huge string by its length, before decoding it', () => {
    const huge = 'a'.repeat(10_000_000);
    expectPackError(() => EncryptionKey.fromHex(huge), 'InvalidInput', /exactly 32 bytes, the hex string holds 5000000/);
    expectPackError(() => EncryptionKey.fromBase64(huge), 'InvalidInput', /exactly 32 bytes, the base64 string holds 7500000/);
  });

  it('refuses text that is not hex or base64', () => {
    expectPackError(() => EncryptionKey.fromHex('zz'.repeat(32)), 'InvalidInput', /not hexadecimal/);
    expectPackError(() => EncryptionKey.fromHex('a'.repeat(63)), 'InvalidInput', /not hexadecimal/);
    expectPackError(() => EncryptionKey.fromBase64('!'.repeat(44)), 'InvalidInput', /not valid base64/);
    expectPackError(() => EncryptionKey.fromBase64('A'), 'InvalidInput', /not valid base64/);
    expectPackError(() => EncryptionKey.fromBytes('abc' as never), 'InvalidInput', /expects a Uint8Array, got string/);
    expectPackError(() => EncryptionKey.fromHex(42 as never), 'InvalidInput', /expects a string/);
  });

  it('never shows its bytes when printed or serialized', () => {
    const key = EncryptionKey.fromBytes(new Uint8Array(32).fill(0xab));
    const secretHex = key.toHex();
    for (const shown of [String(key), JSON.stringify({ key }), inspect(key), `${key}`]) {
      expect(shown).not.toContain(secretHex);
      expect(shown).not.toContain('ab,ab');
      expect(shown).toContain(key.fingerprint);
    }
    expect(Object.keys(key)).toEqual([]);
  });

  it('has a 16-hex-digit fingerprint that differs between keys and is not the key', () => {
    const fingerprints = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const key = EncryptionKey.generate();
      expect(key.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(key.toHex()).not.toContain(key.fingerprint);
      fingerprints.add(key.fingerprint);
    }
    expect(fingerprints.size).toBe(100);
  });

  it('takes a random source for deterministic tests', () => {
    const fill = (out: Uint8Array) => out.fill(9);
    expect(EncryptionKey.generate(fill).toBytes()).toEqual(new Uint8Array(32).fill(9));
  });

  it('tells keys from other values', () => {
    expect(EncryptionKey.isKey(EncryptionKey.generate())).toBe(true);
    expect(EncryptionKey.isKey({ fingerprint: 'x' })).toBe(false);
    expect(EncryptionKey.isKey(new Uint8Array(32))).toBe(false);
    expect(EncryptionKey.generate().equals({} as EncryptionKey)).toBe(false);
  });
});
