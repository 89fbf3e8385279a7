// The header of an encrypted container (docs/format.md §12): the plain header with the
// Encrypted flag, cipher AES-256-GCM and the key extension in bytes 48-119. The bytes are
// read and written by @tx2/pack-format; this module only decides the fields.
import { CipherId, headerBytes, HeaderFlags, readHeader, type SnapshotHeader } from '@tx2/pack-format';
import { fail } from './bytes.js';
import { EXTENSION_SIZE, type KeyExtension, readExtension, writeExtension } from './extension.js';

function corrupt(message: string): never {
  fail('InvalidFormat', `${message}: the file is corrupt or not written by tx2-pack`);
}

/** Reads and checks a plain header that is about to be sealed: not encrypted, extension area free. */
export function readPlainHeader(bytes: Uint8Array): SnapshotHeader {
  const header = readHeader(bytes);
  if (header.flags & HeaderFlags.Encrypted || header.cipher !== CipherId.None) {
    fail('InvalidInput', 'this snapshot is already encrypted: use rotateKey to re-encrypt it under another key');
  }
  if (header.extension.some((b) => b !== 0)) {
    fail('InvalidInput', 'the header extension area (bytes 48-119) is not zero, but the crypto tier needs it: this snapshot was not written by tx2-pack');
  }
  return header;
}

/** The 128 bytes of the encrypted header made from a plain one: Encrypted flag, cipher 1, key extension. */
export function sealedHeaderBytes(plain: SnapshotHeader, extension: KeyExtension): Uint8Array {
  return headerBytes({ ...plain, flags: plain.flags | HeaderFlags.Encrypted, cipher: CipherId.Aes256Gcm, extension: writeExtension(extension) });
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

/** The 128 bytes of the plain header an encrypted one opens to: Encrypted flag, cipher and extension cleared. */
export function plainHeaderBytes(encrypted: SnapshotHeader): Uint8Array {
  return headerBytes({ ...encrypted, flags: encrypted.flags & ~HeaderFlags.Encrypted, cipher: CipherId.None, extension: new Uint8Array(EXTENSION_SIZE) });
}
