import { bytesEqual } from '#platform';
import { encodeBlob, encodePlain } from './blob.js';
import type { ComponentDelta, EntityMetadataDelta, FieldDelta, MetadataDelta, SnapshotDelta } from './delta-model.js';
import { allocate, copyValue, diffIdList, matchRows, PairCache, sameBytes, sameValue, uniqueIds, wordsOf } from './delta-rows.js';
import { type XorMode, xorColumn, xorPays } from './delta-xor.js';
import { type DeltaReference, isPredictable, linColumn, linEstimate, type PredictMode } from './delta-predict.js';
import { sameIds } from './arrays.js';
import { bytesOf } from './byte-view.js';
import { PackError } from './errors.js';
import { snapshotHash } from './hash.js';
import { checkEntityMetadata } from './world-check.js';
import type { Column, EntityMetadata, PackedComponent, PackedResource, PackedSnapshot } from './model.js';
import { encodeResource, manifestResource } from './resources.js';

/** How `diff` decides between row patches and whole values. */
export interface DiffOptions {
  /** The base's `snapshotHash`, when already known (saves hashing it again). */
  baseHash?: Uint8Array;
  /** The next snapshot's `snapshotHash`, when already known. */
  nextHash?: Uint8Array;
  /** Above this fraction of changed rows a field is stored whole instead of row by row (default 0.5). */
  wholeFieldRatio?: number;
  /**
   * Store a numeric field stored whole as the XOR of its new and old bits (a temporal delta):
   * 'auto' (default) when a sample says the XOR compresses better, 'always', or 'never'.
   */
  xor?: XorMode;
  /**
   * An earlier snapshot to predict float fields from (base + scale × (base − reference)): a
   * whole f32/f64 field may then be stored as the XOR of its bits with the prediction. The
   * delta has `reference` only when a field is so stored; applying it then needs the reference.
   */
  reference?: DeltaReference;
  /** With `reference`: predict when a sample says it pays ('auto', default), wherever allowed ('always'), or never. */
  predict?: PredictMode;
}

/** What diff predicts from: the reference's components by id, the scale and the mode. */
interface Predictor {
  components: Map<string, PackedComponent>;
  scale: number;
  mode: 'auto' | 'always';
  /** Whether a reference component's entity list equals a target component's, by array pair. */
  sameRows: PairCache<boolean>;
}

/**
 * The changes that turn `base` into `next`; `applyDelta(base, delta)` rebuilds `next` bit for bit.
 * The delta references `next`'s arrays where it stores values whole: encode it (or copy `next`)
 * before mutating `next` in place.
 */
export function diff(base: PackedSnapshot, next: PackedSnapshot, options: DiffOptions = {}): SnapshotDelta {
  // The encoder and the hash refuse other shapes: a delta must not record what they drop.
  checkEntityMetadata(base?.entityMetadata);
  checkEntityMetadata(next?.entityMetadata);
  const ratio = options.wholeFieldRatio ?? 0.5;
  const xor = options.xor ?? 'auto';
  if (xor !== 'auto' && xor !== 'always' && xor !== 'never') {
    throw new PackError('InvalidInput', `diff: xor must be 'auto', 'always' or 'never', got ${String(xor)}`, { details: { option: 'xor', value: xor } });
  }
  const predictor = predictorOf(options);
  const delta: SnapshotDelta = {
    base: options.baseHash ?? snapshotHash(base),
    target: options.nextHash ?? snapshotHash(next),
    timestamp: next.timestamp,
    worldTime: next.worldTime,
    version: next.version,
    schemaVersion: next.schemaVersion,
    components: [],
    removedComponents: [],
  };
  const metadata = diffMetadata(base.metadata, next.metadata);
  if (metadata !== undefined) delta.metadata = metadata;
  const entities = diffIdList(base.entities, next.entities);
  if (entities !== undefined) delta.entities = entities;

  const baseComponents = new Map(base.components.map((c) => [c.id, c]));
  const nextIds = new Set(next.components.map((c) => c.id));
  const matching = new PairCache<RowMatch>();
  for (const component of next.components) {
    const before = baseComponents.get(component.id);
    delta.components.push(before === undefined ? { id: component.id, change: 'added', component } : diffComponent(before, component, ratio, xor, matching, predictor));
  }
  for (const c of base.components) if (!nextIds.has(c.id)) delta.removedComponents.push(c.id);

  const entityMetadata = diffEntityMetadata(base.entityMetadata, next.entityMetadata);
  if (entityMetadata !== undefined) delta.entityMetadata = entityMetadata;
  // Resources are a few values each: a change stores the target's whole list.
  if (!sameResources(base.resources, next.resources)) delta.resources = next.resources ?? [];
  const order = orderList(next.componentOrder);
  if (!sameOrder(orderList(base.componentOrder), order)) delta.componentOrder = order.length === 0 ? null : order;
  // The reference is hashed only when a predicted field needs it.
  if (predictor !== undefined && delta.components.some((c) => c.change === 'patched' && c.fields.some((f) => f.predicted === true))) {
    const reference = options.reference!;
    delta.reference = { hash: reference.hash?.slice() ?? snapshotHash(reference.snapshot), scale: reference.scale };
  }
  return delta;
}

