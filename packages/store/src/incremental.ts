// The incremental checkpoint policy and the chain link each checkpoint persists in its
// metadata record: parent, sequence, and how it is stored (a full snapshot, or a delta
// against a base checkpoint whose snapshot hash it names).
import { PackError } from '@tx2/pack-format';
import { describeValue, optionsObject } from './errors.js';
import type { JsonValue } from './metadata.js';

/** When a CheckpointManager stores a delta instead of a full snapshot. */
export interface IncrementalOptions {
  /** Every `fullEvery`-th checkpoint of a run is full: at most `fullEvery - 1` deltas are applied to load one (default 10; 1 = always full). */
  fullEvery?: number;
  /** A delta larger than this fraction of the run's full checkpoint is stored as a full snapshot instead (default 0.5). */
  maxDeltaRatio?: number;
}

/** The policy with its defaults applied. */
export interface IncrementalPolicy {
  fullEvery: number;
  maxDeltaRatio: number;
}

/** The default policy: a full checkpoint every 10, deltas up to half of the full size. */
export const DEFAULT_INCREMENTAL: Readonly<IncrementalPolicy> = Object.freeze({ fullEvery: 10, maxDeltaRatio: 0.5 });

/** Checks and completes `options` (undefined: the default; false: incremental checkpoints off). */
export function resolveIncremental(options: IncrementalOptions | false | undefined): IncrementalPolicy | undefined {
  if (options === false) return undefined;
  const policy = { ...DEFAULT_INCREMENTAL, ...optionsObject(options, 'incremental (false or { fullEvery, maxDeltaRatio })') };
  if (!Number.isInteger(policy.fullEvery) || policy.fullEvery < 1) {
    throw new PackError('InvalidInput', `incremental.fullEvery must be a positive integer (1 stores every checkpoint in full), got ${describeValue(policy.fullEvery)}`);
  }
  if (typeof policy.maxDeltaRatio !== 'number' || !(policy.maxDeltaRatio > 0)) {
    throw new PackError('InvalidInput', `incremental.maxDeltaRatio must be a number above 0 (a fraction of the full size), got ${describeValue(policy.maxDeltaRatio)}`);
  }
  return policy;
}

/** How a checkpoint is stored. */
export type CheckpointStorage =
  | { kind: 'full' }
  /** A delta against checkpoint `base`, whose snapshot hash (`snapshotHash`, hex) is `baseHash`; `depth` deltas lead to it from a full checkpoint. */
  | { kind: 'delta'; base: string; baseHash: string; depth: number };

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
}

/** Key of the link in the store record's extra fields. */
export const LINK_KEY = 'checkpoint';
const HEX64 = /^[0-9a-f]{64}$/;

/** The link in a record's extra fields, or undefined when the entry is not a checkpoint. */
export function linkOf(extra: Readonly<Record<string, JsonValue>>): CheckpointLink | undefined {
  const raw = extra[LINK_KEY] as Record<string, JsonValue> | undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || typeof raw.sequence !== 'number') return undefined;
  const hash = typeof raw.hash === 'string' && HEX64.test(raw.hash) ? raw.hash : undefined;
  let storage: CheckpointStorage = { kind: 'full' };
  if (raw.storage === 'delta' && typeof raw.base === 'string' && typeof raw.baseHash === 'string' && HEX64.test(raw.baseHash)) {
    storage = { kind: 'delta', base: raw.base, baseHash: raw.baseHash, depth: typeof raw.depth === 'number' ? raw.depth : 1 };
  }
  return {
    parent: typeof raw.parent === 'string' ? raw.parent : undefined,
    sequence: raw.sequence,
    storage,
    hash,
    fullBytes: typeof raw.fullBytes === 'number' ? raw.fullBytes : undefined,
  };
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
  }
  if (link.fullBytes !== undefined) out.fullBytes = link.fullBytes;
  return { [LINK_KEY]: out };
}
