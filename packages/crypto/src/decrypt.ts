// decryptSnapshot and decodeEncrypted: check the key against the header's fingerprint before any
// decryption and verify the whole-file digest when present; then @tx2/pack-format reads the
// container, calling an opener for the table of contents and for each section it needs (all of
// them, or only those the requested components need). decryptSnapshot lays the opened frames
// out again with format's ContainerWriter.
import {
  CipherId,
  decodeSnapshot,
  type DecodeOptions,
  type ContainerFrames,
  ContainerWriter,
  HeaderFlags,
  type PackedSnapshot,
  readFrames,
  readFramesFrom,
  readHeader,
  readSnapshot,
  readTrailer,
  type SectionFrame,
  type SnapshotTrailer,
  toHex,
  TrailerFlags,
} from '@tx2/pack-format';
import type { CryptoBackend, SyncCryptoBackend } from './backend.js';
import { constantTimeEqual, fail, requireBytes } from './bytes.js';
import { checkDigestSteps, writeDigestSteps } from './digest.js';
import { readEncryptedHeader } from './header.js';
import { type DecryptionKeyInput, resolveDecryptionKey, type ResolvedKey } from './key-input.js';
import { keyMaterial } from './key.js';
import { deriveSteps, passphraseBytes, type PassphraseKey, SCRYPT_MAX_MEMORY } from './kdf.js';
import { platformBackend, platformSyncBackend } from '#platform';
import { DeferredOpening, openerFor } from './open.js';
import { layOut } from './output.js';
import { call, requireSync, runAsync, runSync, type Steps } from './run.js';

export type { DecryptionKeyInput } from './key-input.js';

/** How an encrypted snapshot is opened. */
export interface DecryptOptions {
  /** Check the SHA-256 digest in the trailer, when there is one, before decrypting (default true). */
  verifyDigest?: boolean;
  /** Largest memory the snapshot's scrypt parameters may ask for, in bytes (default 1 GiB); guards against hostile headers. */
  maxKdfMemory?: number;
  /** Largest scrypt work N·r·p the snapshot's parameters may ask for (default 2^23, `SCRYPT_MAX_WORK`); guards against hostile headers. */
  maxKdfWork?: number;
}

/** Options of the asynchronous decryption functions. */
export interface DecryptAsyncOptions extends DecryptOptions {
  /** Give the decrypted container a SHA-256 digest (default: when the encrypted one has one). */
  digest?: boolean;
  /** Backend (default: node:crypto on Node, WebCrypto elsewhere, @noble without WebCrypto). */
  backend?: CryptoBackend;
}

/** Options of the synchronous decryption functions. */
export interface DecryptSyncOptions extends DecryptOptions {
  /** Give the decrypted container a SHA-256 digest (default: when the encrypted one has one). */
  digest?: boolean;
  /** Synchronous backend (default: node:crypto on Node, @noble elsewhere). */
  backend?: SyncCryptoBackend;
}

/** Options of {@link decodeEncrypted}: the key, the decryption options and those of decodeSnapshot / readSnapshot. */
export interface DecodeEncryptedOptions extends Omit<DecodeOptions, 'opener'>, DecryptOptions {
  /** The key; without it, an encrypted snapshot is a Decryption error that says to pass one. */
  key?: DecryptionKeyInput;
  /** Backend (default: node:crypto on Node, WebCrypto elsewhere, @noble without WebCrypto). */
  backend?: CryptoBackend;
}

/** Options of {@link decodeEncryptedSync} (codec and filter lookups must answer synchronously). */
export interface DecodeEncryptedSyncOptions extends Omit<DecodeOptions, 'opener'>, DecryptOptions {
  /** The key; without it, an encrypted snapshot is a Decryption error that says to pass one. */
  key?: DecryptionKeyInput;
  /** Synchronous backend (default: node:crypto on Node, @noble elsewhere). */
  backend?: SyncCryptoBackend;
}

/** What an encrypted snapshot's header says about its key, read without the key. */
export interface EncryptionInfo {
  /** The cipher: "aes-256-gcm". */
  cipher: 'aes-256-gcm';
  /** The key's fingerprint (16 hex digits), as `EncryptionKey.fingerprint` shows it. */
  fingerprint: string;
  /** The random id of this encrypted file (32 hex digits); rotating the key changes it. */
  fileId: string;
  /** The scrypt parameters and salt when the key comes from a passphrase; undefined for a raw key. */
  kdf: PassphraseKey['kdf'] | undefined;
  /** True when the trailer holds a SHA-256 digest of the file. */
  digest: boolean;
}

