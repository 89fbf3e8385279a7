// @tx2/pack-replay: step, seek and play through checkpoint chains of tx2-pack.
export { ReplayEngine, type ReplayEngineOptions, type FramesOptions, type FrameListener } from './engine.js';
export type { ReplayFrame, ReplayDirection, CheckpointSource } from './frame.js';
export { SnapshotCache } from './snapshot-cache.js';
export type { PlayOptions, PlayResult } from './playback.js';
