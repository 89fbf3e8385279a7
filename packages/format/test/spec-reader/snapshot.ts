// The content of a container (docs/format.md sections 4-6), read from that text alone, in the
// shape the vectors' `packed` expectations use.
import { type Container, parseContainer } from './container.js';
import { decodeMessagePack, decodeUtf8 } from './msgpack.js';
import { SpecError } from './spec-error.js';

/** Type codes of section 4 with their widths (0: variable) and in-memory arrays. */
export const TYPES = [
  undefined,
  ['bool', 1, Uint8Array],
  ['i8', 1, Int8Array],
  ['i16', 2, Int16Array],
  ['i32', 4, Int32Array],
  ['i64', 8, BigInt64Array],
  ['u8', 1, Uint8Array],
  ['u16', 2, Uint16Array],
  ['u32', 4, Uint32Array],
  ['u64', 8, BigUint64Array],
  ['f32', 4, Float32Array],
  ['f64', 8, Float64Array],
  ['string', 0, undefined],
  ['bytes', 0, undefined],
] as const;

type TypedCtor = NonNullable<NonNullable<(typeof TYPES)[number]>[2]>;

/** A column's values: a typed array for fixed widths, strings or byte arrays otherwise. */
export type Values = ArrayBufferView | string[] | Uint8Array[];

/** One field of a columnar component or resource. */
export interface Field {
  name: string;
  type: string;
  values: Values;
  ref?: 'entity' | 'entities';
}

/** A component (or a resource, without entityIds). */
export interface Component {
  id: string;
  layout: 'columns' | 'blobs';
  entityIds?: Uint32Array;
  fields?: Field[];
  blobs?: Uint8Array[];
  singleValue?: true;
}

/** A snapshot's content, as the vectors' `packed` holds it. */
export interface Packed {
  timestamp: number;
  version: string;
  worldTime: number;
  schemaVersion: number;
  metadata: Record<string, unknown>;
  entities: Uint32Array;
  components: Component[];
  resources?: Component[];
  componentOrder?: Map<number, string[]>;
  entityMetadata?: Map<number, Record<string, unknown>>;
}

/** The manifest's set table and component set indexes, which a delta reader needs too. */
export interface Decoded {
  packed: Packed;
  /** The ids of each entity set, by set index. */
  sets: Uint32Array[];
  /** Each component's set index. */
  componentSets: number[];
}

const bad = (message: string): never => {
  throw new SpecError('InvalidFormat', message);
};

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

function uint(v: unknown, what: string, max = 2 ** 32 - 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) bad(`${what} is not an integer in 0..${max}`);
  return v as number;
}

function arr(v: unknown, what: string, length?: number): unknown[] {
  if (!Array.isArray(v) || (length !== undefined && v.length !== length)) bad(`${what} is not an array${length ? ` of ${length}` : ''}`);
  return v as unknown[];
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') bad(`${what} is not a string`);
  return v as string;
}

interface FieldDef {
  name: string;
  code: number;
}

function readFields(v: unknown, layout: number, what: string): FieldDef[] {
  const list = arr(v, `${what} fields`);
  if (layout === 1 && list.length !== 0) bad(`${what}: blob layout with fields`);
  const names = new Set<string>();
  return list.map((f, i) => {
    const [name, code] = arr(f, `${what} field ${i}`, 2);
    const n = str(name, `${what} field name`);
    const c = uint(code, `${what} type code`);
    if (c < 1 || c > 13) bad(`${what}: unknown type code ${c}`);
    if (names.has(n)) bad(`${what}: repeated field name ${n}`);
    names.add(n);
    return { name: n, code: c };
  });
}

interface Attrs {
  value: boolean;
  refs: Map<number, 0 | 1>;
}

function readAttrs(map: unknown, layout: number, fields: FieldDef[], what: string): Attrs {
  if (!isMap(map)) return bad(`${what}: attrs is not a map`);
  const out: Attrs = { value: false, refs: new Map() };
  if ('value' in map) {
    if (typeof map.value !== 'boolean') bad(`${what}: attrs value is not a bool`);
    if (map.value === true && (layout !== 0 || fields.length !== 1)) bad(`${what}: single-value needs one column field`);
    out.value = map.value === true;
  }
  if ('refs' in map) {
    let last = -1;
    for (const pair of arr(map.refs, `${what} refs`)) {
      const [fi, kind] = arr(pair, `${what} ref`, 2);
      const index = uint(fi, `${what} ref field`);
      if (index <= last || index >= fields.length) bad(`${what}: ref field index ${index}`);
      last = index;
      if (kind !== 0 && kind !== 1) bad(`${what}: ref kind ${String(kind)}`);
      if (fields[index]!.code !== (kind === 0 ? 8 : 13)) bad(`${what}: ref on a field of the wrong type`);
      out.refs.set(index, kind as 0 | 1);
    }
  }
  return out;
}

