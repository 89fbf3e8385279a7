import { encodeBlob } from './blob.js';
import { PackError } from './errors.js';
import type { FieldType } from './field-types.js';
import type { Column, EntityMetadata, PackedComponent, PackedSnapshot, WorldSnapshot } from './model.js';
import type { ComponentSchema, Schema } from './schema.js';
import { isWellFormed } from './var-column.js';

/** Options of {@link fromWorldSnapshot}: a schema and the world-level fields WorldSnapshot lacks. */
export interface FromWorldOptions {
  /** Declared field types per component; other components are inferred. */
  schema?: Schema;
  worldTime?: number;
  schemaVersion?: number;
  metadata?: Record<string, unknown>;
  entityMetadata?: Map<number, EntityMetadata>;
}

interface Group {
  id: string;
  index: number;
  ids: number[];
  data: unknown[];
  lastEntity: number;
}

function invalid(message: string): never {
  throw new PackError('InvalidInput', message);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** The column type inferred for a value, or undefined when it needs a blob. */
function inferType(v: unknown): FieldType | undefined {
  switch (typeof v) {
    case 'number':
      return 'f64';
    case 'string':
      return isWellFormed(v) ? 'string' : undefined;
    case 'boolean':
      return 'bool';
    case 'object':
      return v instanceof Uint8Array && v.constructor === Uint8Array ? 'bytes' : undefined;
    default:
      return undefined;
  }
}

function sameKeys(obj: Record<string, unknown>, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in obj) {
    if (k !== keys[i]) return false;
    i++;
  }
  return i === keys.length;
}

const INT_RANGES: Partial<Record<FieldType, [number, number]>> = {
  i8: [-128, 127],
  i16: [-32768, 32767],
  i32: [-2147483648, 2147483647],
  u8: [0, 255],
  u16: [0, 65535],
  u32: [0, 4294967295],
};

/** True when `v` is stored by a column of `type` without any loss. */
export function fitsFieldType(v: unknown, type: FieldType): boolean {
  switch (type) {
    case 'f64':
      return typeof v === 'number';
    case 'f32':
      return typeof v === 'number' && (Math.fround(v) === v || v !== v);
    case 'bool':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string' && isWellFormed(v);
    case 'bytes':
      return v instanceof Uint8Array;
    case 'i64':
      return typeof v === 'bigint' && BigInt.asIntN(64, v) === v;
    case 'u64':
      return typeof v === 'bigint' && BigInt.asUintN(64, v) === v;
    default: {
      const [min, max] = INT_RANGES[type]!;
      return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max && !Object.is(v, -0);
    }
  }
}

/** Fills a column of `type` from field `key` of every row; undefined when a value does not fit. */
function fillColumn(rows: unknown[], key: string, type: FieldType): Column | undefined {
  const n = rows.length;
  switch (type) {
    case 'f64': {
      const values = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const v = (rows[r] as Record<string, unknown>)[key];
        if (typeof v !== 'number') return undefined;
        values[r] = v;
      }
      return { name: key, type, values };
    }
    case 'f32': {
      const values = new Float32Array(n);
      for (let r = 0; r < n; r++) {
        const v = (rows[r] as Record<string, unknown>)[key];
        if (typeof v !== 'number') return undefined;
        values[r] = v;
        if (values[r] !== v && v === v) return undefined;
      }
      return { name: key, type, values };
    }
    case 'bool': {
      const values = new Uint8Array(n);
      for (let r = 0; r < n; r++) {
        const v = (rows[r] as Record<string, unknown>)[key];
        if (typeof v !== 'boolean') return undefined;
        values[r] = v ? 1 : 0;
      }
      return { name: key, type, values };
    }
    case 'string':
    case 'bytes': {
      const values = new Array<unknown>(n);
      for (let r = 0; r < n; r++) {
        const v = (rows[r] as Record<string, unknown>)[key];
        if (!fitsFieldType(v, type)) return undefined;
        values[r] = v;
      }
      return { name: key, type, values } as Column;
    }
    case 'i64':
    case 'u64': {
      const values = type === 'i64' ? new BigInt64Array(n) : new BigUint64Array(n);
      for (let r = 0; r < n; r++) {
        const v = (rows[r] as Record<string, unknown>)[key];
        if (!fitsFieldType(v, type)) return undefined;
        values[r] = v as bigint;
      }
      return { name: key, type, values } as Column;
    }
    default: {
      const Ctor = { i8: Int8Array, i16: Int16Array, i32: Int32Array, u8: Uint8Array, u16: Uint16Array, u32: Uint32Array }[type];
      const values = new Ctor(n);
      for (let r = 0; r < n; r++) {
        const v = (rows[r] as Record<string, unknown>)[key];
        if (!fitsFieldType(v, type)) return undefined;
        values[r] = v as number;
      }
      return { name: key, type, values } as Column;
    }
  }
}

function blobs(group: Group, entityIds: Uint32Array): PackedComponent {
  const out = new Array<Uint8Array>(group.data.length);
  for (let r = 0; r < group.data.length; r++) out[r] = encodeBlob(group.data[r]);
  return { id: group.id, layout: 'blobs', entityIds, blobs: out };
}

/** Columns inferred from the data, or undefined when the rows do not share one shape. */
function inferColumns(group: Group): Column[] | undefined {
  const first = group.data[0];
  if (!isPlainObject(first)) return undefined;
  const keys = Object.keys(first);
  for (let r = 1; r < group.data.length; r++) {
    const row = group.data[r];
    if (!isPlainObject(row) || !sameKeys(row, keys)) return undefined;
  }
  const columns: Column[] = [];
  for (const key of keys) {
    const type = inferType(first[key]);
    const column = type === undefined ? undefined : fillColumn(group.data, key, type);
    if (column === undefined) return undefined;
    columns.push(column);
  }
  return columns;
}

