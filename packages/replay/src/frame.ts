import type { PackedSnapshot } from '@tx2/pack-format';

/** One checkpoint as the replay engine shows it. */
export interface ReplayFrame {
  /** Position in the replay, 0-based. */
  index: number;
  /** The checkpoint id. */
  id: string;
  snapshot: PackedSnapshot;
}

/** Direction of travel through the checkpoints. */
export type ReplayDirection = 'forward' | 'backward';

/** What the engine needs from a checkpoint manager (a `CheckpointManager` of @tx2/pack-store fits). */
export interface CheckpointSource {
  /** Every checkpoint, oldest first. */
  listCheckpoints(): Promise<ReadonlyArray<{ id: string }>>;
  /** Loads one checkpoint's snapshot. */
  loadCheckpoint(id: string): Promise<{ snapshot: PackedSnapshot }>;
}
