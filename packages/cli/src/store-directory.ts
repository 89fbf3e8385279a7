// Store and checkpoint directories, through @tx2/pack-store's public API: which kind a
// directory is, and what each entry holds (metadata, tags, size, chain link).
import { readdir, stat } from 'node:fs/promises';
import { CheckpointManager, META_SUFFIX, SNAPSHOT_SUFFIX, SnapshotStore, type CheckpointInfo, type JsonValue } from '@tx2/pack-store';
import { NodeFsBackend } from '@tx2/pack-store/node';
import { CliError, ExitCode } from './errors.js';

/** What a directory holds: a checkpoint chain, plain store snapshots, or nothing yet. */
export type StoreKind = 'checkpoints' | 'snapshots' | 'empty';

/** One entry of a store directory. */
export interface StoreEntryInfo {
  id: string;
  name: string | null;
  description: string | null;
  createdAt: number;
  worldTime: number;
  schemaVersion: number;
  tags: string[];
  custom: Record<string, JsonValue>;
  /** Size of the snapshot file in bytes, as recorded at save time. */
  sizeBytes: number;
  sha256: string;
  /** The chain link of a checkpoint; null for a plain snapshot. */
  checkpoint: { parent: string | null; sequence: number; parentMissing: boolean; storage: CheckpointStorageInfo | null } | null;
}

/** How a checkpoint is stored, when the store says: whole, or as a delta against `base`. */
export interface CheckpointStorageInfo {
  kind: string;
  base: string | null;
}

// Stores with incremental checkpoints report `storage` on each checkpoint; older ones do not.
function storageOf(link: CheckpointInfo): CheckpointStorageInfo | null {
  const storage = (link as { storage?: { kind?: unknown; base?: unknown } }).storage;
  if (typeof storage !== 'object' || storage === null || typeof storage.kind !== 'string') return null;
  return { kind: storage.kind, base: typeof storage.base === 'string' ? storage.base : null };
}

/** An opened store directory. */
export interface StoreDirectory {
  dir: string;
  kind: StoreKind;
  store: SnapshotStore;
  checkpoints: CheckpointManager;
  entries: StoreEntryInfo[];
}

/** Opens `dir` as a store (never creating it) and lists its entries, oldest first (checkpoints in chain order). */
export async function openStoreDirectory(dir: string): Promise<StoreDirectory> {
  const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new CliError(`no such directory: ${dir}: check the path`, ExitCode.NotFound);
    throw error;
  });
  if (!info.isDirectory()) throw new CliError(`${dir} is a file, not a store directory: use \`tx2pack inspect ${dir}\` for a single snapshot file`, ExitCode.Usage);
  const store = new SnapshotStore(new NodeFsBackend(dir, { create: false }));
  const checkpoints = new CheckpointManager(store);
  const chain = await checkpoints.listCheckpoints();
  const links = new Map<string, CheckpointInfo>(chain.map((c) => [c.id, c]));
  const entries: StoreEntryInfo[] = [];
  for (const entry of await store.entries()) {
    const m = entry.metadata;
    const record = await store.record(m.id);
    const link = links.get(m.id);
    entries.push({
      id: m.id,
      name: m.name ?? null,
      description: m.description ?? null,
      createdAt: m.createdAt,
      worldTime: m.worldTime,
      schemaVersion: m.schemaVersion,
      tags: [...m.tags],
      custom: { ...m.custom },
      sizeBytes: record?.size ?? 0,
      sha256: record?.sha256 ?? '',
      checkpoint: link === undefined ? null : { parent: link.parent ?? null, sequence: link.sequence, parentMissing: link.parentMissing, storage: storageOf(link) },
    });
  }
  // Checkpoints in chain (sequence) order, then the other snapshots in save order.
  entries.sort((a, b) => (a.checkpoint?.sequence ?? Infinity) - (b.checkpoint?.sequence ?? Infinity) || a.createdAt - b.createdAt);
  if (entries.length === 0) await refuseForeignDirectory(dir);
  const kind: StoreKind = entries.length === 0 ? 'empty' : entries.some((e) => e.checkpoint !== null) ? 'checkpoints' : 'snapshots';
  return { dir, kind, store, checkpoints, entries };
}

/** A directory of .tx2pack files without store metadata is not a store: say how to look at its files instead. */
async function refuseForeignDirectory(dir: string): Promise<void> {
  const names = await readdir(dir);
  const loose = names.filter((n) => n.endsWith(SNAPSHOT_SUFFIX) && !names.includes(n.slice(0, -SNAPSHOT_SUFFIX.length) + META_SUFFIX));
  if (loose.length > 0) {
    throw new CliError(
      `${dir} is not a snapshot store or checkpoint directory: it holds ${loose.length} .tx2pack file(s) without store metadata (*${META_SUFFIX}); inspect them with \`tx2pack inspect <file>\``,
      ExitCode.Usage,
    );
  }
}

/** The entry with `id`, or a not-found error listing what exists. */
export function findEntry(directory: StoreDirectory, id: string): StoreEntryInfo {
  const entry = directory.entries.find((e) => e.id === id);
  if (entry !== undefined) return entry;
  const known = directory.entries.map((e) => e.id);
  const list = known.length === 0 ? 'it is empty' : `it has ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', ...' : ''}`;
  throw new CliError(`no snapshot "${id}" in ${directory.dir} (${list}): \`tx2pack ls ${directory.dir}\` lists them`, ExitCode.NotFound);
}
