// @tx2/pack-format: the data model and binary container of tx2-pack. No I/O, no Node-only APIs.
export { PackError, PackErrorCode, isPackError, type PackErrorOptions } from './errors.js';
export {
  type FieldType,
  type NumericFieldType,
  type ColumnValues,
  type ColumnValuesByType,
  isFieldType,
  isNumericFieldType,
} from './field-types.js';
export type {
  WorldSnapshot,
  WorldEntity,
  WorldComponent,
  PackedSnapshot,
  PackedComponent,
  ColumnarComponent,
  BlobComponent,
  Column,
  EntityMetadata,
  PackedResource,
  RefKind,
} from './model.js';
export { type Schema, type ComponentSchema, type FieldSpec, type LoadedContext, type OnLoaded, isFieldSpec, columnOfSpec, transientComponents } from './schema.js';
export { NULL_ENTITY, encodeEntityList, decodeEntityList } from './refs.js';
export { remapEntities, type RemapOptions, type MissingRefPolicy } from './remap.js';
export type { ManifestField } from './component-attrs.js';
export type { ManifestResource } from './resources.js';
export { decodeManifest, type Manifest, type ManifestComponent, type EntitySetEntry, type ManifestDecodeOptions } from './manifest.js';
export { fromWorldSnapshot, fitsFieldType, type FromWorldOptions } from './from-world.js';
export { toWorldSnapshot, type ToWorldOptions } from './to-world.js';
export {
  defineMigrations,
  migrateSnapshot,
  canLoad,
  type Migration,
  type Migrations,
  type DefineMigrationsOptions,
  type LoadCheck,
  type SnapshotTransform,
} from './migrations.js';
export { addField, renameField, dropField, renameComponent, dropComponent, splitComponent, widenField, type MigrationScope } from './migration-helpers.js';
export {
  createPackedSnapshot,
  getComponent,
  getColumn,
  gather,
  scatter,
  type ColumnInput,
  type ColumnSource,
  type ComponentInput,
  type ColumnsComponentInput,
  type ValueComponentInput,
  type BlobComponentInput,
  type ResourceInput,
  type PackedSnapshotInput,
  type IdMap,
  type GatherOptions,
  type ScatterOptions,
} from './columns.js';
export { encodeBlob, decodeBlob, MAX_BLOB_DEPTH, MAX_MANIFEST_DEPTH, type BlobDecodeOptions } from './blob.js';
export { checkSnapshot } from './plan.js';
export { encodeSnapshotBatched, type SectionJob, type SectionBatchCompressor } from './encode-batched.js';
export { SnapshotEncoder, encodeSnapshot, encodeSnapshotStream, DEFAULT_CHUNK_BYTES, type EncodeOptions, type StreamEncodeOptions } from './encode.js';
export {
  decodeSnapshot,
  readSnapshot,
  readManifest,
  readManifestFrom,
  readManifestAt,
  readLayout,
  readLayoutFrom,
  readFrames,
  readFramesFrom,
  type ContainerFrames,
  scanSections,
  DEFAULT_MAX_SECTION_SIZE,
  DEFAULT_MAX_DECODED_SIZE,
  DEFAULT_MAX_MANIFEST_SIZE,
  type DecodeOptions,
  type SectionEntry,
  type SnapshotLayout,
  type SectionOpener,
  type OpenerFactory,
} from './decode.js';
export { type ByteSource, bytesSource } from './source.js';
export { ContainerWriter, joinPieces, setTrailerDigest, descriptorBytes, headerBytes, type SectionFrame, type SectionSealer, type SealerFactory } from './container-writer.js';
export { align, setU64, getU64, toHex, fromHex, isSha256Hex, isBytes, sameIds, bytesOf } from './bytes.js';
export { snapshotHash, snapshotHashAsync, snapshotsEqual, hashHex, type SnapshotHashOptions } from './hash.js';
export { diff, type DiffOptions } from './diff.js';
export { type DeltaReference, type PredictMode, applyLin as applyPredictedColumn, predictionScale } from './delta-predict.js';
export { applyXor as applyXorColumn } from './delta-xor.js';
export { resolveDeltaPolicy, withinFullEvery, withinDeltaRatio, type DeltaPolicy, type ResolvedDeltaPolicy } from './delta-policy.js';
export { applyDelta, invertDelta, type ApplyOptions } from './apply-delta.js';
export { encodeDelta, decodeDelta, readDelta } from './delta-container.js';
export { summarizeDelta, formatDeltaSummary, type DeltaSummary, type ComponentSummary } from './delta-summary.js';
export type {
  SnapshotDelta,
  ComponentDelta,
  ComponentPatch,
  FieldDelta,
  IdListDelta,
  MetadataDelta,
  EntityMetadataDelta,
} from './delta-model.js';
export {
  readHeader,
  readTrailer,
  readDescriptor,
  writeHeader,
  writeTrailer,
  writeDescriptor,
  type SnapshotHeader,
  type SectionDescriptor,
  type SnapshotTrailer,
} from './binary.js';
export {
  noneCodec,
  codecName,
  type SectionCodec,
  type CodecLookup,
  type LazyCodecLookup,
  type SectionFilter,
  type SectionInfo,
  type FilterChooser,
  type FilterLookup,
} from './section-codec.js';
export {
  FORMAT_VERSION,
  MAGIC,
  END_MAGIC,
  HEADER_SIZE,
  DESCRIPTOR_SIZE,
  TRAILER_SIZE,
  TOC_ENTRY_SIZE,
  ALIGNMENT,
  NO_INDEX,
  ContainerKind,
  HeaderFlags,
  TrailerFlags,
  SectionFlags,
  SectionKind,
  CodecId,
  FilterId,
  CipherId,
} from './layout.js';
export { crc32, bytesEqual, sha256, createSha256, type Sha256Hasher, preparePlatform, platformImplementation } from '#platform';
export { validateId, isValidId, MAX_ID_LENGTH } from './snapshot-id.js';
