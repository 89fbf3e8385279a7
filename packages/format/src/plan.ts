import { encodeBlob } from './blob.js';
import { checkAttrs, type ManifestField } from './component-attrs.js';
import { PackError } from './errors.js';
import { FIELD_TYPES, type FieldType, isFieldType } from './field-types.js';
import { NO_INDEX, SectionKind } from './layout.js';
import { isRange, sameIds } from './arrays.js';
import { bytesOf } from './byte-view.js';
import { type EntitySetEntry, type Manifest, ManifestWriter } from './manifest.js';
import type { Column, PackedSnapshot } from './model.js';
import { manifestResource } from './resources.js';
import { encodeBytesColumn, encodeStringColumn, isWellFormed } from './var-column.js';
import { checkEntities } from './world-check.js';

/** A section before compression: where it belongs and its raw bytes. */
export interface PlannedSection {
  kind: number;
  owner: number;
  field: number;
  rowStart: number;
  rowCount: number;
  /** Bytes per value for fixed-width columns and entity sets (a hint for filters), else 0. */
  width: number;
  /** The field type of a column section. */
  type: FieldType | undefined;
  raw: Uint8Array;
}

/** A validated snapshot: its manifest, and its sections in file order (produced lazily, once). */
export interface SnapshotPlan {
  manifest: Manifest;
  /** The manifest, entity sets, column/blob chunks and entity metadata, without the table of contents. */
  sections: Iterable<PlannedSection>;
}

/** How a snapshot is cut into sections. */
export interface PlanOptions {
  /**
   * Largest raw size of one column or blob chunk (default: unlimited, one section per field:
   * the canonical layout). Streaming writers cut columns so that one chunk is held at a time.
   */
  chunkBytes?: number;
  /**
   * Check that the snapshot is a world (default true): unique entity ids, rows only for
   * entities of the world. Off for delta payloads, whose id lists are not a world.
   */
  world?: boolean;
}

function invalid(message: string): never {
  throw new PackError('InvalidInput', message);
}

const tagOf = (v: unknown): string => Object.prototype.toString.call(v);

function checkColumn(component: string, column: Column, rows: number): void {
  if (!isFieldType(column.type)) invalid(`field "${column.name}" of component "${component}" has unknown type "${String(column.type)}"`);
  const info = FIELD_TYPES[column.type];
  const values: unknown = column.values;
  if (info.array !== undefined) {
    // instanceof is the fast check; the tag also accepts arrays from another realm (iframe, vm).
    if (!(values instanceof info.array) && tagOf(values) !== `[object ${info.array.name}]`) {
      invalid(`field "${column.name}" of component "${component}" is declared ${column.type} but its values are not a ${info.array.name}`);
    }
  } else if (!Array.isArray(values)) {
    invalid(`field "${column.name}" of component "${component}" (${column.type}) must be an array`);
  }
  if ((values as ArrayLike<unknown>).length !== rows) {
    invalid(`field "${column.name}" of component "${component}" has ${(values as ArrayLike<unknown>).length} values for ${rows} entities`);
  }
}

function checkValues(component: string, column: Column): void {
  if (column.type === 'string') {
    const values = column.values;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'string') invalid(`field "${column.name}" of component "${component}" has a non-string at row ${i}`);
      if (!isWellFormed(v)) {
        invalid(`field "${column.name}" of component "${component}" has a lone UTF-16 surrogate at row ${i}, which UTF-8 cannot keep: fix the string or store the field as bytes`);
      }
    }
  } else if (column.type === 'bytes') {
    const values = column.values;
    const list = column.ref === 'entities';
    for (let i = 0; i < values.length; i++) {
      if (!(values[i] instanceof Uint8Array)) invalid(`field "${column.name}" of component "${component}" has a non-Uint8Array at row ${i}`);
      if (list && values[i]!.length % 4 !== 0)
        invalid(`field "${column.name}" of component "${component}" is an entity list, but row ${i} is not whole u32 ids: build it with encodeEntityList`);
    }
  }
}

/** Rows [start, end) of a variable-width column or blob list, cut where the bytes pass `chunkBytes`. */
function* varChunks(sizes: (i: number) => number, rows: number, chunkBytes: number): Generator<[number, number]> {
  if (rows === 0 || chunkBytes === Number.POSITIVE_INFINITY) {
    yield [0, rows];
    return;
  }
  let start = 0;
  while (start < rows) {
    let end = start + 1;
    let size = sizes(start);
    while (end < rows && size + sizes(end) <= chunkBytes) size += sizes(end++);
    yield [start, end];
    start = end;
  }
}

/** Rows [start, end) of a fixed-width column, `chunkBytes / width` rows a chunk. */
function* fixedChunks(width: number, rows: number, chunkBytes: number): Generator<[number, number]> {
  const per = chunkBytes === Number.POSITIVE_INFINITY ? rows : Math.max(1, Math.floor(chunkBytes / width));
  if (rows === 0) yield [0, 0];
  for (let start = 0; start < rows; start += per) yield [start, Math.min(rows, start + per)];
}

