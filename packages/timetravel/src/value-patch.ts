import {
  align,
  applyPredictedColumn,
  applyXorColumn,
  bytesOf,
  type ColumnValues,
  type FieldDelta,
  isNumericFieldType,
  type PackedSnapshot,
  PackError,
  type SnapshotDelta,
} from '@tx2/pack-format';

/** The typed array of a numeric column. */
type NumericArray = Exclude<ColumnValues, readonly unknown[]>;

/** Numbers per changed field in {@link ValuePatch.fields}. */
const STRIDE = 5;

/**
 * A delta that only overwrites values of numeric columns (same components, rows, fields and
 * metadata; the header fields may change), packed for memory and speed: the changed rows and
 * their new values' bytes in one buffer. Applying it writes those values in place: O(changed
 * values), with no decoding. Most frames of a simulation (things move, nothing is born) are
 * stored this way; any other delta is stored as `encodeDelta` bytes.
 */
export interface ValuePatch {
  readonly timestamp: number;
  readonly worldTime: number;
  readonly version: string;
  readonly schemaVersion: number;
  /** Per changed field: component index, field index, row count (-1: the whole column), byte offsets of its rows and its values in `data`. */
  readonly fields: Int32Array;
  /** Rows (u32) and values (raw little-endian bytes), each run 8-byte aligned. */
  readonly data: Uint8Array;
}

/** Bytes a patch holds. */
export function patchByteLength(patch: ValuePatch): number {
  return patch.data.byteLength + patch.fields.byteLength;
}

/** One field a value-only delta writes: where, its change (rows and new values, or a whole column's XOR), and for a predicted change the reference's column. */
type ValueWrite = [component: number, field: number, target: NumericArray, change: FieldDelta, prior?: NumericArray];

/**
 * The fields `delta` (made from `base`, and predicting from `reference` when it has a
 * reference) writes, or undefined when it changes more than values of numeric columns
 * (component, row or field lists, metadata, string or bytes columns), or predicts without a
 * matching `reference`. Checks everything, writes nothing.
 */
function valueWrites(base: PackedSnapshot, delta: SnapshotDelta, reference?: PackedSnapshot): ValueWrite[] | undefined {
  if (delta.metadata !== undefined || delta.entities !== undefined || delta.entityMetadata !== undefined || delta.componentOrder !== undefined) return undefined;
  const components = base.components;
  if (delta.removedComponents.length > 0 || delta.components.length !== components.length) return undefined;
  const writes: ValueWrite[] = [];
  for (let c = 0; c < components.length; c++) {
    const change = delta.components[c]!;
    const component = components[c]!;
    if (change.id !== component.id) return undefined;
    if (change.change === 'unchanged') continue;
    if (change.change !== 'patched' || change.layout !== 'columns' || component.layout !== 'columns' || change.rows !== undefined || change.added !== undefined) return undefined;
    for (const field of change.fields) {
      const f = component.fields.findIndex((column) => column.name === field.name);
      const column = component.fields[f];
      if (column === undefined || column.type !== field.type || !isNumericFieldType(column.type)) return undefined;
      const target = column.values as NumericArray;
      const values = field.values as NumericArray;
      if (!ArrayBuffer.isView(values) || values.constructor !== target.constructor) return undefined;
      // A temporal delta holds the XOR of old and new bits of a whole column.
      if (field.xor === true && (field.rows !== undefined || values.length !== target.length)) return undefined;
      if (values.length !== (field.rows === undefined ? target.length : field.rows.length)) return undefined;
      if (field.rows !== undefined) for (const r of field.rows) if (r >= target.length) return undefined;
      if (field.predicted === true) {
        // Predicted: the reference's column of the same place, shape and type (else the format's applyDelta says what is wrong).
        const prior = reference === undefined || delta.reference === undefined ? undefined : priorColumn(reference, component.id, column.name, column.type, target);
        if (prior === undefined || field.rows !== undefined || values.length !== target.length) return undefined;
        writes.push([c, f, target, field, prior]);
      } else writes.push([c, f, target, field]);
    }
  }
  return writes;
}

