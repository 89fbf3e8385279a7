// What the encrypting and decrypting functions accept as a key, resolved to the raw key bytes
// and fingerprint. A decryption key is checked against the fingerprint in the snapshot's header
// before any section is opened, so a wrong key is a WrongKey error, never a failed tag.
import { toHex } from '@tx2/pack-format';
import { constantTimeEqual, describe, fail } from './bytes.js';
import { describeKey, type KeyExtension } from './extension.js';
import { EncryptionKey, keyMaterial } from './key.js';
import { deriveSteps, isPassphraseKey, passphraseBytes, type KdfParams, type PassphraseKey } from './kdf.js';
import type { Steps } from './run.js';

/** What encrypts a snapshot: a key, or a passphrase-derived key (whose scrypt parameters and salt go into the header). */
export type EncryptionKeyInput = EncryptionKey | PassphraseKey;

/** What decrypts a snapshot: its key, a passphrase-derived key, or the passphrase (derived again with the salt and cost in the header). */
export type DecryptionKeyInput = EncryptionKey | PassphraseKey | { passphrase: string };

/** A key resolved to its bytes, fingerprint and derivation parameters. */
export interface ResolvedKey {
  bytes: Uint8Array;
  fingerprint: Uint8Array;
  kdf: KdfParams | undefined;
}

/** Resolves an {@link EncryptionKeyInput}; anything else is an InvalidInput PackError. */
export function resolveEncryptionKey(key: unknown): ResolvedKey {
  if (EncryptionKey.isKey(key)) return { ...keyMaterial(key), kdf: undefined };
  if (isPassphraseKey(key)) return { ...keyMaterial(key.key), kdf: key.kdf };
  if (key === undefined || key === null) fail('InvalidInput', 'no key given: pass an EncryptionKey (EncryptionKey.generate()) or the result of deriveKey(passphrase)');
  fail('InvalidInput', `expected an EncryptionKey or the result of deriveKey(passphrase), got ${describe(key)}`);
}

/** Resolves the key given for `extension`, deriving it from a passphrase when asked; then checks its fingerprint. */
export function* resolveDecryptionKey(given: unknown, extension: KeyExtension): Steps<ResolvedKey> {
  if (given === undefined || given === null) {
    fail('Decryption', 'this snapshot is encrypted: pass a key (decodeEncrypted(bytes, { key }) with the EncryptionKey, or { key: { passphrase } })', {
      fingerprint: toHex(extension.fingerprint),
    });
  }
  let resolved: ResolvedKey;
  let hint = '';
  if (EncryptionKey.isKey(given)) {
    resolved = { ...keyMaterial(given), kdf: undefined };
    if (extension.kdf) hint = ' (its key was derived from a passphrase: pass { passphrase })';
  } else if (isPassphraseKey(given)) {
    resolved = { ...keyMaterial(given.key), kdf: given.kdf };
    if (extension.kdf && !constantTimeEqual(extension.kdf.salt, given.kdf.salt))
      hint = " (the key was derived with another salt: pass { passphrase } to derive it with this snapshot's salt)";
  } else if (typeof given === 'object' && 'passphrase' in given) {
    const passphrase = passphraseBytes((given as { passphrase: unknown }).passphrase);
    if (extension.kdf === undefined) {
      fail(
        'WrongKey',
        `a passphrase was given, but this snapshot was encrypted with a raw key (fingerprint ${toHex(extension.fingerprint)}), not a passphrase: pass that EncryptionKey`,
      );
    }
    const derived = yield* deriveSteps(passphrase, extension.kdf);
    resolved = { ...keyMaterial(derived.key), kdf: derived.kdf };
    if (!constantTimeEqual(resolved.fingerprint, extension.fingerprint)) {
      fail('WrongKey', `wrong passphrase: it does not give the key this snapshot was encrypted with (${describeKey(extension)})`, {
        expected: toHex(extension.fingerprint),
        actual: toHex(resolved.fingerprint),
      });
    }
  } else {
    fail('InvalidInput', `expected an EncryptionKey, the result of deriveKey, or { passphrase }, got ${describe(given)}`);
  }
  if (!constantTimeEqual(resolved.fingerprint, extension.fingerprint)) {
    fail('WrongKey', `wrong key: this snapshot was encrypted with ${describeKey(extension)}, the key given has fingerprint ${toHex(resolved.fingerprint)}${hint}`, {
      expected: toHex(extension.fingerprint),
      actual: toHex(resolved.fingerprint),
    });
  }
  return resolved;
}
