import { decodeBlob, decodePlain, encodeBlob, encodePlain } from './blob.js';
import { PackError } from './errors.js';
import { decodeAttrs, encodeAttrs, type ManifestField } from './component-attrs.js';
import { FIELD_TYPES, fieldTypeFromCode } from './field-types.js';
import { canonicalNaN } from './canonical-nan.js';
import { decodeResources, encodeResource, type ManifestResource } from './resources.js';

/** An entity set: contiguous ids stored as a range, or an explicit list in an EntitySet section. */
export type EntitySetEntry = { start: number; count: number } | { count: number };

/** A component as the manifest describes it. */
export interface ManifestComponent {
  id: string;
  /** Index of the component's entity set. */
  set: number;
  layout: 'columns' | 'blobs';
  fields: ManifestField[];
  /** A single-value component (manifest `attrs`). */
  singleValue?: boolean;
}

/** The decoded manifest section: everything but the bulk data and the header's times. */
export interface Manifest {
  version: string;
  schemaVersion: number;
  metadata: Record<string, unknown>;
  /** Index of the entity set listing every entity in world order. */
  entities: number;
  sets: EntitySetEntry[];
  components: ManifestComponent[];
  /** Entities whose component order differs from the manifest's: [entity id, component indexes]. */
  order: [number, number[]][];
  /** The world's resources (singletons), with their values; absent or empty when there are none. */
  resources?: ManifestResource[];
}

function encodeWithMetadata(m: Manifest, metadata: Uint8Array): Uint8Array {
  const map: Record<string, unknown> = {
    version: m.version,
    schemaVersion: canonicalNaN(m.schemaVersion),
    // Free-form values may need the blob extensions; the rest is plain MessagePack.
    metadata,
    entities: m.entities,
    sets: m.sets.map((s) => ('start' in s ? [s.start, s.count] : [s.count])),
    components: m.components.map((c) => [c.id, c.set, c.layout === 'columns' ? 0 : 1, c.fields.map((f) => [f.name, FIELD_TYPES[f.type].code])]),
    order: m.order,
  };
  // Written only when used, so files without them keep their bytes and content hashes.
  const attrs: unknown[] = [];
  m.components.forEach((c, i) => {
    const a = encodeAttrs(c);
    if (a !== undefined) attrs.push([i, a]);
  });
  if (attrs.length > 0) map.attrs = attrs;
  if (m.resources !== undefined && m.resources.length > 0) map.resources = m.resources.map(encodeResource);
  return encodePlain(map);
}

const sameList = <T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean => a.length === b.length && a.every((x, i) => same(x, b[i]!));

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameStructure(a: Manifest, b: Manifest): boolean {
  return (
    a.version === b.version &&
    Object.is(a.schemaVersion, b.schemaVersion) &&
    a.entities === b.entities &&
    sameList(a.sets, b.sets, (x, y) => x.count === y.count && ('start' in x ? 'start' in y && x.start === y.start : !('start' in y))) &&
    sameList(
      a.components,
      b.components,
      (x, y) =>
        x.id === y.id &&
        x.set === y.set &&
        x.layout === y.layout &&
        x.singleValue === y.singleValue &&
        sameList(x.fields, y.fields, (f, g) => f.name === g.name && f.type === g.type && f.ref === g.ref),
    ) &&
    sameList(a.order, b.order, (x, y) => x[0] === y[0] && sameList(x[1], y[1], (i, j) => i === j)) &&
    sameList(a.resources ?? [], b.resources ?? [], (x, y) => sameBytes(encodePlain(encodeResource(x)), encodePlain(encodeResource(y))))
  );
}

/**
 * Encodes manifests, reusing the previous bytes when nothing changed: a game saving every
 * frame has the same schema each time, and MessagePack-encoding it costs more than
 * comparing it.
 */
export class ManifestWriter {
  #last: { manifest: Manifest; metadata: Uint8Array; bytes: Uint8Array } | undefined;

  /** The section bytes of `m`; do not modify them (they may be returned again). */
  encode(m: Manifest): Uint8Array {
    const metadata = encodeBlob(m.metadata);
    const last = this.#last;
    if (last !== undefined && sameBytes(last.metadata, metadata) && sameStructure(last.manifest, m)) return last.bytes;
    const bytes = encodeWithMetadata(m, metadata);
    this.#last = { manifest: m, metadata, bytes };
    return bytes;
  }
}

