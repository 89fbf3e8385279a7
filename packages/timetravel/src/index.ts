// @tx2/pack-timetravel: snapshots recorded at any time, nearest-time queries, forks and named timelines.
// In memory and portable (no store, no Node built-in); saving timelines is `@tx2/pack-timetravel/persistence`.
export { TimeTravel, validateTimelineName, MAX_TIMELINE_NAME, type TimeTravelOptions, type TimelineEntry } from './time-travel.js';
export { TimedSnapshot, type FrameSource } from './timed-snapshot.js';
export { DEFAULT_KEYFRAMES, DEFAULT_KEYFRAME_INTERVAL, DEFAULT_MAX_DELTA_RATIO, type KeyframeOptions } from './keyframe-policy.js';
export type { TimelineMemory } from './memory-usage.js';
export { DEFAULT_KEYFRAME_CACHE_BYTES } from './snapshot-cache.js';
