// Flip every byte of small encrypted snapshots in turn: every flip must be rejected with a
// PackError (authentication, checksum or structure), and none may decode.
import { isPackError, readLayout } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { decodeEncrypted, decodeEncryptedSync, decryptSnapshotSync, EncryptionKey, encryptSnapshotSync, rotateKeySync } from '../src/index.js';
import { nobleBackend, nodeBackend, webCryptoBackend } from './helpers/backends.js';
import { rleCodec } from './helpers/codec.js';
import { smallSnapshot } from './helpers/snapshots.js';

const KEY = EncryptionKey.generate();
const codecs = (id: number) => (id === rleCodec.id ? rleCodec : undefined);

const variants = [
  { name: 'payload CRCs on', plain: () => smallSnapshot(6), digest: false },
  { name: 'payload CRCs off (only AES-GCM guards payloads)', plain: () => smallSnapshot(6, { checksums: false }), digest: false },
  { name: 'compressed sections', plain: () => smallSnapshot(6, { codec: rleCodec }), digest: false },
  { name: 'with a SHA-256 digest', plain: () => smallSnapshot(6, { checksums: false }), digest: true },
];

function attempt(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe.each(variants)('every single-byte flip is rejected ($name)', ({ plain, digest }) => {
  const encrypted = encryptSnapshotSync(plain(), KEY, { digest });

  it('the untouched file decodes', () => {
    expect(decodeEncryptedSync(encrypted, { key: KEY, codecs }).entities).toHaveLength(6);
  });

  for (const mask of [0x01, 0x80, 0xff]) {
    it(`xor 0x${mask.toString(16).padStart(2, '0')} at each of the file's bytes`, () => {
      const codes = new Map<string, number>();
      const copy = encrypted.slice();
      for (let i = 0; i < encrypted.length; i++) {
        copy[i]! ^= mask;
        const error = attempt(() => decodeEncryptedSync(copy, { key: KEY, codecs }));
        copy[i]! ^= mask;
        if (!isPackError(error)) expect.fail(`flipping byte ${i} (mask ${mask}) was not rejected with a PackError: ${String(error)}`);
        codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
      }
      // Header, descriptors and trailer fail their CRCs; payloads their tags (or the digest first).
      expect(codes.get('ChecksumMismatch') ?? 0).toBeGreaterThan(0);
      if (!digest) expect(codes.get('Decryption') ?? 0).toBeGreaterThan(0);
      expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(encrypted.length);
    });
  }
});

describe('flips on the other paths', () => {
  const encrypted = encryptSnapshotSync(smallSnapshot(4, { checksums: false }), KEY);
  const payloadBytes = readLayout(decryptSnapshotSync(encrypted, KEY)).sections.length;

  it('are rejected by @noble, by WebCrypto, by decryptSnapshot, by rotateKey and by partial reads', async () => {
    expect(payloadBytes).toBeGreaterThan(0);
    const copy = encrypted.slice();
    for (let i = 0; i < encrypted.length; i += 3) {
      copy[i]! ^= 0x40;
      expect(isPackError(attempt(() => decodeEncryptedSync(copy, { key: KEY, backend: nobleBackend }))), `noble, byte ${i}`).toBe(true);
      expect(isPackError(attempt(() => decryptSnapshotSync(copy, KEY, { backend: nodeBackend }))), `decryptSnapshot, byte ${i}`).toBe(true);
      expect(isPackError(attempt(() => rotateKeySync(copy, KEY, KEY))), `rotateKey, byte ${i}`).toBe(true);
      const error = await decodeEncrypted(copy, { key: KEY, backend: webCryptoBackend }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isPackError(error), `webcrypto, byte ${i}`).toBe(true);
      copy[i]! ^= 0x40;
    }
  });
});
