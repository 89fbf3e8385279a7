import { decodeBlob } from './blob.js';
import { PackError } from './errors.js';
import { arrayFor, sameIds } from './arrays.js';
import { FIELD_TYPES, isFieldType } from './field-types.js';
import type { Column, PackedComponent, PackedResource, PackedSnapshot, WorldComponent, WorldEntity, WorldSnapshot } from './model.js';
import { migrateSnapshot, type Migrations } from './migrations.js';
import { decodeEntityList } from './refs.js';
import { rowWriter } from './shape.js';

function corrupt(message: string): never {
  throw new PackError('InvalidFormat', `${message}: the snapshot is inconsistent`);
}

function invalid(message: string): never {
  throw new PackError('InvalidInput', `toWorldSnapshot needs a PackedSnapshot: ${message}`);
}

const isIdArray = (v: unknown): v is Uint32Array => v instanceof Uint32Array || Object.prototype.toString.call(v) === '[object Uint32Array]';

/** Refuses objects that are not packed snapshots before any row is built (the decoder's output always passes). */
function checkShape(packed: PackedSnapshot): void {
  if (typeof packed !== 'object' || packed === null) invalid('got no object');
  if (!isIdArray(packed.entities)) invalid('its entities are not a Uint32Array');
  if (!Array.isArray(packed.components)) invalid('its components are not an array');
  for (const component of packed.components as unknown[]) {
    const c = component as Partial<PackedComponent> | null;
    if (typeof c !== 'object' || c === null || typeof c.id !== 'string' || !isIdArray(c.entityIds)) invalid('a component lacks a string id or a Uint32Array of entity ids');
    const rows = c.entityIds.length;
    if (c.layout === 'blobs') {
      if (!Array.isArray(c.blobs) || c.blobs.length !== rows || !c.blobs.every((b) => b instanceof Uint8Array)) invalid(`component "${c.id}" needs one Uint8Array blob per entity`);
    } else if (c.layout === 'columns' && Array.isArray(c.fields)) {
      for (const field of c.fields as unknown[]) {
        const f = field as Partial<Column> | null;
        if (typeof f !== 'object' || f === null || typeof f.name !== 'string' || !isFieldType(f.type))
          invalid(`component "${c.id}" has a field without a string name and a known type`);
        const values = f.values as ArrayLike<unknown> | undefined;
        const array = FIELD_TYPES[f.type].array;
        if (!(array === undefined ? Array.isArray(values) : values instanceof array) || values!.length !== rows) {
          invalid(`field "${f.name}" of component "${c.id}" needs ${rows} ${f.type} values`);
        }
        if (f.type === 'bytes' && !(values as unknown[]).every((v) => v instanceof Uint8Array)) invalid(`field "${f.name}" of component "${c.id}" holds a value that is not bytes`);
      }
    } else {
      invalid(`component "${c.id}" has neither the column nor the blob layout`);
    }
  }
}

/** Options of {@link toWorldSnapshot}. */
export interface ToWorldOptions {
  /** Migrate a snapshot of an older schema version first (decoding with `migrations` already did). */
  migrations?: Migrations;
}

/** Refuses resources that are not one-row components before any is unpacked. */
function checkResources(resources: unknown): void {
  if (resources === undefined) return;
  if (!Array.isArray(resources)) invalid('its resources are not an array');
  for (const resource of resources as unknown[]) {
    const r = resource as Partial<PackedResource> | null;
    if (typeof r !== 'object' || r === null || typeof r.id !== 'string') invalid('a resource lacks a string id');
    const one = (v: unknown) => typeof v === 'object' && v !== null && (v as ArrayLike<unknown>).length === 1;
    if (
      r.layout === 'blobs'
        ? !(Array.isArray(r.blobs) && r.blobs.length === 1 && r.blobs[0] instanceof Uint8Array)
        : r.layout !== 'columns' || !Array.isArray(r.fields) || !r.fields.every((f) => one(f?.values))
    ) {
      invalid(`resource "${r.id}" is not one row: one value per field, or one blob`);
    }
  }
}

