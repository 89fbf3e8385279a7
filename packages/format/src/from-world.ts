import { encodeBlob } from './blob.js';
import { PackError } from './errors.js';
import { FIELD_TYPES, type FieldType } from './field-types.js';
import type { Column, EntityMetadata, PackedComponent, PackedResource, PackedSnapshot, WorldEntity, WorldSnapshot } from './model.js';
import { encodeEntityList, isEntityList } from './refs.js';
import { columnOfSpec, type ComponentSchema, type FieldSpec, isFieldSpec, type Schema } from './schema.js';
import { arrayFor } from './arrays.js';
import { rowReader } from './shape.js';
import { isWellFormed } from './var-column.js';
import { entityMetadataMap } from './world-check.js';

/** Options of {@link fromWorldSnapshot}: a schema and the world-level fields WorldSnapshot lacks. */
export interface FromWorldOptions {
  /** Declared field types per component; other components are inferred. */
  schema?: Schema;
  /** Declared layouts of `world.resources` by resource id; others are inferred like components. */
  resourceSchema?: Schema;
  worldTime?: number;
  schemaVersion?: number;
  metadata?: Record<string, unknown>;
  /** Per-entity metadata: a Map, or [entity id, metadata] pairs (the order of the file). */
  entityMetadata?: Map<number, EntityMetadata> | readonly (readonly [number, EntityMetadata])[];
}

/** The rows of one component id, gathered in entity order. */
interface Group {
  id: string;
  index: number;
  count: number;
  fill: number;
  lastEntity: number;
  ids: Uint32Array;
  data: unknown[];
}

