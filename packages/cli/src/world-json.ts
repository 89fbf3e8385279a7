// The JSON document of `export` / `import`: the tx2 WorldSnapshot shape
// ({ timestamp, version, entities: [{ id, components: [{ id, data }] }] }) with component
// data in the lossless encoding of json-encoding.ts, plus one extra key "$tx2pack" holding
// what the WorldSnapshot shape has no place for (every component with its layout and column
// types in snapshot order, empty ones included; world time, schema version, world and entity
// metadata; each entity's own component order; rows not in entity order; the bits of column
// cells JSON cannot carry and the exact bytes of blobs that decoding loses), so that export then import gives back a
// snapshot with the same content hash. Plain WorldSnapshot JSON without "$tx2pack" imports
// too (field types are then inferred), and so do documents of version 1 ("schema").
import {
  bytesEqual,
  decodeBlob,
  encodeBlob,
  type EntityMetadata,
  type FieldType,
  fromWorldSnapshot,
  isFieldType,
  type PackedComponent,
  type PackedSnapshot,
  type Schema,
  toWorldSnapshot,
  type WorldSnapshot,
} from '@tx2/pack-format';
import { CliError, ExitCode } from './errors.js';
import { fromJsonValue, type Json, TAG as JSON_TAG, toJsonValue } from './json-encoding.js';

/** The version of the "$tx2pack" extension written by this CLI. */
export const WORLD_JSON_VERSION = 2;

/** One component of the snapshot as `$tx2pack.components` lists it. */
export type WorldJsonComponent = { id: string; layout: 'columns'; fields: [name: string, type: FieldType][] } | { id: string; layout: 'blobs' };

/** What `export` adds beside the WorldSnapshot fields. */
export interface WorldJsonExtension {
  /** Version of this extension ({@link WORLD_JSON_VERSION}). */
  encoding: number;
  worldTime: Json;
  schemaVersion: Json;
  /** Every component in snapshot order (those without rows too), with its columns in order. */
  components: WorldJsonComponent[];
  metadata: Json;
  /** `[entityId, { created?, modified?, tags? }]` pairs, in the lossless encoding. */
  entityMetadata: Json;
  /** `[entityId, [componentId, ...]]`: entities whose components are not in snapshot order, as the snapshot records them. */
  componentOrder?: [number, string[]][];
  /** `[component, [entityId, ...]]`: components whose rows are not in the order of the entity list, with their row order. */
  rowOrder?: [string, number[]][];
  /** `[component, field, entityId, bits]`: column cells whose bits (hex, big-endian) JSON cannot carry: NaNs other than the default NaN, bool bytes other than 0 and 1. */
  exactBits?: [string, string, number, string][];
  /** `[component, entityId, base64]`: blobs whose bytes decoding and encoding again would not give back. */
  blobBytes?: [string, number, string][];
  /** The world metadata as a tx2-pack blob (base64), when it holds NaNs whose bits JavaScript values may not keep. */
  metadataBytes?: string;
  /** The entity metadata pairs as a tx2-pack blob (base64), likewise. */
  entityMetadataBytes?: string;
}

/** The exported document: a WorldSnapshot in JSON plus the "$tx2pack" extension. */
export interface WorldJson {
  timestamp: Json;
  version: string;
  entities: { id: number; components: { id: string; data: Json }[] }[];
  $tx2pack?: WorldJsonExtension;
}

// The bits a float column gets when a JSON NaN is imported: JavaScript's NaN stored in the column.
const DEFAULT_NAN_BITS: Record<'f32' | 'f64', string> = { f32: '7fc00000', f64: '7ff8000000000000' };

function floatView(values: Float32Array | Float64Array): DataView {
  return new DataView(values.buffer, values.byteOffset, values.byteLength);
}

/** The bits of row `row` of a float column as hex (big-endian), read from its bytes. */
function floatBits(values: Float32Array | Float64Array, type: 'f32' | 'f64', row: number): string {
  const view = floatView(values);
  return type === 'f32'
    ? view
        .getUint32(row * 4, true)
        .toString(16)
        .padStart(8, '0')
    : view
        .getBigUint64(row * 8, true)
        .toString(16)
        .padStart(16, '0');
}