/** Unpacks a packed snapshot into the tx2 `WorldSnapshot` object shape (the inverse of fromWorldSnapshot). */
export function toWorldSnapshot(packed: PackedSnapshot, options: ToWorldOptions = {}): WorldSnapshot {
  checkShape(packed);
  if (options.migrations !== undefined) {
    packed = migrateSnapshot(packed, options.migrations);
    checkShape(packed);
  }
  checkResources(packed.resources);
  const ids = packed.entities;
  const n = ids.length;
  let position: Map<number, number> | undefined;
  const positionOf = (id: number): number => {
    if (position === undefined) {
      position = new Map();
      for (let i = 0; i < n; i++) position.set(ids[i]!, i);
    }
    const p = position.get(id);
    if (p === undefined) corrupt(`a component belongs to entity ${id}, which is not in the entity list`);
    return p;
  };

  // Rows map to entity positions directly when a component covers the entity list as is.
  const rowMaps = packed.components.map((component) => {
    const rows = component.entityIds;
    if (sameIds(rows, ids)) return undefined;
    const map = new Uint32Array(rows.length);
    for (let r = 0; r < rows.length; r++) map[r] = positionOf(rows[r]!);
    return map;
  });

  // Component arrays are allocated at their final size: growing them by push costs 4x more.
  const counts = new Uint32Array(n);
  packed.components.forEach((_component, c) => {
    const map = rowMaps[c];
    if (map === undefined) for (let i = 0; i < n; i++) counts[i]!++;
    else for (let r = 0; r < map.length; r++) counts[map[r]!]!++;
  });
  const entities = arrayFor<WorldEntity>(n);
  for (let i = 0; i < n; i++) entities[i] = { id: ids[i]!, components: new Array<WorldComponent>(counts[i]!) };
  counts.fill(0);

  packed.components.forEach((component, c) => {
    const count = component.entityIds.length;
    const data = arrayFor<unknown>(count);
    if (component.layout === 'blobs') {
      // Decoded from a copy: MessagePack bytes values would otherwise view the snapshot's input.
      for (let r = 0; r < count; r++) data[r] = decodeBlob(component.blobs[r]!.slice(), `the blob of component "${component.id}" for entity ${component.entityIds[r]}`);
    } else rowsOf(component.fields, component.singleValue === true, count, data);
    const id = component.id;
    const map = rowMaps[c];
    for (let r = 0; r < count; r++) {
      const at = map === undefined ? r : map[r]!;
      entities[at]!.components[counts[at]!++] = { id, data: data[r] };
    }
  });

  for (const [id, order] of packed.componentOrder ?? []) {
    const entity = entities[positionOf(id)]!;
    const byId = new Map<string, WorldComponent>(entity.components.map((c) => [c.id, c]));
    if (order.length !== byId.size || byId.size !== entity.components.length) corrupt(`the component order of entity ${id} does not list its components`);
    entity.components = order.map((cid) => byId.get(cid) ?? corrupt(`the component order of entity ${id} names "${cid}"`));
  }
  const world: WorldSnapshot = { entities, timestamp: packed.timestamp, version: packed.version };
  if (packed.resources !== undefined && packed.resources.length > 0) world.resources = resourcesOf(packed.resources);
  return world;
}

/** The object form of `count` rows of columns into `data`: objects, or bare values for a single-value component. */
function rowsOf(fields: readonly Column[], singleValue: boolean, count: number, data: unknown[]): void {
  if (singleValue) {
    const column = fields[0];
    if (fields.length !== 1 || column === undefined) invalid('a single-value component needs exactly one field');
    for (let r = 0; r < count; r++) data[r] = valueAt(column, r);
    return;
  }
  rowWriter(fields)(
    fields.map((f) => f.values),
    count,
    data,
  );
  // Entity lists are bytes in the column and number arrays in the object form.
  for (const f of fields) {
    if (f.ref !== 'entities') continue;
    for (let r = 0; r < count; r++) {
      const row = data[r] as Record<string, unknown>;
      Object.defineProperty(row, f.name, { value: decodeEntityList(row[f.name] as Uint8Array), enumerable: true, writable: true, configurable: true });
    }
  }
}

/** The object form of one value of a column. */
function valueAt(column: Column, r: number): unknown {
  const v = (column.values as ArrayLike<unknown>)[r];
  if (column.type === 'bool') return v !== 0;
  if (column.type === 'bytes') return column.ref === 'entities' ? decodeEntityList(v as Uint8Array) : (v as Uint8Array).slice();
  return v;
}

/** Resources in their object form, by id. */
function resourcesOf(resources: readonly PackedResource[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of resources) {
    const data = new Array<unknown>(1);
    if (r.layout === 'blobs') data[0] = decodeBlob(r.blobs[0]!.slice(), `the blob of resource "${r.id}"`);
    else rowsOf(r.fields, r.singleValue === true, 1, data);
    Object.defineProperty(out, r.id, { value: data[0], enumerable: true, writable: true, configurable: true });
  }
  return out;
}