/** Reads what an encrypted snapshot's header says about its key (fingerprint, KDF parameters), or undefined for a plain snapshot. */
export function encryptionInfo(snapshot: Uint8Array): EncryptionInfo | undefined {
  const bytes = requireBytes(snapshot, 'the snapshot');
  const header = readHeader(bytes);
  if (!(header.flags & HeaderFlags.Encrypted) && header.cipher === CipherId.None) return undefined;
  const { extension } = readEncryptedHeader(bytes, Number.POSITIVE_INFINITY);
  const trailer = readTrailer(bytes);
  return {
    cipher: 'aes-256-gcm',
    fingerprint: toHex(extension.fingerprint),
    fileId: toHex(extension.fileId),
    kdf: extension.kdf,
    digest: (trailer.flags & TrailerFlags.PayloadDigest) !== 0,
  };
}

/** An encrypted container whose key matched its header, and whose digest (when checked) matched its bytes. */
export interface Unlocked {
  key: ResolvedKey;
  trailer: SnapshotTrailer;
}

/** The steps of unlocking an encrypted container: header check, key check, digest check. */
export function* unlockSteps(bytes: Uint8Array, key: unknown, options: DecryptOptions): Steps<Unlocked> {
  const { extension } = readEncryptedHeader(bytes, options.maxKdfMemory ?? SCRYPT_MAX_MEMORY, options.maxKdfWork);
  const resolved = yield* resolveDecryptionKey(key, extension);
  const trailer = readTrailer(bytes);
  if (trailer.flags & TrailerFlags.PayloadDigest && (options.verifyDigest ?? true)) yield* checkDigestSteps(bytes, trailer);
  return { key: resolved, trailer };
}

/** The frames of an unlocked container, read by @tx2/pack-format with every section's opening deferred. */
export interface DeferredFrames {
  /** The plain header. */
  header: Uint8Array;
  /** The plain frames in file order; their payloads are stand-ins until `opening.openSteps` fills real arrays. */
  frames: SectionFrame[];
  opening: DeferredOpening;
}

/** The steps of reading the frames of an unlocked container (the table of contents is opened, the sections are deferred). */
export function* readSealedSteps(bytes: Uint8Array, key: ResolvedKey, options: DecryptOptions & { payloadCrcs: boolean }): Steps<DeferredFrames> {
  return yield* call((engine) => {
    const opening = new DeferredOpening(key, engine, options);
    const done = ({ header, frames }: ContainerFrames): DeferredFrames => ({ header, frames, opening });
    return engine.sync ? done(readFrames(bytes, { opener: opening.factory })) : readFramesFrom(bytes, { opener: opening.factory }).then(done);
  });
}

/**
 * The steps of decrypting a whole snapshot into the plain container it was made from. Format's
 * ContainerWriter lays the plain container out (payload sizes are known from the descriptors),
 * every section is opened in one batch into its place, and the frames are written again with
 * their payload CRCs.
 */
function* decryptSteps(input: Uint8Array, key: unknown, options: DecryptOptions & { digest?: boolean }): Steps<Uint8Array> {
  const bytes = requireBytes(input, 'the snapshot to decrypt');
  const { key: resolved, trailer } = yield* unlockSteps(bytes, key, options);
  const { header, frames, opening } = yield* readSealedSteps(bytes, resolved, { ...options, payloadCrcs: true });
  const tocChecksums = (readHeader(header).flags & HeaderFlags.SectionChecksums) !== 0;
  const pieces = (list: readonly SectionFrame[]) => {
    const writer = new ContainerWriter();
    const all = [header];
    for (const frame of list) all.push(...writer.frame(frame));
    all.push(...writer.finish(writer.tableOfContents(tocChecksums)));
    return all;
  };
  const { out, offsets } = layOut(
    pieces(frames),
    frames.map((f) => f.payload),
  );
  const payloads = frames.map((f, i) => out.subarray(offsets[i], offsets[i]! + f.payload.length));
  const descriptors = yield* opening.openSteps(payloads);
  // The descriptors (and the table of contents that copies them) now hold the payload CRCs.
  layOut(pieces(descriptors.map((descriptor, i) => ({ descriptor, payload: payloads[i]! }))), [], out);
  if (options.digest ?? (trailer.flags & TrailerFlags.PayloadDigest) !== 0) yield* writeDigestSteps(out);
  return out;
}

