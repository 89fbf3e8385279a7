// Key rotation: re-encrypt a snapshot under a new key. @tx2/pack-format reads the frames, each
// section is opened with the old key and sealed with the new one under a fresh nonce; nothing
// is decompressed or decoded.
import { readHeader, TrailerFlags } from '@tx2/pack-format';
import type { CryptoBackend, SyncCryptoBackend } from './backend.js';
import { type RandomSource, requireBytes, secureRandom } from './bytes.js';
import { type DecryptOptions, readSealedSteps, unlockSteps } from './decrypt.js';
import { sealContainerSteps } from './encrypt.js';
import { type DecryptionKeyInput, type EncryptionKeyInput, resolveEncryptionKey } from './key-input.js';
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
  const bytes = requireBytes(input, 'the snapshot to decrypt');
  const { key: old, trailer } = yield* unlockSteps(bytes, oldKey, options);
  // The opened frames are sealed again at once: their payload CRCs would be dropped, so none is computed.
  const { header, frames, opening } = yield* readSealedSteps(bytes, old, { ...options, payloadCrcs: false });
  // Every section opened in one batch, into one array.
  const plain = new Uint8Array(frames.reduce((n, f) => n + f.payload.length, 0));
  let at = 0;
  const payloads = frames.map((f) => plain.subarray(at, (at += f.payload.length)));
  const descriptors = yield* opening.openSteps(payloads);
  const opened = descriptors.map((descriptor, i) => ({ descriptor, payload: payloads[i]! }));
  const digest = options.digest ?? (trailer.flags & TrailerFlags.PayloadDigest) !== 0;
  return yield* sealContainerSteps(readHeader(header), opened, key, { digest, random: options.random ?? secureRandom });
}

/** Re-encrypts an encrypted snapshot under `newKey` (fresh nonces and file id) without decoding its columns. */
export async function rotateKey(snapshot: Uint8Array, oldKey: DecryptionKeyInput, newKey: EncryptionKeyInput, options: RotateAsyncOptions = {}): Promise<Uint8Array> {
  return runAsync(rotateSteps(snapshot, oldKey, newKey, options), options.backend ?? platformBackend());
}

/** Synchronous {@link rotateKey}. */
export function rotateKeySync(snapshot: Uint8Array, oldKey: DecryptionKeyInput, newKey: EncryptionKeyInput, options: RotateSyncOptions = {}): Uint8Array {
  return runSync(rotateSteps(snapshot, oldKey, newKey, options), requireSync(options.backend ?? platformSyncBackend()));
}