/**
 * `delta` (made from `base`) as a value patch, or undefined when it changes more than values
 * of numeric columns (component, row or field lists, metadata, string or bytes columns).
 */
export function toValuePatch(base: PackedSnapshot, delta: SnapshotDelta): ValuePatch | undefined {
  const found = delta.reference === undefined ? valueWrites(base, delta) : undefined;
  if (found === undefined) return undefined;
  // The patch holds new values: a temporal change is XORed with the base's values first.
  const writes = found.map(([c, f, target, field]): ValueWrite => {
    if (field.xor !== true) return [c, f, target, field];
    const values = target.slice() as NumericArray;
    applyXorColumn(field.type, values, field.values as NumericArray);
    return [c, f, target, { name: field.name, type: field.type, values }];
  });
  const fields = new Int32Array(writes.length * STRIDE);
  let size = 0;
  const layout = writes.map(([c, f, , field], k) => {
    const values = field.values as NumericArray;
    const rowsAt = size;
    size = align(size + (field.rows === undefined ? 0 : field.rows.byteLength));
    const valuesAt = size;
    size = align(size + values.byteLength);
    fields.set([c, f, field.rows === undefined ? -1 : field.rows.length, rowsAt, valuesAt], k * STRIDE);
    return { rowsAt, valuesAt };
  });
  const data = new Uint8Array(size);
  writes.forEach(([, , , field], k) => {
    const values = field.values as NumericArray;
    if (field.rows !== undefined) data.set(bytesOf(field.rows), layout[k]!.rowsAt);
    data.set(bytesOf(values), layout[k]!.valuesAt);
  });
  return { timestamp: delta.timestamp, worldTime: delta.worldTime, version: delta.version, schemaVersion: delta.schemaVersion, fields, data };
}

/** Bytes `toValuePatch(base, delta)` would hold, without building it; undefined when it would be undefined. */
export function valuePatchByteLength(base: PackedSnapshot, delta: SnapshotDelta): number | undefined {
  const writes = delta.reference === undefined ? valueWrites(base, delta) : undefined;
  if (writes === undefined) return undefined;
  let size = 0;
  for (const [, , , field] of writes) size = align(align(size + (field.rows === undefined ? 0 : field.rows.byteLength)) + (field.values as NumericArray).byteLength);
  return size + writes.length * STRIDE * Int32Array.BYTES_PER_ELEMENT;
}

/**
 * Applies `delta` (made from the content of `snapshot`, predicting from `reference` when it
 * has a reference) to `snapshot` in place when it only changes values of numeric columns,
 * straight from the delta's arrays (XORed in, predicted then XORed, or written row by row):
 * no patch is built. Returns false, `snapshot` untouched, for any other delta.
 */
export function applyValueDelta(snapshot: PackedSnapshot, delta: SnapshotDelta, reference?: PackedSnapshot): boolean {
  const writes = valueWrites(snapshot, delta, reference);
  if (writes === undefined) return false;
  for (const [, , target, field, prior] of writes) {
    const values = field.values as NumericArray;
    if (prior !== undefined)
      applyPredictedColumn(target as Float32Array | Float64Array, prior as Float32Array | Float64Array, delta.reference!.scale, values as Float32Array | Float64Array);
    else if (field.xor === true) applyXorColumn(field.type, target, values);
    else if (field.rows === undefined) bytesOf(target).set(bytesOf(values));
    else writeRows(target, field.rows, values);
  }
  snapshot.timestamp = delta.timestamp;
  snapshot.worldTime = delta.worldTime;
  snapshot.version = delta.version;
  snapshot.schemaVersion = delta.schemaVersion;
  return true;
}