/** The steps of decodeEncrypted: format's reader opens only the sections the requested components need. */
function* decodeSteps(input: Uint8Array, options: DecodeEncryptedOptions | DecodeEncryptedSyncOptions): Steps<PackedSnapshot> {
  const bytes = requireBytes(input, 'the snapshot to decrypt');
  const { key } = yield* unlockSteps(bytes, options.key, options);
  const { key: _key, backend: _backend, maxKdfMemory, verifyDigest: _verify, ...decodeOptions } = options;
  return yield* call((engine) => {
    // Every opened byte is authenticated: the reader checks no payload CRC, so none is computed.
    const opener = openerFor(key, engine, { maxKdfMemory, payloadCrcs: false });
    return engine.sync ? decodeSnapshot(bytes, { ...decodeOptions, opener }) : readSnapshot(bytes, { ...decodeOptions, opener });
  });
}

/** Decrypts an encrypted snapshot into the plain container it was made from (byte for byte, when that had no extension data). */
export async function decryptSnapshot(snapshot: Uint8Array, key: DecryptionKeyInput, options: DecryptAsyncOptions = {}): Promise<Uint8Array> {
  return runAsync(decryptSteps(snapshot, key, options), options.backend ?? platformBackend());
}

/** Synchronous {@link decryptSnapshot}. */
export function decryptSnapshotSync(snapshot: Uint8Array, key: DecryptionKeyInput, options: DecryptSyncOptions = {}): Uint8Array {
  return runSync(decryptSteps(snapshot, key, options), requireSync(options.backend ?? platformSyncBackend()));
}

/** Decrypts and decodes an encrypted snapshot; with `components`, decrypts only the sections they need. */
export async function decodeEncrypted(snapshot: Uint8Array, options: DecodeEncryptedOptions = {}): Promise<PackedSnapshot> {
  return runAsync(decodeSteps(snapshot, options), options.backend ?? platformBackend());
}

/** Synchronous {@link decodeEncrypted}. */
export function decodeEncryptedSync(snapshot: Uint8Array, options: DecodeEncryptedSyncOptions = {}): PackedSnapshot {
  return runSync(decodeSteps(snapshot, options), requireSync(options.backend ?? platformSyncBackend()));
}

function* snapshotKeySteps(input: Uint8Array, passphrase: string, options: DecryptOptions): Steps<PassphraseKey> {
  const bytes = requireBytes(input, 'the snapshot');
  const { extension } = readEncryptedHeader(bytes, options.maxKdfMemory ?? SCRYPT_MAX_MEMORY, options.maxKdfWork);
  if (extension.kdf === undefined) {
    fail('WrongKey', `this snapshot was encrypted with a raw key (fingerprint ${toHex(extension.fingerprint)}), not a passphrase: pass that EncryptionKey`);
  }
  const derived = yield* deriveSteps(passphraseBytes(passphrase), extension.kdf);
  if (!constantTimeEqual(keyMaterial(derived.key).fingerprint, extension.fingerprint)) {
    fail('WrongKey', `wrong passphrase: it does not derive the key this snapshot was encrypted with (fingerprint ${toHex(extension.fingerprint)})`);
  }
  return derived;
}

/**
 * Derives the key of a passphrase-encrypted snapshot once, with the salt and cost in its header,
 * so that it (and every snapshot sharing that salt) opens without deriving again.
 */
export async function deriveKeyForSnapshot(snapshot: Uint8Array, passphrase: string, options: DecryptOptions & { backend?: CryptoBackend } = {}): Promise<PassphraseKey> {
  return runAsync(snapshotKeySteps(snapshot, passphrase, options), options.backend ?? platformBackend());
}

/** Synchronous {@link deriveKeyForSnapshot}. */
export function deriveKeyForSnapshotSync(snapshot: Uint8Array, passphrase: string, options: DecryptOptions & { backend?: SyncCryptoBackend } = {}): PassphraseKey {
  return runSync(snapshotKeySteps(snapshot, passphrase, options), requireSync(options.backend ?? platformSyncBackend()));
}
