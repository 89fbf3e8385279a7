// The incremental checkpoint policy and the chain link each checkpoint persists in its
// metadata record: parent, sequence, and how it is stored (a full snapshot, or a delta
// against a base checkpoint whose snapshot hash it names, and for a predicted delta the
// reference checkpoint and scale its floats are extrapolated with).
import { type DeltaPolicy, isSha256Hex, resolveDeltaPolicy, type ResolvedDeltaPolicy } from '@tx2/pack-format';
import type { JsonValue } from './metadata.js';

/**
 * When a CheckpointManager stores a delta instead of a full snapshot.
 * @deprecated use `DeltaPolicy` of @tx2/pack-format (the same type: `{ fullEvery, maxDeltaRatio }`).
 */
export type IncrementalOptions = DeltaPolicy;

/**
 * The policy with its defaults applied.
 * @deprecated use `ResolvedDeltaPolicy` of @tx2/pack-format.
 */
export type IncrementalPolicy = ResolvedDeltaPolicy;

/** The default `incremental` policy: a full checkpoint every 10, the deltas of a run up to half of its full checkpoint's size. */
export const DEFAULT_INCREMENTAL: ResolvedDeltaPolicy = Object.freeze({ fullEvery: 10, maxDeltaRatio: 0.5 });

/** Checks and completes `options` (undefined: the default; false: incremental checkpoints off). */
export function resolveIncremental(options: DeltaPolicy | false | undefined): ResolvedDeltaPolicy | undefined {
  return resolveDeltaPolicy(options, DEFAULT_INCREMENTAL, 'incremental');
}

/**
 * The earlier checkpoint a predicted delta extrapolates from: each predicted float is
 * `base + scale × (base − reference)` (the delta stores its XOR with the new value).
 */
export interface CheckpointReference {
  id: string;
  /** `snapshotHash` (hex) of the reference checkpoint's snapshot. */
  hash: string;
  /** The extrapolation factor (finite): the target's distance from the base in units of the base's distance from the reference. */
  scale: number;
}

/** How a checkpoint is stored. */
export type CheckpointStorage =
  | { kind: 'full' }
  /**
   * A delta against checkpoint `base`, whose snapshot hash (`snapshotHash`, hex) is `baseHash`;
   * `depth` deltas lead to it from a full checkpoint; it is the `runIndex`-th delta since the
   * full checkpoint of its run (equal to `depth` unless predicted deltas share a base); a
   * predicted delta also names its `reference`.
   */
  | { kind: 'delta'; base: string; baseHash: string; depth: number; runIndex: number; reference?: CheckpointReference };

/** Why a checkpoint was stored in full. */
export type FullReason = 'incremental-off' | 'first' | 'full-every' | 'max-delta-ratio' | 'base-unreadable' | 'delta-check-failed';

/** What a checkpoint's metadata record holds under `extra.checkpoint`. */
export interface CheckpointLink {
  parent: string | undefined;
  sequence: number;
  storage: CheckpointStorage;
  /** `snapshotHash` (hex) of the checkpoint's snapshot; absent when saved with `incremental: false` or before incremental storage existed. */
  hash: string | undefined;
  /** Stored size of the full checkpoint that starts this run of deltas (deltas only). */
  fullBytes: number | undefined;
  /** Stored size of the run's deltas up to this one, included (deltas only; absent in links written before it was recorded). */
  deltaBytes?: number;
}

/** Key of the link in the store record's extra fields. */
export const LINK_KEY = 'checkpoint';

/** The link in a record's extra fields, or undefined when the entry is not a checkpoint. */
export function linkOf(extra: Readonly<Record<string, JsonValue>>): CheckpointLink | undefined {
  const raw = extra[LINK_KEY] as Record<string, JsonValue> | undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || typeof raw.sequence !== 'number') return undefined;
  const hash = isSha256Hex(raw.hash) ? raw.hash : undefined;
  let storage: CheckpointStorage = { kind: 'full' };
  if (raw.storage === 'delta' && typeof raw.base === 'string' && isSha256Hex(raw.baseHash)) {
    const depth = typeof raw.depth === 'number' ? raw.depth : 1;
    // Links written before predicted deltas have no runIndex: their deltas each chain on the one before.
    storage = { kind: 'delta', base: raw.base, baseHash: raw.baseHash, depth, runIndex: typeof raw.runIndex === 'number' ? raw.runIndex : depth };
    const reference = referenceOf(raw);
    if (reference !== undefined) storage.reference = reference;
  }
  return {
    parent: typeof raw.parent === 'string' ? raw.parent : undefined,
    sequence: raw.sequence,
    storage,
    hash,
    fullBytes: typeof raw.fullBytes === 'number' ? raw.fullBytes : undefined,
    ...(typeof raw.deltaBytes === 'number' && storage.kind === 'delta' ? { deltaBytes: raw.deltaBytes } : {}),
  };
}

/**
 * The reference a link names, or undefined when it names none. A half-written or edited
 * reference (some keys but not all, or malformed) is kept as an unusable one (empty hash),
 * so loading reports the damage instead of applying the delta without it.
 */
function referenceOf(raw: Record<string, JsonValue>): CheckpointReference | undefined {
  if (raw.reference === undefined && raw.referenceHash === undefined && raw.scale === undefined) return undefined;
  const id = typeof raw.reference === 'string' ? raw.reference : '';
  const hash = isSha256Hex(raw.referenceHash) ? raw.referenceHash : '';
  const scale = typeof raw.scale === 'number' && Number.isFinite(raw.scale) ? raw.scale : Number.NaN;
  return { id, hash, scale };
}

/** True when `reference` was read whole from its link (see referenceOf). */
export function usableReference(reference: CheckpointReference): boolean {
  return reference.id !== '' && reference.hash !== '' && Number.isFinite(reference.scale);
}

/** The extra fields that persist `link`. */
export function linkRecord(link: CheckpointLink): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = { sequence: link.sequence };
  if (link.parent !== undefined) out.parent = link.parent;
  out.storage = link.storage.kind;
  if (link.hash !== undefined) out.hash = link.hash;
  if (link.storage.kind === 'delta') {
    out.base = link.storage.base;
    out.baseHash = link.storage.baseHash;
    out.depth = link.storage.depth;
    if (link.storage.runIndex !== link.storage.depth) out.runIndex = link.storage.runIndex;
    const reference = link.storage.reference;
    if (reference !== undefined) {
      out.reference = reference.id;
      out.referenceHash = reference.hash;
      out.scale = reference.scale;
    }
  }
  if (link.fullBytes !== undefined) out.fullBytes = link.fullBytes;
  if (link.deltaBytes !== undefined && link.storage.kind === 'delta') out.deltaBytes = link.deltaBytes;
  return { [LINK_KEY]: out };
}
