import { PackError } from './errors.js';
import { encodeBlob } from './blob.js';
import { FIELD_TYPES, type ColumnValues, type ColumnValuesByType, type FieldType, isFieldType } from './field-types.js';
import { fitsFieldType } from './from-world.js';
import type { Column, EntityMetadata, PackedComponent, PackedResource, PackedSnapshot, RefKind } from './model.js';
import { encodeEntityList, isEntityList } from './refs.js';
import { columnOfSpec, type FieldSpec, isFieldSpec } from './schema.js';
import { entityMetadataMap } from './world-check.js';

/** A column given by its values alone; the type comes from the array class (Uint8Array is u8, string[] string, Uint8Array[] bytes). */
export type ColumnInput = Exclude<ColumnValues, readonly string[] | readonly Uint8Array[]> | readonly string[] | readonly Uint8Array[];

/**
 * A column's values as a typed array, or as a plain array (`number[]`, `boolean[]`, `bigint[]`,
 * `string[]`, `Uint8Array[]`, or `number[][]` for an `'entities'` field) converted to the field's
 * type, each value checked to fit exactly (koota's and miniplex's plain-array stores).
 */
export type ColumnSource = ColumnInput | readonly unknown[];

/** Where a component's rows come from: its entities (default: the snapshot's entity list). */
interface RowsInput {
  id: string;
  /** The entities of the rows (integers from 0 to 2^32-1); defaults to the snapshot's entity list. */
  entityIds?: Uint32Array | readonly number[];
}

/** A columnar component built from arrays, one per field. */
export interface ColumnsComponentInput extends RowsInput {
  /** One array per field, by field name. */
  fields: Record<string, ColumnSource>;
  /** Types that the array class cannot tell, such as `bool` for a Uint8Array, `f32` for a number[], or `'entity'`/`'entities'` for references. */
  types?: Partial<Record<string, FieldSpec>>;
}

/** A single-value component: one value per row (a number, string, …), stored as one column. */
export interface ValueComponentInput extends RowsInput {
  value: ColumnSource;
  /** The value's type when the array cannot tell it (default: from the array class, f64 for numbers). */
  type?: FieldSpec;
}

/** A blob component: any structured-clone-like value per row (nested objects), one MessagePack blob each. */
export interface BlobComponentInput extends RowsInput {
  data: readonly unknown[];
}

/** A component built from existing arrays: columns, a single value, or blobs. */
export type ComponentInput = ColumnsComponentInput | ValueComponentInput | BlobComponentInput;

/** A resource (singleton) built like a component of one row (`entityIds` is not used). */
export type ResourceInput = Omit<ColumnsComponentInput, 'entityIds'> | Omit<ValueComponentInput, 'entityIds'> | Omit<BlobComponentInput, 'entityIds'>;

/** Everything a snapshot built from typed arrays needs; only `entities` is required. */
export interface PackedSnapshotInput {
  /** Entity ids, integers from 0 to 2^32-1 (anything else is refused, never wrapped). */
  entities: Uint32Array | readonly number[];
  components?: ComponentInput[];
  /** World-level singletons, each one row. */
  resources?: ResourceInput[];
  timestamp?: number;
  version?: string;
  worldTime?: number;
  schemaVersion?: number;
  metadata?: Record<string, unknown>;
  /** Per-entity metadata: a Map, or [entity id, metadata] pairs (the order of the file). */
  entityMetadata?: Map<number, EntityMetadata> | readonly (readonly [number, EntityMetadata])[];
}

/** Where each entity's value sits in a store: a Map or a function from entity id to index (`undefined`: not mapped). */
export type IdMap = ReadonlyMap<number, number> | ((id: number) => number | undefined);

/** Options of {@link gather}. */
export interface GatherOptions {
  /** The column type of a plain-array source (default: from its values, f64 for numbers). */
  type?: FieldType;
  /** The store index of each entity id (default: the id itself). */
  idMap?: IdMap;
}

/** Options of {@link scatter}. */
export interface ScatterOptions {
  /** The store index of each entity id (default: the id itself), such as `loadWorld`'s old-to-new id map. */
  idMap?: IdMap;
}

const TYPE_BY_TAG: Record<string, FieldType> = {
  '[object Int8Array]': 'i8',
  '[object Int16Array]': 'i16',
  '[object Int32Array]': 'i32',
  '[object BigInt64Array]': 'i64',
  '[object Uint8Array]': 'u8',
  '[object Uint16Array]': 'u16',
  '[object Uint32Array]': 'u32',
  '[object BigUint64Array]': 'u64',
  '[object Float32Array]': 'f32',
  '[object Float64Array]': 'f64',
};

