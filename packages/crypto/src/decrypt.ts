// decryptSnapshot and decodeEncrypted: check the key against the header's fingerprint before any
// decryption, verify the whole-file digest when present, open the table of contents, then open
// the sections (all of them, or only those the requested components need) into a plain
// container that @tx2/pack-format decodes.
import {
  CipherId,
  crc32,
  decodeBlob,
  decodeSnapshot,
  type DecodeOptions,
  type PackedSnapshot,
  HeaderFlags,
  readDescriptor,
  readHeader,
  readTrailer,
  type SectionDescriptor,
  SectionFlags,
  SectionKind,
  type SnapshotHeader,
  type SnapshotTrailer,
  TOC_ENTRY_SIZE,
  TrailerFlags,
} from '@tx2/pack-format';
import { sectionAad } from './aad.js';
import { type CryptoBackend, type SyncCryptoBackend, TAG_LENGTH } from './backend.js';
import { constantTimeEqual, describe, fail, requireBytes, toHex } from './bytes.js';
import { alignUp, DESCRIPTOR_SIZE, HEADER_SIZE, TRAILER_SIZE, writeDescriptorFrom, writeHeaderFrom, writeTocEntry, writeTrailerAt } from './container.js';
import type { ResolvedKey } from './encrypt.js';
import { describeKey, EXTENSION_SIZE, type KeyExtension, readExtension } from './extension.js';
import { EncryptionKey, keyMaterial } from './key.js';
import { deriveSteps, isPassphraseKey, passphraseBytes, type PassphraseKey, SCRYPT_MAX_MEMORY } from './kdf.js';
import { platformBackend, platformSyncBackend } from '#platform';
import { requireSync, runAsync, runSync, type Steps } from './run.js';

/** What decrypts a snapshot: its key, a passphrase-derived key, or the passphrase (derived again with the salt and cost in the header). */
export type DecryptionKeyInput = EncryptionKey | PassphraseKey | { passphrase: string };

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

/** Options of {@link decodeEncrypted}: the key, the decryption options and those of decodeSnapshot. */
export interface DecodeEncryptedOptions extends DecodeOptions, DecryptOptions {
  /** The key; without it, an encrypted snapshot is a Decryption error that says to pass one. */
  key?: DecryptionKeyInput;
  /** Backend (default: node:crypto on Node, WebCrypto elsewhere, @noble without WebCrypto). */
  backend?: CryptoBackend;
}