/** A typed array copy of little-endian bytes (this reader assumes a little-endian host). */
function typed(ctor: TypedCtor, bytes: Uint8Array): ArrayBufferView {
  const copy = bytes.slice();
  return new ctor(copy.buffer, 0, copy.length / ctor.BYTES_PER_ELEMENT);
}

/** Split a section 5.2 chunk into its `rows` values. */
export function splitVariable(payload: Uint8Array, rows: number): Uint8Array[] {
  if (payload.length < 4 * (rows + 1)) bad('variable-width chunk shorter than its offsets');
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const dataAt = 4 * (rows + 1);
  const dataLength = payload.length - dataAt;
  const out: Uint8Array[] = [];
  let prev = view.getUint32(0, true);
  if (prev !== 0) bad('first offset is not 0');
  for (let i = 1; i <= rows; i++) {
    const o = view.getUint32(4 * i, true);
    if (o < prev || o > dataLength) bad('offsets decrease or pass the data');
    out.push(payload.slice(dataAt + prev, dataAt + o));
    prev = o;
  }
  if (prev !== dataLength) bad('last offset is not the data length');
  return out;
}

function fieldValues(code: number, rows: number, chunks: Uint8Array[]): Values {
  const [, width, ctor] = TYPES[code]!;
  if (width === 0) {
    const items = chunks.flatMap((c) => splitVariable(c, (c as Uint8Array & { rows: number }).rows));
    if (items.length !== rows) bad('chunks do not hold every row');
    return code === 12 ? items.map(decodeUtf8) : items;
  }
  const all = new Uint8Array(rows * width);
  let at = 0;
  for (const c of chunks) {
    const n = (c as Uint8Array & { rows: number }).rows;
    if (c.length !== n * width) bad('fixed-width chunk of the wrong size');
    all.set(c, at);
    at += c.length;
  }
  return typed(ctor!, all);
}

function resourceValue(code: number, bytes: unknown): Values {
  if (!(bytes instanceof Uint8Array)) return bad('resource value is not bin');
  const [, width, ctor] = TYPES[code]!;
  if (width === 0) return code === 12 ? [decodeUtf8(bytes)] : [bytes.slice()];
  if (bytes.length !== width) bad('resource value of the wrong width');
  return typed(ctor!, bytes);
}

function withAttrs(fields: Field[], attrs: Attrs | undefined): void {
  for (const [i, kind] of attrs?.refs ?? []) fields[i]!.ref = kind === 0 ? 'entity' : 'entities';
  for (const f of fields) {
    if (f.ref === 'entities') for (const v of f.values as Uint8Array[]) if (v.length % 4 !== 0) bad('entity list not whole u32s');
  }
}

function readResources(v: unknown): Component[] {
  const ids = new Set<string>();
  return arr(v, 'resources').map((entry, i) => {
    const [id, layout, fields, values, attrs] = arr(entry, `resource ${i}`, 5);
    const rid = str(id, 'resource id');
    if (ids.has(rid)) bad(`repeated resource id ${rid}`);
    ids.add(rid);
    const lay = uint(layout, 'resource layout', 1);
    const defs = readFields(fields, lay, `resource ${rid}`);
    const vals = arr(values, `resource ${rid} values`, lay === 1 ? 1 : defs.length);
    const a = readAttrs(attrs, lay, defs, `resource ${rid}`);
    if (lay === 1) {
      if (!(vals[0] instanceof Uint8Array)) bad('resource blob is not bin');
      return { id: rid, layout: 'blobs', blobs: [(vals[0] as Uint8Array).slice()] };
    }
    const out: Field[] = defs.map((d, k) => ({ name: d.name, type: TYPES[d.code]![0], values: resourceValue(d.code, vals[k]) }));
    withAttrs(out, a);
    const res: Component = { id: rid, layout: 'columns', fields: out };
    if (a.value) res.singleValue = true;
    return res;
  });
}

