import type { ColumnValuesByType, FieldType } from './field-types.js';

/** A component as the tx2 ECS world snapshot holds it. */
export interface WorldComponent {
  id: string;
  data: unknown;
}

/** An entity as the tx2 ECS world snapshot holds it. */
export interface WorldEntity {
  id: number;
  components: WorldComponent[];
}

/** The object shape TypeScript ECS worlds (tx2-ecs) produce for a snapshot. */
export interface WorldSnapshot {
  entities: WorldEntity[];
  timestamp: number;
  version: string;
  /** World-level singletons by id (not entities' components); absent when there are none. */
  resources?: Record<string, unknown>;
}

/**
 * What an entity-reference field holds: `'entity'` one entity id per row (a u32 field; `NULL_ENTITY`
 * is no entity), `'entities'` a list of ids per row (a bytes field, each value u32 little-endian ids).
 */
export type RefKind = 'entity' | 'entities';

/** One field of a columnar component: a name, a type and one value per entity. */
export type Column<T extends FieldType = FieldType> = {
  [K in T]: {
    name: string;
    type: K;
    values: ColumnValuesByType[K];
    /** Marks the field as holding entity ids, which `remapEntities` rewrites. */
    ref?: RefKind;
  };
}[T];

/** A component stored struct-of-arrays: one typed column per field. */
export interface ColumnarComponent {
  id: string;
  layout: 'columns';
  /** The entity owning each row, in row order. */
  entityIds: Uint32Array;
  fields: Column[];
  /** A single-value component: exactly one field, and each row's object form is that field's value, not an object. */
  singleValue?: boolean;
}

/** A component whose data does not fit columns: one MessagePack blob per entity. */
export interface BlobComponent {
  id: string;
  layout: 'blobs';
  entityIds: Uint32Array;
  /** Lossless MessagePack encodings (see `encodeBlob`), one per row. */
  blobs: Uint8Array[];
}

/** A component archetype of a packed snapshot. */
export type PackedComponent = ColumnarComponent | BlobComponent;

/** A resource (singleton) of a packed snapshot: a component with exactly one row and no entity. */
export type PackedResource = Omit<ColumnarComponent, 'entityIds'> | Omit<BlobComponent, 'entityIds'>;

/** Per-entity bookkeeping kept beside the components. */
export interface EntityMetadata {
  created?: number;
  modified?: number;
  tags?: string[];
}

/** A world in struct-of-arrays layout, ready to encode or read column by column. */
export interface PackedSnapshot {
  /** Wall-clock time of the snapshot (milliseconds since the epoch by convention). */
  timestamp: number;
  /** The world's own version string (`WorldSnapshot.version`). */
  version: string;
  /** Simulation or game time, free for the application to define. */
  worldTime: number;
  /** The application's schema version, for migrations. */
  schemaVersion: number;
  /** Free-form world-level metadata (any MessagePack-encodable value per key). */
  metadata: Record<string, unknown>;
  /** Every entity id of the world, in world order (entities without components included). */
  entities: Uint32Array;
  components: PackedComponent[];
  /** Optional per-entity metadata, keyed by entity id. */
  entityMetadata?: Map<number, EntityMetadata>;
  /**
   * Entities whose components are not in the order of `components`: their own order,
   * so that converting back to a `WorldSnapshot` is exact. Absent when there are none.
   */
  componentOrder?: Map<number, string[]>;
  /** World-level singletons (RNG state, clock, settings), each typed like a one-row component. Absent when there are none. */
  resources?: PackedResource[];
}