/** Column cells an import from JSON would not give back bit for bit: other NaNs than the default one, bools other than 0 and 1. */
function exactBitsOf(packed: PackedSnapshot): [string, string, number, string][] {
  const out: [string, string, number, string][] = [];
  for (const component of packed.components) {
    if (component.layout !== 'columns') continue;
    for (const column of component.fields) {
      if (column.type === 'bool') {
        const values = column.values;
        for (let row = 0; row < values.length; row++) {
          if (values[row]! > 1) out.push([component.id, column.name, component.entityIds[row]!, values[row]!.toString(16).padStart(2, '0')]);
        }
      }
      if (column.type !== 'f32' && column.type !== 'f64') continue;
      const values = column.values;
      for (let row = 0; row < values.length; row++) {
        if (!Number.isNaN(values[row])) continue;
        const bits = floatBits(values, column.type, row);
        if (bits !== DEFAULT_NAN_BITS[column.type]) out.push([component.id, column.name, component.entityIds[row]!, bits]);
      }
    }
  }
  return out;
}

/** Components whose rows are not in the order of the entity list (JSON lists them per entity, in that order). */
function rowOrderOf(packed: PackedSnapshot): [string, number[]][] {
  const position = new Map<number, number>();
  packed.entities.forEach((id, i) => {
    position.set(id, i);
  });
  const out: [string, number[]][] = [];
  for (const component of packed.components) {
    const rows = component.entityIds;
    for (let r = 1; r < rows.length; r++) {
      if (position.get(rows[r]!)! < position.get(rows[r - 1]!)!) {
        out.push([component.id, Array.from(rows)]);
        break;
      }
    }
  }
  return out;
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/**
 * `json` as export writes it today: decoded and encoded again, so every NaN is `{"$tx2":"NaN"}`
 * (documents of earlier versions hold NaN bits, which the engine may have changed since).
 */
function normalJson(json: Json | undefined, what: string): string | undefined {
  return json === undefined ? undefined : JSON.stringify(toJsonValue(fromJsonValue(json, what), what));
}

/**
 * The value a `*Bytes` blob of the extension holds, when the document's JSON for it is still
 * what export wrote (compared as normalised JSON text, see normalJson); undefined otherwise.
 */
function recordedValue(bytes: unknown, written: Json | undefined, what: string, source: string): unknown {
  if (bytes === undefined) return undefined;
  if (typeof bytes !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(bytes)) throw notAWorld(source, `"$tx2pack.${what}" is not base64 text`);
  let value: unknown;
  try {
    value = decodeBlob(new Uint8Array(Buffer.from(bytes, 'base64')), what);
  } catch (cause) {
    throw new CliError(`${source}: "$tx2pack.${what}" is not a tx2-pack blob: fix the file or export it again with \`tx2pack export\``, ExitCode.Unsupported, { cause });
  }
  return JSON.stringify(toJsonValue(value, what)) === normalJson(written, what) ? value : undefined;
}

/** True when `value` holds a NaN outside typed arrays (whose bytes travel as they are). */
function holdsNaN(value: unknown): boolean {
  if (typeof value === 'number') return Number.isNaN(value);
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || value instanceof Date) return false;
  if (value instanceof Map) {
    for (const [k, v] of value) if (holdsNaN(k) || holdsNaN(v)) return true;
    return false;
  }
  if (Array.isArray(value) || value instanceof Set) {
    for (const v of value) if (holdsNaN(v)) return true;
    return false;
  }
  return Object.values(value).some(holdsNaN);
}

/**
 * Blobs an import might not give back byte for byte: those holding a NaN (engines may quieten
 * or canonicalise NaN bits on the way through JavaScript values) and those whose bytes are not
 * what encoding their value gives (other MessagePack forms).
 */