function typeOf(values: ColumnInput, component: string, field: string): FieldType {
  const tag = TYPE_BY_TAG[Object.prototype.toString.call(values)];
  if (tag !== undefined) return tag;
  if (Array.isArray(values)) {
    const first: unknown = values[0];
    if (values.length === 0 || typeof first === 'string') return 'string';
    if (first instanceof Uint8Array) return 'bytes';
    if (typeof first === 'number') return 'f64';
    if (typeof first === 'boolean') return 'bool';
    if (typeof first === 'bigint') return 'i64';
  }
  throw new PackError(
    'InvalidInput',
    `field "${field}" of component "${component}" is not a typed array or an array of numbers, booleans, bigints, strings or Uint8Arrays: give its type in \`types\``,
  );
}

/** `values` as the column array of `type`: typed arrays as they are, plain arrays converted with every value checked to fit. */
function columnValues(values: unknown, type: FieldType, ref: RefKind | undefined, component: string, field: string): ColumnValues {
  if (!Array.isArray(values)) {
    if (isNumericArray(values)) return values as ColumnValues;
    throw new PackError('InvalidInput', `field "${field}" of component "${component}" must be a typed array or an array`);
  }
  const info = FIELD_TYPES[type];
  if (info.array === undefined) {
    // string[] and Uint8Array[] are stored as they are (the encoder checks them); `'entities'` also takes arrays of ids.
    if (ref !== 'entities' || values.every((v) => v instanceof Uint8Array)) return values as ColumnValues;
    return values.map((v) => (isEntityList(v) ? encodeEntityList(v) : v)) as ColumnValues;
  }
  const out = new info.array(values.length);
  for (let r = 0; r < values.length; r++) {
    let v: unknown = values[r];
    if (type === 'bool' && (v === 0 || v === 1)) v = v === 1;
    if ((type === 'i64' || type === 'u64') && typeof v === 'number' && Number.isSafeInteger(v)) v = BigInt(v);
    checkFits(v, type, component, field, r);
    (out as unknown as unknown[])[r] = type === 'bool' ? (v ? 1 : 0) : v;
  }
  return out as ColumnValues;
}

function checkFits(v: unknown, type: FieldType, component: string, field: string, row: number): void {
  if (fitsFieldType(v, type)) return;
  throw new PackError(
    'InvalidInput',
    `row ${row} of field "${field}" of component "${component}" is ${describeValue(v)}, which a ${type} column cannot hold exactly: fix the value or declare another type`,
    {
      details: { component, field, row, type },
    },
  );
}

const isIdArray = (v: unknown): v is Uint32Array => v instanceof Uint32Array || Object.prototype.toString.call(v) === '[object Uint32Array]';

/** `ids` as a Uint32Array (itself when it is one); other arrays must hold integers from 0 to 2^32-1, which are never wrapped. */
function entityIdArray(ids: unknown, what: string): Uint32Array {
  if (isIdArray(ids)) return ids;
  if (!Array.isArray(ids) && !(ArrayBuffer.isView(ids) && !(ids instanceof DataView))) {
    throw new PackError('InvalidInput', `${what} must be a Uint32Array or an array of entity ids`);
  }
  const list = ids as ArrayLike<unknown>;
  const out = new Uint32Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const id = list[i];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffffffff) {
      throw new PackError('InvalidInput', `${what}[${i}] is ${describeValue(id)}: entity ids must be integers from 0 to 4294967295`, {
        details: { position: i, value: typeof id === 'bigint' ? String(id) : id },
      });
    }
    out[i] = id;
  }
  return out;
}

function describeValue(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v);
  return v === null || v === undefined || typeof v === 'boolean' ? String(v) : Object.prototype.toString.call(v);
}