/** Section 5 **Entities**: unique world ids, component rows for world entities only, consistent order and metadata. */
function checkEntities(world: Uint32Array, comps: { id: string; ids: Uint32Array }[], order: Map<number, string[]>, entityMetadata: Map<number, unknown> | undefined): void {
  const worldSet = new Set(world);
  if (worldSet.size !== world.length) bad('an entity id appears twice in the world entity set');
  const rowsOf = comps.map((c) => {
    const rows = new Set(c.ids);
    if (rows.size !== c.ids.length) bad(`component ${c.id} has two rows for one entity`);
    for (const e of rows) if (!worldSet.has(e)) bad(`component ${c.id} has a row for entity ${e}, not in the world`);
    return rows;
  });
  for (const [entity, ids] of order) {
    if (!worldSet.has(entity)) bad(`order names entity ${entity}, not in the world`);
    const has = comps.filter((_, i) => rowsOf[i]!.has(entity)).map((c) => c.id);
    if (new Set(ids).size !== ids.length || ids.length !== has.length || !has.every((id) => ids.includes(id)))
      bad(`order of entity ${entity} does not list exactly its components`);
  }
  for (const e of entityMetadata?.keys() ?? []) if (!Number.isInteger(e) || e < 0 || e > 0xffffffff) bad(`entity metadata names ${e}`);
}