/** Writes `values[i]` to row `rows[i]` of `target` (same class), bits unchanged (NaN payloads and -0 survive). */
function writeRows(target: NumericArray, rows: Uint32Array, values: NumericArray): void {
  const width = target.BYTES_PER_ELEMENT;
  const to = bytesOf(target);
  const from = bytesOf(values);
  if (width === 4 && target.byteOffset % 4 === 0 && values.byteOffset % 4 === 0) {
    const t = new Uint32Array(to.buffer, to.byteOffset, target.length);
    const v = new Uint32Array(from.buffer, from.byteOffset, rows.length);
    for (let i = 0; i < rows.length; i++) t[rows[i]!] = v[i]!;
    return;
  }
  for (let i = 0; i < rows.length; i++) to.set(from.subarray(i * width, (i + 1) * width), rows[i]! * width);
}

/** Column `name` of component `id` of `reference` when it has `type` and the shape of `target` (a columns component of as many rows); else undefined. */
function priorColumn(reference: PackedSnapshot, id: string, name: string, type: string, target: NumericArray): NumericArray | undefined {
  const component = reference.components.find((c) => c.id === id);
  if (component?.layout !== 'columns') return undefined;
  const column = component.fields.find((f) => f.name === name);
  if (column === undefined || column.type !== type || (type !== 'f32' && type !== 'f64')) return undefined;
  const values = column.values as NumericArray;
  return values.length === target.length && component.entityIds.length === target.length ? values : undefined;
}

/** Applies `patch` to `snapshot` in place. `snapshot` must hold the content the patch was made from, in arrays owned by the caller alone. */
export function applyValuePatch(snapshot: PackedSnapshot, patch: ValuePatch): void {
  const { fields, data } = patch;
  for (let k = 0; k < fields.length; k += STRIDE) {
    const component = snapshot.components[fields[k]!];
    const column = component?.layout === 'columns' ? component.fields[fields[k + 1]!] : undefined;
    if (column === undefined || !isNumericFieldType(column.type)) {
      throw new PackError('Internal', '@tx2/pack-timetravel: a value patch does not fit the snapshot it is applied to (a bug: please report it with the recording that led here)', {
        details: { component: fields[k], field: fields[k + 1] },
      });
    }
    const target = column.values as NumericArray;
    const count = fields[k + 2]!;
    const width = target.BYTES_PER_ELEMENT;
    const valuesAt = data.byteOffset + fields[k + 4]!;
    if (count < 0) {
      bytesOf(target).set(new Uint8Array(data.buffer, valuesAt, target.byteLength));
      continue;
    }
    const rows = new Uint32Array(data.buffer, data.byteOffset + fields[k + 3]!, count);
    // Values move as unsigned words, never as numbers: NaN payloads and -0 must survive.
    if (target.byteOffset % Math.min(width, 4) === 0 && width > 1) {
      const per = width >= 4 ? width / 4 : 1;
      const to = width === 2 ? new Uint16Array(target.buffer, target.byteOffset, target.length) : new Uint32Array(target.buffer, target.byteOffset, target.length * per);
      const from = width === 2 ? new Uint16Array(data.buffer, valuesAt, count) : new Uint32Array(data.buffer, valuesAt, count * per);
      if (per === 1) for (let i = 0; i < count; i++) to[rows[i]!] = from[i]!;
      else for (let i = 0; i < count; i++) for (let w = 0; w < per; w++) to[rows[i]! * per + w] = from[i * per + w]!;
    } else {
      const to = bytesOf(target);
      const from = new Uint8Array(data.buffer, valuesAt, count * width);
      for (let i = 0; i < count; i++) for (let b = 0; b < width; b++) to[rows[i]! * width + b] = from[i * width + b]!;
    }
  }
  snapshot.timestamp = patch.timestamp;
  snapshot.worldTime = patch.worldTime;
  snapshot.version = patch.version;
  snapshot.schemaVersion = patch.schemaVersion;
}