/** Checks the `reference` and `predict` options; undefined when nothing is to be predicted. */
function predictorOf(options: DiffOptions): Predictor | undefined {
  const mode = options.predict ?? 'auto';
  if (mode !== 'auto' && mode !== 'always' && mode !== 'never') {
    throw new PackError('InvalidInput', `diff: predict must be 'auto', 'always' or 'never', got ${String(mode)}`, { details: { option: 'predict', value: mode } });
  }
  const reference = options.reference;
  if (reference === undefined) return undefined;
  if (
    typeof reference !== 'object' ||
    reference === null ||
    typeof reference.snapshot !== 'object' ||
    reference.snapshot === null ||
    !Array.isArray(reference.snapshot.components)
  ) {
    throw new PackError('InvalidInput', 'diff: reference must be { snapshot, scale, hash? } with the reference PackedSnapshot', { details: { option: 'reference' } });
  }
  if (typeof reference.scale !== 'number' || !Number.isFinite(reference.scale)) {
    throw new PackError('InvalidInput', `diff: reference.scale must be a finite number (d − 1 for base K+1, reference K, target K+d), got ${String(reference.scale)}`, {
      details: { option: 'reference.scale', value: reference.scale },
    });
  }
  if (reference.hash !== undefined && !(reference.hash instanceof Uint8Array && reference.hash.length === 32)) {
    throw new PackError('InvalidInput', "diff: reference.hash must be the reference's 32-byte snapshotHash", { details: { option: 'reference.hash' } });
  }
  if (mode === 'never') return undefined;
  return { components: componentsById(reference.snapshot.components), scale: reference.scale, mode, sameRows: new PairCache() };
}

/** The components of a snapshot by id; entries that are not objects are left out (a reference given by the caller may be malformed). */
export function componentsById(components: readonly PackedComponent[]): Map<string, PackedComponent> {
  const byId = new Map<string, PackedComponent>();
  for (const c of components) if (typeof c === 'object' && c !== null && !byId.has(c.id)) byId.set(c.id, c);
  return byId;
}

/** The reference's column predicting field `column` of target component `next` (rows unchanged), if it has one. */
function referenceColumn(predictor: Predictor, next: PackedComponent, column: Column): Float32Array | Float64Array | undefined {
  if (!isPredictable(column.type)) return undefined;
  const reference = predictor.components.get(next.id);
  if (reference?.layout !== 'columns' || !(reference.entityIds instanceof Uint32Array) || !Array.isArray(reference.fields)) return undefined;
  if (!predictor.sameRows.get(reference.entityIds, next.entityIds, () => sameIds(reference.entityIds, next.entityIds))) return undefined;
  const field = reference.fields.find((f) => f?.name === column.name);
  const values = field?.values;
  const array = column.type === 'f32' ? Float32Array : Float64Array;
  return field?.type === column.type && values instanceof array && values.length === next.entityIds.length ? values : undefined;
}

