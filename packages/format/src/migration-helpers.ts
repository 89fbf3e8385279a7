// Ready-made migration steps for the common schema changes. Each returns a transform that
// builds a new snapshot and never writes into the input's arrays (they may view file bytes).
import { decodeBlob, encodeBlob } from './blob.js';
import { PackError } from './errors.js';
import { FIELD_TYPES, type FieldType, isFieldType } from './field-types.js';
import { fitsFieldType } from './from-world.js';
import type { SnapshotTransform } from './migrations.js';
import type { Column, PackedComponent, PackedResource, PackedSnapshot } from './model.js';
import { encodeEntityList, isEntityList } from './refs.js';
import { columnOfSpec, type FieldSpec, isFieldSpec } from './schema.js';

/** Which list a helper changes: the components (default) or the resources. */
export interface MigrationScope {
  in?: 'components' | 'resources';
}

type Part = PackedComponent | PackedResource;

function invalid(message: string): never {
  throw new PackError('InvalidInput', message);
}

function mismatch(message: string, details: Record<string, unknown>): never {
  throw new PackError('SchemaMismatch', message, { details });
}

/** The snapshot with the named component (or resource) replaced by what `change` returns (nothing: removed); absent ids are left alone. */
function changePart(snapshot: PackedSnapshot, id: string, scope: MigrationScope | undefined, change: (part: Part) => Part[]): PackedSnapshot {
  const inResources = scope?.in === 'resources';
  const list: readonly Part[] = (inResources ? snapshot.resources : snapshot.components) ?? [];
  const at = list.findIndex((p) => p.id === id);
  if (at < 0) return snapshot;
  const next = [...list.slice(0, at), ...change(list[at]!), ...list.slice(at + 1)];
  const seen = new Set<string>();
  for (const p of next) {
    if (seen.has(p.id)) invalid(`the migration makes two ${inResources ? 'resources' : 'components'} named "${p.id}"`);
    seen.add(p.id);
  }
  return inResources ? { ...snapshot, resources: next as PackedResource[] } : { ...snapshot, components: next as PackedComponent[] };
}

/** Each row's object form of a blob part, changed by `edit` and encoded again. */
function mapBlobs(part: Part & { layout: 'blobs' }, edit: (row: Record<string, unknown>, r: number) => Record<string, unknown>): Uint8Array[] {
  return part.blobs.map((blob, r) => {
    const row = decodeBlob(blob.slice(), `the blob of "${part.id}"`);
    if (typeof row !== 'object' || row === null || Array.isArray(row) || Object.getPrototypeOf(row) !== Object.prototype) {
      mismatch(`row ${r} of "${part.id}" is not a plain object, so its fields cannot be migrated`, { component: part.id, row: r });
    }
    return encodeBlob(edit(row as Record<string, unknown>, r));
  });
}

const rowsOf = (part: Part): number =>
  part.layout === 'blobs' ? part.blobs.length : ((part.fields[0]?.values as ArrayLike<unknown> | undefined)?.length ?? ('entityIds' in part ? part.entityIds.length : 1));

/** A column of `n` copies of `value`, checked to fit `spec`. */
function filledColumn(name: string, spec: FieldSpec, value: unknown, n: number, where: string): Column {
  const { type, ref } = columnOfSpec(spec);
  let v = value;
  if (ref === 'entities' && isEntityList(v)) v = encodeEntityList(v);
  if ((type === 'i64' || type === 'u64') && typeof v === 'number' && Number.isSafeInteger(v)) v = BigInt(v);
  if (!fitsFieldType(v, type)) invalid(`the default of field "${name}" of ${where} is ${String(value)}, which a ${spec} field cannot hold exactly`);
  const array = FIELD_TYPES[type].array;
  let values: unknown;
  if (array === undefined) values = new Array(n).fill(v);
  else {
    values = new array(n);
    (values as { fill(x: unknown): void }).fill(type === 'bool' ? (v ? 1 : 0) : v);
  }
  const column = { name, type, values } as Column;
  if (ref !== undefined) column.ref = ref;
  return column;
}

/** Adds field `field` with `value` in every row (columns: a new column of `spec`; blobs: a new key), unless the component already has it. */
export function addField(component: string, field: string, spec: FieldSpec, value: unknown, scope?: MigrationScope): SnapshotTransform {
  if (!isFieldSpec(spec)) invalid(`addField: unknown field type "${String(spec)}"`);
  return (snapshot) =>
    changePart(snapshot, component, scope, (part) => {
      if (part.layout === 'blobs') {
        return [{ ...part, blobs: mapBlobs(part, (row) => (Object.hasOwn(row, field) ? row : { ...row, [field]: value })) }];
      }
      if (part.singleValue === true) mismatch(`"${component}" is a single-value component: it has no fields to add to`, { component });
      if (part.fields.some((f) => f.name === field)) return [part];
      return [{ ...part, fields: [...part.fields, filledColumn(field, spec, value, rowsOf(part), `"${component}"`)] }];
    });
}

/** Renames field `from` of a component to `to` (columns and blob keys, keeping the key's place). */
export function renameField(component: string, from: string, to: string, scope?: MigrationScope): SnapshotTransform {
  return (snapshot) =>
    changePart(snapshot, component, scope, (part) => {
      if (part.layout === 'blobs') {
        return [
          {
            ...part,
            blobs: mapBlobs(part, (row) => {
              if (!Object.hasOwn(row, from)) return row;
              if (Object.hasOwn(row, to)) mismatch(`a row of "${component}" already has field "${to}"`, { component, field: to });
              return Object.fromEntries(Object.entries(row).map(([k, v]) => [k === from ? to : k, v]));
            }),
          },
        ];
      }
      if (!part.fields.some((f) => f.name === from)) return [part];
      if (part.fields.some((f) => f.name === to)) mismatch(`"${component}" already has field "${to}"`, { component, field: to });
      return [{ ...part, fields: part.fields.map((f) => (f.name === from ? { ...f, name: to } : f)) }];
    });
}

