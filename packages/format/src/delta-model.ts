import type { FieldType } from './field-types.js';
import type { Column, EntityMetadata, PackedComponent, PackedResource } from './model.js';

/**
 * What changed between two snapshots: enough to rebuild the second from the first, bit for
 * bit. Made by `diff`, applied by `applyDelta`, stored by `encodeDelta`.
 */
export interface SnapshotDelta {
  /** SHA-256 of the base snapshot's canonical encoding (`snapshotHash`). */
  base: Uint8Array;
  /** SHA-256 of the snapshot the delta rebuilds; `applyDelta` checks the result against it. */
  target: Uint8Array;
  /** The target's header fields, always stored (they cost a few bytes). */
  timestamp: number;
  worldTime: number;
  version: string;
  schemaVersion: number;
  /** World-level metadata changes; absent when the metadata is unchanged. */
  metadata?: MetadataDelta;
  /** Changes to the world's entity list; absent when it is unchanged. */
  entities?: IdListDelta;
  /** One entry per component of the target, in the target's order. */
  components: ComponentDelta[];
  /** Components of the base that the target no longer has. */
  removedComponents: string[];
  /** Per-entity metadata changes; absent when unchanged. */
  entityMetadata?: EntityMetadataDelta;
  /** The target's whole `componentOrder` (`null`: it has none); absent when unchanged. */
  componentOrder?: [number, string[]][] | null;
  /** The target's whole resource list (empty: it has none); absent when unchanged. */
  resources?: PackedResource[];
  /**
   * The snapshot predicted fields are predicted from (its `snapshotHash`) and the scale of
   * the prediction base + scale × (base − reference); present exactly when a field is predicted.
   */
  reference?: { hash: Uint8Array; scale: number };
}

/** Metadata keys set (added or changed) and removed, or the whole object when key order changed. */
export type MetadataDelta = { set: Record<string, unknown>; removed: string[] } | { replace: Record<string, unknown> };

/**
 * Changes to an ordered id list. `removed`/`added`: the new list is the old one without
 * `removed`, followed by `added`. `ids`: the whole new list, when it was reordered.
 */
export type IdListDelta = { removed: Uint32Array; added: Uint32Array } | { ids: Uint32Array };

/** Per-entity metadata entries set and removed, or the whole map when its order changed. */
export type EntityMetadataDelta = { set: [number, EntityMetadata][]; removed: Uint32Array } | { replace: [number, EntityMetadata][] };

/** How one component of the target differs from the base. */
export type ComponentDelta =
  | { id: string; change: 'unchanged' }
  /** New in the target: stored whole. */
  | { id: string; change: 'added'; component: PackedComponent }
  /** Its layout, fields or field types changed (or a patch would not be smaller): stored whole. */
  | { id: string; change: 'replaced'; component: PackedComponent }
  | ({ id: string; change: 'patched'; layout: 'columns' | 'blobs' } & ComponentPatch);

/** Row-level changes to a component whose layout and fields are unchanged. */
export interface ComponentPatch {
  /** How the component's entity list changed; absent when unchanged. */
  rows?: IdListDelta;
  /** Values of the entities that gained the component, in target row order (all fields, or blobs). */
  added?: { fields: Column[] } | { blobs: Uint8Array[] };
  /** Changed values by field, addressed by target row; one entry per changed field. */
  fields: FieldDelta[];
}

/**
 * The changed values of one field (or of the blobs, named `""`): `rows` lists target row
 * indexes with `values` holding their new values; without `rows`, `values` is the whole
 * new column (used when most rows changed).
 */
export interface FieldDelta {
  name: string;
  /** The field's type (`bytes` for blobs). */
  type: FieldType;
  rows?: Uint32Array;
  values: Column['values'] | Uint8Array[];
  /**
   * A temporal delta (numeric fields stored whole only): `values` holds, for each target row,
   * the bits of its new value XOR the bits it holds before the field is patched (its base row's
   * value, or its added value). Values that moved a little share their high bits with the old
   * ones, so the XOR is mostly zero bytes and compresses far better than the values.
   */
  xor?: true;
  /**
   * A predicted temporal delta (whole f32/f64 fields of a patch without row changes only, never
   * with `xor`): `values` holds, for each row r, the bits of its new value XOR the bits of the
   * prediction base[r] + scale × (base[r] − reference[r]) (docs/format.md §13.4).
   */
  predicted?: true;
}