function blobBytesOf(packed: PackedSnapshot): [string, number, string][] {
  const out: [string, number, string][] = [];
  for (const component of packed.components) {
    if (component.layout !== 'blobs') continue;
    component.blobs.forEach((blob, row) => {
      const value = decodeBlob(blob.slice(), `the blob of component "${component.id}" for entity ${component.entityIds[row]}`);
      if (holdsNaN(value) || !bytesEqual(encodeBlob(value), blob)) out.push([component.id, component.entityIds[row]!, base64(blob)]);
    });
  }
  return out;
}

/** The "$tx2pack" extension of a packed snapshot: what the WorldSnapshot shape has no place for. */
export function worldJsonExtension(packed: PackedSnapshot): WorldJsonExtension {
  const extension: WorldJsonExtension = {
    encoding: WORLD_JSON_VERSION,
    worldTime: toJsonValue(packed.worldTime, 'worldTime'),
    schemaVersion: toJsonValue(packed.schemaVersion, 'schemaVersion'),
    components: packed.components.map(
      (c): WorldJsonComponent => (c.layout === 'blobs' ? { id: c.id, layout: 'blobs' } : { id: c.id, layout: 'columns', fields: c.fields.map((f) => [f.name, f.type]) }),
    ),
    metadata: toJsonValue(packed.metadata, 'metadata'),
    entityMetadata: toJsonValue(packed.entityMetadata === undefined ? [] : [...packed.entityMetadata], 'entityMetadata'),
  };
  if (packed.componentOrder !== undefined && packed.componentOrder.size > 0) extension.componentOrder = [...packed.componentOrder].map(([id, order]) => [id, [...order]]);
  const entityMetadata = packed.entityMetadata === undefined ? [] : [...packed.entityMetadata];
  if (holdsNaN(packed.metadata)) extension.metadataBytes = base64(encodeBlob(packed.metadata));
  if (holdsNaN(entityMetadata)) extension.entityMetadataBytes = base64(encodeBlob(entityMetadata));
  const rowOrder = rowOrderOf(packed);
  if (rowOrder.length > 0) extension.rowOrder = rowOrder;
  const exactBits = exactBitsOf(packed);
  if (exactBits.length > 0) extension.exactBits = exactBits;
  const blobBytes = blobBytesOf(packed);
  if (blobBytes.length > 0) extension.blobBytes = blobBytes;
  return extension;
}

/**
 * True when `data` is already its own lossless encoding: a plain object (no "$tx2" key) of strings,
 * booleans and finite numbers other than -0, as every row of a column component of those types is.
 * Such rows go to JSON.stringify as they are, without a copy.
 */
function isPlainRecord(data: unknown): data is { [key: string]: Json } {
  if (typeof data !== 'object' || data === null || Object.getPrototypeOf(data) !== Object.prototype || Object.hasOwn(data, JSON_TAG)) return false;
  const fields = data as Record<string, unknown>;
  for (const key in fields) {
    const v = fields[key];
    if (typeof v === 'number' ? !Number.isFinite(v) || Object.is(v, -0) : typeof v !== 'string' && typeof v !== 'boolean') return false;
  }
  return true;
}

/** The entities of a WorldSnapshot as the JSON document lists them (component data in the lossless encoding). */
export function entitiesToJson(world: Pick<WorldSnapshot, 'entities'>): WorldJson['entities'] {
  return world.entities.map((entity) => ({
    id: entity.id,
    components: entity.components.map((c) => ({ id: c.id, data: isPlainRecord(c.data) ? c.data : toJsonValue(c.data, `entity ${entity.id} ${c.id}`) })),
  }));
}

/** A packed snapshot as the JSON document of `export` (whole, in memory: `export` streams it with world-json-writer.ts). */
export function packedToWorldJson(packed: PackedSnapshot): WorldJson {
  const world = toWorldSnapshot(packed);
  const extension = worldJsonExtension(packed);
  return { timestamp: toJsonValue(world.timestamp, 'timestamp'), version: world.version, entities: entitiesToJson(world), $tx2pack: extension };
}