function sameSchema(a: PackedComponent, b: PackedComponent): boolean {
  if (a.layout !== b.layout) return false;
  if (a.layout === 'blobs' || b.layout === 'blobs') return true;
  // Reference and single-value attributes are part of the schema: a change replaces the component.
  return (
    (a.singleValue === true) === (b.singleValue === true) &&
    a.fields.length === b.fields.length &&
    a.fields.every((f, i) => f.name === b.fields[i]!.name && f.type === b.fields[i]!.type && f.ref === b.fields[i]!.ref)
  );
}

/** Values of a component as columns; a blob component is one unnamed bytes column. */
function columnsOf(c: PackedComponent): Column[] {
  return c.layout === 'columns' ? c.fields : [{ name: '', type: 'bytes', values: c.blobs }];
}

/** How the rows of one entity list map onto another's. */
interface RowMatch {
  rows: ReturnType<typeof diffIdList>;
  /** Each target row's base row, or -1 (undefined when the lists are equal); null when ids repeat. */
  source: Int32Array | undefined | null;
  /** Target rows of entities new to the component. */
  added: Uint32Array;
}

function matchLists(a: Uint32Array, b: Uint32Array): RowMatch {
  const rows = diffIdList(a, b);
  if (rows === undefined) return { rows, source: undefined, added: new Uint32Array(0) };
  // Rows are matched by entity id, which must then be unique.
  if (!uniqueIds(a) || !uniqueIds(b)) return { rows, source: null, added: new Uint32Array(0) };
  const source = matchRows(a, b);
  const added: number[] = [];
  for (let r = 0; r < source.length; r++) if (source[r]! < 0) added.push(r);
  return { rows, source, added: Uint32Array.from(added) };
}