function describe(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null) return String(v);
  return Object.prototype.toString.call(v);
}

/** Columns of the declared schema; throws SchemaMismatch naming the first value that does not fit. */
function schemaColumns(group: Group, schema: Readonly<Record<string, FieldType>>): Column[] {
  const keys = Object.keys(schema);
  for (let r = 0; r < group.data.length; r++) {
    const row = group.data[r];
    const entity = group.ids[r];
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new PackError('SchemaMismatch', `component "${group.id}" of entity ${entity} is ${describe(row)}, but the schema declares an object with fields ${keys.join(', ')}`);
    }
    let count = 0;
    for (const k in row) {
      if (!Object.prototype.hasOwnProperty.call(schema, k)) {
        throw new PackError('SchemaMismatch', `component "${group.id}" of entity ${entity} has field "${k}" that the schema does not declare: add it to the schema or remove it`);
      }
      count++;
    }
    if (count !== keys.length) {
      const missing = keys.find((k) => !Object.prototype.hasOwnProperty.call(row, k));
      throw new PackError('SchemaMismatch', `component "${group.id}" of entity ${entity} lacks field "${missing}" that the schema declares`);
    }
  }
  return keys.map((key) => {
    const type = schema[key]!;
    const column = fillColumn(group.data, key, type);
    if (column !== undefined) return column;
    const r = group.data.findIndex((row) => !fitsFieldType((row as Record<string, unknown>)[key], type));
    const value = (group.data[r] as Record<string, unknown>)[key];
    throw new PackError(
      'SchemaMismatch',
      `field "${key}" of component "${group.id}" of entity ${group.ids[r]} is ${describe(value)}, which a ${type} column cannot hold exactly: fix the value or declare another type`,
      { details: { component: group.id, field: key, entity: group.ids[r], type } },
    );
  });
}

function checkEntityId(id: unknown, i: number): number {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffffffff) {
    invalid(`entity ${i} has id ${describe(id)}: entity ids must be integers from 0 to 4294967295`);
  }
  return id;
}

/** Packs a tx2 `WorldSnapshot` into struct-of-arrays form, losslessly; components that do not fit columns become blobs. */
export function fromWorldSnapshot(world: WorldSnapshot, options: FromWorldOptions = {}): PackedSnapshot {
  if (typeof world !== 'object' || world === null || !Array.isArray(world.entities)) invalid('expected a WorldSnapshot with an entities array');
  const list = world.entities;
  const n = list.length;
  const ids = new Uint32Array(n);
  const groups = new Map<string, Group>();
  const order: Group[] = [];
  const componentOrder = new Map<number, string[]>();
  let ascending = true;
  for (let i = 0; i < n; i++) {
    const entity = list[i]!;
    const id = checkEntityId(entity?.id, i);
    ids[i] = id;
    if (i > 0 && id <= ids[i - 1]!) ascending = false;
    const components = entity.components;
    if (!Array.isArray(components)) invalid(`entity ${id} has no components array`);
    let lastIndex = -1;
    let inOrder = true;
    for (let j = 0; j < components.length; j++) {
      const component = components[j]!;
      const cid = component?.id;
      if (typeof cid !== 'string') invalid(`component ${j} of entity ${id} has no string id`);
      let group = groups.get(cid);
      if (group === undefined) {
        group = { id: cid, index: order.length, ids: [], data: [], lastEntity: -1 };
        groups.set(cid, group);
        order.push(group);
      }
      if (group.lastEntity === i) invalid(`entity ${id} has component "${cid}" twice`);
      group.lastEntity = i;
      group.ids.push(id);
      group.data.push(component.data);
      if (group.index < lastIndex) inOrder = false;
      lastIndex = group.index;
    }
    if (!inOrder) componentOrder.set(id, components.map((c) => c.id));
  }
  if (!ascending && new Set(ids).size !== n) {
    const seen = new Set<number>();
    for (const id of ids) {
      if (seen.has(id)) invalid(`entity id ${id} appears twice: entity ids must be unique`);
      seen.add(id);
    }
  }

  const schema = options.schema ?? {};
  let previous: Uint32Array = ids;
  const components = order.map((group): PackedComponent => {
    // Share one id array between components with the same entities, so the encoder stores it once.
    let entityIds: Uint32Array;
    if (group.ids.length === n) entityIds = ids;
    else if (group.ids.length === previous.length && group.ids.every((v, k) => v === previous[k])) entityIds = previous;
    else entityIds = Uint32Array.from(group.ids);
    previous = entityIds;
    const declared: ComponentSchema | undefined = Object.prototype.hasOwnProperty.call(schema, group.id) ? schema[group.id] : undefined;
    if (declared === 'blob') return blobs(group, entityIds);
    const fields = declared !== undefined ? schemaColumns(group, declared) : inferColumns(group);
    if (fields === undefined) return blobs(group, entityIds);
    return { id: group.id, layout: 'columns', entityIds, fields };
  });

  const packed: PackedSnapshot = {
    timestamp: world.timestamp,
    version: world.version,
    worldTime: options.worldTime ?? 0,
    schemaVersion: options.schemaVersion ?? 0,
    metadata: options.metadata ?? {},
    entities: ids,
    components,
  };
  if (componentOrder.size > 0) packed.componentOrder = componentOrder;
  if (options.entityMetadata !== undefined) packed.entityMetadata = options.entityMetadata;
  return packed;
}
