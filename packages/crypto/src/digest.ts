// SHA-256 digests of whole snapshots, in the trailer's 32-byte digest field (TrailerFlags.PayloadDigest):
// the digest covers every byte before the trailer. Adding one hashes the container in place,
// without copying it.
import {
  decodeSnapshot,
  type DecodeOptions,
  type PackedSnapshot,
  readHeader,
  readTrailer,
  setTrailerDigest,
  type SnapshotTrailer,
  TRAILER_SIZE,
  TrailerFlags,
} from '@tx2/pack-format';
import type { CryptoBackend, SyncCryptoBackend } from './backend.js';
import { constantTimeEqual, fail, requireBytes } from './bytes.js';
import { platformBackend, platformSyncBackend } from '#platform';
import { requireSync, runAsync, runSync, type Steps } from './run.js';

/** Options of the asynchronous digest functions. */
export interface DigestOptions {
  /** Backend (default: node:crypto on Node, WebCrypto elsewhere, @noble without WebCrypto). */
  backend?: CryptoBackend;
}

/** Options of the synchronous digest functions. */
export interface DigestSyncOptions {
  /** Synchronous backend (default: node:crypto on Node, @noble elsewhere). */
  backend?: SyncCryptoBackend;
}

/** Options of {@link verifyDigest}. */
export interface VerifyDigestOptions {
  /** Fail (ChecksumMismatch) when the snapshot has no digest, instead of returning false (default false). */
  required?: boolean;
}

/** Options of {@link decodeVerified}. */
export interface DecodeVerifiedOptions extends DecodeOptions, VerifyDigestOptions, DigestOptions {}

/** Options of {@link decodeVerifiedSync}. */
export interface DecodeVerifiedSyncOptions extends DecodeOptions, VerifyDigestOptions, DigestSyncOptions {}

function* hashSteps(data: Uint8Array): Steps<Uint8Array> {
  const [digest] = (yield [{ kind: 'sha256', data }]) as Uint8Array[];
  return digest!;
}

/** The steps of writing the SHA-256 of every byte of a whole container before its trailer into the trailer, in place. */
export function* writeDigestSteps(container: Uint8Array): Steps<void> {
  setTrailerDigest(container, yield* hashSteps(container.subarray(0, container.length - TRAILER_SIZE)));
}

/** The steps of checking a container's bytes against the digest in its trailer `trailer`: ChecksumMismatch when they differ. */
export function* checkDigestSteps(container: Uint8Array, trailer: SnapshotTrailer): Steps<void> {
  const digest = yield* hashSteps(container.subarray(0, container.length - TRAILER_SIZE));
  if (!constantTimeEqual(digest, trailer.digest)) {
    fail('ChecksumMismatch', 'the SHA-256 digest of the snapshot does not match its bytes: the file is corrupt or was modified');
  }
}

function* addSteps(input: Uint8Array): Steps<Uint8Array> {
  const bytes = requireBytes(input, 'the snapshot');
  readHeader(bytes);
  readTrailer(bytes);
  yield* writeDigestSteps(bytes);
  return input;
}

function* verifySteps(input: Uint8Array, options: VerifyDigestOptions): Steps<boolean> {
  const bytes = requireBytes(input, 'the snapshot');
  readHeader(bytes);
  const trailer = readTrailer(bytes);
  if (!(trailer.flags & TrailerFlags.PayloadDigest)) {
    if (options.required) fail('ChecksumMismatch', 'the snapshot has no SHA-256 digest, and one is required: write it with addDigest');
    return false;
  }
  yield* checkDigestSteps(bytes, trailer);
  return true;
}

/** SHA-256 of `data`. */
export async function sha256(data: Uint8Array, options: DigestOptions = {}): Promise<Uint8Array> {
  return runAsync(hashSteps(requireBytes(data, 'the data to hash')), options.backend ?? platformBackend());
}

/** Synchronous {@link sha256}. */
export function sha256Sync(data: Uint8Array, options: DigestSyncOptions = {}): Uint8Array {
  return runSync(hashSteps(requireBytes(data, 'the data to hash')), requireSync(options.backend ?? platformSyncBackend()));
}

/** Writes the SHA-256 digest of a container into its trailer, in place (sets TrailerFlags.PayloadDigest); returns the same array. */
export async function addDigest(snapshot: Uint8Array, options: DigestOptions = {}): Promise<Uint8Array> {
  return runAsync(addSteps(snapshot), options.backend ?? platformBackend());
}

/** Synchronous {@link addDigest}. */
export function addDigestSync(snapshot: Uint8Array, options: DigestSyncOptions = {}): Uint8Array {
  return runSync(addSteps(snapshot), requireSync(options.backend ?? platformSyncBackend()));
}

/** Checks a container's SHA-256 digest: true when it matches, false when there is none, ChecksumMismatch when it differs. */
export async function verifyDigest(snapshot: Uint8Array, options: VerifyDigestOptions & DigestOptions = {}): Promise<boolean> {
  return runAsync(verifySteps(snapshot, options), options.backend ?? platformBackend());
}

/** Synchronous {@link verifyDigest}. */
export function verifyDigestSync(snapshot: Uint8Array, options: VerifyDigestOptions & DigestSyncOptions = {}): boolean {
  return runSync(verifySteps(snapshot, options), requireSync(options.backend ?? platformSyncBackend()));
}

/** Checks the SHA-256 digest (when present, or always with `required`), then decodes with decodeSnapshot. */
export async function decodeVerified(snapshot: Uint8Array, options: DecodeVerifiedOptions = {}): Promise<PackedSnapshot> {
  await verifyDigest(snapshot, options);
  const { backend: _backend, required: _required, ...decodeOptions } = options;
  return decodeSnapshot(snapshot, decodeOptions);
}

/** Synchronous {@link decodeVerified}. */
export function decodeVerifiedSync(snapshot: Uint8Array, options: DecodeVerifiedSyncOptions = {}): PackedSnapshot {
  verifyDigestSync(snapshot, options);
  const { backend: _backend, required: _required, ...decodeOptions } = options;
  return decodeSnapshot(snapshot, decodeOptions);
}
