// encryptSnapshot: a container-to-container transform. @tx2/pack-format reads the frames of the
// plain container; every section payload, as stored (after compression), and then the table of
// contents are sealed with AES-256-GCM under a fresh random nonce; format's ContainerWriter lays
// the sealed frames out behind a header with the Encrypted flag, the cipher id and the key
// fields. Columns are never decoded.
import {
  ContainerWriter,
  encodeSnapshot,
  type EncodeOptions,
  isPackError,
  type PackedSnapshot,
  PackError,
  readFrames,
  type SectionFrame,
  type SnapshotHeader,
  TrailerFlags,
} from '@tx2/pack-format';
import { type CryptoBackend, NONCE_LENGTH, type SyncCryptoBackend, TAG_LENGTH } from './backend.js';
import { type RandomSource, randomBytes, requireBytes, secureRandom } from './bytes.js';
import { FILE_ID_LENGTH } from './extension.js';
import { readPlainHeader, sealedHeaderBytes } from './header.js';
import { type EncryptionKeyInput, resolveEncryptionKey, type ResolvedKey } from './key-input.js';
import { platformBackend, platformSyncBackend } from '#platform';
import { writeDigestSteps } from './digest.js';
import { layOut, Slots } from './output.js';
import { requireSync, runAsync, runSync, type Steps } from './run.js';
import { sealedDescriptor, sealOp } from './seal.js';

export type { EncryptionKeyInput } from './key-input.js';

/** How a snapshot is encrypted. */
export interface EncryptOptions {
  /** Store a SHA-256 digest of the encrypted file in its trailer (default: when the input has one). */
  digest?: boolean;
  /** Check the input's section CRC-32s before encrypting, so corruption is not sealed in (default true). */
  verifyChecksums?: boolean;
  /** Random source for nonces and the file id (default: crypto.getRandomValues). Override only in tests: repeating a nonce under a key breaks AES-GCM. */
  random?: RandomSource;
}

/** Options of the asynchronous encryption functions. */
export interface EncryptAsyncOptions extends EncryptOptions {
  /** Backend (default: node:crypto on Node, WebCrypto elsewhere, @noble without WebCrypto). */
  backend?: CryptoBackend;
}

/** Options of the synchronous encryption functions. */
export interface EncryptSyncOptions extends EncryptOptions {
  /** Synchronous backend (default: node:crypto on Node, @noble elsewhere). */
  backend?: SyncCryptoBackend;
}

/** How {@link sealContainerSteps} seals. */
export interface SealOptions {
  digest: boolean;
  random: RandomSource;
}

/**
 * The steps of sealing the frames of a plain container (header fields `plain`, frames in file
 * order) into an encrypted container. Every sealed descriptor is known before its ciphertext,
 * so format's ContainerWriter lays the whole container out first, and every section and the
 * table of contents are then sealed in one batch, straight into the output.
 */
export function* sealContainerSteps(plain: SnapshotHeader, frames: readonly SectionFrame[], key: ResolvedKey, options: SealOptions): Steps<Uint8Array> {
  const header = sealedHeaderBytes(plain, { kdf: key.kdf, fingerprint: key.fingerprint, fileId: randomBytes(FILE_ID_LENGTH, options.random) });
  const count = frames.length;
  const nonces = randomBytes(NONCE_LENGTH * (count + 1), options.random);
  const nonce = (ordinal: number) => nonces.subarray(NONCE_LENGTH * ordinal, NONCE_LENGTH * (ordinal + 1));
  const writer = new ContainerWriter();
  const slots = new Slots();
  const pieces: Uint8Array[] = [header];
  const seals: { descriptor: Uint8Array; data: Uint8Array; slot: Uint8Array }[] = [];
  const place = (frame: SectionFrame, ordinal: number) => {
    const seal = { descriptor: sealedDescriptor(frame.descriptor, frame.payload.length, nonce(ordinal)), data: frame.payload, slot: slots.take(frame.payload.length + TAG_LENGTH) };
    seals.push(seal);
    return { descriptor: seal.descriptor, payload: seal.slot };
  };
  frames.forEach((frame, i) => {
    pieces.push(...writer.frame(place(frame, i)));
  });
  // A sealed table of contents carries no CRC.
  pieces.push(...writer.finish(place(writer.tableOfContents(false), count)));
  const { out, offsets } = layOut(
    pieces,
    seals.map((s) => s.slot),
  );
  yield seals.map((s, ordinal) => sealOp(header, ordinal, s.descriptor, s.data, key.bytes, nonce(ordinal), out.subarray(offsets[ordinal], offsets[ordinal]! + s.slot.length)));
  if (options.digest) yield* writeDigestSteps(out);
  return out;
}

/** The steps of encrypting a plain container. */
export function* encryptSteps(input: Uint8Array, key: ResolvedKey, options: EncryptOptions): Steps<Uint8Array> {
  const bytes = requireBytes(input, 'the snapshot to encrypt');
  const header = readPlainHeader(bytes);
  let read: ReturnType<typeof readFrames>;
  try {
    read = readFrames(bytes, { verifyChecksums: options.verifyChecksums ?? true });
  } catch (error) {
    if (isPackError(error, 'ChecksumMismatch')) {
      throw new PackError('ChecksumMismatch', `the snapshot to encrypt is corrupt, refusing to seal it: ${error.message}`, { cause: error, details: error.details });
    }
    throw error;
  }
  const digest = options.digest ?? (read.trailer.flags & TrailerFlags.PayloadDigest) !== 0;
  return yield* sealContainerSteps(header, read.frames, key, { digest, random: options.random ?? secureRandom });
}

/** Encrypts a snapshot container with AES-256-GCM (every section and the table of contents); returns a new array. */
export async function encryptSnapshot(snapshot: Uint8Array, key: EncryptionKeyInput, options: EncryptAsyncOptions = {}): Promise<Uint8Array> {
  return runAsync(encryptSteps(snapshot, resolveEncryptionKey(key), options), options.backend ?? platformBackend());
}

/** Synchronous {@link encryptSnapshot}. */
export function encryptSnapshotSync(snapshot: Uint8Array, key: EncryptionKeyInput, options: EncryptSyncOptions = {}): Uint8Array {
  return runSync(encryptSteps(snapshot, resolveEncryptionKey(key), options), requireSync(options.backend ?? platformSyncBackend()));
}

/** Encodes a packed snapshot (encodeSnapshot of @tx2/pack-format) and encrypts it. */
export async function encodeEncrypted(packed: PackedSnapshot, key: EncryptionKeyInput, options: EncryptAsyncOptions & EncodeOptions = {}): Promise<Uint8Array> {
  return encryptSnapshot(encodeSnapshot(packed, options), key, { ...options, verifyChecksums: false });
}

/** Synchronous {@link encodeEncrypted}. */
export function encodeEncryptedSync(packed: PackedSnapshot, key: EncryptionKeyInput, options: EncryptSyncOptions & EncodeOptions = {}): Uint8Array {
  return encryptSnapshotSync(encodeSnapshot(packed, options), key, { ...options, verifyChecksums: false });
}
