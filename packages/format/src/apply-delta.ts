import { bytesEqual } from '#platform';
import type { ComponentDelta, FieldDelta, IdListDelta, SnapshotDelta } from './delta-model.js';
import { applyXor } from './delta-xor.js';
import { applyLin } from './delta-predict.js';
import { sameIds } from './arrays.js';
import { allocate, applyIdList, copyValue, gatherRows, matchRows, PairCache, wordsOf } from './delta-rows.js';
import { applyEntityMetadata, applyMetadata, componentsById, diff } from './diff.js';
import { checkColumnValues, checkComponentShape, checkDeltaShape, checkIdListDelta, checkPatchRows, malformed } from './delta-shape.js';
import { isPackError, PackError } from './errors.js';
import { FIELD_TYPES, type FieldType } from './field-types.js';
import { hashHex, snapshotHash } from './hash.js';
import type { Column, PackedComponent, PackedSnapshot } from './model.js';
import { checkEntities } from './world-check.js';

/** How `applyDelta` checks its input and output. */
export interface ApplyOptions {
  /**
   * Check that `base` is the delta's base and the result its target, by content hash
   * (default true). Turn off only for deltas you just made in memory.
   */
  verify?: boolean;
  /** The base's `snapshotHash`, when already known (saves hashing it again). */
  baseHash?: Uint8Array;
  /** The snapshot a delta with `reference` predicts from (required for such a delta, ignored otherwise). */
  reference?: PackedSnapshot;
  /** The reference's `snapshotHash`, when already known (saves hashing it again). */
  referenceHash?: Uint8Array;
}

/** What predicted fields of a delta are predicted from: the reference's components by id, and the scale. */
interface Reference {
  components: Map<string, PackedComponent>;
  scale: number;
  /** Whether a reference component's entity list equals a base component's, by array pair. */
  sameRows: PairCache<boolean>;
}

/**
 * Rebuilds the snapshot a delta was made to: `applyDelta(a, diff(a, b))` equals `b` bit for
 * bit. The result shares unchanged components with `base`: copy before mutating either.
 */
export function applyDelta(base: PackedSnapshot, delta: SnapshotDelta, options: ApplyOptions = {}): PackedSnapshot {
  const verify = options.verify ?? true;
  checkDeltaShape(delta);
  if (verify) {
    const actual = options.baseHash ?? snapshotHash(base);
    if (!bytesEqual(actual, delta.base)) {
      throw new PackError(
        'DeltaBaseMismatch',
        `this delta was made from snapshot ${hashHex(delta.base).slice(0, 16)}…, not from the one given (${hashHex(actual).slice(0, 16)}…): apply it to its own base`,
        { details: { expected: hashHex(delta.base), actual: hashHex(actual) } },
      );
    }
  }
  const reference = referenceOf(delta, options, verify);
  const baseComponents = new Map(base.components.map((c) => [c.id, c]));
  const listed = new Set<string>();
  const rowCache: RowsCache = new PairCache();
  const components = delta.components.map((change) => {
    if (listed.has(change.id)) malformed(`component "${change.id}" is listed twice`);
    listed.add(change.id);
    return applyComponent(baseComponents.get(change.id), change, rowCache, reference);
  });
  for (const id of delta.removedComponents) {
    if (!baseComponents.has(id)) malformed(`it removes component "${id}", which the base does not have`);
    if (listed.has(id)) malformed(`component "${id}" is both kept and removed`);
    listed.add(id);
  }
  for (const id of baseComponents.keys()) if (!listed.has(id)) malformed(`it does not say what became of component "${id}"`);

  const result: PackedSnapshot = {
    timestamp: delta.timestamp,
    version: delta.version,
    worldTime: delta.worldTime,
    schemaVersion: delta.schemaVersion,
    metadata: delta.metadata === undefined ? base.metadata : applyMetadata(base.metadata, delta.metadata),
    entities: applyIdListChecked(base.entities, delta.entities, 'the entity list'),
    components,
  };
  const entityMetadata = delta.entityMetadata === undefined ? base.entityMetadata : applyEntityMetadata(base.entityMetadata ?? new Map(), delta.entityMetadata);
  if (entityMetadata !== undefined && entityMetadata.size > 0) result.entityMetadata = entityMetadata;
  const order = delta.componentOrder === undefined ? base.componentOrder : delta.componentOrder === null ? undefined : new Map(delta.componentOrder);
  if (order !== undefined && order.size > 0) result.componentOrder = order;
  const resources = delta.resources ?? base.resources;
  if (resources !== undefined && resources.length > 0) result.resources = resources;
  checkRebuilt(result);

  if (verify) {
    const actual = snapshotHash(result);
    if (!bytesEqual(actual, delta.target)) {
      throw new PackError('ChecksumMismatch', 'the snapshot rebuilt from this delta does not match its target hash: the delta or its base is corrupt', {
        details: { expected: hashHex(delta.target), actual: hashHex(actual) },
      });
    }
  }
  return result;
}

