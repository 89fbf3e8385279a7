// Section-by-section encryption for streaming writers and random-access readers: the same bytes
// as encryptSnapshot / decryptSnapshot (docs/format.md §12), one section at a time. A sealer
// fixes the encrypted header first (the associated data of every section includes it); each
// section is then sealed with a fresh 96-bit nonce under AAD = header[0..124) ‖ u32 ordinal ‖
// descriptor[0..32), the table of contents last with ordinal = number of sections.
import { CipherId, crc32, HeaderFlags, readDescriptor, SectionFlags } from '@tx2/pack-format';
import { sectionAad } from './aad.js';
import { type CryptoBackend, NONCE_LENGTH, TAG_LENGTH } from './backend.js';
import { fail, type RandomSource, randomBytes, requireBytes, secureRandom } from './bytes.js';
import { DESCRIPTOR_SIZE, HEADER_SIZE, writeDescriptorFrom, writeHeaderFrom } from './container.js';
import { type DecryptionKeyInput, readEncryptedHeader, resolveDecryptionKey, sectionName } from './decrypt.js';
import { type EncryptionKeyInput, resolveEncryptionKey } from './encrypt.js';
import { EXTENSION_SIZE, FILE_ID_LENGTH, writeExtension } from './extension.js';
import { SCRYPT_MAX_MEMORY } from './kdf.js';
import { platformBackend } from '#platform';
import { type OpResult, runAsync, type Steps } from './run.js';

/** A section as a sealer or opener returns it: its 64-byte descriptor and its payload. */
export interface SectionFrame {
  descriptor: Uint8Array;
  payload: Uint8Array;
}