/** Builds a packed snapshot straight from typed arrays (bitECS-style stores), without per-entity objects or copies. */
export function createPackedSnapshot(input: PackedSnapshotInput): PackedSnapshot {
  if (typeof input !== 'object' || input === null) throw new PackError('InvalidInput', 'createPackedSnapshot needs an object with at least `entities`');
  const entities = entityIdArray(input.entities, 'entities');
  const entityMetadata = entityMetadataMap(input.entityMetadata);
  if (input.components !== undefined && !Array.isArray(input.components)) throw new PackError('InvalidInput', '`components` must be an array of { id, fields }');
  const components = (input.components ?? []).map((c, index): PackedComponent => {
    if (typeof c !== 'object' || c === null) throw new PackError('InvalidInput', `component ${index} must be an object with \`id\` and \`fields\`, \`value\` or \`data\``);
    const entityIds = c.entityIds === undefined ? entities : entityIdArray(c.entityIds, `entityIds of component "${String(c.id)}"`);
    return { ...componentOf(c, index, 'component'), entityIds } as PackedComponent;
  });
  if (input.resources !== undefined && !Array.isArray(input.resources)) throw new PackError('InvalidInput', '`resources` must be an array of { id, fields | value | data }');
  const resources = (input.resources ?? []).map((r, index): PackedResource => {
    if (typeof r !== 'object' || r === null) throw new PackError('InvalidInput', `resource ${index} must be an object with \`id\` and \`fields\`, \`value\` or \`data\``);
    return componentOf(r, index, 'resource');
  });
  const packed: PackedSnapshot = {
    timestamp: input.timestamp ?? Date.now(),
    version: input.version ?? '',
    worldTime: input.worldTime ?? 0,
    schemaVersion: input.schemaVersion ?? 0,
    metadata: input.metadata ?? {},
    entities,
    components,
  };
  if (entityMetadata !== undefined) packed.entityMetadata = entityMetadata;
  if (resources.length > 0) packed.resources = resources;
  return packed;
}

/** One component or resource input as packed data, without its entity ids. */
function componentOf(c: ResourceInput, index: number, what: 'component' | 'resource'): PackedResource {
  const id = c.id;
  if ('data' in c) {
    if (!Array.isArray(c.data)) throw new PackError('InvalidInput', `data of ${what} "${String(id)}" must be an array of values, one per row`);
    return { id, layout: 'blobs', blobs: c.data.map((v) => encodeBlob(v)) };
  }
  if ('value' in c) {
    const spec = c.type ?? typeOf(c.value as ColumnInput, id, '');
    if (!isFieldSpec(spec)) throw new PackError('InvalidInput', `${what} "${String(id)}" has unknown type "${String(spec)}"`);
    const { type, ref } = columnOfSpec(spec);
    const column = { name: '', type, values: columnValues(c.value, type, ref, id, '') } as Column;
    if (ref !== undefined) column.ref = ref;
    return { id, layout: 'columns', fields: [column], singleValue: true };
  }
  if (typeof c.fields !== 'object' || c.fields === null) {
    throw new PackError('InvalidInput', `${what} ${index} must have \`fields\` (arrays by field name), \`value\` (one array) or \`data\` (values to store as blobs)`);
  }
  const fields = Object.entries(c.fields).map(([name, values]): Column => {
    const declared = c.types !== undefined && Object.hasOwn(c.types, name) ? c.types[name] : undefined;
    if (declared !== undefined && !isFieldSpec(declared)) throw new PackError('InvalidInput', `field "${name}" of ${what} "${String(id)}" has unknown type "${String(declared)}"`);
    const { type, ref } = columnOfSpec(declared ?? typeOf(values as ColumnInput, id, name));
    const column = { name, type, values: columnValues(values, type, ref, id, name) } as Column;
    if (ref !== undefined) column.ref = ref;
    return column;
  });
  return { id, layout: 'columns', fields };
}

/** The component with id `id`, or undefined. */
export function getComponent(packed: PackedSnapshot, id: string): PackedComponent | undefined {
  return packed.components.find((c) => c.id === id);
}

/** The values of one column, checked to be of `type`; throws SchemaMismatch when absent or of another type. */
export function getColumn<T extends FieldType>(packed: PackedSnapshot, componentId: string, field: string, type: T): ColumnValuesByType[T] {
  const component = getComponent(packed, componentId);
  if (component === undefined) throw new PackError('SchemaMismatch', `the snapshot has no component "${componentId}"`);
  if (component.layout !== 'columns') throw new PackError('SchemaMismatch', `component "${componentId}" is stored as blobs, not columns`);
  const column = component.fields.find((f) => f.name === field);
  if (column === undefined) {
    throw new PackError('SchemaMismatch', `component "${componentId}" has no field "${field}" (it has: ${component.fields.map((f) => f.name).join(', ')})`);
  }
  if (column.type !== type) throw new PackError('SchemaMismatch', `field "${field}" of "${componentId}" is ${column.type}, not ${type}`);
  return column.values as ColumnValuesByType[T];
}

