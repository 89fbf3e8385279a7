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
} from './model.js';
export type { Schema, ComponentSchema } from './schema.js';
export { decodeManifest, type Manifest, type ManifestComponent, type EntitySetEntry, type ManifestDecodeOptions } from './manifest.js';
export { fromWorldSnapshot, fitsFieldType, type FromWorldOptions } from './from-world.js';
export { toWorldSnapshot } from './to-world.js';
export {
  createPackedSnapshot,
  getComponent,
  getColumn,
  gather,
  scatter,
  type ColumnInput,
  type ComponentInput,
  type PackedSnapshotInput,
} from './columns.js';
export { encodeBlob, decodeBlob, MAX_BLOB_DEPTH, MAX_MANIFEST_DEPTH, type BlobDecodeOptions } from './blob.js';
export { SnapshotEncoder, encodeSnapshot, type EncodeOptions } from './encode.js';
export { decodeSnapshot, readManifest, readLayout, scanSections, type DecodeOptions, type SectionEntry, type SnapshotLayout } from './decode.js';
export { snapshotHash, snapshotsEqual, hashHex } from './hash.js';
export { diff, type DiffOptions } from './diff.js';
export { applyDelta, invertDelta, type ApplyOptions } from './apply-delta.js';
export { encodeDelta, decodeDelta } from './delta-container.js';
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
export { readHeader, readTrailer, readDescriptor, type SnapshotHeader, type SectionDescriptor, type SnapshotTrailer } from './binary.js';
export {
  noneCodec,
  codecName,
  type SectionCodec,
  type CodecLookup,
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
export { crc32, bytesEqual, sha256, platformImplementation } from '#platform';