/** Decode a parsed container's content (sections 4-6). */
export function decodeContent(c: Container): Decoded {
  const manifestSection = c.sections[0]!;
  const m = decodeMessagePack(manifestSection.payload);
  if (!isMap(m)) return bad('manifest is not a map');
  for (const key of ['version', 'schemaVersion', 'metadata', 'entities', 'sets', 'components']) if (!(key in m)) bad(`manifest lacks ${key}`);
  const version = str(m.version, 'version');
  if (typeof m.schemaVersion !== 'number') bad('schemaVersion is not a number');
  if (!(m.metadata instanceof Uint8Array)) return bad('metadata is not bin');
  const metadata = decodeMessagePack(m.metadata);
  if (!isMap(metadata)) return bad('metadata is not a map');

  // Sets: ranges now, lists from their EntitySet sections.
  const setDefs = arr(m.sets, 'sets').map((s, i) => {
    const a = arr(s, `set ${i}`);
    if (a.length === 2) {
      const start = uint(a[0], 'range start');
      const count = uint(a[1], 'range count');
      if (start + count > 2 ** 32) bad('range past 2^32');
      return { range: true, start, count };
    }
    if (a.length === 1) return { range: false, start: 0, count: uint(a[0], 'list count') };
    return bad(`set ${i} is neither [count] nor [start, count]`);
  });
  const sets: (Uint32Array | undefined)[] = setDefs.map((d) => (d.range ? Uint32Array.from({ length: d.count }, (_, i) => d.start + i) : undefined));
  const worldSet = uint(m.entities, 'entities');
  if (worldSet >= setDefs.length) bad('entities is not a set index');

  const comps = arr(m.components, 'components').map((entry, i) => {
    const [id, set, layout, fields] = arr(entry, `component ${i}`, 4);
    const cid = str(id, 'component id');
    const s = uint(set, 'component set');
    if (s >= setDefs.length) bad(`component ${cid}: set ${s} out of range`);
    const lay = uint(layout, 'layout', 1);
    return { id: cid, set: s, layout: lay, fields: readFields(fields, lay, `component ${cid}`) };
  });
  if (new Set(comps.map((x) => x.id)).size !== comps.length) bad('repeated component id');

  const attrs = new Map<number, Attrs>();
  if ('attrs' in m) {
    let last = -1;
    for (const entry of arr(m.attrs, 'attrs')) {
      const [ci, map] = arr(entry, 'attrs entry', 2);
      const index = uint(ci, 'attrs component');
      if (index <= last || index >= comps.length) bad(`attrs component index ${index}`);
      last = index;
      const comp = comps[index]!;
      attrs.set(index, readAttrs(map, comp.layout, comp.fields, `component ${comp.id}`));
    }
  }

  const order = new Map<number, string[]>();
  if ('order' in m) {
    for (const entry of arr(m.order, 'order')) {
      const [entity, list] = arr(entry, 'order entry', 2);
      const ids = arr(list, 'order list').map((k) => {
        const index = uint(k, 'order component');
        if (index >= comps.length) bad('order component out of range');
        return comps[index]!.id;
      });
      const e = uint(entity, 'order entity');
      if (order.has(e)) bad(`order names entity ${e} twice`);
      order.set(e, ids);
    }
  }

  // Sections after the manifest.
  const chunks = new Map<string, (Uint8Array & { rows: number })[]>();
  const nextRow = new Map<string, number>();
  let entityMetadata: Map<number, Record<string, unknown>> | undefined;
  for (const s of c.sections.slice(1)) {
    if (s.kind === 2) {
      const def = setDefs[s.owner];
      if (!def) bad(`EntitySet section for set ${s.owner}, which does not exist`);
      if (def!.range) continue;
      if (sets[s.owner]) bad(`second EntitySet section for set ${s.owner}`);
      if (s.rowCount !== def!.count || s.payload.length !== 4 * def!.count) bad('EntitySet section size');
      sets[s.owner] = typed(Uint32Array, s.payload) as Uint32Array;
    } else if (s.kind === 3 || s.kind === 4) {
      const comp = comps[s.owner];
      if (!comp) bad(`section for component ${s.owner}, which does not exist`);
      if (s.kind === 3 && (comp!.layout !== 0 || s.field >= comp!.fields.length)) bad('Column section does not match its component');
      if (s.kind === 4 && comp!.layout !== 1) bad('Blobs section for a columnar component');
      const key = `${s.owner}/${s.kind === 4 ? 'blobs' : s.field}`;
      if ((nextRow.get(key) ?? 0) !== s.rowStart) bad(`chunk of ${key} starts at row ${s.rowStart}`);
      nextRow.set(key, s.rowStart + s.rowCount);
      const chunk = Object.assign(s.payload, { rows: s.rowCount });
      chunks.set(key, [...(chunks.get(key) ?? []), chunk]);
    } else if (s.kind === 5) {
      if (entityMetadata) bad('second EntityMetadata section');
      const list = decodeMessagePack(s.payload);
      entityMetadata = new Map();
      for (const pair of arr(list, 'entity metadata')) {
        const [entity, map] = arr(pair, 'entity metadata entry', 2);
        if (typeof entity !== 'number' || !isMap(map)) bad('entity metadata entry is not [number, map]');
        if (entityMetadata.has(entity as number)) bad(`entity metadata names entity ${entity} twice`);
        entityMetadata.set(entity as number, map as Record<string, unknown>);
      }
    }
  }
  setDefs.forEach((d, i) => {
    if (!sets[i]) bad(`list set ${i} has no EntitySet section (${d.count} ids)`);
  });
  const setIds = sets as Uint32Array[];

  const components: Component[] = comps.map((comp, index) => {
    const entityIds = setIds[comp.set]!;
    const rows = entityIds.length;
    const chunksOf = (key: string): (Uint8Array & { rows: number })[] => {
      const list = chunks.get(`${index}/${key}`) ?? [];
      if ((nextRow.get(`${index}/${key}`) ?? 0) !== rows && !(rows === 0 && list.length === 0)) bad(`chunks of ${comp.id}/${key} do not sum to ${rows} rows`);
      return list;
    };
    if (comp.layout === 1) {
      const blobs = chunksOf('blobs').flatMap((ch) => splitVariable(ch, ch.rows));
      return { id: comp.id, layout: 'blobs', entityIds: entityIds.slice(), blobs };
    }
    const fields: Field[] = comp.fields.map((f, fi) => ({
      name: f.name,
      type: TYPES[f.code]![0],
      values: fieldValues(f.code, rows, chunksOf(String(fi))),
    }));
    const a = attrs.get(index);
    withAttrs(fields, a);
    const out: Component = { id: comp.id, layout: 'columns', entityIds: entityIds.slice(), fields };
    if (a?.value) out.singleValue = true;
    return out;
  });

  // In a delta (13.2) entity sets hold row indexes and id lists, not world entities.
  if (c.header.kind === 0)
    checkEntities(
      setIds[worldSet]!,
      comps.map((x) => ({ id: x.id, ids: setIds[x.set]! })),
      order,
      entityMetadata,
    );

  const packed: Packed = {
    timestamp: c.header.timestamp,
    version,
    worldTime: c.header.worldTime,
    schemaVersion: m.schemaVersion as number,
    metadata,
    entities: setIds[worldSet]!.slice(),
    components,
  };
  if ('resources' in m) {
    const resources = readResources(m.resources);
    if (resources.length > 0) packed.resources = resources;
  }
  if (order.size > 0) packed.componentOrder = order;
  if (entityMetadata) packed.entityMetadata = entityMetadata;
  if (c.header.componentCount !== comps.length || c.header.entityCount !== packed.entities.length || c.header.entitySetCount !== setDefs.length)
    bad('header counts disagree with the manifest');
  return { packed, sets: setIds, componentSets: comps.map((x) => x.set) };
}

/** Read a snapshot container (header kind 0). */
export function readSnapshot(bytes: Uint8Array): Packed {
  const c = parseContainer(bytes);
  if (c.header.kind !== 0) bad('not a snapshot container');
  return decodeContent(c).packed;
}
