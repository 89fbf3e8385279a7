// @tx2/pack-timetravel/persistence: timelines saved to and loaded from a @tx2/pack-store
// store (any StorageBackend: memory, the filesystem under Node, browser storage). A separate
// entry, so the in-memory API needs no store: @tx2/pack-store is an optional peer dependency.
import { type PackedSnapshot, PackError } from '@tx2/pack-format';
import { CheckpointManager, type JsonValue, SnapshotMetadata, SnapshotStore, type StorageBackend } from '@tx2/pack-store';
import { TimeTravel, validateTimelineName } from './time-travel.js';
import { readSnapshot } from './timed-snapshot.js';

/** Where a timeline is saved: a SnapshotStore, a CheckpointManager's store, any StorageBackend, or (under Node) a directory path. */
export type TimelineTarget = SnapshotStore | CheckpointManager | StorageBackend | string;

/** Key of the custom metadata field that marks a snapshot as a timeline entry: `{ timeline, time }`. */
export const TIMELINE_FIELD = 'tx2-timetravel';

function storeOf(target: TimelineTarget): SnapshotStore {
  if (target instanceof SnapshotStore) return target;
  if (target instanceof CheckpointManager) return target.store;
  // A backend object or a path: the store checks it (a path needs Node; elsewhere it says so).
  if (typeof target === 'string' || (typeof target === 'object' && target !== null)) return new SnapshotStore(target);
  throw new PackError('InvalidInput', 'a timeline is saved to a SnapshotStore, a CheckpointManager, a StorageBackend or (under Node) a directory path');
}

function requireTimeTravel(tt: unknown, what: string): void {
  if (!(tt instanceof TimeTravel)) throw new PackError('InvalidInput', `${what} takes the TimeTravel whose timeline it saves or loads first`);
}

function entryOf(metadata: SnapshotMetadata): { timeline: string; time: number } | undefined {
  const field = metadata.custom[TIMELINE_FIELD] as { timeline?: JsonValue; time?: JsonValue } | undefined;
  if (typeof field !== 'object' || field === null || typeof field.timeline !== 'string' || typeof field.time !== 'number') return undefined;
  return { timeline: field.timeline, time: field.time };
}

/** The store id of entry `index` of timeline `name`. */
export function entryId(name: string, index: number): string {
  return `${name}~${String(index).padStart(8, '0')}`;
}

/**
 * Saves timeline `name` (default the active one) of `tt` to `target`: one snapshot per
 * entry, id `<name>~<index>`, its time in the metadata (`worldTime` and the custom field
 * `tx2-timetravel`). Entries of a previous save of the same timeline that are no longer
 * needed are deleted afterwards. Each snapshot is written atomically by the store; the
 * save as a whole is not (a crash part-way leaves a mix of both saves). Returns the count.
 */
export async function saveTimeline(tt: TimeTravel, target: TimelineTarget, timeline?: string): Promise<number> {
  requireTimeTravel(tt, 'saveTimeline');
  const name = timeline ?? tt.timeline;
  const store = storeOf(target);
  const entries = tt.entries(name);
  const written = new Set<string>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const id = entryId(name, i);
    const snapshot = readSnapshot(e); // not memoized on the entry: one snapshot alive at a time
    await store.save(
      snapshot,
      new SnapshotMetadata(id, { worldTime: e.time, schemaVersion: snapshot.schemaVersion, custom: { [TIMELINE_FIELD]: { timeline: name, time: e.time } } }),
    );
    written.add(id);
  }
  for (const metadata of await store.list()) {
    if (entryOf(metadata)?.timeline === name && !written.has(metadata.id)) await store.delete(metadata.id);
  }
  return entries.length;
}

/**
 * Loads timeline `name` from `source` into `tt` as timeline `as` (default `name`),
 * replacing a timeline of that name. Returns the number of entries (0 when the store
 * holds none of that timeline: the timeline is then created empty).
 */
export async function loadTimeline(tt: TimeTravel, source: TimelineTarget, name: string, as: string = name): Promise<number> {
  requireTimeTravel(tt, 'loadTimeline');
  validateTimelineName(name);
  validateTimelineName(as);
  const store = storeOf(source);
  const found: { id: string; time: number }[] = [];
  for (const metadata of await store.list()) {
    const entry = entryOf(metadata);
    if (entry?.timeline === name) found.push({ id: metadata.id, time: entry.time });
  }
  found.sort((a, b) => a.time - b.time);
  // Every snapshot is loaded before the timeline is replaced, so a failed load changes nothing.
  const loaded: { time: number; snapshot: PackedSnapshot }[] = [];
  for (const f of found) loaded.push({ time: f.time, snapshot: (await store.load(f.id)).snapshot });
  tt.replaceTimeline(as, loaded);
  return loaded.length;
}

/** The names of the timelines saved in `source`. */
export async function savedTimelines(source: TimelineTarget): Promise<string[]> {
  const names = new Set<string>();
  for (const metadata of await storeOf(source).list()) {
    const entry = entryOf(metadata);
    if (entry !== undefined) names.add(entry.timeline);
  }
  return [...names].sort();
}
