// @tx2/pack-crypto: SHA-256 digests and AES-256-GCM encryption of tx2-pack snapshots, with keys
// from the platform's secure random source or from passphrases (scrypt). Native crypto
// (node:crypto, WebCrypto) for the asynchronous API; @noble for the synchronous one outside Node.
export { EncryptionKey } from './key.js';
export { FINGERPRINT_LENGTH, keyFingerprint } from './fingerprint.js';
export {
  deriveKey,
  deriveKeySync,
  SCRYPT_DEFAULTS,
  SCRYPT_MAX_MEMORY,
  SCRYPT_MAX_WORK,
  SCRYPT_MIN_N,
  SALT_LENGTH,
  type DeriveKeyOptions,
  type DeriveKeyAsyncOptions,
  type DeriveKeySyncOptions,
  type KdfParams,
  type PassphraseKey,
} from './kdf.js';
export {
  sha256,
  sha256Sync,
  addDigest,
  addDigestSync,
  verifyDigest,
  verifyDigestSync,
  decodeVerified,
  decodeVerifiedSync,
  type DigestOptions,
  type DigestSyncOptions,
  type VerifyDigestOptions,
  type DecodeVerifiedOptions,
  type DecodeVerifiedSyncOptions,
} from './digest.js';
export {
  encryptSnapshot,
  encryptSnapshotSync,
  encodeEncrypted,
  encodeEncryptedSync,
  type EncryptionKeyInput,
  type EncryptOptions,
  type EncryptAsyncOptions,
  type EncryptSyncOptions,
} from './encrypt.js';
export {
  decryptSnapshot,
  decryptSnapshotSync,
  decodeEncrypted,
  decodeEncryptedSync,
  deriveKeyForSnapshot,
  deriveKeyForSnapshotSync,
  encryptionInfo,
  type DecryptionKeyInput,
  type DecryptOptions,
  type DecryptAsyncOptions,
  type DecryptSyncOptions,
  type DecodeEncryptedOptions,
  type DecodeEncryptedSyncOptions,
  type EncryptionInfo,
} from './decrypt.js';
export { rotateKey, rotateKeySync, type RotateOptions, type RotateAsyncOptions, type RotateSyncOptions } from './rotate.js';
export { AAD_LENGTH, sectionAad } from './aad.js';
export { KdfId, KEY_SCHEME, EXTENSION_SIZE, FILE_ID_LENGTH } from './extension.js';
export { type CryptoBackend, type SyncCryptoBackend, type ScryptCost, KEY_LENGTH, NONCE_LENGTH, TAG_LENGTH } from './backend.js';
export { nobleBackend } from './noble.js';
export { webCryptoBackend, webCryptoAvailable } from './webcrypto.js';
export { platformBackend, platformSyncBackend, platformName } from '#platform';
export { secureRandom, type RandomSource } from './bytes.js';
export { PackError, isPackError } from '@tx2/pack-format';
export { createSectionSealer, createSectionOpener, type SectionSealerOptions, type SectionOpenerOptions } from './sections.js';
// The sealer and opener are those @tx2/pack-format's writers and readers take.
export type { SectionFrame, SectionSealer, SectionOpener } from '@tx2/pack-format';
