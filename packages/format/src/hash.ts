import { bytesEqual, sha256 } from '#platform';
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

/** SHA-256 of a snapshot's canonical encoding: its content address, as deltas name their base. */
export function snapshotHash(packed: PackedSnapshot): Uint8Array {
  return sha256(canonical(packed, 0));
}

/** True when two snapshots are equal bit for bit (NaN payloads, -0, order and types included). */
export function snapshotsEqual(a: PackedSnapshot, b: PackedSnapshot): boolean {
  return bytesEqual(canonical(a, 0), canonical(b, 1));
}

/** A hash as lowercase hex, for names and messages. */
export function hashHex(hash: Uint8Array): string {
  return toHex(hash);
}