/** Seals the sections of one container as they are produced (see {@link createSectionSealer}). */
export interface SectionSealer {
  /** The 128-byte header to write: Encrypted flag, cipher AES-256-GCM, key extension, new CRC. */
  readonly header: Uint8Array;
  /**
   * Seals the section at `ordinal` (0-based file order; the table of contents takes ordinal =
   * number of other sections): `descriptor` is its plain descriptor, `payload` its stored bytes.
   * Returns the encrypted descriptor (cipher 1, no payload CRC, sealed length, nonce) and the
   * ciphertext followed by the 16-byte tag.
   */
  seal(ordinal: number, descriptor: Uint8Array, payload: Uint8Array): Promise<SectionFrame>;
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
 * producing exactly what encryptSnapshot makes of the whole container (byte for byte, but for the
 * random nonces and file id): decryptSnapshot and decodeEncrypted read the result.
 */
export function createSectionSealer(plainHeader: Uint8Array, key: EncryptionKeyInput, options: SectionSealerOptions = {}): SectionSealer {
  const source = requireBytes(plainHeader, 'the header');
  if (source.length < HEADER_SIZE) fail('InvalidInput', `a header is ${HEADER_SIZE} bytes, got ${source.length}`);
  const view = new DataView(source.buffer, source.byteOffset, source.byteLength);
  const flags = view.getUint32(12, true);
  if (flags & HeaderFlags.Encrypted || source[18] !== CipherId.None) fail('InvalidInput', 'this header is already encrypted');
  if (source.subarray(48, 124).some((b) => b !== 0)) fail('InvalidInput', 'the header extension area (bytes 48-119) is not zero, but the crypto tier needs it');
  const resolved = resolveEncryptionKey(key);
  const random = options.random ?? secureRandom;
  const backend = options.backend ?? platformBackend();
  const header = new Uint8Array(HEADER_SIZE);
  writeHeaderFrom(header, source, flags | HeaderFlags.Encrypted, CipherId.Aes256Gcm, writeExtension({ kdf: resolved.kdf, fingerprint: resolved.fingerprint, fileId: randomBytes(FILE_ID_LENGTH, random) }));
  return {
    header,
    async seal(ordinal, descriptor, payload) {
      if (descriptor.length < DESCRIPTOR_SIZE) fail('InvalidInput', `a descriptor is ${DESCRIPTOR_SIZE} bytes, got ${descriptor.length}`);
      const d = descriptor.slice(0, DESCRIPTOR_SIZE);
      d[4] = CipherId.Aes256Gcm;
      d[5] = d[5]! & ~SectionFlags.PayloadChecksum;
      const nonce = randomBytes(NONCE_LENGTH, random);
      const out = new Uint8Array(payload.length + TAG_LENGTH);
      await runAsync(
        (function* (): Steps<void> {
          yield [{ kind: 'seal' as const, key: resolved.bytes, nonce, data: payload, aad: sectionAad(header, ordinal, d), out }];
        })(),
        backend,
      );
      writeDescriptorFrom(d, 0, null, { cipher: CipherId.Aes256Gcm, storedLength: out.length, payloadCrc: 0, nonce });
      return { descriptor: d, payload: out };
    },
  };
}

/** Opens the sections of one encrypted container one at a time (see {@link createSectionOpener}). */
export interface SectionOpener {
  /** The header of the plain container: Encrypted flag, cipher and extension cleared, new CRC. */
  readonly plainHeader: Uint8Array;
  /**
   * Opens the section at `ordinal` (the table of contents: ordinal = number of other sections):
   * `descriptor` is its encrypted 64-byte descriptor, `sealed` its payload (ciphertext and tag).
   * Returns the plain descriptor (cipher 0, payload CRC restored when the header's
   * SectionChecksums flag is set, zero nonce) and the plaintext; a Decryption PackError when
   * authentication fails.
   */
  open(ordinal: number, descriptor: Uint8Array, sealed: Uint8Array): Promise<SectionFrame>;
}

/** Options of {@link createSectionOpener}. */
export interface SectionOpenerOptions {
  /** Backend (default: node:crypto on Node, WebCrypto elsewhere). */
  backend?: CryptoBackend;
  /** Largest memory the header's scrypt parameters may ask for (default 1 GiB). */
  maxKdfMemory?: number;
  /** Largest scrypt work N·r·p the header's parameters may ask for (default 2^23). */
  maxKdfWork?: number;
}

/**
 * An opener for the encrypted container whose header is `header`: checks the key against the
 * header's fingerprint (deriving it first for `{ passphrase }`), so a wrong key is a WrongKey
 * PackError before any section is read.
 */
export async function createSectionOpener(header: Uint8Array, key: DecryptionKeyInput | undefined, options: SectionOpenerOptions = {}): Promise<SectionOpener> {
  const bytes = requireBytes(header, 'the header');
  const { header: parsed, extension } = readEncryptedHeader(bytes, options.maxKdfMemory ?? SCRYPT_MAX_MEMORY, options.maxKdfWork);
  const backend = options.backend ?? platformBackend();
  const resolved = await runAsync(resolveDecryptionKey(key, extension), backend);
  const plainHeader = new Uint8Array(HEADER_SIZE);
  writeHeaderFrom(plainHeader, bytes, parsed.flags & ~HeaderFlags.Encrypted, CipherId.None, new Uint8Array(EXTENSION_SIZE));
  const crcs = (parsed.flags & HeaderFlags.SectionChecksums) !== 0;
  const zeroNonce = new Uint8Array(NONCE_LENGTH);
  return {
    plainHeader,
    async open(ordinal, descriptor, sealed) {
      const d = readDescriptor(descriptor, 0);
      if (d.cipher !== CipherId.Aes256Gcm) fail('InvalidFormat', `section ${ordinal} of an encrypted snapshot is not encrypted: the file is corrupt or not written by tx2-pack`);
      if (sealed.length < TAG_LENGTH) fail('InvalidFormat', `section ${ordinal} is shorter than its authentication tag: the file is corrupt or not written by tx2-pack`);
      const out = new Uint8Array(sealed.length - TAG_LENGTH);
      const [result] = await runAsync(
        (function* (): Steps<OpResult[]> {
          return yield [{ kind: 'open' as const, key: resolved.bytes, nonce: d.nonce, data: sealed, aad: sectionAad(bytes, ordinal, descriptor.subarray(0, DESCRIPTOR_SIZE)), out }];
        })(),
        backend,
      );
      if (result === null || result === undefined) {
        fail('Decryption', `${sectionName(d, ordinal)} fails authentication: the file was modified (this section, its descriptor, the header, or sections were moved or swapped), or it is corrupt`, { section: ordinal });
      }
      const plain = descriptor.slice(0, DESCRIPTOR_SIZE);
      plain[5] = crcs ? plain[5]! | SectionFlags.PayloadChecksum : plain[5]! & ~SectionFlags.PayloadChecksum;
      writeDescriptorFrom(plain, 0, null, { cipher: CipherId.None, storedLength: out.length, payloadCrc: crcs ? crc32(out) : 0, nonce: zeroNonce });
      return { descriptor: plain, payload: out };
    },
  };
}
