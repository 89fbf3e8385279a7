// Keys from passphrases: scrypt (RFC 7914), a memory-hard KDF, with a random 16-byte salt.
// The cost parameters and the salt are stored in the snapshot header, so the passphrase alone
// decrypts it later.
import type { CryptoBackend, ScryptCost, SyncCryptoBackend } from './backend.js';
import { scryptMemory } from './backend.js';
import { describe, fail, type RandomSource, randomBytes } from './bytes.js';
import { EncryptionKey } from './key.js';
import { platformBackend, platformSyncBackend } from '#platform';
import { requireSync, runAsync, runSync, type Steps } from './run.js';

/**
 * Default scrypt cost: N = 2^17, r = 8, p = 1 (128 MiB of memory), the minimum the OWASP
 * Password Storage Cheat Sheet recommends for scrypt. About 0.2-0.5 s natively, a few seconds
 * in pure JavaScript: derive once and reuse the key.
 */
export const SCRYPT_DEFAULTS: Readonly<ScryptCost> = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });

/** Bytes of the random salt of a passphrase-derived key (128 bits, as NIST SP 800-132 asks at least). */
export const SALT_LENGTH = 16;

/** The smallest N accepted, on writing and on reading (weaker settings are refused). */
export const SCRYPT_MIN_N = 2 ** 10;

/** The largest memory a snapshot's scrypt parameters may make a reader allocate by default (1 GiB). */
export const SCRYPT_MAX_MEMORY = 2 ** 30;

/**
 * The largest scrypt work, N·r·p, a snapshot's parameters may ask of a reader (or a writer)
 * by default: 2^23, eight times {@link SCRYPT_DEFAULTS} and each of OWASP's scrypt settings,
 * the most that the memory limit allows with p = 1, and libsodium's "sensitive" level. Memory
 * alone bounds N·r, not p: without this, p = 255 keeps a reader busy for minutes.
 */
export const SCRYPT_MAX_WORK = 2 ** 23;

/** The cost limits {@link checkScryptCost} applies. */
export interface ScryptLimits {
  /** Largest memory, in bytes (128·N·r + 128·r·p). */
  maxMemory: number;
  /** Largest work, N·r·p. */
  maxWork: number;
}

/** The scrypt parameters and salt that turn a passphrase into a key; stored in the snapshot header. */
export interface KdfParams {
  readonly algorithm: 'scrypt';
  readonly N: number;
  readonly r: number;
  readonly p: number;
  /** 16 random bytes. */
  readonly salt: Uint8Array;
}

/** A key derived from a passphrase, with the parameters that derive it again. Encrypting with it stores them in the header. */
export interface PassphraseKey {
  readonly key: EncryptionKey;
  readonly kdf: KdfParams;
}

/** How {@link deriveKey} derives a key. */
export interface DeriveKeyOptions {
  /** scrypt cost (default {@link SCRYPT_DEFAULTS}); N must be a power of two of at least 2^10, r and p 1 to 255. */
  scrypt?: Partial<ScryptCost>;
  /** The salt: 16 bytes (default: 16 fresh random bytes). Pass one only to re-derive a known key. */
  salt?: Uint8Array;
  /** Largest scrypt memory accepted, in bytes (default 1 GiB). */
  maxMemory?: number;
  /** Largest scrypt work N·r·p accepted (default {@link SCRYPT_MAX_WORK}, 2^23): readers refuse more by default. */
  maxWork?: number;
  /** Random source for the salt (default: crypto.getRandomValues). For deterministic tests only. */
  random?: RandomSource;
}

/** Options of the asynchronous {@link deriveKey}. */
export interface DeriveKeyAsyncOptions extends DeriveKeyOptions {
  /** Backend (default: node:crypto on Node, else @noble's non-blocking scrypt). */
  backend?: CryptoBackend;
}

/** Options of {@link deriveKeySync}. */
export interface DeriveKeySyncOptions extends DeriveKeyOptions {
  /** Synchronous backend (default: node:crypto on Node, else @noble). */
  backend?: SyncCryptoBackend;
}

/** True when `value` looks like a {@link PassphraseKey}. */
export function isPassphraseKey(value: unknown): value is PassphraseKey {
  return typeof value === 'object' && value !== null && EncryptionKey.isKey((value as PassphraseKey).key) && typeof (value as PassphraseKey).kdf === 'object';
}