/**
 * The delta that undoes `delta`: it turns the target back into `base`, so history can be walked
 * backwards. `options` are those of `applyDelta` (a predicted delta needs its reference); the
 * result predicts nothing.
 */
export function invertDelta(base: PackedSnapshot, delta: SnapshotDelta, options: ApplyOptions = {}): SnapshotDelta {
  const target = applyDelta(base, delta, options);
  return diff(target, base, { baseHash: delta.target, nextHash: delta.base });
}

/** The reference a delta's predicted fields need, checked against its hash when verifying; undefined for a delta without. */
function referenceOf(delta: SnapshotDelta, options: ApplyOptions, verify: boolean): Reference | undefined {
  if (delta.reference === undefined) return undefined;
  const expected = hashHex(delta.reference.hash);
  const snapshot = options.reference;
  if (snapshot === undefined) {
    throw new PackError(
      'InvalidInput',
      `this delta predicts values from snapshot ${expected.slice(0, 16)}…: pass that snapshot as options.reference (the one given to diff as reference.snapshot)`,
      { details: { missing: 'reference', expected } },
    );
  }
  if (typeof snapshot !== 'object' || snapshot === null || !Array.isArray(snapshot.components)) {
    throw new PackError('InvalidInput', 'applyDelta: options.reference must be a PackedSnapshot', { details: { option: 'reference' } });
  }
  if (verify) {
    const given = options.referenceHash;
    if (given !== undefined && !(given instanceof Uint8Array && given.length === 32)) {
      throw new PackError('InvalidInput', "applyDelta: options.referenceHash must be the reference's 32-byte snapshotHash", { details: { option: 'referenceHash' } });
    }
    const actual = given ?? snapshotHash(snapshot);
    if (!bytesEqual(actual, delta.reference.hash)) {
      throw new PackError(
        'DeltaBaseMismatch',
        `this delta predicts values from snapshot ${expected.slice(0, 16)}…, not from the reference given (${hashHex(actual).slice(0, 16)}…): pass the delta's own reference`,
        { details: { which: 'reference', expected, actual: hashHex(actual) } },
      );
    }
  }
  return { components: componentsById(snapshot.components), scale: delta.reference.scale, sameRows: new PairCache() };
}

/** The reference's column of a predicted field: same component id, layout, entity list (in order), field name and type, else InvalidFormat. */
function referenceColumn(reference: Reference | undefined, base: PackedComponent, field: FieldDelta, what: string): Float32Array | Float64Array {
  // checkDeltaShape refuses a predicted field in a delta without reference.
  const component = reference!.components.get(base.id);
  if (component === undefined) malformed(`${what} is predicted from the reference, which has no component "${base.id}"`);
  if (component.layout !== 'columns' || component.layout !== base.layout || !Array.isArray(component.fields))
    malformed(`${what} is predicted from the reference, whose component "${base.id}" has another layout`);
  const rows = component.entityIds;
  if (!reference!.sameRows.get(rows, base.entityIds, () => rows instanceof Uint32Array && sameIds(rows, base.entityIds)))
    malformed(`${what} is predicted from the reference, whose component "${base.id}" has other entities (or another order)`);
  const column = (component.fields as unknown[]).find((f) => (f as Column | undefined)?.name === field.name) as Column | undefined;
  if (column === undefined || column.type !== field.type) malformed(`${what} is predicted from the reference, which has no ${field.type} field of that name`);
  checkColumnValues(column.values, field.type, base.entityIds.length, `the reference's ${what}`);
  return column.values as Float32Array | Float64Array;
}

/**
 * Refuses a rebuilt snapshot the encoder would refuse (an entity twice, a row of an entity not
 * in the world, a bad component order or entity metadata): the delta that made it is malformed.
 * Linear for ascending ids, so it runs even when hashes are not verified.
 */
function checkRebuilt(result: PackedSnapshot): void {
  try {
    checkEntities(result);
  } catch (error) {
    if (!isPackError(error, 'InvalidInput')) throw error;
    malformed(`it rebuilds an inconsistent snapshot: ${error.message}`, error.details);
  }
}