/** Options of {@link decodeEncryptedSync}. */
export interface DecodeEncryptedSyncOptions extends DecodeOptions, DecryptOptions {
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

/** An encrypted container whose key matched and whose table of contents authenticated. */
export interface OpenedSnapshot {
  bytes: Uint8Array;
  header: SnapshotHeader;
  trailer: SnapshotTrailer;
  extension: KeyExtension;
  key: ResolvedKey;
  /** Every section but the table of contents, in file order (the index is the ordinal). */
  sections: { offset: number; descriptor: SectionDescriptor }[];
}

function corrupt(message: string, details?: Record<string, unknown>): never {
  fail('InvalidFormat', `${message}: the file is corrupt or not written by tx2-pack`, details);
}

export function sectionName(d: SectionDescriptor, ordinal: number): string {
  switch (d.kind) {
    case SectionKind.Manifest:
      return 'the manifest section';
    case SectionKind.EntitySet:
      return `entity set ${d.owner} (section ${ordinal})`;
    case SectionKind.Column:
      return `column ${d.field} of component ${d.owner} (section ${ordinal})`;
    case SectionKind.Blobs:
      return `the blobs of component ${d.owner} (section ${ordinal})`;
    case SectionKind.EntityMetadata:
      return 'the entity metadata section';
    case SectionKind.TableOfContents:
      return 'the table of contents';
    default:
      return `section ${ordinal} (kind ${d.kind})`;
  }
}

/** Reads and checks the header of an encrypted snapshot: Encrypted flag, cipher and extension. */
export function readEncryptedHeader(bytes: Uint8Array, maxKdfMemory: number, maxKdfWork?: number): { header: SnapshotHeader; extension: KeyExtension } {
  const header = readHeader(bytes);
  const flagged = (header.flags & HeaderFlags.Encrypted) !== 0;
  if (!flagged && header.cipher === CipherId.None) {
    fail('InvalidInput', 'this snapshot is not encrypted: decode it with decodeSnapshot from @tx2/pack-format (or encrypt it with encryptSnapshot)');
  }
  if (!flagged) corrupt(`the header names cipher ${header.cipher} but lacks the Encrypted flag`);
  if (header.cipher !== CipherId.Aes256Gcm) {
    fail('Decryption', `the snapshot is encrypted with cipher ${header.cipher}, which this reader does not know (it knows 1, AES-256-GCM): upgrade @tx2/pack-crypto`);
  }
  return { header, extension: readExtension(header.extension, maxKdfMemory, maxKdfWork) };
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
    if (extension.kdf && !constantTimeEqual(extension.kdf.salt, given.kdf.salt)) hint = ' (the key was derived with another salt: pass { passphrase } to derive it with this snapshot\'s salt)';
  } else if (typeof given === 'object' && 'passphrase' in given) {
    const passphrase = passphraseBytes((given as { passphrase: unknown }).passphrase);
    if (extension.kdf === undefined) {
      fail('WrongKey', `a passphrase was given, but this snapshot was encrypted with a raw key (fingerprint ${toHex(extension.fingerprint)}), not a passphrase: pass that EncryptionKey`);
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

/** The steps of opening an encrypted snapshot: key check, digest check, table of contents. */
export function* openSteps(input: Uint8Array, key: unknown, options: DecryptOptions): Steps<OpenedSnapshot> {
  const bytes = requireBytes(input, 'the snapshot to decrypt');
  const { header, extension } = readEncryptedHeader(bytes, options.maxKdfMemory ?? SCRYPT_MAX_MEMORY, options.maxKdfWork);
  const resolved = yield* resolveDecryptionKey(key, extension);
  const trailer = readTrailer(bytes);
  const end = bytes.length - TRAILER_SIZE;
  if (trailer.flags & TrailerFlags.PayloadDigest && (options.verifyDigest ?? true)) {
    const [actual] = (yield [{ kind: 'sha256', data: bytes.subarray(0, end) }]) as Uint8Array[];
    if (!constantTimeEqual(actual!, trailer.digest)) {
      fail('ChecksumMismatch', 'the SHA-256 digest of the snapshot does not match its bytes: the file is corrupt or was modified');
    }
  }

  // The table of contents: its frame must end exactly where the trailer starts.
  const tocOffset = trailer.tocOffset;
  const count = trailer.sectionCount;
  if (tocOffset < HEADER_SIZE || tocOffset % 8 !== 0 || tocOffset + DESCRIPTOR_SIZE > end) corrupt('the table of contents offset is out of bounds', { tocOffset });
  const tocDescriptor = readDescriptor(bytes, tocOffset);
  if (tocDescriptor.kind !== SectionKind.TableOfContents) corrupt('the trailer does not point at the table of contents');
  if (tocDescriptor.cipher !== CipherId.Aes256Gcm) corrupt('the table of contents of an encrypted snapshot is not encrypted');
  if (tocDescriptor.codec !== 0 || tocDescriptor.filter !== 0) corrupt('the table of contents is compressed or filtered');
  if (tocDescriptor.rowCount !== count || tocDescriptor.rawLength !== count * TOC_ENTRY_SIZE || tocDescriptor.storedLength !== tocDescriptor.rawLength + TAG_LENGTH) {
    corrupt('the table of contents size does not match the section count', { count });
  }
  if (alignUp(tocOffset + DESCRIPTOR_SIZE + tocDescriptor.storedLength) !== end) {
    if (tocOffset + DESCRIPTOR_SIZE + tocDescriptor.storedLength > end) fail('Truncated', 'the table of contents runs past the end of the input: the file is incomplete');
    corrupt('there are unlisted bytes after the table of contents');
  }
  const sealedToc = bytes.subarray(tocOffset + DESCRIPTOR_SIZE, tocOffset + DESCRIPTOR_SIZE + tocDescriptor.storedLength);
  const [toc] = yield [
    {
      kind: 'open',
      key: resolved.bytes,
      nonce: tocDescriptor.nonce,
      data: sealedToc,
      aad: sectionAad(bytes, count, bytes.subarray(tocOffset, tocOffset + DESCRIPTOR_SIZE)),
    },
  ];
  if (!toc) {
    fail('Decryption', 'the table of contents fails authentication: the file was modified (its header, a section count or the table itself), or it is corrupt');
  }

  // The frames the table lists must tile the file from the header to the table, as in an unencrypted container.
  const view = new DataView(toc.buffer, toc.byteOffset, toc.byteLength);
  const sections: OpenedSnapshot['sections'] = [];
  let previousEnd = HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const at = i * TOC_ENTRY_SIZE;
    const offset = view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
    if (offset !== previousEnd) corrupt(`section ${i} does not start where the previous one ends`, { offset, expected: previousEnd });
    if (offset + DESCRIPTOR_SIZE > tocOffset) corrupt(`section ${i} lies past the table of contents`);
    const descriptor = readDescriptor(toc, at + 8);
    for (let b = 0; b < DESCRIPTOR_SIZE; b++) {
      if (bytes[offset + b] !== toc[at + 8 + b]) {
        fail('ChecksumMismatch', `the descriptor of section ${i} differs from its table of contents entry: the file is corrupt or was modified`);
      }
    }
    if (descriptor.cipher !== CipherId.Aes256Gcm) corrupt(`section ${i} of an encrypted snapshot is not encrypted`);
    // tx2-pack writes no CRC for encrypted payloads (the tag is stronger); another writer may.
    if (descriptor.flags & SectionFlags.PayloadChecksum) {
      const start = offset + DESCRIPTOR_SIZE;
      if (start + descriptor.storedLength <= tocOffset && crc32(bytes.subarray(start, start + descriptor.storedLength)) !== descriptor.payloadCrc) {
        fail('ChecksumMismatch', `section ${i} fails its checksum: the file is corrupt`, { section: i });
      }
    }
    if (descriptor.storedLength < TAG_LENGTH) corrupt(`section ${i} is shorter than its authentication tag`);
    if (descriptor.codec === 0 && descriptor.rawLength !== descriptor.storedLength - TAG_LENGTH) corrupt(`section ${i} has an uncompressed size that does not match its stored size`);
    const payloadEnd = offset + DESCRIPTOR_SIZE + descriptor.storedLength;
    previousEnd = alignUp(payloadEnd);
    if (previousEnd > tocOffset) corrupt(`section ${i} runs into the table of contents`);
    for (let p = payloadEnd; p < previousEnd; p++) if (bytes[p] !== 0) corrupt(`the padding after section ${i} is not zero`);
    sections.push({ offset, descriptor });
  }
  if (previousEnd !== tocOffset) corrupt('there are unlisted bytes before the table of contents');
  return { bytes, header, trailer, extension, key: resolved, sections };
}

/** How {@link plainSteps} writes the decrypted container. */
interface PlainOptions {
  /** Ordinals of the sections to keep (default all). */
  keep?: (ordinal: number) => boolean;
  /** Plaintexts already opened, by ordinal. */
  opened?: Map<number, Uint8Array>;
  /** Write payload CRC-32s where descriptors ask for them (false leaves them zero: only for a container decoded with verifyChecksums false). */
  payloadCrcs: boolean;
  /** Add a SHA-256 digest to the plain container. */
  digest: boolean;
}

/** The steps of decrypting the sections of an opened snapshot into a plain container. */
function* plainSteps(opened: OpenedSnapshot, options: PlainOptions): Steps<Uint8Array> {
  const { bytes } = opened;
  const kept = opened.sections.map((s, ordinal) => ({ ...s, ordinal })).filter((s) => options.keep?.(s.ordinal) ?? true);
  const frames: number[] = [];
  let offset = HEADER_SIZE;
  for (const s of kept) {
    frames.push(offset);
    offset = alignUp(offset + DESCRIPTOR_SIZE + s.descriptor.storedLength - TAG_LENGTH);
  }
  const tocOffset = offset;
  const tocRaw = kept.length * TOC_ENTRY_SIZE;
  const total = alignUp(tocOffset + DESCRIPTOR_SIZE + tocRaw) + TRAILER_SIZE;
  const out = new Uint8Array(total);
  writeHeaderFrom(out, bytes, opened.header.flags & ~HeaderFlags.Encrypted, CipherId.None, new Uint8Array(EXTENSION_SIZE));

  const targets = kept.map((s, i) => out.subarray(frames[i]! + DESCRIPTOR_SIZE, frames[i]! + DESCRIPTOR_SIZE + s.descriptor.storedLength - TAG_LENGTH));
  const ops = [];
  const opIndex: number[] = [];
  for (const [i, s] of kept.entries()) {
    const ready = options.opened?.get(s.ordinal);
    if (ready !== undefined) {
      targets[i]!.set(ready);
      continue;
    }
    const start = s.offset + DESCRIPTOR_SIZE;
    opIndex.push(i);
    ops.push({
      kind: 'open' as const,
      key: opened.key.bytes,
      nonce: s.descriptor.nonce,
      data: bytes.subarray(start, start + s.descriptor.storedLength),
      aad: sectionAad(bytes, s.ordinal, bytes.subarray(s.offset, s.offset + DESCRIPTOR_SIZE)),
      out: targets[i]!,
    });
  }
  const results = ops.length > 0 ? yield ops : [];
  results.forEach((r, j) => {
    if (r === null) {
      const s = kept[opIndex[j]!]!;
      fail('Decryption', `${sectionName(s.descriptor, s.ordinal)} fails authentication: the file was modified (this section, its descriptor, the header, or sections were moved or swapped), or it is corrupt`, {
        section: s.ordinal,
      });
    }
  });

  // Encrypted sections carry no CRC (their tag authenticates them): the plain container gets back
  // the payload CRCs its header's SectionChecksums flag promises.
  const crcs = (opened.header.flags & HeaderFlags.SectionChecksums) !== 0;
  const flagsOf = (source: Uint8Array) => (crcs ? source[5]! | SectionFlags.PayloadChecksum : source[5]! & ~SectionFlags.PayloadChecksum);
  const zeroNonce = new Uint8Array(12);
  const toc = new Uint8Array(tocRaw);
  for (const [i, s] of kept.entries()) {
    const at = frames[i]!;
    out.set(bytes.subarray(s.offset, s.offset + DESCRIPTOR_SIZE), at);
    out[at + 5] = flagsOf(out.subarray(at));
    const crc = crcs && options.payloadCrcs ? crc32(targets[i]!) : 0;
    writeDescriptorFrom(out, at, null, { cipher: CipherId.None, storedLength: targets[i]!.length, payloadCrc: crc, nonce: zeroNonce });
    writeTocEntry(toc, i, at, out.subarray(at, at + DESCRIPTOR_SIZE));
  }
  out.set(toc, tocOffset + DESCRIPTOR_SIZE);
  out.set(bytes.subarray(opened.trailer.tocOffset, opened.trailer.tocOffset + DESCRIPTOR_SIZE), tocOffset);
  out[tocOffset + 5] = flagsOf(out.subarray(tocOffset));
  writeDescriptorFrom(out, tocOffset, null, {
    cipher: CipherId.None,
    storedLength: tocRaw,
    rawLength: tocRaw,
    rowCount: kept.length,
    payloadCrc: crcs ? crc32(toc) : 0,
    nonce: zeroNonce,
  });
  let digest: Uint8Array | undefined;
  if (options.digest) [digest] = (yield [{ kind: 'sha256', data: out.subarray(0, total - TRAILER_SIZE) }]) as Uint8Array[];
  writeTrailerAt(out, total - TRAILER_SIZE, tocOffset, kept.length, options.digest ? TrailerFlags.PayloadDigest : 0, digest);
  return out;
}

/** The steps of decrypting a whole snapshot into the plain container it was made from. */
export function* decryptSteps(input: Uint8Array, key: unknown, options: DecryptOptions & { digest?: boolean; payloadCrcs?: boolean }): Steps<{ plain: Uint8Array; opened: OpenedSnapshot }> {
  const opened = yield* openSteps(input, key, options);
  const digest = options.digest ?? (opened.trailer.flags & TrailerFlags.PayloadDigest) !== 0;
  const plain = yield* plainSteps(opened, { payloadCrcs: options.payloadCrcs ?? true, digest });
  return { plain, opened };
}

/** Which sections a decode of `components` needs, from the decrypted manifest; undefined to take them all. */
function neededSections(opened: OpenedSnapshot, manifestBytes: Uint8Array, components: readonly string[]): ((ordinal: number) => boolean) | undefined {
  let manifest: unknown;
  try {
    manifest = decodeBlob(manifestBytes, 'the manifest');
  } catch {
    return undefined; // decodeSnapshot reports the bad manifest
  }
  const m = manifest as { entities?: unknown; components?: unknown };
  if (typeof m !== 'object' || m === null || typeof m.entities !== 'number' || !Array.isArray(m.components)) return undefined;
  const wanted = new Set(components);
  const wantedComponents = new Set<number>();
  const sets = new Set<number>([m.entities]);
  m.components.forEach((c: unknown, index: number) => {
    if (Array.isArray(c) && typeof c[0] === 'string' && wanted.has(c[0]) && typeof c[1] === 'number') {
      wantedComponents.add(index);
      sets.add(c[1]);
    }
  });
  return (ordinal) => {
    const d = opened.sections[ordinal]!.descriptor;
    if (d.kind === SectionKind.EntitySet) return sets.has(d.owner);
    if (d.kind === SectionKind.Column || d.kind === SectionKind.Blobs) return wantedComponents.has(d.owner);
    return true; // manifest, entity metadata, and kinds this version does not know
  };
}

/** The steps of decodeEncrypted: only the sections the requested components need are decrypted. */
function* decodeSteps(input: Uint8Array, options: DecodeEncryptedOptions | DecodeEncryptedSyncOptions): Steps<PackedSnapshot> {
  const opened = yield* openSteps(input, options.key, options);
  let keep: ((ordinal: number) => boolean) | undefined;
  const ready = new Map<number, Uint8Array>();
  const first = opened.sections[0];
  if (options.components !== undefined && first !== undefined && first.descriptor.kind === SectionKind.Manifest) {
    const start = first.offset + DESCRIPTOR_SIZE;
    const [manifest] = yield [
      {
        kind: 'open',
        key: opened.key.bytes,
        nonce: first.descriptor.nonce,
        data: opened.bytes.subarray(start, start + first.descriptor.storedLength),
        aad: sectionAad(opened.bytes, 0, opened.bytes.subarray(first.offset, first.offset + DESCRIPTOR_SIZE)),
      },
    ];
    if (!manifest) fail('Decryption', 'the manifest section fails authentication: the file was modified, or it is corrupt', { section: 0 });
    ready.set(0, manifest);
    let raw: Uint8Array | undefined = manifest;
    if (first.descriptor.codec !== 0) {
      // A compressed manifest: decompress it here only to choose sections; decodeSnapshot does it again.
      try {
        raw = options.codecs?.(first.descriptor.codec)?.decompress(manifest, first.descriptor.rawLength);
      } catch {
        raw = undefined;
      }
    }
    if (raw !== undefined) keep = neededSections(opened, raw, options.components);
  }
  // Every byte was just authenticated: the plain container needs no payload CRCs, and decodeSnapshot no check.
  const plain = yield* plainSteps(opened, { keep, opened: ready, payloadCrcs: false, digest: false });
  const { key: _key, backend: _backend, maxKdfMemory: _max, verifyDigest: _verify, ...decodeOptions } = options;
  return decodeSnapshot(plain, { ...decodeOptions, verifyChecksums: false });
}

/** Decrypts an encrypted snapshot into the plain container it was made from (byte for byte, when that had no extension data). */
export async function decryptSnapshot(snapshot: Uint8Array, key: DecryptionKeyInput, options: DecryptAsyncOptions = {}): Promise<Uint8Array> {
  return (await runAsync(decryptSteps(snapshot, key, options), options.backend ?? platformBackend())).plain;
}

/** Synchronous {@link decryptSnapshot}. */
export function decryptSnapshotSync(snapshot: Uint8Array, key: DecryptionKeyInput, options: DecryptSyncOptions = {}): Uint8Array {
  return runSync(decryptSteps(snapshot, key, options), requireSync(options.backend ?? platformSyncBackend())).plain;
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
