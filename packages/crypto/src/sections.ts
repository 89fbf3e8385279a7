// Sealing and opening one section frame at a time (docs/format.md §12). A frame is sealed
// under a fresh 96-bit nonce with AAD = header[0..124) ‖ u32 ordinal ‖ descriptor[0..32) (the
// table of contents last, with ordinal = number of sections); its descriptor gets cipher 1 and
// loses its payload CRC (the tag is stronger); opening restores both. Where the frames go in
// the file is @tx2/pack-format's business: its ContainerWriter lays them out, its readers find
// them and hand them to an opener.
import {
  CipherId,
  crc32,
  descriptorBytes,
  HEADER_SIZE,
  HeaderFlags,
  type OpenerFactory,
  readDescriptor,
  type SectionDescriptor,
  type SectionFrame,
  SectionFlags,
  SectionKind,
  type SectionOpener,
  type SectionSealer,
  type SnapshotHeader,
} from '@tx2/pack-format';
import { sectionAad } from './aad.js';
import { type CryptoBackend, NONCE_LENGTH, TAG_LENGTH } from './backend.js';
import { constantTimeEqual, fail, type RandomSource, randomBytes, requireBytes, secureRandom } from './bytes.js';
import { FILE_ID_LENGTH } from './extension.js';
import { plainHeaderBytes, readEncryptedHeader, readPlainHeader, sealedHeaderBytes } from './header.js';
import { type DecryptionKeyInput, type EncryptionKeyInput, resolveDecryptionKey, resolveEncryptionKey, type ResolvedKey } from './key-input.js';
import { SCRYPT_MAX_MEMORY } from './kdf.js';
import { platformBackend } from '#platform';
import { type Engine, type Op, runAsync, runSync, type Steps } from './run.js';

const ZERO_NONCE = new Uint8Array(NONCE_LENGTH);
const DESCRIPTOR_BYTES = 64;

/** A frame about to be sealed: its sealed descriptor and the buffer the seal operation fills. */
export interface PendingSeal {
  frame: SectionFrame;
  op: Op;
}

/**
 * Prepares the sealing of a plain frame at `ordinal` of the container whose encrypted header is
 * `header`: the sealed descriptor (cipher 1, no payload CRC, stored length + 16, `nonce`) is
 * known before the ciphertext, so many seals can run as one batch.
 */
export function prepareSeal(header: Uint8Array, ordinal: number, frame: SectionFrame, key: Uint8Array, nonce: Uint8Array): PendingSeal {
  const plain = readDescriptor(frame.descriptor, 0);
  const payload = new Uint8Array(frame.payload.length + TAG_LENGTH);
  const descriptor = descriptorBytes({
    ...plain,
    cipher: CipherId.Aes256Gcm,
    flags: plain.flags & ~SectionFlags.PayloadChecksum,
    storedLength: payload.length,
    payloadCrc: 0,
    nonce,
  });
  return { frame: { descriptor, payload }, op: { kind: 'seal', key, nonce, data: frame.payload, aad: sectionAad(header, ordinal, descriptor), out: payload } };
}

/** Names a section for messages. */
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

/** How {@link frameOpener} opens. */
interface OpenOptions {
  /** Write the payload CRC-32s the header's SectionChecksums flag promises (default true; false leaves them 0, for readers that need no CRC: every opened byte is authenticated). */
  payloadCrcs?: boolean;
}

/** Whether restored descriptors name a payload CRC (the header's SectionChecksums flag), and whether they hold it. */
interface CrcPolicy {
  flag: boolean;
  value: boolean;
}

function* openSteps(header: Uint8Array, crcs: CrcPolicy, key: ResolvedKey, ordinal: number, descriptorInput: Uint8Array, sealedInput: Uint8Array): Steps<SectionFrame> {
  const descriptor = requireBytes(descriptorInput, 'the descriptor');
  const sealed = requireBytes(sealedInput, 'the sealed payload');
  if (descriptor.length < DESCRIPTOR_BYTES) fail('InvalidInput', `a descriptor is ${DESCRIPTOR_BYTES} bytes, got ${descriptor.length}`);
  const d = readDescriptor(descriptor, 0);
  const details = { section: ordinal, kind: d.kind };
  const bad = (what: string): never => fail('InvalidFormat', `${sectionName(d, ordinal)} ${what}: the file is corrupt or not written by tx2-pack`, details);
  if (d.cipher !== CipherId.Aes256Gcm) bad('of an encrypted snapshot is not encrypted');
  if (sealed.length !== d.storedLength) bad(`is ${sealed.length} bytes, its descriptor says ${d.storedLength}`);
  if (sealed.length < TAG_LENGTH) bad('is shorter than its authentication tag');
  // tx2-pack writes no CRC for sealed payloads (the tag is stronger); another writer may.
  if (d.flags & SectionFlags.PayloadChecksum && crc32(sealed) !== d.payloadCrc) {
    fail('ChecksumMismatch', `section ${ordinal} fails its checksum: the file is corrupt`, details);
  }
  const out = new Uint8Array(sealed.length - TAG_LENGTH);
  const [opened] = yield [{ kind: 'open', key: key.bytes, nonce: d.nonce, data: sealed, aad: sectionAad(header, ordinal, descriptor), out }];
  if (opened === null || opened === undefined) {
    const how =
      d.kind === SectionKind.TableOfContents
        ? 'the file was modified (its header, a section count or the table itself), or it is corrupt'
        : 'the file was modified (this section, its descriptor, the header, or sections were moved or swapped), or it is corrupt';
    fail('Decryption', `${sectionName(d, ordinal)} fails authentication: ${how}`, details);
  }
  const plain = descriptorBytes({
    ...d,
    cipher: CipherId.None,
    flags: crcs.flag ? d.flags | SectionFlags.PayloadChecksum : d.flags & ~SectionFlags.PayloadChecksum,
    storedLength: out.length,
    payloadCrc: crcs.flag && crcs.value ? crc32(out) : 0,
    nonce: ZERO_NONCE,
  });
  return { descriptor: plain, payload: out };
}

