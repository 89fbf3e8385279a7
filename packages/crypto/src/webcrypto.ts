// The WebCrypto path (crypto.subtle): native speed in browsers, Deno, Bun and Node, asynchronous
// only. WebCrypto has no scrypt, so key derivation uses @noble's non-blocking scrypt.
import type { CryptoBackend } from './backend.js';
import { fail } from './bytes.js';
import { nobleBackend } from './noble.js';

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) {
    fail('Encryption', 'WebCrypto (crypto.subtle) is not available here (browsers expose it only on https:// pages): use nobleBackend');
  }
  return s;
}

/** True when this platform has WebCrypto (crypto.subtle). */
export function webCryptoAvailable(): boolean {
  return globalThis.crypto?.subtle !== undefined;
}

// Importing a key costs a round trip: import each raw key once. Keys are the byte arrays that
// EncryptionKey holds, so identity is a safe cache key, and the cache dies with the key.
const keys = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function importKey(raw: Uint8Array): Promise<CryptoKey> {
  let key = keys.get(raw);
  if (key === undefined) {
    key = subtle().importKey('raw', raw as Uint8Array<ArrayBuffer>, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
    keys.set(raw, key);
  }
  return key;
}

function into(result: ArrayBuffer, out: Uint8Array | undefined): Uint8Array {
  const bytes = new Uint8Array(result);
  if (out === undefined) return bytes;
  out.set(bytes);
  return out;
}

const params = (nonce: Uint8Array, aad: Uint8Array): AesGcmParams => ({
  name: 'AES-GCM',
  iv: nonce as Uint8Array<ArrayBuffer>,
  additionalData: aad as Uint8Array<ArrayBuffer>,
  tagLength: 128,
});

/** SHA-256 and AES-256-GCM from the platform's WebCrypto (crypto.subtle); scrypt from @noble. */
export const webCryptoBackend: CryptoBackend = {
  name: 'webcrypto',
  sync: false,
  async sha256(data) {
    return new Uint8Array(await subtle().digest('SHA-256', data as Uint8Array<ArrayBuffer>));
  },
  async seal(key, nonce, plaintext, aad, out?: Uint8Array) {
    const k = await importKey(key);
    return into(await subtle().encrypt(params(nonce, aad), k, plaintext as Uint8Array<ArrayBuffer>), out);
  },
  async open(key, nonce, sealed, aad, out?: Uint8Array) {
    const k = await importKey(key);
    let plaintext: ArrayBuffer;
    try {
      plaintext = await subtle().decrypt(params(nonce, aad), k, sealed as Uint8Array<ArrayBuffer>);
    } catch {
      return null; // OperationError: the tag does not match
    }
    return into(plaintext, out);
  },
  scrypt: (passphrase, salt, cost) => nobleBackend.scryptAsync!(passphrase, salt, cost),
};
