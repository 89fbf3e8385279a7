// Key rotation: re-encrypt a snapshot under a new key. Each section is opened with the old key
// and sealed with the new one under a fresh nonce; nothing is decompressed or decoded.
import { TrailerFlags } from '@tx2/pack-format';
import { type CryptoBackend, type SyncCryptoBackend } from './backend.js';
import { type RandomSource } from './bytes.js';
import { type DecryptionKeyInput, decryptSteps, type DecryptOptions } from './decrypt.js';
import { type EncryptionKeyInput, encryptSteps, resolveEncryptionKey } from './encrypt.js';
import { platformBackend, platformSyncBackend } from '#platform';
import { requireSync, runAsync, runSync, type Steps } from './run.js';

/** How a snapshot is re-encrypted. */
export interface RotateOptions extends DecryptOptions {
  /** Store a SHA-256 digest in the result (default: when the input has one). */
  digest?: boolean;
  /** Random source for the new nonces and file id (default: crypto.getRandomValues). For deterministic tests only. */
  random?: RandomSource;
}

/** Options of {@link rotateKey}. */
export interface RotateAsyncOptions extends RotateOptions {
  /** Backend (default: node:crypto on Node, WebCrypto elsewhere, @noble without WebCrypto). */
  backend?: CryptoBackend;
}

/** Options of {@link rotateKeySync}. */
export interface RotateSyncOptions extends RotateOptions {
  /** Synchronous backend (default: node:crypto on Node, @noble elsewhere). */
  backend?: SyncCryptoBackend;
}

function* rotateSteps(input: Uint8Array, oldKey: unknown, newKey: unknown, options: RotateOptions): Steps<Uint8Array> {
  const key = resolveEncryptionKey(newKey);
  // Payload CRCs of the intermediate plain container are not needed: every byte was just authenticated.
  const { plain, opened } = yield* decryptSteps(input, oldKey, { ...options, digest: false, payloadCrcs: false });
  const digest = options.digest ?? (opened.trailer.flags & TrailerFlags.PayloadDigest) !== 0;
  const random = options.random;
  return yield* encryptSteps(plain, key, { digest, verifyChecksums: false, ...(random ? { random } : {}) });
}

/** Re-encrypts an encrypted snapshot under `newKey` (fresh nonces and file id) without decoding its columns. */
export async function rotateKey(snapshot: Uint8Array, oldKey: DecryptionKeyInput, newKey: EncryptionKeyInput, options: RotateAsyncOptions = {}): Promise<Uint8Array> {
  return runAsync(rotateSteps(snapshot, oldKey, newKey, options), options.backend ?? platformBackend());
}

/** Synchronous {@link rotateKey}. */
export function rotateKeySync(snapshot: Uint8Array, oldKey: DecryptionKeyInput, newKey: EncryptionKeyInput, options: RotateSyncOptions = {}): Uint8Array {
  return runSync(rotateSteps(snapshot, oldKey, newKey, options), requireSync(options.backend ?? platformSyncBackend()));
}
