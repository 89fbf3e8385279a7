// Resources (singletons) in the manifest's `resources` key (docs/format.md §4.2): each a
// one-row component whose values are stored in place, a few bytes each.
import { type AttributedShape, checkAttrs, decodeAttrs, encodeAttrs, type ManifestField } from './component-attrs.js';
import { PackError } from './errors.js';
import { FIELD_TYPES, type FieldType, fieldTypeFromCode, isFieldType } from './field-types.js';
import type { Column, PackedResource } from './model.js';
import { isWellFormed } from './var-column.js';

/** A resource as the manifest stores it: its shape and the bytes of its one row. */
export interface ManifestResource extends AttributedShape {
  id: string;
  fields: ManifestField[];
  /** One value per field (columns), or the one MessagePack blob (blobs), as stored bytes. */
  data: Uint8Array[];
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function invalid(message: string): never {
  throw new PackError('InvalidInput', message);
}

function bad(what: string): never {
  throw new PackError('InvalidFormat', `the manifest is malformed (${what}): the file is corrupt or not written by tx2-pack`);
}

/** The stored bytes of row 0 of a column. */
function valueBytes(column: Column, what: string): Uint8Array {
  const values = column.values as ArrayLike<unknown> & Partial<ArrayBufferView>;
  if (values === null || typeof values !== 'object' || values.length !== 1) invalid(`field "${column.name}" of ${what} needs exactly one value`);
  if (column.type === 'string') {
    const s = values[0];
    if (typeof s !== 'string' || !isWellFormed(s)) invalid(`field "${column.name}" of ${what} needs a string without lone UTF-16 surrogates`);
    return utf8.encode(s);
  }
  if (column.type === 'bytes') {
    const b = values[0];
    if (!(b instanceof Uint8Array)) invalid(`field "${column.name}" of ${what} needs a Uint8Array`);
    return b.slice();
  }
  const array = FIELD_TYPES[column.type].array!;
  if (Object.prototype.toString.call(values) !== `[object ${array.name}]`)
    invalid(`field "${column.name}" of ${what} is declared ${column.type} but its values are not a ${array.name}`);
  return new Uint8Array(values.buffer!, values.byteOffset!, FIELD_TYPES[column.type].width).slice();
}

/** A packed resource in manifest form; InvalidInput when it is malformed. */
export function manifestResource(resource: PackedResource, index: number): ManifestResource {
  if (typeof resource !== 'object' || resource === null || typeof resource.id !== 'string' || !isWellFormed(resource.id)) {
    invalid(`resource ${index} needs a string id without lone UTF-16 surrogates`);
  }
  const what = `resource "${resource.id}"`;
  if (resource.layout === 'blobs') {
    if (!Array.isArray(resource.blobs) || resource.blobs.length !== 1 || !(resource.blobs[0] instanceof Uint8Array)) invalid(`${what} needs exactly one Uint8Array blob`);
    return { id: resource.id, layout: 'blobs', fields: [], data: [resource.blobs[0]] };
  }
  if (resource.layout !== 'columns' || !Array.isArray(resource.fields)) invalid(`${what} needs the column layout with a fields array, or the blob layout`);
  const names = new Set<string>();
  const fields: ManifestField[] = resource.fields.map((f) => {
    if (typeof f !== 'object' || f === null || typeof f.name !== 'string' || !isWellFormed(f.name) || names.has(f.name))
      invalid(`${what} has a missing, malformed or repeated field name`);
    if (!isFieldType(f.type)) invalid(`field "${f.name}" of ${what} has unknown type "${String(f.type)}"`);
    names.add(f.name);
    return f.ref === undefined ? { name: f.name, type: f.type } : { name: f.name, type: f.type, ref: f.ref };
  });
  const shape: ManifestResource = { id: resource.id, layout: 'columns', fields, data: resource.fields.map((f) => valueBytes(f, what)) };
  if (resource.singleValue === true) shape.singleValue = true;
  checkAttrs(shape, what);
  return shape;
}

/** The manifest entry `[id, layout, fields, data, attrs]` of a resource. */
export function encodeResource(r: ManifestResource): unknown[] {
  return [r.id, r.layout === 'columns' ? 0 : 1, r.fields.map((f) => [f.name, FIELD_TYPES[f.type].code]), r.data, encodeAttrs(r) ?? {}];
}

const isU32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/** Reads and validates the manifest's `resources` list. */
export function decodeResources(raw: unknown): ManifestResource[] {
  if (!Array.isArray(raw)) bad('resources');
  const ids = new Set<string>();
  return raw.map((entry: unknown): ManifestResource => {
    if (!Array.isArray(entry) || entry.length !== 5) bad('resource');
    const [id, layout, rawFields, data, attrs] = entry as unknown[];
    if (typeof id !== 'string' || ids.has(id)) bad('resource id');
    ids.add(id);
    const what = `resource "${id}"`;
    if (layout !== 0 && layout !== 1) bad(`layout of ${what}`);
    if (!Array.isArray(rawFields) || (layout === 1 && rawFields.length !== 0)) bad(`fields of ${what}`);
    const names = new Set<string>();
    const fields = rawFields.map((f: unknown): ManifestField => {
      if (!Array.isArray(f) || f.length !== 2 || typeof f[0] !== 'string' || names.has(f[0])) bad(`field of ${what}`);
      const type: FieldType | undefined = isU32(f[1]) ? fieldTypeFromCode(f[1]) : undefined;
      if (type === undefined) bad(`type of field "${f[0]}" of ${what}`);
      names.add(f[0]);
      return { name: f[0], type };
    });
    const expected = layout === 0 ? fields.length : 1;
    if (!Array.isArray(data) || data.length !== expected || !data.every((d) => d instanceof Uint8Array)) bad(`values of ${what}`);
    fields.forEach((f, i) => {
      const width = FIELD_TYPES[f.type].width;
      if (width > 0 && (data[i] as Uint8Array).length !== width) bad(`value of field "${f.name}" of ${what}`);
    });
    const shape: ManifestResource = { id, layout: layout === 0 ? 'columns' : 'blobs', fields, data: data as Uint8Array[] };
    decodeAttrs(attrs, shape, what);
    return shape;
  });
}

/** A resource of the manifest as a packed resource (copying its bytes). */
export function packedResource(r: ManifestResource): PackedResource {
  if (r.layout === 'blobs') return { id: r.id, layout: 'blobs', blobs: [r.data[0]!.slice()] };
  const fields = r.fields.map((f, i): Column => {
    const bytes = r.data[i]!;
    let values: unknown;
    if (f.type === 'string') {
      try {
        values = [utf8Decoder.decode(bytes)];
      } catch {
        bad(`field "${f.name}" of resource "${r.id}" is not well-formed UTF-8`);
      }
    } else if (f.type === 'bytes') values = [bytes.slice()];
    else {
      const array = FIELD_TYPES[f.type].array!;
      values = new array(bytes.slice().buffer, 0, 1);
    }
    const column = { name: f.name, type: f.type, values } as Column;
    if (f.ref !== undefined) column.ref = f.ref;
    return column;
  });
  const out: PackedResource = { id: r.id, layout: 'columns', fields };
  if (r.singleValue === true) out.singleValue = true;
  return out;
}
