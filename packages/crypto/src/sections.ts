// Section-by-section encryption for streaming writers and random-access readers: a sealer for
// @tx2/pack-format's encodeSnapshotStream and an opener for its readers (readSnapshot,
// readFrames...), giving the same bytes as encryptSnapshot / decryptSnapshot (docs/format.md §12).
// A sealer fixes the encrypted header first: the associated data of every section includes it.
import { DESCRIPTOR_SIZE, HEADER_SIZE, type SectionOpener, type SectionSealer } from '@tx2/pack-format';
import { type CryptoBackend, NONCE_LENGTH } from './backend.js';
import { fail, type RandomSource, randomBytes, requireBytes, secureRandom } from './bytes.js';
import { FILE_ID_LENGTH } from './extension.js';
import { readEncryptedHeader, readPlainHeader, sealedHeaderBytes } from './header.js';
import { type DecryptionKeyInput, type EncryptionKeyInput, resolveDecryptionKey, resolveEncryptionKey } from './key-input.js';
import { SCRYPT_MAX_MEMORY } from './kdf.js';
import { frameOpener, openContext } from './open.js';
import { platformBackend } from '#platform';
import { runAsync, type Steps } from './run.js';
import { prepareSeal } from './seal.js';

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
      if (d.length < DESCRIPTOR_SIZE) fail('InvalidInput', `a descriptor is ${DESCRIPTOR_SIZE} bytes, got ${d.length}`);
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
  /** Largest scrypt work N·r·p the header's parameters may ask for (default 2^23). */
  maxKdfWork?: number;
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
  const maxKdfMemory = options.maxKdfMemory ?? SCRYPT_MAX_MEMORY;
  const { extension } = readEncryptedHeader(bytes, maxKdfMemory, options.maxKdfWork);
  const backend = options.backend ?? platformBackend();
  const resolved = await runAsync(resolveDecryptionKey(key, extension), backend);
  return frameOpener(openContext(bytes, resolved, { maxKdfMemory }), { sync: false, backend });
}
