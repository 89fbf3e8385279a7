// The primitives the crypto tier needs, behind one interface with three implementations:
// node:crypto (platform.node.ts), WebCrypto (webcrypto.ts) and @noble (noble.ts). They are
// interchangeable: tests prove they produce byte-identical output on the same inputs.

/** scrypt cost parameters (RFC 7914): N (a power of two), r (block size) and p (parallelism). */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/**
 * An implementation of SHA-256, AES-256-GCM (96-bit nonce, 128-bit tag) and scrypt. Methods of
 * an asynchronous backend may return promises; a {@link SyncCryptoBackend} never does.
 */
export interface CryptoBackend {
  /** A short name for messages and benchmarks: "node", "webcrypto" or "noble". */
  readonly name: string;
  /** True when every method returns its result directly (usable by the `…Sync` functions). */
  readonly sync: boolean;
  /** SHA-256 of `data`. */
  sha256(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** AES-256-GCM encryption: ciphertext followed by the 16-byte tag, written into `out` (and returned) when given. */
  seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, out?: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** AES-256-GCM decryption of ciphertext + tag: the plaintext (written into `out` when given), or null when authentication fails. */
  open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, out?: Uint8Array): Uint8Array | null | Promise<Uint8Array | null>;
  /** scrypt with a 32-byte output. */
  scrypt(passphrase: Uint8Array, salt: Uint8Array, cost: ScryptCost): Uint8Array | Promise<Uint8Array>;
  /** A non-blocking scrypt for the asynchronous API, when the backend has one. */
  scryptAsync?(passphrase: Uint8Array, salt: Uint8Array, cost: ScryptCost): Promise<Uint8Array>;
}

/** A backend whose methods all return their results directly. */
export interface SyncCryptoBackend extends CryptoBackend {
  readonly sync: true;
  sha256(data: Uint8Array): Uint8Array;
  seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, out?: Uint8Array): Uint8Array;
  open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, out?: Uint8Array): Uint8Array | null;
  scrypt(passphrase: Uint8Array, salt: Uint8Array, cost: ScryptCost): Uint8Array;
}

/** Bytes of memory scrypt needs for `cost` (128 · N · r for the large array, plus 128 · r · p). */
export function scryptMemory(cost: ScryptCost): number {
  return 128 * cost.N * cost.r + 128 * cost.r * cost.p;
}

/** AES-256-GCM tag length in bytes. */
export const TAG_LENGTH = 16;
/** AES-256-GCM nonce length in bytes. */
export const NONCE_LENGTH = 12;
/** AES-256 key length in bytes. */
export const KEY_LENGTH = 32;
