// Delta containers (docs/format.md section 13), read and applied from that text alone.
import { contentHash } from './canonical.js';
import { parseContainer } from './container.js';
import { decodeMessagePack } from './msgpack.js';
import { SpecError } from './spec-error.js';
import { type Component, decodeContent, type Field, type Packed, TYPES, type Values } from './snapshot.js';

const bad = (message: string): never => {
  throw new SpecError('InvalidFormat', message);
};

/** A decoded delta: its description and payload. */
export interface Delta {
  description: Record<string, unknown>;
  payload: Packed;
  /** Whether the payload manifest has a `resources` key. */
  hasResources: boolean;
}

/** Read a delta container (header kind 1). */
export function readDelta(bytes: Uint8Array): Delta {
  const c = parseContainer(bytes);
  if (c.header.kind !== 1) bad('not a delta container');
  const { packed } = decodeContent(c);
  const manifest = decodeMessagePack(c.sections[0]!.payload) as Record<string, unknown>;
  return { description: packed.metadata, payload: packed, hasResources: 'resources' in manifest };
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function cloneValues(v: Values): Values {
  return ArrayBuffer.isView(v) ? ((v as unknown as { slice(): ArrayBufferView }).slice() as Values) : [...(v as string[])];
}

function valueCount(v: Values): number {
  return ArrayBuffer.isView(v) ? (v as unknown as { length: number }).length : (v as unknown[]).length;
}

/** Apply a delta to its base (13.4); `verify` runs checks 1 and 3; `reference` is R for a delta with predicted fields. */
export function applyDelta(base: Packed, delta: Delta, verify = true, reference?: Packed): Packed {
  const d = delta.description;
  const p = delta.payload;
  const version = d.delta;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return bad('description version');
  if (version > 3) throw new SpecError('VersionMismatch', `delta description version ${version}`);
  if (!(d.base instanceof Uint8Array) || !(d.target instanceof Uint8Array) || d.base.length !== 32 || d.target.length !== 32) bad('base/target are not 32-byte bins');
  if (!Array.isArray(d.components) || !Array.isArray(d.removed) || !d.removed.every((id) => typeof id === 'string')) bad('description lacks its component lists');
  if (d.metadata !== undefined) {
    const ch = d.metadata;
    const ok = isMap(ch) && ('replace' in ch ? isMap(ch.replace) : isMap(ch.set) && Array.isArray(ch.removed) && ch.removed.every((k) => typeof k === 'string'));
    if (!ok) bad('metadata change is neither {set, removed} nor {replace}');
  }
  // 13.3: `reference` and `scale` come together, exactly when a field change is "lin".
  const lins = (d.components as unknown[]).filter(
    (c) => Array.isArray(c) && c[1] === 'patched' && isMap(c[2]) && Array.isArray(c[2].fields) && c[2].fields.some((f: unknown) => Array.isArray(f) && f[3] === 'lin'),
  ).length;
  const predicted = d.reference !== undefined || d.scale !== undefined;
  if (predicted) {
    if (!(d.reference instanceof Uint8Array) || d.reference.length !== 32) bad('reference is not a 32-byte bin');
    if (typeof d.scale !== 'number' || !Number.isFinite(d.scale)) bad('scale is not a finite number');
  }
  if (predicted !== lins > 0) bad('reference and scale without "lin", or "lin" without them');
  if (verify && !sameBytes(contentHash(base), d.base as Uint8Array)) throw new SpecError('DeltaBaseMismatch', 'base hash');
  if (predicted && !reference) throw new SpecError('InvalidInput', 'the delta needs its reference snapshot');
  if (predicted && verify && !sameBytes(contentHash(reference!), d.reference as Uint8Array)) throw new SpecError('DeltaBaseMismatch', 'reference hash');

  const used = new Set<number>();
  const payload = (k: unknown): Component => {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= p.components.length) return bad(`payload index ${String(k)}`);
    if (used.has(k)) bad(`payload component ${k} used twice`);
    used.add(k);
    return p.components[k]!;
  };
  const applyIds = (ids: Uint32Array, change: unknown): Uint32Array => {
    if (!isMap(change)) return bad('id list change is not a map');
    if ('ids' in change) return payload(change.ids).entityIds!.slice();
    const removed = new Set(payload(change.removed).entityIds!);
    const added = payload(change.added).entityIds!;
    return Uint32Array.from([...[...ids].filter((id) => !removed.has(id)), ...added]);
  };

  const target: Packed = {
    timestamp: p.timestamp,
    version: p.version,
    worldTime: p.worldTime,
    schemaVersion: p.schemaVersion,
    metadata: { ...base.metadata },
    entities: d.entities === undefined ? base.entities.slice() : applyIds(base.entities, d.entities),
    components: [],
  };

  if (d.metadata !== undefined) {
    const ch = d.metadata;
    if (!isMap(ch)) return bad('metadata change');
    if ('replace' in ch) target.metadata = ch.replace as Record<string, unknown>;
    else {
      for (const key of (ch.removed as string[]) ?? []) delete target.metadata[key];
      Object.assign(target.metadata, ch.set as object);
    }
  }

  let em = new Map(base.entityMetadata ?? []);
  if (d.entityMetadata !== undefined) {
    const ch = d.entityMetadata as Record<string, unknown>;
    if ('replace' in ch) em = new Map(ch.replace as [number, Record<string, unknown>][]);
    else {
      for (const e of (ch.removed as number[]) ?? []) em.delete(e);
      for (const [e, map] of (ch.set as [number, Record<string, unknown>][]) ?? []) em.set(e, map);
    }
  }
  if (em.size > 0) target.entityMetadata = em;

  let order = base.componentOrder;
  if (d.order !== undefined) order = d.order === null ? undefined : new Map(d.order as [number, string[]][]);
  if (order && order.size > 0) target.componentOrder = order;

  if (d.resources !== undefined && d.resources !== true) bad('resources is not true');
  if (d.resources === undefined && delta.hasResources && (p.resources ?? []).length > 0) bad('resources without the key');
  const resources = d.resources === true ? p.resources : base.resources;
  if (resources && resources.length > 0) target.resources = resources;

  const baseById = new Map(base.components.map((c) => [c.id, c]));
  const named = new Set<string>();
  const name = (id: string): Component => {
    const c = baseById.get(id);
    if (!c) return bad(`component ${id} is not in the base`);
    if (named.has(id)) bad(`component ${id} named twice`);
    named.add(id);
    return c;
  };
  for (const id of d.removed as string[]) name(id);

  for (const entry of d.components as unknown[][]) {
    const [id, change, arg] = entry as [string, string, unknown];
    if (change === 'unchanged') {
      target.components.push(name(id));
    } else if (change === 'added' || change === 'replaced') {
      if (change === 'replaced') name(id);
      target.components.push({ ...payload(arg), id });
    } else if (change === 'patched') {
      target.components.push(patch(name(id), arg as Record<string, unknown>, version));
    } else bad(`component change ${change}`);
  }
  if (named.size !== base.components.length) bad('a base component is not named');
  if (used.size !== p.components.length) bad('a payload component is unused');

  function patch(b: Component, ch: Record<string, unknown>, version: number): Component {
    if ((ch.blobs === true) !== (b.layout === 'blobs')) bad('patch layout differs');
    const ids = ch.rows === undefined ? b.entityIds! : applyIds(b.entityIds!, ch.rows);
    const baseRow = new Map<number, number>();
    b.entityIds!.forEach((e, r) => {
      if (baseRow.has(e)) bad('entity ids not unique');
      baseRow.set(e, r);
    });
    const gained = [...ids].filter((e) => !baseRow.has(e)).length;
    if (new Set(ids).size !== ids.length) bad('target entity ids not unique');
    const added = ch.added === undefined ? undefined : payload(ch.added);
    if (gained > 0 && !added) bad('entities gained without `added`');
    // Values of the target rows after step 2, one column at a time.
    const gather = <T>(baseValues: T[], addedValues: T[] | undefined): T[] => {
      let next = 0;
      const out = [...ids].map((e) => {
        const r = baseRow.get(e);
        if (r !== undefined) return baseValues[r]!;
        if (!addedValues || next >= addedValues.length) bad('`added` has too few rows');
        return addedValues![next++]!;
      });
      if (addedValues && next !== addedValues.length) bad('`added` has too many rows');
      return out;
    };
    const out: Component = { ...b, entityIds: ids };
    if (b.layout === 'blobs') out.blobs = gather(b.blobs!, added?.blobs);
    else {
      out.fields = b.fields!.map((f) => {
        const addedField = added?.fields?.find((x) => x.name === f.name);
        if (added && !addedField && gained > 0) bad(`added rows lack field ${f.name}`);
        const values = gatherValues(f, addedField?.values, gather);
        return { ...f, values };
      });
    }
    for (const spec of ch.fields as unknown[][]) {
      const [fname, k, whole, encoding] = spec as [string, number, boolean, unknown];
      if (spec.length === 4 && !((encoding === 'xor' && version >= 2) || (encoding === 'lin' && version >= 3))) bad('field change encoding');
      if (encoding === 'lin' && (!whole || ch.blobs === true || ch.rows !== undefined || ch.added !== undefined)) bad('"lin" not whole, or in a patch with rows or added');
      const pc = payload(k);
      const rows = pc.entityIds!;
      const n = ids.length;
      if (b.layout === 'blobs') {
        if (fname !== '' || encoding !== undefined) bad('blob change');
        const blobs = pc.blobs!;
        if (whole) {
          if (blobs.length !== n) bad('whole blobs count');
          out.blobs = [...blobs];
        } else {
          if (blobs.length !== rows.length) bad('changed blobs count');
          rows.forEach((r, i) => {
            if (r >= n) bad('row past the end');
            out.blobs![r] = blobs[i]!;
          });
        }
        continue;
      }
      const fi = out.fields!.findIndex((f) => f.name === fname);
      if (fi < 0) bad(`field ${fname} not in the base`);
      const field = out.fields![fi]!;
      if (pc.fields?.length !== 1 || pc.fields[0]!.name !== fname || pc.fields[0]!.type !== field.type) bad('changed field payload');
      const src = pc.fields![0]!.values;
      if (encoding === 'lin') {
        if (field.type !== 'f32' && field.type !== 'f64') bad('"lin" on a field that is not f32 or f64');
        if (valueCount(src) !== n) bad('predicted payload row count');
        predict(field, src as ArrayBufferView, b, d.scale as number);
      } else if (encoding === 'xor') {
        if (!whole || field.type === 'string' || field.type === 'bytes') bad('temporal change not whole numeric');
        if (valueCount(src) !== n) bad('temporal payload row count');
        const dst = new Uint8Array((field.values as ArrayBufferView).buffer);
        const x = new Uint8Array((src as ArrayBufferView).buffer, (src as ArrayBufferView).byteOffset, dst.length);
        for (let i = 0; i < dst.length; i++) dst[i]! ^= x[i]!;
      } else if (whole) {
        if (valueCount(src) !== n) bad('whole field count');
        field.values = cloneValues(src);
      } else {
        if (valueCount(src) !== rows.length) bad('changed values count');
        const width = TYPES.find((t) => t?.[0] === field.type)![1];
        rows.forEach((r, i) => {
          if (r >= n) bad('row past the end');
          if (width === 0) (field.values as unknown[])[r] = (src as unknown[])[i];
          else {
            const dst = new Uint8Array((field.values as ArrayBufferView).buffer);
            const s = new Uint8Array((src as ArrayBufferView).buffer, (src as ArrayBufferView).byteOffset);
            dst.set(s.subarray(i * width, (i + 1) * width), r * width);
          }
        });
      }
    }
    return out;
  }

  /** 13.4 step 2.4: field's values (the base's) become prediction XOR payload, row by row, from R's field of the same component. */
  function predict(field: Field, payloadValues: ArrayBufferView, b: Component, s: number): void {
    const rc = reference!.components.find((c) => c.id === b.id);
    if (rc?.layout !== 'columns') bad('the reference lacks the columnar component');
    if (rc === undefined) return;
    const ids = b.entityIds!;
    if (rc.entityIds!.length !== ids.length || rc.entityIds!.some((e, i) => e !== ids[i])) bad('the reference component has other entities');
    const rf = rc.fields!.find((f) => f.name === field.name);
    if (!rf || rf.type !== field.type || valueCount(rf.values) !== ids.length) bad('the reference lacks the field');
    if (rf === undefined) return;
    const w = field.type === 'f32' ? 4 : 8;
    const view = (v: ArrayBufferView) => new DataView(v.buffer, v.byteOffset, v.byteLength);
    const out = view(field.values as ArrayBufferView);
    const ref = view(rf.values as ArrayBufferView);
    const x = view(payloadValues);
    const get = (v: DataView, at: number) => (w === 4 ? v.getFloat32(at, true) : v.getFloat64(at, true));
    for (let r = 0; r < ids.length; r++) {
      const at = r * w;
      const o = get(out, at);
      const p = get(ref, at);
      const dd = o - p;
      const e = s * dd;
      const v = o + e;
      // NaN: the prediction is o's own bytes, left in place; otherwise v, rounded by the store for f32.
      if (!Number.isNaN(v)) {
        if (w === 4) out.setFloat32(at, v, true);
        else out.setFloat64(at, v, true);
      }
      for (let k = 0; k < w; k++) out.setUint8(at + k, out.getUint8(at + k) ^ x.getUint8(at + k));
    }
  }

  if (verify && !sameBytes(contentHash(target), d.target as Uint8Array)) throw new SpecError('ChecksumMismatch', 'target hash');
  return target;
}

/** Step 2 for one column: copy base rows and added rows, bit for bit, into a fresh column. */
function gatherValues(f: Field, addedValues: Values | undefined, gather: <T>(baseValues: T[], addedValues: T[] | undefined) => T[]): Values {
  if (!ArrayBuffer.isView(f.values)) return gather(f.values as unknown[], addedValues as unknown[] | undefined) as Values;
  const width = TYPES.find((t) => t?.[0] === f.type)![1];
  const split = (v: Values): Uint8Array[] => {
    const bytes = new Uint8Array((v as ArrayBufferView).buffer, (v as ArrayBufferView).byteOffset, (v as ArrayBufferView).byteLength);
    return Array.from({ length: bytes.length / width }, (_, i) => bytes.subarray(i * width, (i + 1) * width));
  };
  const rows = gather(split(f.values), addedValues ? split(addedValues) : undefined);
  const out = new Uint8Array(rows.length * width);
  rows.forEach((r, i) => {
    out.set(r, i * width);
  });
  const ctor = f.values.constructor as new (b: ArrayBuffer, o: number, n: number) => ArrayBufferView;
  return new ctor(out.buffer, 0, rows.length) as Values;
}