/**
 * Validates a packed snapshot and lays it out as sections; throws InvalidInput on bad input.
 * Every check runs before the first section is produced, so a streaming writer refuses a
 * snapshot before writing a byte, exactly as encodeSnapshot does.
 */
export function planSnapshot(packed: PackedSnapshot, manifestWriter: ManifestWriter = new ManifestWriter(), options: PlanOptions = {}): SnapshotPlan {
  const chunkBytes = options.chunkBytes ?? Number.POSITIVE_INFINITY;
  if (chunkBytes !== Number.POSITIVE_INFINITY && (!Number.isInteger(chunkBytes) || chunkBytes < 64)) {
    invalid(`chunkBytes must be an integer of at least 64, got ${String(chunkBytes)}`);
  }
  if (typeof packed !== 'object' || packed === null) invalid('expected a packed snapshot: build it with createPackedSnapshot or fromWorldSnapshot');
  if (options.world ?? true) checkEntities(packed);
  if (!(packed.entities instanceof Uint32Array) && tagOf(packed.entities) !== '[object Uint32Array]') invalid('snapshot.entities must be a Uint32Array of entity ids');
  if (!Array.isArray(packed.components)) invalid('snapshot.components must be an array');
  const setIds: Uint32Array[] = [];
  const sets: EntitySetEntry[] = [];
  const setIndex = (ids: Uint32Array): number => {
    for (let k = 0; k < setIds.length; k++) if (sameIds(setIds[k]!, ids)) return k;
    setIds.push(ids);
    sets.push(ids.length > 0 && isRange(ids) && ids[0]! + ids.length <= 0x100000000 ? { start: ids[0]!, count: ids.length } : { count: ids.length });
    return setIds.length - 1;
  };
  const entities = setIndex(packed.entities);
  const componentIndex = new Map<string, number>();
  const components: Manifest['components'] = [];
  packed.components.forEach((component, c) => {
    if (typeof component !== 'object' || component === null) invalid(`component ${c} is not an object`);
    if (typeof component.id !== 'string' || !isWellFormed(component.id)) invalid(`component ${c} needs a string id without lone UTF-16 surrogates`);
    if (componentIndex.has(component.id)) invalid(`component "${component.id}" appears twice: merge it into one archetype`);
    componentIndex.set(component.id, c);
    if (!(component.entityIds instanceof Uint32Array) && tagOf(component.entityIds) !== '[object Uint32Array]')
      invalid(`component "${component.id}" entityIds must be a Uint32Array`);
    const rows = component.entityIds.length;
    const set = setIndex(component.entityIds);
    if (component.layout === 'columns') {
      if (!Array.isArray(component.fields)) invalid(`component "${component.id}" needs a fields array`);
      const names = new Set<string>();
      for (const column of component.fields) {
        if (typeof column !== 'object' || column === null || typeof column.name !== 'string' || !isWellFormed(column.name)) {
          invalid(`component "${component.id}" has a field name that is not a well-formed string`);
        }
        if (names.has(column.name)) invalid(`component "${component.id}" has a missing or repeated field name "${column.name}"`);
        names.add(column.name);
        checkColumn(component.id, column, rows);
        checkValues(component.id, column);
      }
      const fields = component.fields.map((f): ManifestField => (f.ref === undefined ? { name: f.name, type: f.type } : { name: f.name, type: f.type, ref: f.ref }));
      const shape: Manifest['components'][number] = { id: component.id, set, layout: 'columns', fields };
      if (component.singleValue === true) shape.singleValue = true;
      checkAttrs(shape, `component "${component.id}"`);
      components.push(shape);
    } else if (component.layout === 'blobs') {
      const blobs = component.blobs;
      if (!Array.isArray(blobs) || blobs.length !== rows) invalid(`component "${component.id}" needs one blob per entity (${rows})`);
      for (let i = 0; i < rows; i++) if (!(blobs[i] instanceof Uint8Array)) invalid(`component "${component.id}" blob ${i} is not a Uint8Array`);
      components.push({ id: component.id, set, layout: 'blobs', fields: [] });
    } else {
      invalid(`component "${(component as { id: string }).id}" has unknown layout "${String((component as { layout: unknown }).layout)}"`);
    }
  });

  const order: [number, number[]][] = [];
  if (packed.componentOrder !== undefined) {
    if (!(packed.componentOrder instanceof Map)) invalid('componentOrder must be a Map from entity id to component ids');
    for (const [entity, ids] of packed.componentOrder) {
      if (!Number.isInteger(entity) || entity < 0 || entity > 0xffffffff) invalid(`componentOrder has an entity id that is not a u32: ${String(entity)}`);
      if (!Array.isArray(ids)) invalid(`componentOrder of entity ${entity} must be an array of component ids`);
      order.push([entity, ids.map((id) => componentIndex.get(id) ?? invalid(`componentOrder of entity ${entity} names unknown component "${String(id)}"`))]);
    }
  }
  const manifest: Manifest = {
    version: packed.version,
    schemaVersion: packed.schemaVersion,
    metadata: packed.metadata,
    entities,
    sets,
    components,
    order,
  };
  if (packed.resources !== undefined) {
    if (!Array.isArray(packed.resources)) invalid('resources must be an array of one-row components');
    const seen = new Set<string>();
    manifest.resources = packed.resources.map((r, i) => {
      const m = manifestResource(r, i);
      if (seen.has(m.id)) invalid(`resource "${m.id}" appears twice`);
      seen.add(m.id);
      if (m.fields.some((f) => f.ref === 'entities' && m.data[m.fields.indexOf(f)]!.length % 4 !== 0)) invalid(`resource "${m.id}" has an entity list that is not whole u32 ids`);
      return m;
    });
  }
  if (typeof packed.timestamp !== 'number' || typeof packed.worldTime !== 'number' || typeof manifest.schemaVersion !== 'number') {
    invalid('timestamp, worldTime and schemaVersion must be numbers');
  }
  if (typeof manifest.version !== 'string' || !isWellFormed(manifest.version)) invalid('version must be a string without lone UTF-16 surrogates');
  const proto = typeof manifest.metadata === 'object' && manifest.metadata !== null ? Object.getPrototypeOf(manifest.metadata) : undefined;
  // A plain object only: its keys are what every route (and a store adding its record) keeps.
  if (proto !== Object.prototype && proto !== null) invalid('metadata must be a plain object of string keys (not an array, Map, Date or class instance)');
  const manifestBytes = manifestWriter.encode(manifest);
  let metadataEntries: unknown[] | undefined;
  if (packed.entityMetadata !== undefined) {
    if (!(packed.entityMetadata instanceof Map)) invalid('entityMetadata must be a Map from entity id to metadata');
    if (packed.entityMetadata.size > 0) metadataEntries = [...packed.entityMetadata];
  }
  const metadataBytes = metadataEntries === undefined ? undefined : encodeBlob(metadataEntries);

  function* sections(): Generator<PlannedSection> {
    yield section(SectionKind.Manifest, NO_INDEX, NO_INDEX, 0, 0, 0, undefined, manifestBytes);
    for (let k = 0; k < sets.length; k++) {
      if ('start' in sets[k]!) continue;
      const ids = setIds[k]!;
      yield section(SectionKind.EntitySet, k, NO_INDEX, 0, ids.length, 4, undefined, bytesOf(ids));
    }
    for (let c = 0; c < packed.components.length; c++) {
      const component = packed.components[c]!;
      const rows = component.entityIds.length;
      if (component.layout === 'blobs') {
        const blobs = component.blobs;
        for (const [start, end] of varChunks((i) => blobs[i]!.length, rows, chunkBytes)) {
          yield section(SectionKind.Blobs, c, NO_INDEX, start, end - start, 0, undefined, encodeBytesColumn(slice(blobs, start, end, rows)));
        }
        continue;
      }
      for (let f = 0; f < component.fields.length; f++) {
        const column = component.fields[f]!;
        const type = column.type;
        if (type === 'string') {
          const values = column.values as readonly string[];
          // UTF-8 length is at most 3 bytes per UTF-16 unit: a cheap bound that keeps chunks under chunkBytes.
          for (const [start, end] of varChunks((i) => values[i]!.length * 3, rows, chunkBytes)) {
            yield section(SectionKind.Column, c, f, start, end - start, 0, type, encodeStringColumn(slice(values, start, end, rows)));
          }
        } else if (type === 'bytes') {
          const values = column.values as readonly Uint8Array[];
          for (const [start, end] of varChunks((i) => values[i]!.length, rows, chunkBytes)) {
            yield section(SectionKind.Column, c, f, start, end - start, 0, type, encodeBytesColumn(slice(values, start, end, rows)));
          }
        } else {
          const width = FIELD_TYPES[type].width;
          const all = bytesOf(column.values as ArrayBufferView);
          if (rows * width <= chunkBytes) yield section(SectionKind.Column, c, f, 0, rows, width, type, all);
          else
            for (const [start, end] of fixedChunks(width, rows, chunkBytes))
              yield section(SectionKind.Column, c, f, start, end - start, width, type, all.subarray(start * width, end * width));
        }
      }
    }
    if (metadataBytes !== undefined) yield section(SectionKind.EntityMetadata, NO_INDEX, NO_INDEX, 0, metadataEntries!.length, 0, undefined, metadataBytes);
  }
  return { manifest, sections: sections() };
}

/** Runs every check a writer makes, without encoding a section: for layers that must refuse a snapshot before touching it (a store adding its record). */
export function checkSnapshot(packed: PackedSnapshot): void {
  planSnapshot(packed);
}

/** A planned section; one object shape for every kind, so the writers' hot loop stays monomorphic. */
function section(kind: number, owner: number, field: number, rowStart: number, rowCount: number, width: number, type: FieldType | undefined, raw: Uint8Array): PlannedSection {
  return { kind, owner, field, rowStart, rowCount, width, type, raw };
}

/** `values[start, end)`, without a copy when that is all of it. */
function slice<T>(values: readonly T[], start: number, end: number, rows: number): readonly T[] {
  return start === 0 && end === rows ? values : values.slice(start, end);
}
