// The 72-byte extension area of an encrypted snapshot's header (header bytes 48-119): which key
// encrypted it (fingerprint), how to derive that key from a passphrase (scrypt parameters and
// salt), and a random file id that ties every section to this one file. docs/format.md, section
// "Encryption and digests", is the normative description.
import { toHex } from '@tx2/pack-format';
import { fail } from './bytes.js';
import { FINGERPRINT_LENGTH } from './fingerprint.js';
import { checkScryptCost, type KdfParams, SALT_LENGTH, SCRYPT_MAX_WORK } from './kdf.js';

/** Bytes of the extension area. */
export const EXTENSION_SIZE = 72;
/** The extension layout version this library writes and reads. */
export const KEY_SCHEME = 1;
/** Bytes of the random file id. */
export const FILE_ID_LENGTH = 16;

/** Key-derivation ids (extension byte 1). Append only. */
export const KdfId = { None: 0, Scrypt: 1 } as const;

/** The decoded extension of an encrypted snapshot. */
export interface KeyExtension {
  /** How the key was made: a raw key (no KDF), or scrypt from a passphrase with these parameters. */
  kdf: KdfParams | undefined;
  fingerprint: Uint8Array;
  fileId: Uint8Array;
}

const AT = { scheme: 0, kdf: 1, logN: 2, r: 3, p: 4, fingerprint: 8, fileId: 16, salt: 32, reserved: 48 } as const;

/** Encodes the extension area. */
export function writeExtension(ext: KeyExtension): Uint8Array {
  const out = new Uint8Array(EXTENSION_SIZE);
  out[AT.scheme] = KEY_SCHEME;
  if (ext.kdf !== undefined) {
    out[AT.kdf] = KdfId.Scrypt;
    out[AT.logN] = Math.log2(ext.kdf.N);
    out[AT.r] = ext.kdf.r;
    out[AT.p] = ext.kdf.p;
    out.set(ext.kdf.salt, AT.salt);
  }
  out.set(ext.fingerprint, AT.fingerprint);
  out.set(ext.fileId, AT.fileId);
  return out;
}

function corrupt(what: string): never {
  fail('InvalidFormat', `the encryption fields of the header are malformed (${what}): the file is corrupt or not written by tx2-pack`);
}

/** Decodes and checks the extension area of an encrypted snapshot's header; KDF costs over the limits are refused before any derivation. */
export function readExtension(area: Uint8Array, maxKdfMemory: number, maxKdfWork: number = SCRYPT_MAX_WORK): KeyExtension {
  if (area.length !== EXTENSION_SIZE) corrupt(`${area.length} bytes`);
  const scheme = area[AT.scheme]!;
  if (scheme !== KEY_SCHEME) {
    fail('Decryption', `the snapshot uses key scheme ${scheme}, this reader knows scheme ${KEY_SCHEME}: upgrade @tx2/pack-crypto`);
  }
  for (let i = 5; i < AT.fingerprint; i++) if (area[i] !== 0) corrupt('reserved bytes are not zero');
  for (let i = AT.reserved; i < EXTENSION_SIZE; i++) if (area[i] !== 0) corrupt('reserved bytes are not zero');
  const kdfId = area[AT.kdf]!;
  const fingerprint = area.slice(AT.fingerprint, AT.fingerprint + FINGERPRINT_LENGTH);
  const fileId = area.slice(AT.fileId, AT.fileId + FILE_ID_LENGTH);
  const salt = area.slice(AT.salt, AT.salt + SALT_LENGTH);
  if (kdfId === KdfId.None) {
    if (area[AT.logN] !== 0 || area[AT.r] !== 0 || area[AT.p] !== 0 || salt.some((b) => b !== 0)) corrupt('KDF fields set for a raw key');
    return { kdf: undefined, fingerprint, fileId };
  }
  if (kdfId !== KdfId.Scrypt) fail('Decryption', `the snapshot's key was derived with KDF ${kdfId}, which this reader does not know: upgrade @tx2/pack-crypto`);
  const logN = area[AT.logN]!;
  if (logN > 30) corrupt(`scrypt log2(N) = ${logN}`);
  const kdf: KdfParams = Object.freeze({ algorithm: 'scrypt', N: 2 ** logN, r: area[AT.r]!, p: area[AT.p]!, salt });
  checkScryptCost(kdf, { maxMemory: maxKdfMemory, maxWork: maxKdfWork }, 'Decryption');
  return { kdf, fingerprint, fileId };
}

/** A short description of an extension for error messages. */
export function describeKey(ext: KeyExtension): string {
  return `${ext.kdf ? `a passphrase-derived key (scrypt N=2^${Math.log2(ext.kdf.N)}, r=${ext.kdf.r}, p=${ext.kdf.p})` : 'a raw key'} with fingerprint ${toHex(ext.fingerprint)}`;
}
