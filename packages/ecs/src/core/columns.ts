import { type Column, type FieldType, NULL_ENTITY, type PackError, type PackedComponent, columnOfSpec, encodeEntityList, isFieldSpec } from '@tx2/pack-format';
import { type Library, schemaMismatch } from './mismatch.js';
import type { FieldSpec } from './registry.js';

/** Looks up the new id of a saved entity (undefined: not saved). */
export type IdLookup = { get(old: number): number | undefined };

/** The saved value of an entity reference that points nowhere (null, or an entity not saved): the format's `NULL_ENTITY`. */
export const NO_ENTITY = NULL_ENTITY;

type NumericType = Exclude<FieldType, 'string' | 'bytes' | 'bool' | 'i64' | 'u64'>;

const ARRAYS = {
  bool: Uint8Array,
  i8: Int8Array,
  i16: Int16Array,
  i32: Int32Array,
  u8: Uint8Array,
  u16: Uint16Array,
  u32: Uint32Array,
  f32: Float32Array,
  f64: Float64Array,
} as const;

/** `f(list[i])` for each i as a Uint32Array; a plain loop (typed-array `from` with a map function is slow in V8). */
export function idArray<T>(list: ArrayLike<T>, f: (item: T) => number = (item) => (item as number) >>> 0): Uint32Array {
  const out = new Uint32Array(list.length);
  for (let i = 0; i < list.length; i++) out[i] = f(list[i]!);
  return out;
}

export { isFieldSpec };

/** The column type a field spec is stored as: references are u32 ids (lists: packed little-endian u32 bytes). */
export function storedType(spec: FieldSpec): FieldType {
  return columnOfSpec(spec).type;
}

/** A reference list in its stored form; a reference to nothing is dropped (a list has no holes). */
function listBytes(library: Library, component: string, field: string, ids: readonly unknown[]): Uint8Array {
  const kept = ids.filter((id) => id !== null && id !== undefined);
  try {
    return encodeEntityList(kept as number[]);
  } catch {
    throw badValue(
      library,
      component,
      field,
      'entities',
      ids.find((id) => typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > NO_ENTITY),
    );
  }
}

function badValue(library: Library, component: string, field: string, spec: FieldSpec, value: unknown): PackError {
  const shown = typeof value === 'bigint' ? `${value}n` : typeof value === 'string' ? JSON.stringify(value) : String(value);
  return schemaMismatch(library, component, field, `is declared ${spec} but holds ${shown} (${typeof value})`, 'store a value of the declared type or change the declaration');
}

/**
 * One column of `n` rows from `read(row)`. References are read as saved ids (a number, or
 * null/undefined for none); a list reference as an array of saved ids.
 */
export function buildColumn(library: Library, component: string, name: string, spec: FieldSpec, n: number, read: (row: number) => unknown): Column {
  const type = storedType(spec);
  if (spec === 'entity') {
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const v = read(i);
      if (v === null || v === undefined) out[i] = NO_ENTITY;
      else if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= NO_ENTITY) out[i] = v;
      else throw badValue(library, component, name, spec, v);
    }
    return { name, type: 'u32', values: out, ref: 'entity' };
  }
  if (spec === 'entities') {
    const out: Uint8Array[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = read(i);
      if (v === null || v === undefined) out[i] = new Uint8Array(0);
      else if (Array.isArray(v)) out[i] = listBytes(library, component, name, v);
      else throw badValue(library, component, name, spec, v);
    }
    return { name, type: 'bytes', values: out, ref: 'entities' };
  }
  if (type === 'string') {
    const out: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = read(i);
      if (typeof v !== 'string') throw badValue(library, component, name, spec, v);
      out[i] = v;
    }
    return { name, type, values: out };
  }
  if (type === 'bytes') {
    const out: Uint8Array[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = read(i);
      if (!(v instanceof Uint8Array)) throw badValue(library, component, name, spec, v);
      out[i] = v;
    }
    return { name, type, values: out };
  }
  if (type === 'i64' || type === 'u64') {
    const out = type === 'i64' ? new BigInt64Array(n) : new BigUint64Array(n);
    for (let i = 0; i < n; i++) {
      const v = read(i);
      if (typeof v === 'bigint') out[i] = v;
      else if (typeof v === 'number' && Number.isSafeInteger(v)) out[i] = BigInt(v);
      else throw badValue(library, component, name, spec, v);
    }
    return { name, type, values: out } as Column;
  }
  if (type === 'bool') {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = read(i);
      if (typeof v === 'boolean') out[i] = v ? 1 : 0;
      else if (v === 0 || v === 1) out[i] = v;
      else throw badValue(library, component, name, spec, v);
    }
    return { name, type, values: out };
  }
  const out = new ARRAYS[type as NumericType](n);
  for (let i = 0; i < n; i++) {
    const v = read(i);
    if (typeof v !== 'number') throw badValue(library, component, name, spec, v);
    out[i] = v;
  }
  return { name, type, values: out } as Column;
}

/** A loaded column's values as the world wants them: references mapped through `idMap` (unknown ids become null). */
export type LoadedValues = ArrayLike<unknown>;

/** The values of field `name` of a loaded component, checked against its declared spec; references remapped. */
export function loadColumn(library: Library, component: PackedComponent, name: string, spec: FieldSpec, idMap: IdLookup): LoadedValues {
  if (component.layout !== 'columns') {
    throw schemaMismatch(library, component.id, undefined, 'is stored as blobs in the snapshot but declared with fields', 'declare it as a blob component or migrate the save');
  }
  const column = component.fields.find((f) => f.name === name);
  if (column === undefined) {
    throw schemaMismatch(
      library,
      component.id,
      name,
      `is missing from the snapshot (it has: ${component.fields.map((f) => f.name).join(', ') || 'no fields'})`,
      'add a migration that gives the field a default, or remove it from the registry',
    );
  }
  const stored = column.ref ?? column.type;
  if (stored !== spec) {
    throw schemaMismatch(library, component.id, name, `is ${stored} in the snapshot but declared ${spec}`, 'add a migration that converts the field, or declare the stored type');
  }
  if (spec === 'entity') {
    const saved = column.values as Uint32Array;
    const out: (number | null)[] = new Array(saved.length);
    for (let i = 0; i < saved.length; i++) {
      const mapped = idMap.get(saved[i]!);
      out[i] = mapped === undefined ? null : mapped;
    }
    return out;
  }
  if (spec === 'entities') {
    const saved = column.values as readonly Uint8Array[];
    return saved.map((bytes) => {
      if (bytes.byteLength % 4 !== 0) {
        throw schemaMismatch(
          library,
          component.id,
          name,
          `holds a reference list of ${bytes.byteLength} bytes, not a multiple of 4`,
          'the snapshot is damaged; load an intact copy',
        );
      }
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const ids: number[] = [];
      for (let o = 0; o < bytes.byteLength; o += 4) {
        const mapped = idMap.get(view.getUint32(o, true));
        if (mapped !== undefined) ids.push(mapped);
      }
      return ids;
    });
  }
  if (spec === 'bool') {
    const bytes = column.values as Uint8Array;
    const out: boolean[] = new Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] !== 0;
    return out;
  }
  return column.values;
}