function notAWorld(source: string, what: string): CliError {
  return new CliError(
    `${source} is not a world JSON document (${what}): it needs { "timestamp", "version", "entities": [{ "id", "components": [{ "id", "data" }] }] }, as \`tx2pack export\` writes`,
    ExitCode.Unsupported,
  );
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isEntityId = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/** The field types of version 1 documents: `{ component: { field: type } | "blob" }`. */
function readSchemaV1(value: unknown, source: string): WorldJsonComponent[] {
  if (!isObject(value)) throw notAWorld(source, '"$tx2pack.schema" is not an object');
  return Object.entries(value).map(([id, fields]): WorldJsonComponent => {
    if (fields === 'blob') return { id, layout: 'blobs' };
    if (!isObject(fields)) throw notAWorld(source, `the schema of "${id}" is neither "blob" nor an object of field types`);
    return { id, layout: 'columns', fields: Object.entries(fields).map(([name, type]) => [name, type as FieldType]) };
  });
}

/** The components of a version 2 document, checked. */
function readComponents(value: unknown, source: string): WorldJsonComponent[] {
  if (!Array.isArray(value)) throw notAWorld(source, '"$tx2pack.components" is not a list');
  return value.map((c: unknown, i): WorldJsonComponent => {
    if (!isObject(c) || typeof c.id !== 'string') throw notAWorld(source, `"$tx2pack.components[${i}]" has no string "id"`);
    if (c.layout === 'blobs') return { id: c.id, layout: 'blobs' };
    if (c.layout !== 'columns' || !Array.isArray(c.fields))
      throw notAWorld(source, `component "${c.id}" is neither { "layout": "blobs" } nor { "layout": "columns", "fields": [[name, type], ...] }`);
    const fields = c.fields.map((f: unknown): [string, FieldType] => {
      if (!Array.isArray(f) || f.length !== 2 || typeof f[0] !== 'string') throw notAWorld(source, `a field of component "${c.id}" is not a [name, type] pair`);
      return [f[0], f[1] as FieldType];
    });
    return { id: c.id, layout: 'columns', fields };
  });
}

function checkComponents(components: WorldJsonComponent[], source: string): void {
  const ids = new Set<string>();
  for (const c of components) {
    if (ids.has(c.id)) throw notAWorld(source, `component "${c.id}" is listed twice`);
    ids.add(c.id);
    if (c.layout !== 'columns') continue;
    const names = new Set<string>();
    for (const [name, type] of c.fields) {
      if (!isFieldType(type)) throw notAWorld(source, `field "${c.id}.${name}" has the unknown type ${JSON.stringify(type) ?? String(type)}`);
      if (names.has(name)) throw notAWorld(source, `field "${c.id}.${name}" is listed twice`);
      names.add(name);
    }
  }
}

function readEntityMetadata(value: unknown, source: string): Map<number, EntityMetadata> | undefined {
  if (!Array.isArray(value)) throw notAWorld(source, '"$tx2pack.entityMetadata" is not a list of [id, metadata] pairs');
  if (value.length === 0) return undefined;
  return new Map(
    value.map((pair) => {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'number' || typeof pair[1] !== 'object' || pair[1] === null) {
        throw notAWorld(source, 'an entityMetadata entry is not an [id, { created?, modified?, tags? }] pair');
      }
      return [pair[0], pair[1] as EntityMetadata];
    }),
  );
}

function readComponentOrder(value: unknown, source: string): Map<number, string[]> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw notAWorld(source, '"$tx2pack.componentOrder" is not a list of [id, [component, ...]] pairs');
  return new Map(
    value.map((pair) => {
      if (!Array.isArray(pair) || pair.length !== 2 || !isEntityId(pair[0]) || !Array.isArray(pair[1]) || pair[1].some((c: unknown) => typeof c !== 'string')) {
        throw notAWorld(source, 'a componentOrder entry is not an [id, [component, ...]] pair');
      }
      return [pair[0], pair[1] as string[]];
    }),
  );
}