function diffComponent(base: PackedComponent, next: PackedComponent, ratio: number, xor: XorMode, matching: PairCache<RowMatch>, predictor: Predictor | undefined): ComponentDelta {
  const id = next.id;
  if (!sameSchema(base, next)) return { id, change: 'replaced', component: next };
  const { rows, source, added } = matching.get(base.entityIds, next.entityIds, () => matchLists(base.entityIds, next.entityIds));
  if (source === null) return { id, change: 'replaced', component: next };
  const n = next.entityIds.length;
  const baseColumns = columnsOf(base);
  const nextColumns = columnsOf(next);
  const fields: FieldDelta[] = [];
  // Changed rows of the column at hand; allocated once a column differs (most of a frame's do not).
  let changedRows: Uint32Array | undefined;
  let patchCells = added.length * nextColumns.length + (rows === undefined ? 0 : 'ids' in rows ? n : rows.removed.length + rows.added.length);
  // Past `limit` changed rows a field is stored whole, whatever the rest holds: the scans stop
  // there (count > limit ⟺ count > n × ratio for a whole count), so a column where every value
  // moved is read only half way.
  const limit = Math.floor(n * ratio);
  nextColumns.forEach((column, f) => {
    const before = baseColumns[f]!;
    const a = wordsOf(before.type, before.values);
    const b = wordsOf(column.type, column.values);
    const av = before.values as ArrayLike<unknown>;
    const bv = column.values as ArrayLike<unknown>;
    let count = 0;
    // Same rows. Most columns of a frame are unchanged: one native memcmp clears them.
    if (source === undefined && a !== undefined && b !== undefined && (before.values === column.values || bytesEqual(bytesOf(a.words), bytesOf(b.words)))) return;
    changedRows ??= new Uint32Array(n);
    const scratch = changedRows;
    if (source === undefined) {
      if (a !== undefined && b !== undefined) {
        count =
          a.words instanceof Uint32Array
            ? changedWords32(a.words, b.words as Uint32Array, a.per * n, scratch, a.per, limit)
            : changedWords(a.words, b.words, a.per * n, scratch, a.per, limit);
      } else {
        for (let r = 0; r < n && count <= limit; r++) if (!sameValue(a, av, r, b, bv, r)) scratch[count++] = r;
      }
    } else if (a !== undefined && b !== undefined && a.words instanceof Uint32Array && a.per === 1) {
      // Rows moved: compare each target row with its base row; a tight loop for 32-bit columns.
      const x = a.words;
      const y = b.words as Uint32Array;
      for (let r = 0; r < n && count <= limit; r++) {
        const from = source[r]!;
        if (from >= 0 && x[from] !== y[r]) scratch[count++] = r;
      }
    } else {
      for (let r = 0; r < n && count <= limit; r++) {
        const from = source[r]!;
        if (from >= 0 && !sameValue(a, av, from, b, bv, r)) scratch[count++] = r;
      }
    }
    if (count === 0) return;
    if (count > limit) {
      // Rows matching one to one (no row change, so no added rows): a float field may be predicted.
      const reference = source === undefined && predictor !== undefined ? referenceColumn(predictor, next, column) : undefined;
      const estimate =
        reference !== undefined && predictor!.mode !== 'always'
          ? linEstimate(column.type as 'f32' | 'f64', before.values, reference, column.values, predictor!.scale, xor !== 'never')
          : undefined;
      if (reference !== undefined && (predictor!.mode === 'always' || estimate!.lin)) {
        const values = linColumn(column.type as 'f32' | 'f64', before.values, reference, column.values, predictor!.scale);
        fields.push({ name: column.name, type: column.type, values, predicted: true });
      } else if (a !== undefined && xor !== 'never' && (xor === 'always' || (estimate?.xor ?? xorPays(column.type, before.values, column.values, source)))) {
        fields.push({ name: column.name, type: column.type, values: xorColumn(column.type, before.values, column.values, source), xor: true });
      } else fields.push({ name: column.name, type: column.type, values: column.values });
      patchCells += n;
      return;
    }
    const changed = scratch.slice(0, count);
    fields.push({ name: column.name, type: column.type, rows: changed, values: pick(column, b, changed) });
    patchCells += 2 * count;
  });
  if (rows === undefined && fields.length === 0) return { id, change: 'unchanged' };
  // A patch touching more cells than the component has is worth less than the component.
  if (patchCells >= n * (nextColumns.length + 1) && n > 0) return { id, change: 'replaced', component: next };
  const patch: ComponentDelta = { id, change: 'patched', layout: next.layout, fields };
  if (rows !== undefined) patch.rows = rows;
  if (added.length > 0) {
    const values = nextColumns.map((column) => ({ ...column, values: pick(column, wordsOf(column.type, column.values), added) }) as Column);
    patch.added = next.layout === 'blobs' ? { blobs: values[0]!.values as Uint8Array[] } : { fields: values };
  }
  return patch;
}

// Two copies of one loop, each kept monomorphic for V8: 32-bit words (f32, i32, u32 and the
// halves of 64-bit types) and the narrow ones. `per` words make one value. Each stops once it
// has found more than `limit` changed values (the field is then stored whole).
function changedWords32(x: Uint32Array, y: Uint32Array, words: number, out: Uint32Array, per: number, limit: number): number {
  let count = 0;
  if (per === 1) {
    for (let i = 0; i < words; i++) {
      if (x[i] !== y[i]) {
        out[count++] = i;
        if (count > limit) break;
      }
    }
  } else {
    for (let i = 0; i < words; i += 2) {
      if (x[i] !== y[i] || x[i + 1] !== y[i + 1]) {
        out[count++] = i >>> 1;
        if (count > limit) break;
      }
    }
  }
  return count;
}

function changedWords(x: Uint8Array | Uint16Array | Uint32Array, y: Uint8Array | Uint16Array | Uint32Array, words: number, out: Uint32Array, per: number, limit: number): number {
  let count = 0;
  for (let i = 0; i < words; i += per) {
    if (x[i] !== y[i]) {
      out[count++] = i;
      if (count > limit) break;
    }
  }
  return count;
}