type NumericArray = Exclude<ColumnValues, readonly string[] | readonly Uint8Array[]>;

const isNumericArray = (v: unknown): boolean => ArrayBuffer.isView(v) && !(v instanceof DataView);
const isBigIntArray = (v: unknown): boolean => v instanceof BigInt64Array || v instanceof BigUint64Array;

/** The store index of entity `id` through `idMap` (the id itself without a map). */
function indexOf(idMap: IdMap | undefined, id: number): number {
  if (idMap === undefined) return id;
  const index = typeof idMap === 'function' ? idMap(id) : idMap.get(id);
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
    throw new PackError('InvalidInput', `entity ${id} has no store index in the id map (got ${describeValue(index)})`, { details: { entity: id } });
  }
  return index;
}

function checkIdMap(idMap: unknown): IdMap | undefined {
  if (idMap === undefined || typeof idMap === 'function' || idMap instanceof Map) return idMap as IdMap | undefined;
  throw new PackError('InvalidInput', 'idMap must be a Map or a function from entity id to store index');
}

/**
 * Copies `source[index of id]` for each id into a new dense column: sparse per-entity stores to
 * snapshot columns. A typed-array source gives the same class; a plain array gives the column of `options.type`.
 */
export function gather<T extends NumericArray>(source: T, entityIds: Uint32Array | readonly number[], options?: Omit<GatherOptions, 'type'>): T;
export function gather(source: readonly unknown[], entityIds: Uint32Array | readonly number[], options?: GatherOptions): ColumnValues;
export function gather(source: NumericArray | readonly unknown[], entityIds: Uint32Array | readonly number[], gatherOptions?: GatherOptions): ColumnValues {
  const options = gatherOptions ?? {};
  const plain = Array.isArray(source);
  if (!plain && !isNumericArray(source)) throw new PackError('InvalidInput', `gather reads from a typed array or an array, got ${describeValue(source)}`);
  const ids = entityIdArray(entityIds, 'the entity ids given to gather');
  const idMap = checkIdMap(options?.idMap);
  const n = ids.length;
  const from = source as ArrayLike<unknown>;
  const out = plain ? new Array<unknown>(n) : new (source.constructor as new (length: number) => unknown[])(n);
  for (let i = 0; i < n; i++) {
    const at = indexOf(idMap, ids[i]!);
    if (at >= from.length) throw new PackError('InvalidInput', `entity ${ids[i]} is outside the source array (index ${at}, length ${from.length})`);
    out[i] = from[at];
  }
  if (!plain) return out as unknown as ColumnValues;
  const type = options.type ?? typeOf((n > 0 ? out : Array.prototype.slice.call(from, 0, 1)) as readonly string[], 'gather', 'source');
  if (!isFieldType(type)) throw new PackError('InvalidInput', `gather was given the unknown type "${String(type)}"`);
  return columnValues(out, type, undefined, 'gather', 'source');
}

/** Writes `values[i]` to `target[index of entityIds[i]]`: snapshot columns back into sparse per-entity stores (typed or plain arrays). */
export function scatter(
  values: NumericArray | readonly unknown[],
  entityIds: Uint32Array | readonly number[],
  target: NumericArray | unknown[],
  options: ScatterOptions = {},
): void {
  const plainTarget = Array.isArray(target);
  if ((!isNumericArray(values) && !Array.isArray(values)) || (!isNumericArray(target) && !plainTarget))
    throw new PackError('InvalidInput', 'scatter copies from a column into a store: pass typed arrays or arrays');
  if (isNumericArray(values) && !plainTarget && isBigIntArray(values) !== isBigIntArray(target))
    throw new PackError('InvalidInput', 'scatter cannot copy between bigint (64-bit) and number arrays: use arrays of the same kind');
  const ids = entityIdArray(entityIds, 'the entity ids given to scatter');
  const idMap = checkIdMap(options?.idMap);
  const from = values as ArrayLike<unknown>;
  if (from.length !== ids.length) throw new PackError('InvalidInput', `scatter needs one value per entity id (${from.length} values, ${ids.length} ids)`);
  const to = target as unknown[];
  for (let i = 0; i < ids.length; i++) {
    const at = indexOf(idMap, ids[i]!);
    // Plain arrays grow as stores do; typed arrays have a fixed size.
    if (!plainTarget && at >= to.length) throw new PackError('InvalidInput', `entity ${ids[i]} is outside the target array (index ${at}, length ${to.length})`);
    to[at] = from[i];
  }
}