/** An empty column of `type` (a component without rows). */
function emptyValues(type: FieldType): unknown {
  switch (type) {
    case 'string':
    case 'bytes':
      return [];
    case 'bool':
    case 'u8':
      return new Uint8Array(0);
    case 'i8':
      return new Int8Array(0);
    case 'i16':
      return new Int16Array(0);
    case 'u16':
      return new Uint16Array(0);
    case 'i32':
      return new Int32Array(0);
    case 'u32':
      return new Uint32Array(0);
    case 'i64':
      return new BigInt64Array(0);
    case 'u64':
      return new BigUint64Array(0);
    case 'f32':
      return new Float32Array(0);
    case 'f64':
      return new Float64Array(0);
  }
}

/**
 * Puts the components of `packed` (as fromWorldSnapshot made them, in order of first use) in
 * the listed order with their columns in the listed order, adding the listed ones without
 * rows; components the list does not name (added to the JSON by hand) follow at the end.
 */
function arrangeComponents(packed: PackedSnapshot, listed: WorldJsonComponent[]): void {
  const made = new Map(packed.components.map((c) => [c.id, c]));
  const arranged: PackedComponent[] = listed.map((c): PackedComponent => {
    const have = made.get(c.id);
    made.delete(c.id);
    if (c.layout === 'blobs') return have ?? { id: c.id, layout: 'blobs', entityIds: new Uint32Array(0), blobs: [] };
    if (have === undefined || have.layout !== 'columns') {
      return { id: c.id, layout: 'columns', entityIds: new Uint32Array(0), fields: c.fields.map(([name, type]) => ({ name, type, values: emptyValues(type) }) as never) };
    }
    const byName = new Map(have.fields.map((f) => [f.name, f]));
    return { ...have, fields: c.fields.map(([name]) => byName.get(name)!) };
  });
  packed.components = [...arranged, ...made.values()];
}

/**
 * The componentOrder of the imported snapshot: the recorded one when it agrees with the
 * entities' component lists (it then keeps entries a recomputation would drop), otherwise
 * the one those lists give against the final component order.
 */
function settleComponentOrder(packed: PackedSnapshot, lists: Map<number, string[]>, recorded: Map<number, string[]> | undefined): void {
  const index = new Map(packed.components.map((c, i) => [c.id, i]));
  const computed = new Map<number, string[]>();
  for (const [entity, list] of lists) {
    for (let k = 1; k < list.length; k++) {
      if (index.get(list[k]!)! < index.get(list[k - 1]!)!) {
        computed.set(entity, list);
        break;
      }
    }
  }
  let order = computed;
  if (recorded !== undefined) {
    const same = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
      a !== undefined && b !== undefined && a.length === b.length && a.every((x, k) => x === b[k]);
    const agrees = [...recorded].every(([entity, list]) => same(list, lists.get(entity))) && [...computed].every(([entity, list]) => same(recorded.get(entity), list));
    if (agrees) order = recorded;
  }
  if (order.size > 0) packed.componentOrder = order;
  else delete packed.componentOrder;
}

/** Finds the row of `entity` in `component` (a Map per component, built on first use). */
function rowFinder(packed: PackedSnapshot): (component: string, entity: number) => { component: PackedComponent; row: number } | undefined {
  const rows = new Map<string, Map<number, number>>();
  const byId = new Map(packed.components.map((c) => [c.id, c]));
  return (id, entity) => {
    const component = byId.get(id);
    if (component === undefined) return undefined;
    let map = rows.get(id);
    if (map === undefined) rows.set(id, (map = new Map(Array.from(component.entityIds, (e, r) => [e, r]))));
    const row = map.get(entity);
    return row === undefined ? undefined : { component, row };
  };
}

/** `values` reordered so that row k is old row `rows[k]` (a new array of the same kind). */
function permute(values: unknown, rows: readonly number[]): unknown {
  if (Array.isArray(values)) return rows.map((r) => values[r]);
  const typed = values as { [row: number]: unknown; constructor: new (length: number) => { [row: number]: unknown } };
  const out = new typed.constructor(rows.length);
  rows.forEach((r, k) => {
    out[k] = typed[r];
  });
  return out;
}