/** The opener of one encrypted container whose header (bytes and fields) and key are known and match. */
function frameOpener(header: Uint8Array, parsed: SnapshotHeader, key: ResolvedKey, engine: Engine, options: OpenOptions = {}): SectionOpener {
  const aadHeader = header.slice(0, HEADER_SIZE);
  const crcs: CrcPolicy = { flag: (parsed.flags & HeaderFlags.SectionChecksums) !== 0, value: options.payloadCrcs ?? true };
  return {
    plainHeader: plainHeaderBytes(parsed),
    open(ordinal, descriptor, sealed) {
      const steps = openSteps(aadHeader, crcs, key, ordinal, descriptor, sealed);
      return engine.sync ? runSync(steps, engine.backend) : runAsync(steps, engine.backend);
    },
  };
}

/**
 * The opener factory @tx2/pack-format's readers call with a container's header, for a key
 * already resolved against it: opens each section with `engine` (synchronously for the sync
 * readers).
 */
export function openerFor(key: ResolvedKey, engine: Engine, options: OpenOptions & { maxKdfMemory?: number } = {}): OpenerFactory {
  return (header) => {
    const { header: parsed, extension } = readEncryptedHeader(header, options.maxKdfMemory ?? SCRYPT_MAX_MEMORY);
    if (!constantTimeEqual(extension.fingerprint, key.fingerprint)) fail('WrongKey', 'the header read does not name the key this snapshot was opened with: the file changed while it was read');
    return frameOpener(header, parsed, key, engine, options);
  };
}

/** Options of {@link createSectionSealer}. */
export interface SectionSealerOptions {
  /** Backend (default: node:crypto on Node, WebCrypto elsewhere). */
  backend?: CryptoBackend;
  /** Random source for nonces and the file id (default: crypto.getRandomValues). Override only in tests. */
  random?: RandomSource;
}

/**
 * A sealer for a container whose plain header is `plainHeader` (128 bytes, extension area zero),
 * for @tx2/pack-format's streaming encoder (`encodeSnapshotStream(packed, { sealer })`): it
 * produces exactly what encryptSnapshot makes of the whole container (byte for byte, but for
 * the random nonces and file id). Its `seal` returns a promise.
 */
export function createSectionSealer(plainHeader: Uint8Array, key: EncryptionKeyInput, options: SectionSealerOptions = {}): SectionSealer {
  const source = requireBytes(plainHeader, 'the header');
  if (source.length < HEADER_SIZE) fail('InvalidInput', `a header is ${HEADER_SIZE} bytes, got ${source.length}`);
  const parsed = readPlainHeader(source);
  const resolved = resolveEncryptionKey(key);
  const random = options.random ?? secureRandom;
  const backend = options.backend ?? platformBackend();
  const header = sealedHeaderBytes(parsed, { kdf: resolved.kdf, fingerprint: resolved.fingerprint, fileId: randomBytes(FILE_ID_LENGTH, random) });
  return {
    header,
    async seal(ordinal, descriptor, payload) {
      const d = requireBytes(descriptor, 'the descriptor');
      if (d.length < DESCRIPTOR_BYTES) fail('InvalidInput', `a descriptor is ${DESCRIPTOR_BYTES} bytes, got ${d.length}`);
      const pending = prepareSeal(header, ordinal, { descriptor: d, payload: requireBytes(payload, 'the payload') }, resolved.bytes, randomBytes(NONCE_LENGTH, random));
      await runAsync(
        (function* (): Steps<void> {
          yield [pending.op];
        })(),
        backend,
      );
      return pending.frame;
    },
  };
}

/** Options of {@link createSectionOpener}. */
export interface SectionOpenerOptions {
  /** Backend (default: node:crypto on Node, WebCrypto elsewhere). */
  backend?: CryptoBackend;
  /** Largest memory the header's scrypt parameters may ask for (default 1 GiB). */
  maxKdfMemory?: number;
}

/**
 * An opener for the encrypted container whose header is `header`, as @tx2/pack-format's readers
 * take it (`readSnapshot(source, { opener: (h) => createSectionOpener(h, key) })`): checks the
 * key against the header's fingerprint first (deriving it for `{ passphrase }`), so a wrong key
 * is a WrongKey PackError before any section is read. `open` returns a promise of the plain
 * descriptor (cipher 0, payload CRC restored when the header's SectionChecksums flag is set,
 * zero nonce) and the plaintext, or rejects with a Decryption PackError whose `details` hold the
 * section ordinal and kind.
 */
export async function createSectionOpener(header: Uint8Array, key: DecryptionKeyInput | undefined, options: SectionOpenerOptions = {}): Promise<SectionOpener> {
  const bytes = requireBytes(header, 'the header');
  const { header: parsed, extension } = readEncryptedHeader(bytes, options.maxKdfMemory ?? SCRYPT_MAX_MEMORY);
  const backend = options.backend ?? platformBackend();
  const resolved = await runAsync(resolveDecryptionKey(key, extension), backend);
  return frameOpener(bytes, parsed, resolved, { sync: false, backend });
}
