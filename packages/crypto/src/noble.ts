// The @noble path: pure JavaScript, synchronous, available everywhere. The `…Sync` functions
// use it outside Node, and the asynchronous API falls back to it where WebCrypto is missing.
import { gcm } from '@noble/ciphers/aes.js';
import { scrypt, scryptAsync } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { type ScryptCost, scryptMemory, type SyncCryptoBackend } from './backend.js';

function into(result: Uint8Array, out: Uint8Array | undefined): Uint8Array {
  if (out === undefined) return result;
  out.set(result);
  return out;
}

const scryptOptions = (cost: ScryptCost) => ({ N: cost.N, r: cost.r, p: cost.p, dkLen: 32, maxmem: scryptMemory(cost) + 1024 });

/** SHA-256, AES-256-GCM and scrypt from @noble/hashes and @noble/ciphers (pure JavaScript, synchronous). */
export const nobleBackend: SyncCryptoBackend = {
  name: 'noble',
  sync: true,
  sha256: (data) => sha256(data),
  seal: (key, nonce, plaintext, aad, out?: Uint8Array) => into(gcm(key, nonce, aad).encrypt(plaintext), out),
  open(key, nonce, sealed, aad, out?: Uint8Array) {
    let plaintext: Uint8Array;
    try {
      plaintext = gcm(key, nonce, aad).decrypt(sealed);
    } catch {
      return null; // the tag does not match
    }
    return into(plaintext, out);
  },
  scrypt: (passphrase, salt, cost) => scrypt(passphrase, salt, scryptOptions(cost)),
  scryptAsync: (passphrase, salt, cost) => scryptAsync(passphrase, salt, scryptOptions(cost)),
};