/** Applies an id-list change, refusing removed ids the list does not have. */
function applyIdListChecked(ids: Uint32Array, change: IdListDelta | undefined, what: string): Uint32Array {
  const out = applyIdList(ids, change);
  if (change !== undefined && 'removed' in change && out.length !== ids.length - change.removed.length + change.added.length) {
    const present = new Set(ids);
    const seen = new Set<number>();
    for (const id of change.removed) {
      if (!present.has(id)) malformed(`it removes entity ${id} from ${what}, which does not have it`, { entity: id });
      if (seen.has(id)) malformed(`it removes entity ${id} from ${what} twice`, { entity: id });
      seen.add(id);
    }
  }
  return out;
}

function applyComponent(base: PackedComponent | undefined, change: ComponentDelta, rowCache: RowsCache, reference: Reference | undefined): PackedComponent {
  if (change.change === 'added' || change.change === 'replaced') {
    const carried = (change.component as { id?: unknown } | undefined)?.id;
    if (carried !== change.id) malformed(`component "${change.id}" carries data named "${String(carried)}"`);
    checkComponentShape(change.component, `component "${change.id}"`);
    return change.component;
  }
  if (base === undefined) malformed(`it ${change.change === 'unchanged' ? 'keeps' : 'patches'} component "${change.id}", which the base does not have`);
  if (change.change === 'unchanged') return base;
  if (change.change !== 'patched') {
    const unknown = change as { id: string; change: unknown };
    malformed(`component "${unknown.id}" has unknown change "${String(unknown.change)}"`);
  }
  if (change.layout !== base.layout) malformed(`it patches component "${change.id}" as ${String(change.layout)}, but the base stores it as ${base.layout}`);
  checkIdListDelta(change.rows, `the row change of component "${change.id}"`);
  if (!Array.isArray(change.fields)) malformed(`the field changes of component "${change.id}" are not an array`);
  if (change.added !== undefined && (typeof change.added !== 'object' || change.added === null)) malformed(`the added rows of "${change.id}" are not { fields } or { blobs }`);

  // Components sharing an entity list and a row change share the rebuilt list and matching.
  const { entityIds, source } =
    change.rows === undefined
      ? { entityIds: base.entityIds, source: new Int32Array(base.entityIds.length) }
      : cached(rowCache, base.entityIds, change.rows, () => {
          const ids = applyIdListChecked(base.entityIds, change.rows, `component "${change.id}"`);
          return { entityIds: ids, source: matchRows(base.entityIds, ids) };
        });
  const n = entityIds.length;
  // Each target row's base row, or -1 for an entity that gained the component.
  let addedCount = 0;
  for (let r = 0; r < n; r++) if (source[r]! < 0) addedCount++;

  const columns: Column[] = base.layout === 'columns' ? base.fields : [{ name: '', type: 'bytes', values: base.blobs }];
  let added: Column[] | undefined;
  if (change.added !== undefined) {
    added = 'blobs' in change.added ? [{ name: '', type: 'bytes', values: change.added.blobs }] : change.added.fields;
    if (base.layout === 'blobs' ? !('blobs' in change.added) : !('fields' in change.added) || !Array.isArray(added))
      malformed(`the added rows of "${change.id}" do not match its layout`);
  }
  if (addedCount > 0 && added === undefined) malformed(`component "${change.id}" gains ${addedCount} entities but carries no values for them`);
  if (added !== undefined && added.length !== columns.length) malformed(`the added rows of "${change.id}" have ${added.length} fields, the component ${columns.length}`);

  const byName = new Map(columns.map((c, f) => [c.name, f]));
  const patches = new Map<number, (typeof change.fields)[number]>();
  for (const field of change.fields) {
    if (typeof field !== 'object' || field === null) malformed(`a field change of "${change.id}" is not an object`);
    const f = byName.get(field.name);
    if (f === undefined) malformed(`it changes field "${field.name}", which component "${change.id}" does not have`);
    if (patches.has(f)) malformed(`field "${field.name}" of "${change.id}" is changed twice`);
    if (field.type !== columns[f]!.type) malformed(`field "${field.name}" of "${change.id}" is changed as ${String(field.type)}, but it is ${columns[f]!.type}`);
    patches.set(f, field);
  }

  const out = columns.map((column, f): Column => {
    const type = column.type;
    const what = `field "${column.name}" of "${change.id}"`;
    const extra = added?.[f];
    if (added !== undefined) {
      if (typeof extra !== 'object' || extra === null || extra.name !== column.name || extra.type !== type) {
        malformed(`the added rows of "${change.id}" do not have field ${f} of the component ("${column.name}", ${type})`);
      }
      checkColumnValues(extra.values, type, addedCount, `the added rows of ${what}`);
    }
    const patch = patches.get(f);
    checkPatchRows(patch?.rows, n, what);
    if (patch?.xor !== undefined) checkXorPatch(patch, type, what);
    if (patch !== undefined && patch.rows === undefined && patch.xor === undefined && patch.predicted === undefined) {
      // Stored whole: copy, so the result never aliases the delta's buffers.
      checkColumnValues(patch.values, type, n, what);
      return { name: column.name, type, values: copyColumn(type, patch.values as Column['values']) } as Column;
    }
    let target: ReturnType<typeof allocate>;
    if (change.rows === undefined) {
      // Same rows: one bulk copy (a byte copy for typed arrays), then the patch on top.
      const values = copyColumn(type, column.values);
      target = { values, words: wordsOf(type, values) };
    } else {
      target = allocate(type, n);
      const from = wordsOf(type, column.values);
      const extraWords = extra === undefined ? undefined : wordsOf(type, extra.values);
      if (target.words !== undefined && from !== undefined) gatherRows(target.words.words, from.words, source, extraWords?.words, from.per);
      else {
        const fromValues = column.values as ArrayLike<unknown>;
        const extraValues = extra?.values as ArrayLike<unknown>;
        const out = target.values as unknown[];
        let k = 0;
        for (let r = 0; r < n; r++) {
          const s = source[r]!;
          out[r] = s >= 0 ? fromValues[s] : extraValues[k++];
        }
      }
    }
    if (patch?.predicted === true) {
      // A predicted delta (checkDeltaShape: a whole f32/f64 field, no row change): prediction from the base and reference, XOR the stored bits.
      checkColumnValues(patch.values, type, n, what);
      const values = target.values as Float32Array | Float64Array;
      applyLin(values, referenceColumn(reference, base, patch, what), reference!.scale, patch.values as Float32Array | Float64Array);
    } else if (patch?.xor === true) {
      // A temporal delta: the column before the patch, XOR the stored bits.
      checkColumnValues(patch.values, type, n, what);
      applyXor(type, target.values as Column['values'], patch.values as Column['values']);
    } else if (patch !== undefined) {
      const rows = patch.rows!;
      checkColumnValues(patch.values, type, rows.length, what);
      const patchWords = wordsOf(type, patch.values as Column['values']);
      for (let k = 0; k < rows.length; k++) {
        const r = rows[k]!;
        copyValue(target.words, target.values, r, patchWords, patch.values as ArrayLike<unknown>, k);
      }
    }
    return { name: column.name, type, values: target.values } as Column;
  });
  if (base.layout === 'blobs') return { id: base.id, layout: 'blobs', entityIds, blobs: out[0]!.values as Uint8Array[] };
  // A patch keeps what the base's columns mean: reference fields and single values.
  base.fields.forEach((f, i) => {
    if (f.ref !== undefined) out[i]!.ref = f.ref;
  });
  return base.singleValue === true ? { id: base.id, layout: 'columns', entityIds, fields: out, singleValue: true } : { id: base.id, layout: 'columns', entityIds, fields: out };
}

