// Structural checks of an in-memory SnapshotDelta, made before and while it is applied, with or
// without hash verification: a delta made by hand or modified after diff() is InvalidFormat,
// like a malformed delta container, never a raw TypeError or a snapshot the encoder refuses.
import { PackError } from './errors.js';
import { FIELD_TYPES, type FieldType, isFieldType } from './field-types.js';
import type { IdListDelta, SnapshotDelta } from './delta-model.js';
import type { PackedComponent } from './model.js';
import { isWellFormed } from './var-column.js';

/** Throws the InvalidFormat error of a malformed delta. */
export function malformed(message: string, details?: Record<string, unknown>): never {
  throw new PackError('InvalidFormat', `the delta is malformed: ${message}`, details === undefined ? {} : { details });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
const isIdArray = (v: unknown): v is Uint32Array => v instanceof Uint32Array;
const isText = (v: unknown): v is string => typeof v === 'string' && isWellFormed(v);
const isEntityId = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/** Checks an id-list change: `{ ids }` or `{ removed, added }`, each a Uint32Array. */
export function checkIdListDelta(change: unknown, what: string): asserts change is IdListDelta | undefined {
  if (change === undefined) return;
  if (isObject(change) && isIdArray(change.ids) && !('removed' in change) && !('added' in change)) return;
  if (isObject(change) && isIdArray(change.removed) && isIdArray(change.added) && !('ids' in change)) return;
  malformed(`${what} is neither { ids } nor { removed, added } of Uint32Arrays`);
}

function isMetadataPairs(v: unknown): boolean {
  return Array.isArray(v) && v.every((e) => Array.isArray(e) && e.length === 2 && isEntityId(e[0]) && isObject(e[1]));
}

/** Checks the fields of a delta that do not depend on its base (header fields, metadata, lists). */
export function checkDeltaShape(delta: unknown): asserts delta is SnapshotDelta {
  if (!isObject(delta)) malformed('it is not a SnapshotDelta object');
  if (!(delta.base instanceof Uint8Array) || delta.base.length !== 32 || !(delta.target instanceof Uint8Array) || delta.target.length !== 32) {
    malformed('its base and target must be 32-byte SHA-256 hashes');
  }
  if (typeof delta.timestamp !== 'number' || typeof delta.worldTime !== 'number' || typeof delta.schemaVersion !== 'number') {
    malformed('its timestamp, worldTime and schemaVersion must be numbers');
  }
  if (!isText(delta.version)) malformed('its version must be a string without lone surrogates');
  const metadata = delta.metadata;
  if (metadata !== undefined) {
    const replace = isObject(metadata) && isObject(metadata.replace) && !('set' in metadata);
    const patch = isObject(metadata) && isObject(metadata.set) && Array.isArray(metadata.removed) && metadata.removed.every((k) => typeof k === 'string');
    if (!replace && !patch) malformed('its metadata change is neither { set, removed } nor { replace }');
  }
  checkIdListDelta(delta.entities, 'its entity list change');
  if (!Array.isArray(delta.components)) malformed('its components are not an array');
  let predicted = 0;
  for (const change of delta.components as unknown[]) {
    if (!isObject(change) || !isText(change.id)) malformed('a component change has no string id');
    if (change.change === 'patched' && Array.isArray(change.fields)) predicted += checkPredictedFields(change);
  }
  const reference = delta.reference;
  if (reference !== undefined) {
    if (!isObject(reference) || !(reference.hash instanceof Uint8Array) || reference.hash.length !== 32)
      malformed('its reference is not { hash, scale } with a 32-byte SHA-256 hash');
    if (typeof reference.scale !== 'number' || !Number.isFinite(reference.scale)) malformed(`its reference scale ${String(reference.scale)} is not a finite number`);
    if (predicted === 0) malformed('it has a reference but predicts no field');
  } else if (predicted > 0) malformed('it predicts fields but has no reference to predict them from');
  if (!Array.isArray(delta.removedComponents) || !delta.removedComponents.every(isText)) malformed('its removed components are not an array of ids');
  const entityMetadata = delta.entityMetadata;
  if (entityMetadata !== undefined) {
    const replace = isObject(entityMetadata) && isMetadataPairs(entityMetadata.replace) && !('set' in entityMetadata);
    const patch =
      isObject(entityMetadata) &&
      isMetadataPairs(entityMetadata.set) &&
      (isIdArray(entityMetadata.removed) || (Array.isArray(entityMetadata.removed) && entityMetadata.removed.every(isEntityId)));
    if (!replace && !patch) malformed('its entity metadata change is neither { set, removed } nor { replace } of [entity, metadata] pairs');
  }
  const order = delta.componentOrder;
  if (order !== undefined && order !== null) {
    if (!Array.isArray(order) || !order.every((e) => Array.isArray(e) && e.length === 2 && isEntityId(e[0]) && Array.isArray(e[1]) && e[1].every(isText))) {
      malformed('its component order is not a list of [entity, component ids]');
    }
  }
}

/**
 * Checks the predicted field changes of a patch: `predicted: true` only on a whole f32/f64
 * field without `xor`, of a columnar patch without row change or added rows. Returns their count.
 */
function checkPredictedFields(change: Record<string, unknown>): number {
  let count = 0;
  for (const field of change.fields as unknown[]) {
    if (!isObject(field) || field.predicted === undefined) continue;
    const what = `field "${String(field.name)}" of "${String(change.id)}"`;
    if (field.predicted !== true) malformed(`the change of ${what} has predicted ${String(field.predicted)}, not true`);
    if (field.xor !== undefined) malformed(`the change of ${what} is both predicted and xor`);
    if (field.type !== 'f32' && field.type !== 'f64') malformed(`the change of ${what} predicts a ${String(field.type)} field: only f32 and f64 fields may be`);
    if (field.rows !== undefined) malformed(`the change of ${what} predicts some rows: only whole fields may be`);
    if (change.layout !== 'columns' || change.rows !== undefined || change.added !== undefined) {
      malformed(`the change of ${what} is predicted in a patch with a row change or added rows: rows must match the reference's one to one`);
    }
    count++;
  }
  return count;
}

/** Checks values for a column of `type`: the array class, `count` values, strings and bytes element by element. */
export function checkColumnValues(values: unknown, type: FieldType, count: number, what: string): void {
  const array = FIELD_TYPES[type].array;
  const ok = array === undefined ? Array.isArray(values) : values instanceof array;
  if (!ok) malformed(`${what} should hold ${type} values`);
  const list = values as ArrayLike<unknown>;
  if (list.length !== count) malformed(`${what} has ${list.length} values where ${count} are needed`);
  if (type === 'bytes') {
    for (let i = 0; i < count; i++) if (!(list[i] instanceof Uint8Array)) malformed(`${what} holds a value that is not bytes`);
  } else if (type === 'string') {
    for (let i = 0; i < count; i++) if (!isText(list[i])) malformed(`${what} holds a value that is not a string without lone surrogates`);
  }
}

/** Checks a whole component carried by a delta (added or replaced) as the encoder would. */
export function checkComponentShape(component: unknown, what: string): asserts component is PackedComponent {
  if (!isObject(component)) malformed(`${what} is not a component`);
  const rows = component.entityIds;
  if (!isIdArray(rows)) malformed(`${what} has no Uint32Array of entity ids`);
  if (component.layout === 'blobs') {
    checkColumnValues(component.blobs, 'bytes', rows.length, `the blobs of ${what}`);
    return;
  }
  if (component.layout !== 'columns' || !Array.isArray(component.fields)) malformed(`${what} has neither the column nor the blob layout`);
  const names = new Set<string>();
  for (const field of component.fields as unknown[]) {
    if (!isObject(field) || !isText(field.name) || names.has(field.name)) malformed(`${what} has a field without a name of its own`);
    names.add(field.name);
    if (!isFieldType(field.type)) malformed(`field "${field.name}" of ${what} has unknown type ${String(field.type)}`);
    checkColumnValues(field.values, field.type, rows.length, `field "${field.name}" of ${what}`);
  }
}

/** Checks that patch rows are ascending target rows below `n` (as diff writes them). */
export function checkPatchRows(rows: unknown, n: number, what: string): asserts rows is Uint32Array | undefined {
  if (rows === undefined) return;
  if (!isIdArray(rows)) malformed(`the changed rows of ${what} are not a Uint32Array`);
  for (let k = 0; k < rows.length; k++) {
    if (rows[k]! >= n) malformed(`it changes row ${rows[k]} of ${what}, which has ${n} rows`);
    if (k > 0 && rows[k]! <= rows[k - 1]!) malformed(`the changed rows of ${what} are not strictly ascending`);
  }
}