/** The values of `rows` of a column, in a new array of the column's type. */
function pick(column: Column, words: ReturnType<typeof wordsOf>, rows: Uint32Array): Column['values'] {
  const out = allocate(column.type, rows.length);
  const values = column.values as ArrayLike<unknown>;
  for (let k = 0; k < rows.length; k++) copyValue(out.words, out.values, k, words, values, rows[k]!);
  return out.values as Column['values'];
}

function sameResources(a: readonly PackedResource[] | undefined, b: readonly PackedResource[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((r, i) => sameBytes(resourceBytes(r, i), resourceBytes(y[i]!, i)));
}

function resourceBytes(r: PackedResource, i: number): Uint8Array {
  return encodePlain(encodeResource(manifestResource(r, i)));
}

function sameEncoded(a: unknown, b: unknown): boolean {
  return sameBytes(encodeBlob(a), encodeBlob(b));
}

function diffMetadata(base: Record<string, unknown>, next: Record<string, unknown>): MetadataDelta | undefined {
  if (sameEncoded(base, next)) return undefined;
  const set: Record<string, unknown> = {};
  const removed: string[] = [];
  for (const key of Object.keys(next)) {
    if (!Object.hasOwn(base, key) || !sameEncoded(base[key], next[key])) defineKey(set, key, next[key]);
  }
  for (const key of Object.keys(base)) if (!Object.hasOwn(next, key)) removed.push(key);
  const change = { set, removed };
  // Key order is part of the encoding: keep the patch form only when it rebuilds `next` exactly.
  return sameEncoded(applyMetadata(base, change), next) ? change : { replace: next };
}

/** Sets an own enumerable key, even one named `__proto__`. */
export function defineKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Applies a metadata change to a copy of `base`. */
export function applyMetadata(base: Record<string, unknown>, change: MetadataDelta): Record<string, unknown> {
  if ('replace' in change) return change.replace;
  const out: Record<string, unknown> = {};
  const removed = new Set(change.removed);
  for (const key of Object.keys(base)) if (!removed.has(key)) defineKey(out, key, base[key]);
  for (const key of Object.keys(change.set)) defineKey(out, key, change.set[key]);
  return out;
}

function diffEntityMetadata(base: Map<number, EntityMetadata> | undefined, next: Map<number, EntityMetadata> | undefined): EntityMetadataDelta | undefined {
  const a = base ?? new Map<number, EntityMetadata>();
  const b = next ?? new Map<number, EntityMetadata>();
  const set: [number, EntityMetadata][] = [];
  for (const [entity, md] of b) {
    const old = a.get(entity);
    if (old === undefined || !sameEncoded(old, md)) set.push([entity, md]);
  }
  const removed = Uint32Array.from([...a.keys()].filter((entity) => !b.has(entity)));
  const keysInOrder = (m: Map<number, unknown>) => [...m.keys()];
  if (set.length === 0 && removed.length === 0 && sameList(keysInOrder(a), keysInOrder(b))) return undefined;
  const change = { set, removed };
  return sameList(keysInOrder(applyEntityMetadata(a, change)), keysInOrder(b)) ? change : { replace: [...b] };
}

/** Applies a per-entity metadata change to a copy of `base`. */
export function applyEntityMetadata(base: Map<number, EntityMetadata>, change: EntityMetadataDelta): Map<number, EntityMetadata> {
  if ('replace' in change) return new Map(change.replace);
  const out = new Map(base);
  for (const entity of change.removed) out.delete(entity);
  for (const [entity, md] of change.set) out.set(entity, md);
  return out;
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function orderList(order: Map<number, string[]> | undefined): [number, string[]][] {
  return order === undefined ? [] : [...order];
}

function sameOrder(a: [number, string[]][], b: [number, string[]][]): boolean {
  return a.length === b.length && a.every(([entity, ids], i) => entity === b[i]![0] && sameList(ids, b[i]![1]));
}
