import { type FieldType, isFieldType } from './field-types.js';
import type { PackedSnapshot, RefKind } from './model.js';

/** A field's declared type: a column type, or an entity reference (`'entity'`: one id, stored u32; `'entities'`: a list of ids). */
export type FieldSpec = FieldType | RefKind;

/**
 * How one component is stored: an object of field specs (columns); `'blob'` (MessagePack per
 * entity); a single field spec such as `'f64'` (a single-value component: each row is that one
 * value, stored as one column); or `'transient'` (never written: render handles, caches).
 */
export type ComponentSchema = Readonly<Record<string, FieldSpec>> | 'blob' | 'transient' | FieldSpec;

/** Declared component layouts by component id; components not named are inferred. */
export type Schema = Readonly<Record<string, ComponentSchema>>;

/** True when `value` names a field spec: a field type, `'entity'` or `'entities'`. */
export function isFieldSpec(value: unknown): value is FieldSpec {
  return value === 'entity' || value === 'entities' || isFieldType(value);
}

/** The column type and reference kind a field spec is stored as. */
export function columnOfSpec(spec: FieldSpec): { type: FieldType; ref?: RefKind } {
  if (spec === 'entity') return { type: 'u32', ref: 'entity' };
  if (spec === 'entities') return { type: 'bytes', ref: 'entities' };
  return { type: spec };
}

/** The ids of the components a schema declares `'transient'`: adapters skip them on save and rebuild them after a load. */
export function transientComponents(schema: Schema): string[] {
  return Object.keys(schema).filter((id) => schema[id] === 'transient');
}

/** What an adapter hands an `onLoaded` hook after a load: the world, the old-to-new id map, and the snapshot it loaded. */
export interface LoadedContext<World = unknown> {
  world: World;
  idMap: ReadonlyMap<number, number>;
  snapshot: PackedSnapshot;
}

/**
 * A hook adapters call once a snapshot is loaded, to rebuild what was never saved (transient
 * components: render handles, caches, spatial indexes). The format tier stores no hooks.
 */
export type OnLoaded<World = unknown> = (context: LoadedContext<World>) => void;