function bad(what: string): never {
  throw new PackError('InvalidFormat', `the manifest is malformed (${what}): the file is corrupt or not written by tx2-pack`);
}

const isU32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
const isNum = (v: unknown): v is number => typeof v === 'number';

/** Limits of {@link decodeManifest}. */
export interface ManifestDecodeOptions {
  /** How deep the world metadata may nest (default `MAX_BLOB_DEPTH`, as for blobs). */
  maxBlobDepth?: number;
}

/** Decodes and validates a manifest section; anything unexpected is a PackError. */
export function decodeManifest(bytes: Uint8Array, options: ManifestDecodeOptions = {}): Manifest {
  const raw = decodePlain(bytes, 'the manifest');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('not a map');
  const m = raw as Record<string, unknown>;
  if (!isNum(m.schemaVersion)) bad('schema version');
  if (typeof m.version !== 'string') bad('version');
  if (!(m.metadata instanceof Uint8Array)) bad('metadata');
  const metadata = decodeBlob(m.metadata, 'the world metadata', options.maxBlobDepth === undefined ? {} : { maxDepth: options.maxBlobDepth });
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) bad('metadata');
  // `order` is optional (docs/format.md §4): absent means no entity needs its own order.
  const rawOrder: unknown = m.order === undefined ? [] : m.order;
  if (!Array.isArray(m.sets) || !Array.isArray(m.components) || !Array.isArray(rawOrder)) bad('lists');
  const sets: EntitySetEntry[] = m.sets.map((s: unknown) => {
    if (!Array.isArray(s)) bad('entity set');
    if (s.length === 2 && isU32(s[0]) && isU32(s[1]) && s[0] + s[1] <= 0x100000000) return { start: s[0], count: s[1] };
    if (s.length === 1 && isU32(s[0])) return { count: s[0] };
    return bad('entity set');
  });
  if (!isU32(m.entities) || m.entities >= sets.length) bad('entities set index');
  const ids = new Set<string>();
  const components: ManifestComponent[] = m.components.map((c: unknown) => {
    if (!Array.isArray(c) || c.length !== 4) bad('component');
    const [id, set, layout, fields] = c as unknown[];
    if (typeof id !== 'string' || ids.has(id)) bad('component id');
    ids.add(id);
    if (!isU32(set) || set >= sets.length) bad(`entity set of component "${id}"`);
    if (layout !== 0 && layout !== 1) bad(`layout of component "${id}"`);
    if (!Array.isArray(fields) || (layout === 1 && fields.length !== 0)) bad(`fields of component "${id}"`);
    const names = new Set<string>();
    return {
      id,
      set,
      layout: layout === 0 ? 'columns' : 'blobs',
      fields: fields.map((f: unknown) => {
        if (!Array.isArray(f) || f.length !== 2 || typeof f[0] !== 'string' || names.has(f[0])) bad(`field of "${id}"`);
        const type = isU32(f[1]) ? fieldTypeFromCode(f[1]) : undefined;
        if (type === undefined) bad(`type of field "${f[0]}" of "${id}"`);
        names.add(f[0]);
        return { name: f[0], type };
      }),
    };
  });
  // `attrs` and `resources` are optional (docs/format.md §4.1, §4.2).
  if (m.attrs !== undefined) {
    if (!Array.isArray(m.attrs)) bad('attrs');
    let last = -1;
    for (const entry of m.attrs as unknown[]) {
      if (!Array.isArray(entry) || entry.length !== 2 || !isU32(entry[0]) || entry[0] <= last || entry[0] >= components.length) bad('attrs entry');
      const component = components[entry[0]]!;
      decodeAttrs(entry[1], component, `component "${component.id}"`);
      last = entry[0];
    }
  }
  const resources = m.resources === undefined ? undefined : decodeResources(m.resources);
  const order = rawOrder.map((entry: unknown): [number, number[]] => {
    if (!Array.isArray(entry) || entry.length !== 2 || !isU32(entry[0]) || !Array.isArray(entry[1])) bad('component order');
    const list = entry[1] as unknown[];
    if (!list.every((i) => isU32(i) && i < components.length)) bad('component order index');
    return [entry[0], list as number[]];
  });
  return {
    version: m.version,
    schemaVersion: m.schemaVersion,
    metadata: metadata as Record<string, unknown>,
    entities: m.entities,
    sets,
    components,
    order,
    ...(resources !== undefined && resources.length > 0 ? { resources } : {}),
  };
}
