// EncryptionKey: a 32-byte AES-256 key, generated from the platform's secure random source or
// imported from bytes, hex or base64.
import { fromHex, isPackError, toHex } from '@tx2/pack-format';
import { KEY_LENGTH } from './backend.js';
import { describe, fail, fromBase64, type RandomSource, randomBytes, toBase64 } from './bytes.js';
import { keyFingerprint } from './fingerprint.js';

// Raw key bytes, kept out of the object so that logging or serializing a key shows none of them.
const RAW = new WeakMap<EncryptionKey, { bytes: Uint8Array; fingerprint: Uint8Array }>();

function checkLength(bytes: { length: number }, source: string): void {
  if (bytes.length !== KEY_LENGTH) {
    fail(
      'InvalidInput',
      `an AES-256 key is exactly ${KEY_LENGTH} bytes, ${source} holds ${bytes.length}: use EncryptionKey.generate() for a new key, or deriveKey(passphrase) for a passphrase`,
      { expected: KEY_LENGTH, actual: bytes.length },
    );
  }
}

/** A 32-byte AES-256-GCM key. Its bytes are never shown by `toString`, `toJSON` or `console.log`. */
export class EncryptionKey {
  private constructor(bytes: Uint8Array) {
    RAW.set(this, { bytes, fingerprint: keyFingerprint(bytes) });
    Object.freeze(this);
  }

  /** A new random key from the platform's secure random source (crypto.getRandomValues). */
  static generate(random?: RandomSource): EncryptionKey {
    return new EncryptionKey(randomBytes(KEY_LENGTH, random));
  }

  /** A key from exactly 32 raw bytes (copied). */
  static fromBytes(bytes: Uint8Array): EncryptionKey {
    if (!(bytes instanceof Uint8Array)) fail('InvalidInput', `EncryptionKey.fromBytes expects a Uint8Array, got ${describe(bytes)}`);
    checkLength(bytes, 'the given array');
    return new EncryptionKey(Uint8Array.prototype.slice.call(bytes));
  }

  /** A key from 64 hexadecimal digits (either case). */
  static fromHex(hex: string): EncryptionKey {
    if (typeof hex !== 'string') fail('InvalidInput', `EncryptionKey.fromHex expects a string, got ${describe(hex)}`);
    const text = hex.trim();
    // Checked before decoding, so that a huge string costs no allocation.
    if (text.length > 4 * KEY_LENGTH) checkLength({ length: Math.floor(text.length / 2) }, 'the hex string');
    let bytes: Uint8Array;
    try {
      bytes = fromHex(text);
    } catch (error) {
      if (!isPackError(error)) throw error;
      fail('InvalidInput', 'the key is not hexadecimal: expected 64 digits 0-9 and a-f, as EncryptionKey.toHex() writes');
    }
    checkLength(bytes, 'the hex string');
    return new EncryptionKey(bytes);
  }

  /** A key from base64 (standard or URL-safe alphabet, padded or not). */
  static fromBase64(base64: string): EncryptionKey {
    if (typeof base64 !== 'string') fail('InvalidInput', `EncryptionKey.fromBase64 expects a string, got ${describe(base64)}`);
    const text = base64.trim();
    if (text.length > 4 * KEY_LENGTH) checkLength({ length: Math.floor((text.length * 3) / 4) }, 'the base64 string');
    const bytes = fromBase64(text);
    if (bytes === undefined) fail('InvalidInput', 'the key is not valid base64: expected 44 characters, as EncryptionKey.toBase64() writes');
    checkLength(bytes, 'the base64 string');
    return new EncryptionKey(bytes);
  }

  /** True when `value` is an EncryptionKey. */
  static isKey(value: unknown): value is EncryptionKey {
    return typeof value === 'object' && value !== null && RAW.has(value as EncryptionKey);
  }

  /** A copy of the 32 key bytes. */
  toBytes(): Uint8Array {
    return RAW.get(this)!.bytes.slice();
  }

  /** The key as 64 lowercase hexadecimal digits. */
  toHex(): string {
    return toHex(RAW.get(this)!.bytes);
  }

  /** The key as standard padded base64 (44 characters). */
  toBase64(): string {
    return toBase64(RAW.get(this)!.bytes);
  }

  /** The key's 8-byte fingerprint as 16 hex digits: what encrypted snapshots store to recognise their key. */
  get fingerprint(): string {
    return toHex(RAW.get(this)!.fingerprint);
  }

  /** True when both keys hold the same bytes. */
  equals(other: EncryptionKey): boolean {
    const a = RAW.get(this)!.bytes;
    const b = EncryptionKey.isKey(other) ? RAW.get(other)!.bytes : undefined;
    if (b === undefined) return false;
    let diff = 0;
    for (let i = 0; i < KEY_LENGTH; i++) diff |= a[i]! ^ b[i]!;
    return diff === 0;
  }

  /** A description without the key bytes: "EncryptionKey(fingerprint …)". */
  toString(): string {
    return `EncryptionKey(fingerprint ${this.fingerprint})`;
  }

  /** Serializes to the same description as toString, never to the key bytes (use toHex or toBase64 to export a key). */
  toJSON(): string {
    return this.toString();
  }

  /** What console.log and util.inspect show on Node: no key bytes. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** The raw bytes (not a copy) and fingerprint of a key; internal to this package. */
export function keyMaterial(key: EncryptionKey): { bytes: Uint8Array; fingerprint: Uint8Array } {
  const raw = RAW.get(key);
  if (raw === undefined) fail('InvalidInput', `expected an EncryptionKey, got ${describe(key)}: create one with EncryptionKey.generate(), fromBytes, fromHex or fromBase64`);
  return raw;
}
