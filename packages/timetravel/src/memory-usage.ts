import type { Frame } from './frame.js';

/** Memory held by recorded frames (see `TimeTravel.memoryUsage`). */
export interface TimelineMemory {
  /** Distinct frames counted (frames shared by several timelines count once). */
  frames: number;
  /** Frames stored whole, as encoded snapshots. */
  keyframes: number;
  /** Frames stored as deltas from the frame before or from their keyframe (value patches or encoded deltas). */
  deltas: number;
  /** Bytes of the keyframes' encodings. */
  keyframeBytes: number;
  /** Bytes of the deltas. */
  deltaBytes: number;
  /** `keyframeBytes + deltaBytes`: what the history holds. */
  byteLength: number;
  /** Bytes of the decoded snapshots kept to make the next record, sequential read or scrub cost one delta: the working snapshot and the last keyframe's (0 when none). */
  workingBytes: number;
}

/** Counts the distinct frames of `timelines` (object identity: shared frames once). */
export function frameMemory(timelines: Iterable<readonly Frame[]>, workingBytes: number): TimelineMemory {
  const seen = new Set<Frame>();
  const memory: TimelineMemory = { frames: 0, keyframes: 0, deltas: 0, keyframeBytes: 0, deltaBytes: 0, byteLength: 0, workingBytes };
  for (const frames of timelines) {
    for (const frame of frames) {
      if (seen.has(frame)) continue;
      seen.add(frame);
      memory.frames++;
      if (frame.kind === 'key') {
        memory.keyframes++;
        memory.keyframeBytes += frame.bytes.byteLength;
      } else {
        memory.deltas++;
        memory.deltaBytes += frame.byteLength;
      }
    }
  }
  memory.byteLength = memory.keyframeBytes + memory.deltaBytes;
  return memory;
}
