// encryptSnapshot: a container-to-container transform. Every section payload, as stored (after
// compression), and the table of contents are sealed with AES-256-GCM under a fresh random
// nonce; the header gets the Encrypted flag, the cipher id and the key fields. Columns are
// never decoded.
import {
  CipherId,
  crc32,
  encodeSnapshot,
  type EncodeOptions,
  HeaderFlags,
  type PackedSnapshot,
  readHeader,
  readLayout,
  SectionFlags,
  TOC_ENTRY_SIZE,
  TrailerFlags,
} from '@tx2/pack-format';
import { sectionAad } from './aad.js';
import { type CryptoBackend, NONCE_LENGTH, type SyncCryptoBackend, TAG_LENGTH } from './backend.js';
import { describe, fail, type RandomSource, randomBytes, requireBytes, secureRandom } from './bytes.js';
import { alignUp, DESCRIPTOR_SIZE, HEADER_SIZE, TRAILER_SIZE, writeDescriptorFrom, writeHeaderFrom, writeTocEntry, writeTrailerAt } from './container.js';
import { FILE_ID_LENGTH, type KeyExtension, writeExtension } from './extension.js';
import { EncryptionKey, keyMaterial } from './key.js';
import { isPassphraseKey, type KdfParams, type PassphraseKey } from './kdf.js';
import { platformBackend, platformSyncBackend } from '#platform';
import { requireSync, runAsync, runSync, type Steps } from './run.js';

/** What encrypts a snapshot: a key, or a passphrase-derived key (whose scrypt parameters and salt go into the header). */
export type EncryptionKeyInput = EncryptionKey | PassphraseKey;

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

/** The steps of encrypting a plain container. */
export function* encryptSteps(input: Uint8Array, key: ResolvedKey, options: EncryptOptions): Steps<Uint8Array> {
  const bytes = requireBytes(input, 'the snapshot to encrypt');
  const header = readHeader(bytes);
  if (header.flags & HeaderFlags.Encrypted || header.cipher !== CipherId.None) {
    fail('InvalidInput', 'this snapshot is already encrypted: use rotateKey to re-encrypt it under another key');
  }
  if (header.extension.some((b) => b !== 0)) {
    fail('InvalidInput', 'the header extension area (bytes 48-119) is not zero, but the crypto tier needs it: this snapshot was not written by tx2-pack');
  }
  const layout = readLayout(bytes);
  const sections = layout.sections;
  if (options.verifyChecksums ?? true) {
    for (const [i, { offset, descriptor: d }] of sections.entries()) {
      if (!(d.flags & SectionFlags.PayloadChecksum)) continue;
      const start = offset + DESCRIPTOR_SIZE;
      if (crc32(bytes.subarray(start, start + d.storedLength)) !== d.payloadCrc) {
        fail('ChecksumMismatch', `section ${i} of the snapshot to encrypt fails its checksum: the input is corrupt, refusing to seal it`, { section: i });
      }
    }
  }
  const random = options.random ?? secureRandom;
  const count = sections.length;

  // Where every frame goes: each payload grows by the 16-byte tag.
  const frames = new Array<number>(count);
  let offset = HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    frames[i] = offset;
    offset = alignUp(offset + DESCRIPTOR_SIZE + sections[i]!.descriptor.storedLength + TAG_LENGTH);
  }
  const tocOffset = offset;
  const tocRaw = count * TOC_ENTRY_SIZE;
  const tocStored = tocRaw + TAG_LENGTH;
  const total = alignUp(tocOffset + DESCRIPTOR_SIZE + tocStored) + TRAILER_SIZE;
  const out = new Uint8Array(total);

  const extension: KeyExtension = { kdf: key.kdf, fingerprint: key.fingerprint, fileId: randomBytes(FILE_ID_LENGTH, random) };
  writeHeaderFrom(out, bytes, header.flags | HeaderFlags.Encrypted, CipherId.Aes256Gcm, writeExtension(extension));

  // One batch: every section sealed straight into its place in the output.
  const nonces = randomBytes(NONCE_LENGTH * (count + 1), random);
  const ops = sections.map(({ offset: from, descriptor: d }, i) => {
    const at = frames[i]!;
    out.set(bytes.subarray(from, from + DESCRIPTOR_SIZE), at);
    // Bound into the associated data, like every field before byte 32: cipher 1, and no payload
    // CRC (the tag authenticates the payload; decryption restores the CRCs).
    out[at + 4] = CipherId.Aes256Gcm;
    out[at + 5] = d.flags & ~SectionFlags.PayloadChecksum;
    const payload = at + DESCRIPTOR_SIZE;
    return {
      kind: 'seal' as const,
      key: key.bytes,
      nonce: nonces.subarray(NONCE_LENGTH * i, NONCE_LENGTH * (i + 1)),
      data: bytes.subarray(from + DESCRIPTOR_SIZE, from + DESCRIPTOR_SIZE + d.storedLength),
      aad: sectionAad(out, i, out.subarray(at, at + DESCRIPTOR_SIZE)),
      out: out.subarray(payload, payload + d.storedLength + TAG_LENGTH),
    };
  });
  yield ops;

  const toc = new Uint8Array(tocRaw);
  for (let i = 0; i < count; i++) {
    const at = frames[i]!;
    writeDescriptorFrom(out, at, null, { cipher: CipherId.Aes256Gcm, storedLength: ops[i]!.out.length, payloadCrc: 0, nonce: ops[i]!.nonce });
    writeTocEntry(toc, i, at, out.subarray(at, at + DESCRIPTOR_SIZE));
  }

  // The table of contents, sealed as the section after the last one.
  const tocDescriptor = bytes.subarray(layout.trailer.tocOffset, layout.trailer.tocOffset + DESCRIPTOR_SIZE);
  out.set(tocDescriptor, tocOffset);
  out[tocOffset + 4] = CipherId.Aes256Gcm;
  out[tocOffset + 5] = tocDescriptor[5]! & ~SectionFlags.PayloadChecksum;
  const tocPayload = out.subarray(tocOffset + DESCRIPTOR_SIZE, tocOffset + DESCRIPTOR_SIZE + tocStored);
  const tocNonce = nonces.subarray(NONCE_LENGTH * count);
  yield [{ kind: 'seal', key: key.bytes, nonce: tocNonce, data: toc, aad: sectionAad(out, count, out.subarray(tocOffset, tocOffset + DESCRIPTOR_SIZE)), out: tocPayload }];
  writeDescriptorFrom(out, tocOffset, null, { cipher: CipherId.Aes256Gcm, storedLength: tocStored, payloadCrc: 0, nonce: tocNonce });

  const withDigest = options.digest ?? (layout.trailer.flags & TrailerFlags.PayloadDigest) !== 0;
  let digest: Uint8Array | undefined;
  if (withDigest) [digest] = (yield [{ kind: 'sha256', data: out.subarray(0, total - TRAILER_SIZE) }]) as Uint8Array[];
  writeTrailerAt(out, total - TRAILER_SIZE, tocOffset, count, withDigest ? TrailerFlags.PayloadDigest : 0, digest);
  return out;
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
