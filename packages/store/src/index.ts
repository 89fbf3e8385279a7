// @tx2/pack-store: crash-safe snapshot stores and checkpoint chains for tx2-pack, over any
// StorageBackend. Portable: this entry imports no Node built-in (the filesystem backend and
// snapshot files are in `@tx2/pack-store/node`).
// The snapshot id rule is owned by @tx2/pack-format; re-exported here, where ids name files.
export { validateId, isValidId, MAX_ID_LENGTH, type ByteSource, bytesSource } from '@tx2/pack-format';
export { SnapshotMetadata, type SnapshotMetadataRecord, type JsonValue } from './metadata.js';
export type { StorageBackend, ReleaseLock } from './backend.js';
export { MemoryBackend } from './backends/memory.js';
export { IndexedDBBackend, type IndexedDBBackendOptions } from './backends/indexeddb.js';
export { OPFSBackend, type OPFSBackendOptions } from './backends/opfs.js';
export { SnapshotWriter, type WriterSettings, type NodeWritableLike } from './writer.js';
export { SnapshotReader, type ReaderSettings } from './reader.js';
export type { ByteStream } from './byte-stream.js';
export { EMBEDDED_KEY } from './embedded-record.js';
export {
  SnapshotStore,
  SNAPSHOT_SUFFIX,
  META_SUFFIX,
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
  type CheckpointReference,
  type FullReason,
} from './incremental.js';
export {
  DEFAULT_POOL_MIN_BYTES,
  SECTION_SUFFIX,
  sectionKey,
  sectionHashOf,
  type SectionPoolOptions,
} from './section-pool.js';