/** Puts the rows of the listed components in the recorded order, where they hold the same entities (not edited). */
function restoreRowOrder(packed: PackedSnapshot, value: unknown, source: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw notAWorld(source, '"$tx2pack.rowOrder" is not a list');
  const byId = new Map(packed.components.map((c, i) => [c.id, i]));
  for (const entry of value) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string' || !Array.isArray(entry[1]) || !entry[1].every(isEntityId)) {
      throw notAWorld(source, 'a rowOrder entry is not a [component, [entity, ...]] pair');
    }
    const [id, order] = entry as [string, number[]];
    const index = byId.get(id);
    if (index === undefined) continue;
    const component = packed.components[index]!;
    const rowOf = new Map(Array.from(component.entityIds, (e, r) => [e, r]));
    if (order.length !== rowOf.size || !order.every((e) => rowOf.has(e))) continue;
    const rows = order.map((e) => rowOf.get(e)!);
    if (new Set(rows).size !== rows.length) continue;
    const entityIds = Uint32Array.from(order);
    packed.components[index] =
      component.layout === 'blobs'
        ? { ...component, entityIds, blobs: rows.map((r) => component.blobs[r]!) }
        : {
            ...component,
            entityIds,
            fields: component.fields.map((f) => ({ ...f, values: permute(f.values, rows) }) as typeof f),
          };
  }
}

/** Restores column cells bit for bit where the imported value is still what the JSON said (not edited). */
function restoreExactBits(packed: PackedSnapshot, value: unknown, source: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw notAWorld(source, '"$tx2pack.exactBits" is not a list');
  const find = rowFinder(packed);
  for (const entry of value) {
    if (!Array.isArray(entry) || entry.length !== 4 || typeof entry[0] !== 'string' || typeof entry[1] !== 'string' || !isEntityId(entry[2]) || typeof entry[3] !== 'string') {
      throw notAWorld(source, 'an exactBits entry is not a [component, field, entity, bits] list');
    }
    const [id, name, entity, bits] = entry as [string, string, number, string];
    const found = find(id, entity);
    if (found === undefined || found.component.layout !== 'columns') continue;
    const column = found.component.fields.find((f) => f.name === name);
    const bad = (): never => {
      throw notAWorld(source, `exactBits of "${id}.${name}" for entity ${entity} is not the hex bits of a ${column?.type} cell that JSON cannot carry`);
    };
    if (column?.type === 'bool') {
      if (!/^[0-9a-f]{2}$/.test(bits) || Number.parseInt(bits, 16) < 2) bad();
      if (column.values[found.row] === 1) column.values[found.row] = Number.parseInt(bits, 16);
      continue;
    }
    if (column === undefined || (column.type !== 'f32' && column.type !== 'f64')) continue;
    const values = column.values;
    const nan =
      column.type === 'f32'
        ? /^[0-9a-f]{8}$/.test(bits) && (Number.parseInt(bits, 16) & 0x7fffffff) > 0x7f800000
        : /^[0-9a-f]{16}$/.test(bits) && (BigInt(`0x${bits}`) & 0x7fff_ffff_ffff_ffffn) > 0x7ff0_0000_0000_0000n;
    if (!nan) bad();
    if (!Number.isNaN(values[found.row])) continue;
    const view = floatView(values);
    if (column.type === 'f32') view.setUint32(found.row * 4, Number.parseInt(bits, 16), true);
    else view.setBigUint64(found.row * 8, BigInt(`0x${bits}`), true);
  }
}

/** Looks up the data JSON of a component of an entity in the document (an index built on first use). */
function documentData(entities: Json[]): (component: string, entity: number) => Json | undefined {
  let index: Map<number, Json[]> | undefined;
  return (component, entity) => {
    index ??= new Map(entities.map((e) => [(e as { id: number }).id, (e as { components: Json[] }).components]));
    const found = index.get(entity)?.find((c) => (c as { id: string }).id === component) as { data?: Json } | undefined;
    return found === undefined ? undefined : Object.hasOwn(found, 'data') ? found.data : { [JSON_TAG]: 'undefined' };
  };
}

