// The node:crypto path (OpenSSL, AES-NI): the default of both the asynchronous and the
// synchronous API on Node. Selected by the package.json "imports" condition `#platform`.
import { type Cipher, createCipheriv, createDecipheriv, createHash, type Decipher, scrypt, scryptSync } from 'node:crypto';
import { type CryptoBackend, type ScryptCost, scryptMemory, type SyncCryptoBackend, TAG_LENGTH } from './backend.js';

const plainView = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const scryptOptions = (cost: ScryptCost) => ({ N: cost.N, r: cost.r, p: cost.p, maxmem: scryptMemory(cost) + (1 << 20) });

// Cipher.update returns a new Buffer per call: feeding it slices that stay in the CPU cache and
// copying each into place costs far less than one Buffer the size of the section (fresh pages).
const CHUNK = 256 * 1024;

function updateInto(cipher: Cipher | Decipher, input: Uint8Array, target: Uint8Array): number {
  let written = 0;
  for (let at = 0; at < input.length; at += CHUNK) {
    const part = cipher.update(input.subarray(at, Math.min(input.length, at + CHUNK)));
    target.set(part, written);
    written += part.length;
  }
  return written;
}

/** SHA-256, AES-256-GCM and scrypt from node:crypto (native, synchronous). */
export const nodeBackend: SyncCryptoBackend = {
  name: 'node',
  sync: true,
  // Hash.update reads the view in place: no copy of the input.
  sha256: (data) => plainView(createHash('sha256').update(data).digest()),
  seal(key, nonce, plaintext, aad, out?: Uint8Array) {
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_LENGTH });
    cipher.setAAD(aad);
    const target = out ?? new Uint8Array(plaintext.length + TAG_LENGTH);
    const written = updateInto(cipher, plaintext, target);
    target.set(cipher.final(), written); // empty for GCM
    target.set(cipher.getAuthTag(), plaintext.length);
    return target;
  },
  open(key, nonce, sealed, aad, out?: Uint8Array) {
    if (sealed.length < TAG_LENGTH) return null;
    const length = sealed.length - TAG_LENGTH;
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_LENGTH });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(length));
    const target = out ?? new Uint8Array(length);
    const written = updateInto(decipher, sealed.subarray(0, length), target);
    try {
      target.set(decipher.final(), written); // throws when the tag does not match
      return target;
    } catch {
      target.fill(0, 0, length); // never leave unauthenticated plaintext behind
      return null;
    }
  },
  scrypt: (passphrase, salt, cost) => plainView(scryptSync(passphrase, salt, 32, scryptOptions(cost))),
  scryptAsync: (passphrase, salt, cost) =>
    new Promise((resolve, reject) => {
      scrypt(passphrase, salt, 32, scryptOptions(cost), (error, key) => (error ? reject(error) : resolve(plainView(key))));
    }),
};

/** The backend of the asynchronous API on this platform: node:crypto. */
export function platformBackend(): CryptoBackend {
  return nodeBackend;
}

/** The backend of the synchronous API on this platform: node:crypto. */
export function platformSyncBackend(): SyncCryptoBackend {
  return nodeBackend;
}

/** Which platform build is loaded: "node" or "browser". */
export const platformName: string = 'node';