function invalid(message: string): never {
  throw new PackError('InvalidInput', message);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** The column type inferred for a value, or undefined when it needs a blob. */
function inferType(v: unknown): FieldType | undefined {
  switch (typeof v) {
    case 'number':
      return 'f64';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'object':
      return v instanceof Uint8Array && v.constructor === Uint8Array ? 'bytes' : undefined;
    default:
      return undefined;
  }
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
      return typeof v === 'number' && (Math.fround(v) === v || Number.isNaN(v));
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

function newColumnArray(type: FieldType, n: number): unknown {
  const ctor = FIELD_TYPES[type].array;
  return ctor === undefined ? arrayFor<unknown>(n) : new ctor(n);
}

/** Reads the fields of every row into new columns; returns the failing row index instead when a value does not fit. */
function readColumns(rows: unknown[], fields: readonly { name: string; type: FieldType }[], ordered: boolean): Column[] | number {
  const n = rows.length;
  const arrays = fields.map((f) => newColumnArray(f.type, n));
  const failed = rowReader(fields, ordered)(rows, arrays, n, isWellFormed);
  if (failed >= 0) return failed;
  return fields.map((f, i) => ({ name: f.name, type: f.type, values: arrays[i] }) as Column);
}

function toBlobs(group: Group): PackedComponent {
  const out = arrayFor<Uint8Array>(group.count);
  for (let r = 0; r < group.count; r++) out[r] = encodeBlob(group.data[r]);
  return { id: group.id, layout: 'blobs', entityIds: group.ids, blobs: out };
}

/** Columns inferred from the data, or undefined when the rows do not share one shape of column types. */
function inferColumns(group: Group): Column[] | undefined {
  const rows = group.data;
  const first = rows[0];
  if (!isPlainObject(first)) return undefined;
  const fields: { name: string; type: FieldType }[] = [];
  for (const name of Object.keys(first)) {
    const type = inferType(first[name]);
    if (type === undefined) return undefined;
    fields.push({ name, type });
  }
  const columns = readColumns(rows, fields, true);
  return typeof columns === 'number' ? undefined : columns;
}

function describe(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'boolean' || v === undefined || v === null) return String(v);
  return Object.prototype.toString.call(v);
}

/** Columns of the declared schema; throws SchemaMismatch naming the first value that does not fit. */
function schemaColumns(group: Group, schema: Readonly<Record<string, FieldSpec>>): Column[] {
  const keys = Object.keys(schema);
  for (const name of keys) {
    if (!isFieldSpec(schema[name])) invalid(`the schema of component "${group.id}" gives field "${name}" the unknown type "${String(schema[name])}"`);
  }
  const specs = keys.map((name) => ({ name, ...columnOfSpec(schema[name]!) }));
  const fields = specs.map((f) => ({ name: f.name, type: f.type }));
  const lists = specs.filter((f) => f.ref === 'entities').map((f) => f.name);
  // Entity lists are number arrays in the object form, bytes in the column: convert a copy of each row.
  const rows = lists.length === 0 ? group.data : group.data.map((row) => withEntityLists(row, lists));
  const columns = readColumns(rows, fields, false);
  if (typeof columns === 'number') throw schemaMismatch({ ...group, data: rows }, fields, columns);
  specs.forEach((f, i) => {
    if (f.ref !== undefined) columns[i]!.ref = f.ref;
  });
  return columns;
}

function withEntityLists(row: unknown, names: readonly string[]): unknown {
  if (!isPlainObject(row)) return row;
  const out: Record<string, unknown> = { ...row };
  for (const name of names) if (isEntityList(out[name])) out[name] = encodeEntityList(out[name] as number[]);
  return out;
}

/** Stores a value of `type` at row `r`; false when it does not fit exactly. */
function storeValue(column: unknown, type: FieldType, r: number, v: unknown): boolean {
  if (!fitsFieldType(v, type)) return false;
  (column as unknown[])[r] = type === 'bool' ? (v ? 1 : 0) : v;
  return true;
}

/** The one column of a single-value component: each row is a bare value of the declared spec. */
function singleColumn(id: string, ids: Uint32Array, rows: readonly unknown[], spec: FieldSpec, what: string): Column {
  const { type, ref } = columnOfSpec(spec);
  const values = newColumnArray(type, rows.length);
  for (let r = 0; r < rows.length; r++) {
    const v = ref === 'entities' && isEntityList(rows[r]) ? encodeEntityList(rows[r] as number[]) : rows[r];
    if (!storeValue(values, type, r, v)) {
      throw new PackError(
        'SchemaMismatch',
        `${what} "${id}" of entity ${ids[r]} is ${describe(rows[r])}, which a single-value ${spec} cannot hold exactly: fix the value or declare another type`,
        {
          details: { component: id, entity: ids[r], type: spec },
        },
      );
    }
  }
  const column = { name: '', type, values } as Column;
  if (ref !== undefined) column.ref = ref;
  return column;
}

/** The precise error for row `r`, which the fast reader rejected. */
function schemaMismatch(group: Group, fields: readonly { name: string; type: FieldType }[], r: number): PackError {
  const row = group.data[r];
  const entity = group.ids[r];
  const keys = fields.map((f) => f.name);
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    return new PackError('SchemaMismatch', `component "${group.id}" of entity ${entity} is ${describe(row)}, but the schema declares an object with fields ${keys.join(', ')}`);
  }
  for (const k in row) {
    if (!keys.includes(k)) {
      return new PackError('SchemaMismatch', `component "${group.id}" of entity ${entity} has field "${k}", which the schema does not declare: add it to the schema or remove it`);
    }
  }
  const missing = keys.find((k) => !Object.hasOwn(row, k));
  if (missing !== undefined) {
    return new PackError('SchemaMismatch', `component "${group.id}" of entity ${entity} lacks field "${missing}", which the schema declares`);
  }
  const values = row as Record<string, unknown>;
  const field = fields.find((f) => !fitsFieldType(values[f.name], f.type)) ?? fields[0]!;
  return new PackError(
    'SchemaMismatch',
    `field "${field.name}" of component "${group.id}" of entity ${entity} is ${describe(values[field.name])}, which a ${field.type} column cannot hold exactly: fix the value or declare another type`,
    { details: { component: group.id, field: field.name, entity, type: field.type } },
  );
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
  const list = withoutTransient(world.entities, options.schema ?? {});
  const n = list.length;
  const ids = new Uint32Array(n);
  const byId = new Map<string, Group>();
  const groups: Group[] = [];
  // slot[j] remembers the group of the j-th component of the previous entity: in most
  // worlds the next entity has the same component at the same place, saving a Map lookup.
  const slot: (Group | undefined)[] = [];
  const componentOrder = new Map<number, string[]>();
  let ascending = true;

  // Pass 1: validate, count rows per component, note entities with unusual component order.
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
      const cid = components[j]?.id;
      let group = slot[j];
      if (group === undefined || group.id !== cid) {
        if (typeof cid !== 'string') invalid(`component ${j} of entity ${id} has no string id`);
        group = byId.get(cid);
        if (group === undefined) {
          group = { id: cid, index: groups.length, count: 0, fill: 0, lastEntity: -1, ids: new Uint32Array(0), data: [] };
          byId.set(cid, group);
          groups.push(group);
        }
        slot[j] = group;
      }
      if (group.lastEntity === i) invalid(`entity ${id} has component "${cid}" twice`);
      group.lastEntity = i;
      group.count++;
      if (group.index < lastIndex) inOrder = false;
      lastIndex = group.index;
    }
    if (!inOrder)
      componentOrder.set(
        id,
        components.map((c) => c.id),
      );
  }
  if (!ascending && new Set(ids).size !== n) {
    const seen = new Set<number>();
    for (const id of ids) {
      if (seen.has(id)) invalid(`entity id ${id} appears twice: entity ids must be unique`);
      seen.add(id);
    }
  }

  // Pass 2: gather each component's rows into preallocated arrays.
  for (const group of groups) {
    group.ids = group.count === n ? ids : new Uint32Array(group.count);
    group.data = arrayFor<unknown>(group.count);
  }
  for (let i = 0; i < n; i++) {
    const components = list[i]!.components;
    for (let j = 0; j < components.length; j++) {
      const component = components[j]!;
      let group = slot[j]!;
      if (group === undefined || group.id !== component.id) {
        group = byId.get(component.id)!;
        slot[j] = group;
      }
      const row = group.fill++;
      group.data[row] = component.data;
      if (group.ids !== ids) group.ids[row] = ids[i]!;
    }
  }

  const schema = options.schema ?? {};
  let previous: Uint32Array = ids;
  const components = groups.map((group): PackedComponent => {
    // Components with the same entities share one array, so the encoder stores it once.
    if (group.ids !== ids && group.ids.length === previous.length && group.ids.every((v, k) => v === previous[k])) group.ids = previous;
    previous = group.ids;
    const declared: ComponentSchema | undefined = Object.hasOwn(schema, group.id) ? schema[group.id] : undefined;
    if (declared === 'blob') return toBlobs(group);
    if (typeof declared === 'string') {
      if (!isFieldSpec(declared)) invalid(`the schema gives component "${group.id}" the unknown layout "${declared}"`);
      return { id: group.id, layout: 'columns', entityIds: group.ids, fields: [singleColumn(group.id, group.ids, group.data, declared, 'component')], singleValue: true };
    }
    const fields = declared !== undefined ? schemaColumns(group, declared) : inferColumns(group);
    if (fields === undefined) return toBlobs(group);
    return { id: group.id, layout: 'columns', entityIds: group.ids, fields };
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
  if (world.resources !== undefined) {
    const resources = packResources(world.resources, options.resourceSchema ?? {});
    if (resources.length > 0) packed.resources = resources;
  }
  const entityMetadata = entityMetadataMap(options.entityMetadata);
  if (entityMetadata !== undefined) packed.entityMetadata = entityMetadata;
  return packed;
}

/** The entities without the components the schema declares transient (the list itself when there are none). */
function withoutTransient(list: WorldEntity[], schema: Schema): WorldEntity[] {
  const transient = new Set(Object.keys(schema).filter((id) => schema[id] === 'transient'));
  if (transient.size === 0) return list;
  return list.map((entity) => {
    const components = entity?.components;
    if (!Array.isArray(components) || !components.some((c) => transient.has(c?.id))) return entity;
    return { id: entity.id, components: components.filter((c) => !transient.has(c?.id)) };
  });
}

/** World resources as one-row components, laid out like components: declared, inferred columns, or a blob. */
function packResources(resources: Record<string, unknown>, schema: Schema): PackedResource[] {
  if (typeof resources !== 'object' || resources === null || Array.isArray(resources)) invalid('world.resources must be an object of resources by id');
  const one = Uint32Array.of(0);
  const out: PackedResource[] = [];
  for (const id of Object.keys(resources)) {
    const declared: ComponentSchema | undefined = Object.hasOwn(schema, id) ? schema[id] : undefined;
    if (declared === 'transient') continue;
    const group: Group = { id, index: 0, count: 1, fill: 1, lastEntity: 0, ids: one, data: [resources[id]] };
    let component: PackedComponent;
    if (declared === 'blob') component = toBlobs(group);
    else if (typeof declared === 'string') {
      if (!isFieldSpec(declared)) invalid(`the resource schema gives "${id}" the unknown layout "${declared}"`);
      component = { id, layout: 'columns', entityIds: one, fields: [singleColumn(id, one, group.data, declared, 'resource')], singleValue: true };
    } else {
      const fields = declared !== undefined ? schemaColumns(group, declared) : inferColumns(group);
      component = fields === undefined ? toBlobs(group) : { id, layout: 'columns', entityIds: one, fields };
    }
    const { entityIds: _ids, ...resource } = component;
    out.push(resource);
  }
  return out;
}
