// The key fingerprint stored in an encrypted snapshot's header: it tells a wrong key from the
// right one before any decryption, and reveals nothing usable about the key.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

/** Bytes of the fingerprint stored in the header. */
export const FINGERPRINT_LENGTH = 8;

/** The fixed HMAC message: ASCII "tx2-pack key fingerprint v1". */
export const FINGERPRINT_LABEL = new TextEncoder().encode('tx2-pack key fingerprint v1');

/**
 * The 8-byte fingerprint of a raw 32-byte key: the first 8 bytes of
 * HMAC-SHA-256(key, "tx2-pack key fingerprint v1"). A keyed derivation, so it is a one-way
 * function of the key (HMAC is a PRF) and useless for recovering or testing parts of it.
 */
export function keyFingerprint(rawKey: Uint8Array): Uint8Array {
  return hmac(sha256, rawKey, FINGERPRINT_LABEL).subarray(0, FINGERPRINT_LENGTH);
}
