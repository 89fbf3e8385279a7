// The `keyframes` option: the delta policy of @tx2/pack-format (`fullEvery`, `maxDeltaRatio`),
// a keyframe being this package's full snapshot. `every`, its name before the policy was shared
// with the store's checkpoints, still works.
import { type DeltaPolicy, resolveDeltaPolicy, type ResolvedDeltaPolicy } from '@tx2/pack-format';
import { invalidInput } from './errors.js';

/** How a TimeTravel chooses between a keyframe (a full encoded snapshot) and a delta per recorded frame: a {@link DeltaPolicy}. */
export interface KeyframeOptions extends DeltaPolicy {
  /** @deprecated use `fullEvery` (the same setting under the name the store's `incremental` option uses too). */
  every?: number;
}

/** The keyframe interval used when none is given: about 4% of full snapshots' memory when 1% of entities change per frame, seeks of a few milliseconds at 10,000 entities. */
export const DEFAULT_KEYFRAME_INTERVAL = 32;

/** The delta-bytes-to-keyframe ratio used when none is given. */
export const DEFAULT_MAX_DELTA_RATIO = 1;

/** The `keyframes` policy used when none is given: `{ fullEvery: 32, maxDeltaRatio: 1 }`. */
export const DEFAULT_KEYFRAMES: ResolvedDeltaPolicy = Object.freeze({ fullEvery: DEFAULT_KEYFRAME_INTERVAL, maxDeltaRatio: DEFAULT_MAX_DELTA_RATIO });

/** Every frame a keyframe: what `keyframes: false` means. */
const ALL_KEYFRAMES: ResolvedDeltaPolicy = Object.freeze({ fullEvery: 1, maxDeltaRatio: Number.POSITIVE_INFINITY });

/** The policy for `options` (undefined: the defaults; false: every frame a keyframe); PackError('InvalidInput') on bad values. */
export function keyframePolicy(options: KeyframeOptions | false | undefined): ResolvedDeltaPolicy {
  if (options === false) return ALL_KEYFRAMES;
  if (typeof options === 'object' && options !== null && !Array.isArray(options) && 'every' in options) {
    const { every, ...rest } = options;
    if (rest.fullEvery !== undefined && every !== undefined && rest.fullEvery !== every) {
      throw invalidInput(`keyframes.every (${String(every)}) and keyframes.fullEvery (${String(rest.fullEvery)}) disagree: give only fullEvery (every is its old name)`);
    }
    return resolveDeltaPolicy({ ...rest, fullEvery: rest.fullEvery ?? every }, DEFAULT_KEYFRAMES, 'keyframes')!;
  }
  return resolveDeltaPolicy(options, DEFAULT_KEYFRAMES, 'keyframes')!;
}