/** Refuses a temporal (XOR) field change that is not `xor: true` on a whole numeric field. */
function checkXorPatch(patch: FieldDelta, type: FieldType, what: string): void {
  if (patch.xor !== true) malformed(`the change of ${what} has xor ${String(patch.xor)}, not true`);
  if (patch.rows !== undefined) malformed(`the change of ${what} is a temporal (XOR) delta of some rows: only whole fields may be`);
  if (FIELD_TYPES[type].width === 0) malformed(`the change of ${what} is a temporal (XOR) delta of a ${type} field: only numeric fields may be`);
}

type RowsCache = PairCache<Map<object, { entityIds: Uint32Array; source: Int32Array }>>;

/** The cached result for (base ids, row change), keyed by the change's arrays (shared by components after decodeDelta). */
function cached<V extends { entityIds: Uint32Array; source: Int32Array }>(cache: RowsCache, ids: Uint32Array, rows: IdListDelta, make: () => V): V {
  const [first, second] = 'ids' in rows ? [rows.ids, rows.ids] : [rows.removed, rows.added];
  const inner = cache.get(ids, first, () => new Map());
  let value = inner.get(second) as V | undefined;
  if (value === undefined) inner.set(second, (value = make()));
  return value;
}

function copyColumn(type: FieldType, values: Column['values']): Column['values'] {
  if (FIELD_TYPES[type].array === undefined) return (values as unknown[]).slice() as Column['values'];
  return (values as Exclude<Column['values'], readonly unknown[]>).slice();
}