/** Restores exact blob bytes, where the document's data for them is still what export wrote (not edited). */
function restoreBlobBytes(packed: PackedSnapshot, value: unknown, data: (component: string, entity: number) => Json | undefined, source: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw notAWorld(source, '"$tx2pack.blobBytes" is not a list');
  const find = rowFinder(packed);
  for (const entry of value) {
    if (
      !Array.isArray(entry) ||
      entry.length !== 3 ||
      typeof entry[0] !== 'string' ||
      !isEntityId(entry[1]) ||
      typeof entry[2] !== 'string' ||
      !/^[A-Za-z0-9+/]*={0,2}$/.test(entry[2])
    ) {
      throw notAWorld(source, 'a blobBytes entry is not a [component, entity, base64] list');
    }
    const [id, entity, base64] = entry as [string, number, string];
    const found = find(id, entity);
    if (found === undefined || found.component.layout !== 'blobs') continue;
    const raw = new Uint8Array(Buffer.from(base64, 'base64'));
    let written: string;
    try {
      written = JSON.stringify(toJsonValue(decodeBlob(raw.slice(), `blobBytes of "${id}" for entity ${entity}`)));
    } catch (cause) {
      throw new CliError(
        `${source}: blobBytes of "${id}" for entity ${entity} is not a tx2-pack blob: fix the file or export it again with \`tx2pack export\``,
        ExitCode.Unsupported,
        { cause },
      );
    }
    // Compared as normalised JSON text: the same text is the same value, whatever the engine did to
    // NaN bits since. The bytes restored are those export read, signalling NaNs included.
    if (written === normalJson(data(id, entity), `entity ${entity} ${id}`)) found.component.blobs[found.row] = raw;
  }
}

/** One entity of the document, checked, with its component data decoded; `index` is its place in "entities". */
export function decodeEntity(entity: Json, index: number, source: string): { id: number; components: { id: string; data: unknown }[] } {
  if (!isObject(entity)) throw notAWorld(source, `entities[${index}] is not an object`);
  const { id, components } = entity;
  if (typeof id !== 'number') throw notAWorld(source, `entities[${index}].id is not a number`);
  if (!Array.isArray(components)) throw notAWorld(source, `entity ${id} has no "components" list`);
  const list = components.map((component, c) => {
    if (!isObject(component) || typeof component.id !== 'string') throw notAWorld(source, `component ${c} of entity ${id} has no string "id"`);
    // A missing "data" is undefined; null is null.
    const data = (Object.hasOwn(component, 'data') ? component.data : { [JSON_TAG]: 'undefined' }) as Json;
    return { id: component.id, data: fromJsonValue(data, `entity ${id} ${component.id}`) };
  });
  return { id, components: list };
}

/** The document's "timestamp" and "version", checked. */
export function readWorldHeader(doc: Record<string, Json | undefined>, source: string): { timestamp: number; version: string } {
  if (typeof doc.version !== 'string') throw notAWorld(source, '"version" is not a string');
  const timestamp = fromJsonValue(doc.timestamp ?? null, 'timestamp');
  if (typeof timestamp !== 'number') throw notAWorld(source, '"timestamp" is not a number');
  return { timestamp, version: doc.version };
}

/** What a "$tx2pack" extension says, checked: the component list, and the snapshot fields a WorldSnapshot lacks. */
export interface ReadExtension {
  encoding: number;
  listed: WorldJsonComponent[];
  schema: Schema;
  options: { worldTime: number; schemaVersion: number; metadata: Record<string, unknown>; entityMetadata?: Map<number, EntityMetadata> };
  recordedOrder: Map<number, string[]> | undefined;
  raw: Record<string, Json>;
}