/** Checks scrypt parameters (from options or from a header) before any derivation: a PackError with `code` when unacceptable. */
export function checkScryptCost(cost: ScryptCost, limits: ScryptLimits, code: 'InvalidInput' | 'Decryption'): void {
  const { N, r, p } = cost;
  const reading = code === 'Decryption';
  const where = reading ? "the snapshot's scrypt parameters" : 'the scrypt options';
  if (!Number.isInteger(N) || N < SCRYPT_MIN_N || N > 2 ** 30 || (N & (N - 1)) !== 0) {
    fail(code, `${where} have N = ${N}: N must be a power of two from 2^10 to 2^30 (the default is 2^17)`);
  }
  if (!Number.isInteger(r) || r < 1 || r > 255) fail(code, `${where} have r = ${r}: r must be an integer from 1 to 255 (the default is 8)`);
  if (!Number.isInteger(p) || p < 1 || p > 255) fail(code, `${where} have p = ${p}: p must be an integer from 1 to 255 (the default is 1)`);
  const { maxMemory, maxWork } = limits;
  const memory = scryptMemory(cost);
  if (memory > maxMemory) {
    fail(code, `${where} need ${memory} bytes of memory, over the ${maxMemory}-byte limit: ${reading ? 'raise maxKdfMemory if the file is trusted' : 'lower N or r'}`, {
      memory,
      maxMemory,
    });
  }
  const work = N * r * p;
  if (work > maxWork) {
    fail(
      code,
      `${where} (N = 2^${Math.log2(N)}, r = ${r}, p = ${p}) ask for N·r·p = ${work} of work, over the limit of ${maxWork}: ${reading ? 'raise maxKdfWork if the file is trusted' : 'lower N, r or p (or raise maxWork)'}`,
      { work, maxWork, N, r, p },
    );
  }
}

/** The UTF-8 bytes of a passphrase after Unicode NFC normalization; refuses an empty one. */
export function passphraseBytes(passphrase: unknown): Uint8Array {
  if (typeof passphrase !== 'string') fail('InvalidInput', `a passphrase must be a string, got ${describe(passphrase)}`);
  if (passphrase.length === 0) fail('InvalidInput', 'the passphrase is empty: pass a non-empty passphrase (or use EncryptionKey.generate() for a random key)');
  return new TextEncoder().encode(passphrase.normalize('NFC'));
}

function resolveParams(options: DeriveKeyOptions): KdfParams {
  const cost = { ...SCRYPT_DEFAULTS, ...options.scrypt };
  checkScryptCost(cost, { maxMemory: options.maxMemory ?? SCRYPT_MAX_MEMORY, maxWork: options.maxWork ?? SCRYPT_MAX_WORK }, 'InvalidInput');
  let salt: Uint8Array;
  if (options.salt !== undefined) {
    if (!(options.salt instanceof Uint8Array) || options.salt.length !== SALT_LENGTH) {
      fail('InvalidInput', `the salt must be ${SALT_LENGTH} bytes: omit it to get a fresh random one`);
    }
    salt = options.salt.slice();
  } else {
    salt = randomBytes(SALT_LENGTH, options.random);
  }
  return Object.freeze({ algorithm: 'scrypt', N: cost.N, r: cost.r, p: cost.p, salt });
}

/** The steps of deriving a key: one scrypt operation. */
export function* deriveSteps(passphrase: Uint8Array, kdf: KdfParams): Steps<PassphraseKey> {
  const [raw] = yield [{ kind: 'scrypt', passphrase, salt: kdf.salt, cost: { N: kdf.N, r: kdf.r, p: kdf.p } }];
  if (!(raw instanceof Uint8Array) || raw.length !== 32) fail('InvalidInput', 'scrypt returned a key of the wrong length');
  return Object.freeze({ key: EncryptionKey.fromBytes(raw), kdf });
}

/** Derives a key from a passphrase with scrypt (OWASP defaults, fresh random salt); reuse the result, derivation is slow on purpose. */
export async function deriveKey(passphrase: string, options: DeriveKeyAsyncOptions = {}): Promise<PassphraseKey> {
  const bytes = passphraseBytes(passphrase);
  return runAsync(deriveSteps(bytes, resolveParams(options)), options.backend ?? platformBackend());
}

/** Synchronous {@link deriveKey}: blocks for the whole derivation (about a second at the defaults). */
export function deriveKeySync(passphrase: string, options: DeriveKeySyncOptions = {}): PassphraseKey {
  const bytes = passphraseBytes(passphrase);
  return runSync(deriveSteps(bytes, resolveParams(options)), requireSync(options.backend ?? platformSyncBackend()));
}
