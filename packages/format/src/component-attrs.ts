// The manifest's `attrs` key (docs/format.md §4.1): what a component's columns mean beyond
// their types. Old readers ignore the key and read the same columns as plain data.
import { PackError } from './errors.js';
import type { FieldType } from './field-types.js';
import type { RefKind } from './model.js';

/** A field as the manifest describes it. */
export interface ManifestField {
  name: string;
  type: FieldType;
  /** Set when the field holds entity ids (manifest `attrs`). */
  ref?: RefKind;
}

/** The parts of a component that `attrs` describes. */
export interface AttributedShape {
  layout: 'columns' | 'blobs';
  fields: readonly ManifestField[];
  singleValue?: boolean;
}

const REF_CODES: Record<RefKind, number> = { entity: 0, entities: 1 };
const REF_TYPES: Record<RefKind, FieldType> = { entity: 'u32', entities: 'bytes' };

/** The attrs map of a component (keys `value`, then `refs`, each only when set), or undefined when it has none. */
export function encodeAttrs(shape: AttributedShape): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if (shape.singleValue === true) out.value = true;
  const refs: [number, number][] = [];
  shape.fields.forEach((f, i) => {
    if (f.ref !== undefined) refs.push([i, REF_CODES[f.ref]]);
  });
  if (refs.length > 0) out.refs = refs;
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Checks the attributes a writer is given: single-value components have one field, refs have their storage type. */
export function checkAttrs(shape: AttributedShape, what: string): void {
  if (shape.singleValue !== undefined && typeof shape.singleValue !== 'boolean') throw new PackError('InvalidInput', `singleValue of ${what} must be a boolean`);
  if (shape.singleValue === true && (shape.layout !== 'columns' || shape.fields.length !== 1)) {
    throw new PackError('InvalidInput', `${what} is single-value, so it needs the column layout and exactly one field (it has ${shape.fields.length})`);
  }
  for (const f of shape.fields) {
    if (f.ref === undefined) continue;
    if (f.ref !== 'entity' && f.ref !== 'entities')
      throw new PackError('InvalidInput', `field "${f.name}" of ${what} has unknown ref kind "${String(f.ref)}" (use 'entity' or 'entities')`);
    if (f.type !== REF_TYPES[f.ref]) {
      throw new PackError('InvalidInput', `field "${f.name}" of ${what} is an '${f.ref}' reference, stored as ${REF_TYPES[f.ref]}, but is declared ${f.type}`);
    }
  }
}

function bad(what: string): never {
  throw new PackError('InvalidFormat', `the manifest is malformed (${what}): the file is corrupt or not written by tx2-pack`);
}

const isU32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/** Reads one attrs map onto a decoded component shape (mutating its fields); unknown keys are ignored. */
export function decodeAttrs(raw: unknown, shape: { layout: 'columns' | 'blobs'; fields: ManifestField[]; singleValue?: boolean }, what: string): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || raw instanceof Uint8Array) bad(`attributes of ${what}`);
  const attrs = raw as Record<string, unknown>;
  if (attrs.value !== undefined) {
    if (typeof attrs.value !== 'boolean') bad(`value attribute of ${what}`);
    if (attrs.value) {
      if (shape.layout !== 'columns' || shape.fields.length !== 1) bad(`${what} is single-value but has ${shape.fields.length} fields`);
      shape.singleValue = true;
    }
  }
  if (attrs.refs !== undefined) {
    if (!Array.isArray(attrs.refs)) bad(`refs of ${what}`);
    let last = -1;
    for (const entry of attrs.refs as unknown[]) {
      if (!Array.isArray(entry) || entry.length !== 2 || !isU32(entry[0]) || entry[0] <= last) bad(`a ref of ${what}`);
      const field = shape.fields[entry[0]];
      const kind = entry[1] === 0 ? 'entity' : entry[1] === 1 ? 'entities' : undefined;
      if (field === undefined || kind === undefined || field.type !== REF_TYPES[kind]) bad(`a ref of ${what}`);
      field.ref = kind;
      last = entry[0];
    }
  }
}
