import { PackError } from './errors.js';
import type { ColumnValues, ColumnValuesByType, FieldType } from './field-types.js';
import type { Column, ColumnarComponent, EntityMetadata, PackedComponent, PackedSnapshot } from './model.js';
import { entityMetadataMap } from './world-check.js';

/** A column given by its values alone; the type comes from the array class (Uint8Array is u8, string[] string, Uint8Array[] bytes). */
export type ColumnInput = Exclude<ColumnValues, readonly string[] | readonly Uint8Array[]> | readonly string[] | readonly Uint8Array[];

/** A component built from existing arrays. */
export interface ComponentInput {
  id: string;
  /** The entities of the rows (integers from 0 to 2^32-1); defaults to the snapshot's entity list. */
  entityIds?: Uint32Array | readonly number[];
  /** One array per field, by field name. */
  fields: Record<string, ColumnInput>;
  /** Types that the array class cannot tell, such as `bool` for a Uint8Array. */
  types?: Partial<Record<string, FieldType>>;
}

/** Everything a snapshot built from typed arrays needs; only `entities` is required. */
export interface PackedSnapshotInput {
  /** Entity ids, integers from 0 to 2^32-1 (anything else is refused, never wrapped). */
  entities: Uint32Array | readonly number[];
  components?: ComponentInput[];
  timestamp?: number;
  version?: string;
  worldTime?: number;
  schemaVersion?: number;
  metadata?: Record<string, unknown>;
  /** Per-entity metadata: a Map, or [entity id, metadata] pairs (the order of the file). */
  entityMetadata?: Map<number, EntityMetadata> | readonly (readonly [number, EntityMetadata])[];
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
    if (values.length === 0 || typeof values[0] === 'string') return 'string';
    if (values[0] instanceof Uint8Array) return 'bytes';
  }
  throw new PackError('InvalidInput', `field "${field}" of component "${component}" is not a typed array, string[] or Uint8Array[]: give its type in \`types\``);
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
  const components = (input.components ?? []).map((c, index): ColumnarComponent => {
    if (typeof c !== 'object' || c === null || typeof c.fields !== 'object' || c.fields === null) {
      throw new PackError('InvalidInput', `component ${index} must be an object with \`id\` and \`fields\` (an object of arrays by field name)`);
    }
    const entityIds = c.entityIds === undefined ? entities : entityIdArray(c.entityIds, `entityIds of component "${String(c.id)}"`);
    const fields = Object.entries(c.fields).map(([name, values]): Column => {
      const declared = c.types !== undefined && Object.hasOwn(c.types, name) ? c.types[name] : undefined;
      const type = declared ?? typeOf(values, c.id, name);
      return { name, type, values } as Column;
    });
    return { id: c.id, layout: 'columns', entityIds, fields };
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
  return packed;
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

/** Copies `source[id]` for each id into a new dense array: sparse per-entity stores to snapshot columns. */
export function gather<T extends NumericArray>(source: T, entityIds: Uint32Array): T {
  if (!isNumericArray(source)) throw new PackError('InvalidInput', `gather reads from a typed array, got ${describeValue(source)}`);
  entityIds = entityIdArray(entityIds, 'the entity ids given to gather');
  const ctor = source.constructor as new (length: number) => T;
  const out = new ctor(entityIds.length);
  for (let i = 0; i < entityIds.length; i++) {
    const id = entityIds[i]!;
    if (id >= source.length) throw new PackError('InvalidInput', `entity id ${id} is outside the source array (length ${source.length})`);
    (out as unknown as number[])[i] = (source as unknown as number[])[id]!;
  }
  return out;
}

/** Writes `values[i]` to `target[entityIds[i]]`: snapshot columns back into sparse per-entity stores. */
export function scatter<T extends NumericArray>(values: T, entityIds: Uint32Array, target: T): void {
  if (!isNumericArray(values) || !isNumericArray(target))
    throw new PackError('InvalidInput', 'scatter copies from a typed array into another: pass a column and the store to fill');
  if (isBigIntArray(values) !== isBigIntArray(target))
    throw new PackError('InvalidInput', 'scatter cannot copy between bigint (64-bit) and number arrays: use arrays of the same kind');
  entityIds = entityIdArray(entityIds, 'the entity ids given to scatter');
  if (values.length !== entityIds.length) throw new PackError('InvalidInput', `scatter needs one value per entity id (${values.length} values, ${entityIds.length} ids)`);
  for (let i = 0; i < entityIds.length; i++) {
    const id = entityIds[i]!;
    if (id >= target.length) throw new PackError('InvalidInput', `entity id ${id} is outside the target array (length ${target.length})`);
    (target as unknown as number[])[id] = (values as unknown as number[])[i]!;
  }
}
