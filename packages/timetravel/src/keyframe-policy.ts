import { invalidInput } from './errors.js';

/** How a TimeTravel chooses between a keyframe (a full encoded snapshot) and a delta per recorded frame. */
export interface KeyframeOptions {
  /**
   * A keyframe at least every this many frames (default 32): a frame is rebuilt from the
   * keyframe before it by applying at most `every - 1` deltas. 1 makes every frame a keyframe.
   */
  every?: number;
  /**
   * A new keyframe once the deltas since the last one add up to more than this fraction of
   * that keyframe's size (default 1), so frames that change a lot cost no more than full
   * snapshots and stay quick to rebuild. `Infinity` turns the check off.
   */
  maxDeltaRatio?: number;
}

/** The keyframe interval used when none is given: about 4% of full snapshots' memory when 1% of entities change per frame, seeks of a few milliseconds at 10,000 entities. */
export const DEFAULT_KEYFRAME_INTERVAL = 32;

/** The delta-bytes-to-keyframe ratio used when none is given. */
export const DEFAULT_MAX_DELTA_RATIO = 1;

/** Validated keyframe settings. */
export interface KeyframePolicy {
  readonly every: number;
  readonly maxDeltaRatio: number;
}

/** The policy for `options` (undefined: the defaults; false: every frame a keyframe); PackError('InvalidInput') on bad values. */
export function keyframePolicy(options: KeyframeOptions | false | undefined): KeyframePolicy {
  if (options === false) return { every: 1, maxDeltaRatio: 0 };
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw invalidInput('keyframes must be an object { every, maxDeltaRatio } or false');
  }
  const every = options?.every ?? DEFAULT_KEYFRAME_INTERVAL;
  const maxDeltaRatio = options?.maxDeltaRatio ?? DEFAULT_MAX_DELTA_RATIO;
  if (!Number.isInteger(every) || every < 1) throw invalidInput(`keyframes.every must be an integer >= 1 (1: every frame a keyframe), got ${String(every)}`);
  if (typeof maxDeltaRatio !== 'number' || Number.isNaN(maxDeltaRatio) || maxDeltaRatio <= 0) {
    throw invalidInput(`keyframes.maxDeltaRatio must be a number > 0 (Infinity: no limit), got ${String(maxDeltaRatio)}`);
  }
  return { every, maxDeltaRatio };
}