/** Removes field `field` of a component (its column, or the key of every blob). */
export function dropField(component: string, field: string, scope?: MigrationScope): SnapshotTransform {
  return (snapshot) =>
    changePart(snapshot, component, scope, (part) => {
      if (part.layout === 'blobs') {
        return [
          {
            ...part,
            blobs: mapBlobs(part, (row) => {
              const { [field]: _dropped, ...rest } = row;
              return rest;
            }),
          },
        ];
      }
      if (part.singleValue === true && part.fields.some((f) => f.name === field)) mismatch(`"${component}" is single-value: drop the component instead`, { component });
      return [{ ...part, fields: part.fields.filter((f) => f.name !== field) }];
    });
}

/** Renames a component (or resource) id; the component order follows. */
export function renameComponent(from: string, to: string, scope?: MigrationScope): SnapshotTransform {
  return (snapshot) => {
    const out = changePart(snapshot, from, scope, (part) => [{ ...part, id: to }]);
    return out === snapshot || scope?.in === 'resources' ? out : withOrder(out, (ids) => ids.flatMap((id) => (id === from ? [to] : [id])));
  };
}

/** Removes a component (or resource) and its rows. */
export function dropComponent(id: string, scope?: MigrationScope): SnapshotTransform {
  return (snapshot) => {
    const out = changePart(snapshot, id, scope, () => []);
    return out === snapshot || scope?.in === 'resources' ? out : withOrder(out, (ids) => ids.filter((c) => c !== id));
  };
}

/**
 * Splits a component into several with the same entities, each taking the fields listed for it
 * (columns, or blob keys), in place of the original; fields listed for none are dropped.
 */
export function splitComponent(id: string, parts: Readonly<Record<string, readonly string[]>>, scope?: MigrationScope): SnapshotTransform {
  const names = Object.keys(parts);
  if (names.length === 0 || !names.every((n) => Array.isArray(parts[n]))) invalid('splitComponent needs the new components with their field names');
  return (snapshot) => {
    const out = changePart(snapshot, id, scope, (part) =>
      names.map((name): Part => {
        const fields = parts[name]!;
        if (part.layout === 'blobs') {
          return { ...part, id: name, blobs: mapBlobs(part, (row) => Object.fromEntries(fields.filter((f) => Object.hasOwn(row, f)).map((f) => [f, row[f]]))) };
        }
        const picked = fields.map((f) => part.fields.find((c) => c.name === f) ?? mismatch(`"${id}" has no field "${f}" to move to "${name}"`, { component: id, field: f }));
        const { singleValue: _single, ...rest } = part;
        return { ...rest, id: name, fields: picked };
      }),
    );
    return out === snapshot || scope?.in === 'resources' ? out : withOrder(out, (ids) => ids.flatMap((c) => (c === id ? names : [c])));
  };
}

// Lossless widenings: every value of the old type is a value of the new one.
const INT_BITS: Partial<Record<FieldType, [signed: boolean, bits: number]>> = {
  i8: [true, 8],
  i16: [true, 16],
  i32: [true, 32],
  i64: [true, 64],
  u8: [false, 8],
  u16: [false, 16],
  u32: [false, 32],
  u64: [false, 64],
};

/** True when every value of `from` is exactly a value of `to`. */
function widens(from: FieldType, to: FieldType): boolean {
  if (from === 'f32') return to === 'f64';
  const a = INT_BITS[from];
  if (a === undefined) return false;
  if (to === 'f64') return a[1] <= 32;
  const b = INT_BITS[to];
  if (b === undefined || b[1] <= a[1]) return false;
  return b[0] || !a[0];
}

/** Widens a numeric field without loss: f32 → f64, an integer to a wider integer (or f64 up to 32 bits); blobs are unchanged. */
export function widenField(component: string, field: string, to: FieldType, scope?: MigrationScope): SnapshotTransform {
  if (!isFieldType(to)) invalid(`widenField: unknown field type "${String(to)}"`);
  return (snapshot) =>
    changePart(snapshot, component, scope, (part) => {
      if (part.layout === 'blobs') return [part];
      const column = part.fields.find((f) => f.name === field || (part.singleValue === true && field === ''));
      if (column === undefined || column.type === to) return [part];
      if (!widens(column.type, to))
        mismatch(`field "${field}" of "${component}" is ${column.type}, which does not widen to ${to} without loss`, { component, field, from: column.type, to });
      const source = column.values as ArrayLike<number | bigint>;
      const values = new FIELD_TYPES[to].array!(source.length);
      const big = to === 'i64' || to === 'u64';
      for (let r = 0; r < source.length; r++) (values as unknown as unknown[])[r] = big ? BigInt(source[r]!) : Number(source[r]!);
      return [{ ...part, fields: part.fields.map((f) => (f === column ? ({ name: f.name, type: to, values } as Column) : f)) }];
    });
}

/** The snapshot with each entity's component order list changed by `edit`. */
function withOrder(snapshot: PackedSnapshot, edit: (ids: string[]) => string[]): PackedSnapshot {
  if (snapshot.componentOrder === undefined) return snapshot;
  return { ...snapshot, componentOrder: new Map([...snapshot.componentOrder].map(([entity, ids]) => [entity, edit(ids)])) };
}
