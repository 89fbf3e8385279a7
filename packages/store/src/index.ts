// @tx2/pack-store: snapshot files, crash-safe snapshot stores and checkpoint chains for tx2-pack.
export { validateId, isValidId, MAX_ID_LENGTH } from './id.js';
export { SnapshotMetadata, type SnapshotMetadataRecord, type JsonValue } from './metadata.js';
export type { StorageBackend, ReleaseLock } from './backend.js';
export { MemoryBackend } from './backends/memory.js';
export { NodeFsBackend, LOCK_FILE, type NodeFsBackendOptions } from './backends/node-fs.js';
export { SnapshotWriter, type WriterSettings } from './writer.js';
export { SnapshotReader, type ReaderSettings } from './reader.js';
export { type ByteSource, bytesSource, fileSource } from './source.js';
export {
  SnapshotStore,
  SNAPSHOT_SUFFIX,
  META_SUFFIX,
  EMBEDDED_KEY,
  type SnapshotStoreOptions,
  type StoreRecord,
  type StoredSnapshot,
  type StoreEntry,
  type StoredContainer,
  type LoadOptions,
} from './store.js';
export {
  CheckpointManager,
  type CheckpointInfo,
  type LoadedCheckpoint,
  type CreatedCheckpoint,
  type CheckpointManagerOptions,
  type CreateCheckpointOptions,
} from './checkpoint.js';
export {
  DEFAULT_INCREMENTAL,
  type IncrementalOptions,
  type IncrementalPolicy,
  type CheckpointStorage,
  type FullReason,
} from './incremental.js';
export {
  DEFAULT_POOL_MIN_BYTES,
  SECTION_SUFFIX,
  sectionKey,
  sectionHashOf,
  type SectionPoolOptions,
} from './section-pool.js';
