// @tx2/pack-timetravel: snapshots recorded at any time, nearest-time queries, forks and named timelines.
export { TimeTravel, validateTimelineName, MAX_TIMELINE_NAME, type TimeTravelOptions } from './time-travel.js';
export { TimedSnapshot } from './timed-snapshot.js';
export { saveTimeline, loadTimeline, savedTimelines, entryId, TIMELINE_FIELD, type TimelineTarget } from './persistence.js';
