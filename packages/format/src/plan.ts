import { encodeBlob } from './blob.js';
import { PackError } from './errors.js';
import { FIELD_TYPES, type FieldType, isFieldType } from './field-types.js';
import { NO_INDEX, SectionKind } from './layout.js';
import { isRange, sameIds } from './arrays.js';
import { type EntitySetEntry, type Manifest, ManifestWriter } from './manifest.js';
import type { Column, PackedSnapshot } from './model.js';
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
  type?: FieldType;
  raw: Uint8Array;
}

/** The sections of a snapshot in file order (without the table of contents), and its manifest. */
export interface SnapshotPlan {
  manifest: Manifest;
  sections: PlannedSection[];
}

function invalid(message: string): never {
  throw new PackError('InvalidInput', message);
}

const tagOf = (v: unknown): string => Object.prototype.toString.call(v);

function bytesOf(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}


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

function columnBytes(component: string, column: Column): Uint8Array {
  if (column.type === 'string') {
    const values = column.values;
    for (let i = 0; i < values.length; i++) {
      if (typeof values[i] !== 'string') invalid(`field "${column.name}" of component "${component}" has a non-string at row ${i}`);
    }
    return encodeStringColumn(values);
  }
  if (column.type === 'bytes') {
    const values = column.values;
    for (let i = 0; i < values.length; i++) {
      if (!(values[i] instanceof Uint8Array)) invalid(`field "${column.name}" of component "${component}" has a non-Uint8Array at row ${i}`);
    }
    return encodeBytesColumn(values);
  }
  return bytesOf(column.values);
}

/** Validates a packed snapshot and lays it out as sections; throws InvalidInput on bad input. */
export function planSnapshot(packed: PackedSnapshot, manifestWriter: ManifestWriter = new ManifestWriter()): SnapshotPlan {
  checkEntities(packed);
  if (!(packed.entities instanceof Uint32Array) && tagOf(packed.entities) !== '[object Uint32Array]') invalid('snapshot.entities must be a Uint32Array of entity ids');
  const setIds: Uint32Array[] = [];
  const sets: EntitySetEntry[] = [];
  const sections: PlannedSection[] = [];
  const setSections: PlannedSection[] = [];
  const setIndex = (ids: Uint32Array): number => {
    for (let k = 0; k < setIds.length; k++) if (sameIds(setIds[k]!, ids)) return k;
    const k = setIds.length;
    setIds.push(ids);
    if (ids.length > 0 && isRange(ids) && ids[0]! + ids.length <= 0x100000000) {
      sets.push({ start: ids[0]!, count: ids.length });
    } else {
      sets.push({ count: ids.length });
      setSections.push({ kind: SectionKind.EntitySet, owner: k, field: NO_INDEX, rowStart: 0, rowCount: ids.length, width: 4, raw: bytesOf(ids) });
    }
    return k;
  };
  const entities = setIndex(packed.entities);
  const componentIndex = new Map<string, number>();
  const components: Manifest['components'] = [];
  packed.components.forEach((component, c) => {
    if (typeof component.id !== 'string' || !isWellFormed(component.id)) invalid(`component ${c} needs a string id without lone UTF-16 surrogates`);
    if (componentIndex.has(component.id)) invalid(`component "${component.id}" appears twice: merge it into one archetype`);
    componentIndex.set(component.id, c);
    if (!(component.entityIds instanceof Uint32Array) && tagOf(component.entityIds) !== '[object Uint32Array]') invalid(`component "${component.id}" entityIds must be a Uint32Array`);
    const rows = component.entityIds.length;
    const set = setIndex(component.entityIds);
    if (component.layout === 'columns') {
      const names = new Set<string>();
      component.fields.forEach((column, f) => {
        if (typeof column.name !== 'string' || !isWellFormed(column.name)) invalid(`component "${component.id}" has a field name that is not a well-formed string`);
        if (names.has(column.name)) invalid(`component "${component.id}" has a missing or repeated field name "${column.name}"`);
        names.add(column.name);
        checkColumn(component.id, column, rows);
        sections.push({
          kind: SectionKind.Column,
          owner: c,
          field: f,
          rowStart: 0,
          rowCount: rows,
          width: FIELD_TYPES[column.type].width,
          type: column.type,
          raw: columnBytes(component.id, column),
        });
      });
      components.push({ id: component.id, set, layout: 'columns', fields: component.fields.map((f) => ({ name: f.name, type: f.type })) });
    } else if (component.layout === 'blobs') {
      const blobs = component.blobs;
      if (!Array.isArray(blobs) || blobs.length !== rows) invalid(`component "${component.id}" needs one blob per entity (${rows})`);
      for (let i = 0; i < rows; i++) if (!(blobs[i] instanceof Uint8Array)) invalid(`component "${component.id}" blob ${i} is not a Uint8Array`);
      sections.push({ kind: SectionKind.Blobs, owner: c, field: NO_INDEX, rowStart: 0, rowCount: rows, width: 0, raw: encodeBytesColumn(blobs) });
      components.push({ id: component.id, set, layout: 'blobs', fields: [] });
    } else {
      invalid(`component "${(component as { id: string }).id}" has unknown layout "${String((component as { layout: unknown }).layout)}"`);
    }
  });

  const order: [number, number[]][] = [];
  for (const [entity, ids] of packed.componentOrder ?? []) {
    order.push([
      entity,
      ids.map((id) => componentIndex.get(id) ?? invalid(`componentOrder of entity ${entity} names unknown component "${id}"`)),
    ]);
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
  if (typeof packed.timestamp !== 'number' || typeof packed.worldTime !== 'number' || typeof manifest.schemaVersion !== 'number') {
    invalid('timestamp, worldTime and schemaVersion must be numbers');
  }
  if (typeof manifest.version !== 'string' || !isWellFormed(manifest.version)) invalid('version must be a string without lone UTF-16 surrogates');
  if (typeof manifest.metadata !== 'object' || manifest.metadata === null) invalid('metadata must be an object');

  const planned: PlannedSection[] = [
    { kind: SectionKind.Manifest, owner: NO_INDEX, field: NO_INDEX, rowStart: 0, rowCount: 0, width: 0, raw: manifestWriter.encode(manifest) },
    ...setSections,
    ...sections,
  ];
  if (packed.entityMetadata !== undefined && packed.entityMetadata.size > 0) {
    const entries = [...packed.entityMetadata];
    planned.push({
      kind: SectionKind.EntityMetadata,
      owner: NO_INDEX,
      field: NO_INDEX,
      rowStart: 0,
      rowCount: entries.length,
      width: 0,
      raw: encodeBlob(entries),
    });
  }
  return { manifest, sections: planned };
}
