import { bytesEqual, sha256, sha256Async } from '#platform';
import { toHex } from './bytes.js';
import { SnapshotEncoder } from './encode.js';
import type { PackedSnapshot } from './model.js';

// The canonical encoding: no codec, no checksums. Deterministic for a given snapshot, so
// equal snapshots give equal bytes whatever codec or cipher they are stored with.
// Two encoders, because comparing needs both encodings alive at once.
let encoders: [SnapshotEncoder, SnapshotEncoder] | undefined;

function canonical(packed: PackedSnapshot, which: 0 | 1): Uint8Array {
  encoders ??= [new SnapshotEncoder({ checksums: false }), new SnapshotEncoder({ checksums: false })];
  return encoders[which].encode(packed);
}

// The digests of the last few canonical encodings, kept with a copy of those bytes. Diffing or
// applying deltas frame after frame hashes each snapshot twice (as a target, then as the next
// base); comparing bytes is far cheaper than SHA-256 where SHA-256 runs without native code
// (browsers). Keyed by content, never by object, so a snapshot mutated in place is hashed anew.
const REMEMBERED = 2;
const REMEMBER_UP_TO = 4 * 1024 * 1024;
const remembered: { bytes: Uint8Array; hash: Uint8Array }[] = [];

/** The remembered digest of `bytes`, moved to the front; undefined when not remembered. */
function recall(bytes: Uint8Array): Uint8Array | undefined {
  const at = remembered.findIndex((r) => bytesEqual(r.bytes, bytes));
  if (at < 0) return undefined;
  const [hit] = remembered.splice(at, 1);
  remembered.unshift(hit!);
  return hit!.hash.slice();
}

/** Remembers `hash` as the digest of `bytes` (an owned copy, not the encoder's reused buffer). */
function remember(bytes: Uint8Array, hash: Uint8Array): void {
  if (bytes.length > REMEMBER_UP_TO) return;
  remembered.unshift({ bytes, hash: hash.slice() });
  remembered.length = Math.min(remembered.length, REMEMBERED);
}

/** Options of `snapshotHash`. */
export interface SnapshotHashOptions {
  /**
   * Keep a copy of the encoding with its digest, so hashing equal content again is a compare
   * (default true). A caller that keeps the hash itself passes false: no copy, no compare.
   */
  remember?: boolean;
}

/** SHA-256 of a snapshot's canonical encoding: its content address, as deltas name their base. */
export function snapshotHash(packed: PackedSnapshot, options?: SnapshotHashOptions): Uint8Array {
  const bytes = canonical(packed, 0);
  if (options?.remember === false) return sha256(bytes);
  const known = recall(bytes);
  if (known !== undefined) return known;
  const hash = sha256(bytes);
  if (bytes.length <= REMEMBER_UP_TO) remember(bytes.slice(), hash);
  return hash;
}

/**
 * `snapshotHash` with the SHA-256 off the main thread (WebCrypto in browsers), for async code
 * such as saves: pass the result to `diff` / `applyDelta` as `baseHash` / `nextHash`.
 */
export async function snapshotHashAsync(packed: PackedSnapshot): Promise<Uint8Array> {
  const bytes = canonical(packed, 0);
  const known = recall(bytes);
  if (known !== undefined) return known;
  // The encoder's buffer is reused by the next call, which may come while the digest runs.
  const owned = bytes.slice();
  const hash = await sha256Async(owned);
  remember(owned, hash);
  return hash;
}

/** True when two snapshots are equal bit for bit (NaN payloads, -0, order and types included). */
export function snapshotsEqual(a: PackedSnapshot, b: PackedSnapshot): boolean {
  return bytesEqual(canonical(a, 0), canonical(b, 1));
}

/** A hash as lowercase hex, for names and messages. */
export function hashHex(hash: Uint8Array): string {
  return toHex(hash);
}
