// One delta policy for every history of snapshots: the checkpoints of @tx2/pack-store (option
// `incremental`) and the frames of @tx2/pack-timetravel (option `keyframes`). A history is made
// of runs: a full snapshot, then deltas, each against the entry before it. The policy says when
// the next entry must start a new run, so that both the work to rebuild an entry and the bytes
// a run holds stay bounded.
import { PackError } from './errors.js';

/** When a history of snapshots stores a full snapshot instead of a delta. */
export interface DeltaPolicy {
  /**
   * A full snapshot at least every `fullEvery` entries: rebuilding any entry applies at most
   * `fullEvery - 1` deltas. An integer >= 1; 1 stores every entry in full.
   */
  fullEvery?: number;
  /**
   * A full snapshot once the deltas since the last one would add up to more than this
   * fraction of that full snapshot's stored size. A number > 0; `Infinity` turns the check off.
   */
  maxDeltaRatio?: number;
}

/** A {@link DeltaPolicy} with every field set and checked. */
export type ResolvedDeltaPolicy = Readonly<Required<DeltaPolicy>>;

const KEYS: ReadonlySet<string> = new Set(['fullEvery', 'maxDeltaRatio']);

function invalid(option: string, message: string, value: unknown): PackError {
  return new PackError('InvalidInput', message, { details: { option, value } });
}

/**
 * Checks `policy` and fills in `defaults` for the fields it leaves out; `option` names it in
 * errors (`'incremental'`, `'keyframes'`). Undefined gives the defaults; false gives undefined
 * (no deltas at all). PackError('InvalidInput') with `details.option` and `details.value` otherwise.
 */
export function resolveDeltaPolicy(policy: DeltaPolicy | false | undefined, defaults: ResolvedDeltaPolicy, option = 'deltaPolicy'): ResolvedDeltaPolicy | undefined {
  if (policy === false) return undefined;
  if (policy === undefined) return Object.freeze({ fullEvery: defaults.fullEvery, maxDeltaRatio: defaults.maxDeltaRatio });
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) {
    throw invalid(
      option,
      `${option} must be an object { fullEvery, maxDeltaRatio } or false, got ${policy === null ? 'null' : Array.isArray(policy) ? 'an array' : typeof policy}`,
      policy,
    );
  }
  // A misspelt key would otherwise be ignored without a word.
  for (const key of Object.keys(policy)) {
    if (!KEYS.has(key))
      throw invalid(`${option}.${key}`, `${option}.${key} is not a delta policy setting: use fullEvery and maxDeltaRatio`, (policy as Record<string, unknown>)[key]);
  }
  const fullEvery = policy.fullEvery ?? defaults.fullEvery;
  const maxDeltaRatio = policy.maxDeltaRatio ?? defaults.maxDeltaRatio;
  if (typeof fullEvery !== 'number' || !Number.isSafeInteger(fullEvery) || fullEvery < 1) {
    throw invalid(`${option}.fullEvery`, `${option}.fullEvery must be an integer >= 1 (1 stores every entry in full), got ${String(fullEvery)}`, fullEvery);
  }
  if (typeof maxDeltaRatio !== 'number' || Number.isNaN(maxDeltaRatio) || maxDeltaRatio <= 0) {
    throw invalid(
      `${option}.maxDeltaRatio`,
      `${option}.maxDeltaRatio must be a number > 0 (a fraction of the full snapshot's size; Infinity: no limit), got ${String(maxDeltaRatio)}`,
      maxDeltaRatio,
    );
  }
  return Object.freeze({ fullEvery, maxDeltaRatio });
}

/** True when a run may hold `deltas` deltas (the next one included) under `policy`'s `fullEvery`. */
export function withinFullEvery(policy: ResolvedDeltaPolicy, deltas: number): boolean {
  return deltas < policy.fullEvery;
}

/** True when a run's deltas of `deltaBytes` in all (the next one included) stay within `maxDeltaRatio` of its full snapshot of `fullBytes`. */
export function withinDeltaRatio(policy: ResolvedDeltaPolicy, deltaBytes: number, fullBytes: number): boolean {
  return policy.maxDeltaRatio === Number.POSITIVE_INFINITY || deltaBytes <= policy.maxDeltaRatio * fullBytes;
}