/** Reads and checks a "$tx2pack" extension. */
export function readExtension(value: Json | undefined, source: string): ReadExtension {
  if (!isObject(value)) throw notAWorld(source, '"$tx2pack" is not an object');
  const extension = value as Record<string, Json>;
  if (typeof extension.encoding !== 'number' || !Number.isInteger(extension.encoding) || extension.encoding < 1 || extension.encoding > WORLD_JSON_VERSION) {
    throw new CliError(
      `${source} uses version ${JSON.stringify(extension.encoding) ?? 'none'} of the tx2pack JSON encoding; this tx2pack reads 1 to ${WORLD_JSON_VERSION}: upgrade @tx2/pack-cli`,
      ExitCode.Unsupported,
    );
  }
  const listed = extension.encoding === 1 ? readSchemaV1(extension.schema ?? {}, source) : readComponents(extension.components, source);
  checkComponents(listed, source);
  const schema: Schema = Object.fromEntries(listed.map((c) => [c.id, c.layout === 'blobs' ? 'blob' : Object.fromEntries(c.fields)]));
  const metadata = recordedValue(extension.metadataBytes, extension.metadata, 'metadataBytes', source) ?? fromJsonValue(extension.metadata ?? {}, 'metadata');
  if (!isObject(metadata)) throw notAWorld(source, '"$tx2pack.metadata" is not an object');
  const worldTime = fromJsonValue(extension.worldTime ?? 0, 'worldTime');
  const schemaVersion = fromJsonValue(extension.schemaVersion ?? 0, 'schemaVersion');
  if (typeof worldTime !== 'number' || typeof schemaVersion !== 'number') throw notAWorld(source, '"$tx2pack.worldTime" or "schemaVersion" is not a number');
  const entityMetadata = readEntityMetadata(
    recordedValue(extension.entityMetadataBytes, extension.entityMetadata, 'entityMetadataBytes', source) ?? fromJsonValue(extension.entityMetadata ?? [], 'entityMetadata'),
    source,
  );
  const recordedOrder = readComponentOrder(extension.componentOrder, source);
  return {
    encoding: extension.encoding,
    listed,
    schema,
    options: { worldTime, schemaVersion, metadata, ...(entityMetadata === undefined ? {} : { entityMetadata }) },
    recordedOrder,
    raw: extension,
  };
}

/**
 * Makes a snapshot built by fromWorldSnapshot from a version 2 document exact: components and
 * columns in the listed order, each entity's component order, row order, exact bits and blob bytes.
 * `lists` holds the component list of every entity whose list is out of the listed order or recorded;
 * `data` finds the document's JSON for a blob listed in blobBytes.
 */
export function restoreExtension(
  packed: PackedSnapshot,
  extension: ReadExtension,
  lists: Map<number, string[]>,
  data: (component: string, entity: number) => Json | undefined,
  source: string,
): void {
  arrangeComponents(packed, extension.listed);
  settleComponentOrder(packed, lists, extension.recordedOrder);
  restoreRowOrder(packed, extension.raw.rowOrder, source);
  restoreExactBits(packed, extension.raw.exactBits, source);
  restoreBlobBytes(packed, extension.raw.blobBytes, data, source);
}

/** The snapshot a JSON document (as written by `export`, or a plain WorldSnapshot) describes, from the whole document in memory. */
export function worldJsonToPacked(document: unknown, source: string): PackedSnapshot {
  if (!isObject(document)) throw notAWorld(source, 'the top level is not an object');
  const doc = document as Record<string, Json>;
  if (!Array.isArray(doc.entities)) throw notAWorld(source, '"entities" is not a list');
  const { timestamp, version } = readWorldHeader(doc, source);
  const lists = new Map<number, string[]>();
  const entities = doc.entities.map((entity, i) => {
    const decoded = decodeEntity(entity, i, source);
    lists.set(
      decoded.id,
      decoded.components.map((c) => c.id),
    );
    return decoded;
  });
  if (doc.$tx2pack === undefined) return fromWorldSnapshot({ entities, timestamp, version });
  const extension = readExtension(doc.$tx2pack, source);
  const packed = fromWorldSnapshot({ entities, timestamp, version }, { schema: extension.schema, ...extension.options });
  if (extension.encoding === 1) return packed;
  restoreExtension(packed, extension, lists, documentData(doc.entities), source);
  return packed;
}
