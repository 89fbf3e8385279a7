// A delta is stored in the same container as a snapshot (header kind = Delta), so it
// compresses, encrypts and checksums the same way. Its bulk arrays (id lists, changed
// rows, new values) become payload components, and a description in the manifest's
// metadata says which payload component is what. docs/format.md §13 specifies it.
import { rangeIds, rangeView } from './arrays.js';
import { decodeContainer, type DecodeOptions, readContainer } from './decode.js';
import type { ByteSource } from './source.js';
import type { ComponentDelta, FieldDelta, IdListDelta, MetadataDelta, SnapshotDelta } from './delta-model.js';
import { encodeContainer, type EncodeOptions } from './encode.js';
import { PackError } from './errors.js';
import { ContainerKind } from './layout.js';
import type { Column, EntityMetadata, PackedComponent, PackedSnapshot } from './model.js';

/**
 * Version of the delta description; readers refuse newer ones. 2 adds temporal (XOR) field
 * changes, 3 predicted ("lin") ones; a delta is written with the lowest version it needs.
 */
const DELTA_DESCRIPTION_VERSION = 3;

/** The description version of a delta that uses temporal (XOR) field changes but no predicted one. */
const XOR_DESCRIPTION_VERSION = 2;

/** The description version of a delta that uses no temporal (XOR) field change, readable by every reader. */
const PLAIN_DESCRIPTION_VERSION = 1;

/** The encoding name of a temporal (XOR) field change, the 4th element of its entry. */
const XOR = 'xor';

/** The encoding name of a predicted field change (XOR with a linear prediction from the reference). */
const LIN = 'lin';

type IdListRef = { removed: number; added: number } | { ids: number };
type ComponentRef = [id: string, change: 'unchanged'] | [id: string, change: 'added' | 'replaced', component: number] | [id: string, change: 'patched', patch: PatchRef];

interface PatchRef {
  blobs: boolean;
  rows?: IdListRef;
  added?: number;
  /** Per changed field: its name, payload component, whether it is stored whole, and `"xor"` or `"lin"` for a temporal delta. */
  fields: ([name: string, component: number, whole: boolean] | [name: string, component: number, whole: boolean, encoding: typeof XOR | typeof LIN])[];
}

interface Description {
  delta: number;
  base: Uint8Array;
  target: Uint8Array;
  metadata?: MetadataDelta;
  entities?: IdListRef;
  components: ComponentRef[];
  removed: string[];
  /** The content hash of the snapshot "lin" field changes are predicted from (with `scale`), when there is one. */
  reference?: Uint8Array;
  scale?: number;
  entityMetadata?: { set: [number, EntityMetadata][]; removed: number[] } | { replace: [number, EntityMetadata][] };
  order?: [number, string[]][] | null;
  /** True: the target's resources are the payload manifest's (none when it has none). */
  resources?: boolean;
}

/** Encodes a delta into a tx2-pack container of kind Delta (same options as snapshots). */
export function encodeDelta(delta: SnapshotDelta, options: EncodeOptions = {}): Uint8Array {
  const payload: PackedComponent[] = [];
  let temporal = false;
  let predicted = false;
  const push = (component: PackedComponent): number => payload.push(component) - 1;
  const idList = (ids: Uint32Array, name: string): number => push({ id: `${payload.length}:${name}`, layout: 'columns', entityIds: ids, fields: [] });
  const idListRef = (change: IdListDelta, name: string): IdListRef =>
    'ids' in change ? { ids: idList(change.ids, `${name} ids`) } : { removed: idList(change.removed, `${name} removed`), added: idList(change.added, `${name} added`) };

  const components = delta.components.map((change): ComponentRef => {
    const name = change.id;
    if (change.change === 'unchanged') return [name, 'unchanged'];
    if (change.change === 'added' || change.change === 'replaced') {
      return [name, change.change, push({ ...change.component, id: `${payload.length}:${name} ${change.change}` })];
    }
    const patch: PatchRef = { blobs: change.layout === 'blobs', fields: [] };
    if (change.rows !== undefined) patch.rows = idListRef(change.rows, `${name} rows`);
    if (change.added !== undefined) {
      const id = `${payload.length}:${name} added rows`;
      // The added entities' ids follow from the row list; only their values are stored.
      const rows = rangeIds(0, valueCount(change.added));
      patch.added = push(
        'blobs' in change.added ? { id, layout: 'blobs', entityIds: rows, blobs: change.added.blobs } : { id, layout: 'columns', entityIds: rows, fields: change.added.fields },
      );
    }
    for (const field of change.fields) {
      const id = `${payload.length}:${name}.${change.layout === 'blobs' ? 'blobs' : field.name}`;
      // A whole field covers every row: its row list is the range 0..n, which costs no bytes
      // (a view of a shared run: the carrier is only read, by the encoder, within this call).
      const entityIds = field.rows ?? rangeView(0, (field.values as ArrayLike<unknown>).length);
      const k =
        change.layout === 'blobs'
          ? push({ id, layout: 'blobs', entityIds, blobs: field.values as Uint8Array[] })
          : push({ id, layout: 'columns', entityIds, fields: [{ name: field.name, type: field.type, values: field.values } as Column] });
      if (field.predicted === true) {
        predicted = true;
        patch.fields.push([field.name, k, field.rows === undefined, LIN]);
      } else if (field.xor === true) {
        temporal = true;
        patch.fields.push([field.name, k, field.rows === undefined, XOR]);
      } else patch.fields.push([field.name, k, field.rows === undefined]);
    }
    return [name, 'patched', patch];
  });

  // Refuse what decodeDelta would: a reference without a predicted field or the reverse, a bad scale.
  checkReference(delta.reference, predicted);
  const version = predicted ? DELTA_DESCRIPTION_VERSION : temporal ? XOR_DESCRIPTION_VERSION : PLAIN_DESCRIPTION_VERSION;
  const description: Description = { delta: version, base: delta.base, target: delta.target, components, removed: delta.removedComponents };
  if (delta.reference !== undefined) {
    description.reference = delta.reference.hash;
    description.scale = delta.reference.scale;
  }
  if (delta.metadata !== undefined) description.metadata = delta.metadata;
  if (delta.entities !== undefined) description.entities = idListRef(delta.entities, 'entities');
  if (delta.entityMetadata !== undefined) {
    description.entityMetadata = 'replace' in delta.entityMetadata ? delta.entityMetadata : { set: delta.entityMetadata.set, removed: [...delta.entityMetadata.removed] };
  }
  if (delta.componentOrder !== undefined) description.order = delta.componentOrder;
  if (delta.resources !== undefined) description.resources = true;

  const carrier: PackedSnapshot = {
    timestamp: delta.timestamp,
    worldTime: delta.worldTime,
    version: delta.version,
    schemaVersion: delta.schemaVersion,
    metadata: description as unknown as Record<string, unknown>,
    entities: new Uint32Array(0),
    components: payload,
  };
  if (delta.resources !== undefined && delta.resources.length > 0) carrier.resources = delta.resources;
  return encodeContainer(carrier, options, ContainerKind.Delta);
}

function checkReference(reference: SnapshotDelta['reference'], predicted: boolean): void {
  if (reference === undefined) {
    if (predicted) throw new PackError('InvalidFormat', 'the delta is malformed: it predicts fields but has no reference to predict them from');
    return;
  }
  if (!predicted) throw new PackError('InvalidFormat', 'the delta is malformed: it has a reference but predicts no field');
  if (!(reference.hash instanceof Uint8Array) || reference.hash.length !== 32 || typeof reference.scale !== 'number' || !Number.isFinite(reference.scale)) {
    throw new PackError('InvalidFormat', 'the delta is malformed: its reference is not { hash, scale } with a 32-byte hash and a finite scale');
  }
}

/** Rows in added values: the length of any of their columns. */
function valueCount(added: { fields: Column[] } | { blobs: Uint8Array[] }): number {
  if ('blobs' in added) return added.blobs.length;
  const first = added.fields[0];
  return first === undefined ? 0 : (first.values as ArrayLike<unknown>).length;
}

function malformed(message: string): never {
  throw new PackError('InvalidFormat', `the delta description is malformed: ${message}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Decodes a container of kind Delta; every malformed input is a PackError. */
export function decodeDelta(input: Uint8Array, options: DecodeOptions = {}): SnapshotDelta {
  if (options.components !== undefined) throw new PackError('InvalidInput', 'decodeDelta reads whole deltas: drop the components option');
  return deltaOf(decodeContainer(input, options, ContainerKind.Delta));
}

/** Reads a delta container from a random-access source (asynchronous reads, lazy codecs, sealed sections). */
export async function readDelta(source: ByteSource | Uint8Array, options: DecodeOptions = {}): Promise<SnapshotDelta> {
  if (options.components !== undefined) throw new PackError('InvalidInput', 'readDelta reads whole deltas: drop the components option');
  return deltaOf(await readContainer(source, options, ContainerKind.Delta));
}

/** The delta a decoded carrier container describes. */
function deltaOf(carrier: PackedSnapshot): SnapshotDelta {
  const d = carrier.metadata as unknown;
  if (!isObject(d) || typeof d.delta !== 'number') malformed('it is not an object with a version');
  if (d.delta > DELTA_DESCRIPTION_VERSION) {
    throw new PackError('VersionMismatch', `this delta uses description version ${d.delta}; this reader supports up to ${DELTA_DESCRIPTION_VERSION}: upgrade @tx2/pack-format`);
  }
  const version = d.delta;
  const hash = (v: unknown, what: string): Uint8Array => (v instanceof Uint8Array && v.length === 32 ? v.slice() : malformed(`${what} is not a SHA-256 hash`));
  const used = new Set<number>();
  const payload = (k: unknown, what: string): PackedComponent => {
    if (!isIndex(k) || k >= carrier.components.length) malformed(`${what} names payload component ${String(k)}, which does not exist`);
    if (used.has(k)) malformed(`payload component ${k} is used twice`);
    used.add(k);
    return carrier.components[k]!;
  };
  const ids = (k: unknown, what: string): Uint32Array => payload(k, what).entityIds;
  const idList = (ref: unknown, what: string): IdListDelta => {
    if (!isObject(ref)) malformed(`${what} is not an object`);
    if ('ids' in ref) return { ids: ids(ref.ids, what) };
    return { removed: ids(ref.removed, `${what} (removed)`), added: ids(ref.added, `${what} (added)`) };
  };
  if (!Array.isArray(d.components) || !Array.isArray(d.removed) || !d.removed.every((id) => typeof id === 'string')) malformed('it lacks its component lists');

  let predicted = 0;
  const components = (d.components as unknown[]).map((ref, i): ComponentDelta => {
    if (!Array.isArray(ref) || typeof ref[0] !== 'string') malformed(`component entry ${i} is not [id, change, ...]`);
    const id = ref[0];
    const change = ref[1];
    if (change === 'unchanged') return { id, change };
    if (change === 'added' || change === 'replaced') return { id, change, component: { ...payload(ref[2], `component "${id}"`), id } };
    if (change !== 'patched' || !isObject(ref[2]) || !Array.isArray(ref[2].fields)) malformed(`component "${id}" has an unknown change`);
    const p = ref[2];
    const layout = p.blobs === true ? 'blobs' : 'columns';
    const patch: ComponentDelta = { id, change: 'patched', layout, fields: [] };
    if (p.rows !== undefined) patch.rows = idList(p.rows, `the rows of "${id}"`);
    if (p.added !== undefined) {
      const added = payload(p.added, `the added rows of "${id}"`);
      if (added.layout !== layout) malformed(`the added rows of "${id}" are not stored as ${layout}`);
      patch.added = added.layout === 'blobs' ? { blobs: added.blobs } : { fields: added.fields };
    }
    for (const entry of p.fields as unknown[]) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[2] !== 'boolean' || entry.length > 4)
        malformed(`a field change of "${id}" is not [name, component, whole] or [name, component, whole, encoding]`);
      const [name, k, whole, encoding] = entry as [string, unknown, boolean, unknown];
      const xor = encoding === XOR;
      const lin = encoding === LIN;
      // Where "xor" may be used (whole numeric columns) is checked when the delta is applied, as for any change.
      if (encoding !== undefined && (!(xor || lin) || version < (lin ? DELTA_DESCRIPTION_VERSION : XOR_DESCRIPTION_VERSION) || layout !== 'columns')) {
        const shown = typeof encoding === 'string' ? `"${encoding}"` : `of type ${typeof encoding}`;
        malformed(
          `field "${name}" of "${id}" has encoding ${shown}: the encodings are "xor" (description version ${XOR_DESCRIPTION_VERSION} or later) and "lin" (version ${DELTA_DESCRIPTION_VERSION}), of a column`,
        );
      }
      if (lin && (!whole || patch.rows !== undefined || patch.added !== undefined)) {
        malformed(`field "${name}" of "${id}" is predicted ("lin") but not whole in a patch without row change and added rows`);
      }
      const data = payload(k, `field "${name}" of "${id}"`);
      const rows = whole ? undefined : data.entityIds;
      if (data.layout !== layout) malformed(`field "${name}" of "${id}" is not stored as ${layout}`);
      if (data.layout === 'blobs') patch.fields.push(rows === undefined ? { name, type: 'bytes', values: data.blobs } : { name, type: 'bytes', rows, values: data.blobs });
      else {
        const column = data.fields[0];
        if (data.fields.length !== 1 || column === undefined || column.name !== name) malformed(`field "${name}" of "${id}" is not stored as one column of that name`);
        const change: FieldDelta = rows === undefined ? { name, type: column.type, values: column.values } : { name, type: column.type, rows, values: column.values };
        if (xor) change.xor = true;
        if (lin) {
          if (column.type !== 'f32' && column.type !== 'f64') malformed(`field "${name}" of "${id}" is predicted ("lin") but is ${column.type}, not f32 or f64`);
          change.predicted = true;
          predicted++;
        }
        patch.fields.push(change);
      }
    }
    return patch;
  });

  const delta: SnapshotDelta = {
    base: hash(d.base, 'the base'),
    target: hash(d.target, 'the target'),
    timestamp: carrier.timestamp,
    worldTime: carrier.worldTime,
    version: carrier.version,
    schemaVersion: carrier.schemaVersion,
    components,
    removedComponents: d.removed as string[],
  };
  if (d.reference !== undefined || d.scale !== undefined) {
    if (typeof d.scale !== 'number' || !Number.isFinite(d.scale)) malformed(`its scale ${String(d.scale)} is not a finite number`);
    delta.reference = { hash: hash(d.reference, 'the reference'), scale: d.scale };
    if (predicted === 0) malformed('it has a reference but no "lin" field change');
  } else if (predicted > 0) malformed('it has "lin" field changes but no reference and scale');
  if (d.metadata !== undefined) delta.metadata = metadataDelta(d.metadata);
  if (d.entities !== undefined) delta.entities = idList(d.entities, 'the entity list');
  if (d.entityMetadata !== undefined) delta.entityMetadata = entityMetadataDelta(d.entityMetadata);
  if (d.order !== undefined) delta.componentOrder = componentOrder(d.order);
  if (d.resources !== undefined) {
    if (d.resources !== true) malformed('its resources flag is not true');
    delta.resources = carrier.resources ?? [];
  } else if (carrier.resources !== undefined) malformed('it carries resources its description does not use');
  if (used.size !== carrier.components.length) malformed(`${carrier.components.length - used.size} payload components are not used`);
  return delta;
}

function metadataDelta(v: unknown): MetadataDelta {
  if (isObject(v) && isObject(v.replace)) return { replace: v.replace };
  if (isObject(v) && isObject(v.set) && Array.isArray(v.removed) && v.removed.every((k) => typeof k === 'string')) return { set: v.set, removed: v.removed as string[] };
  return malformed('its metadata change is neither {set, removed} nor {replace}');
}

function entityMetadataEntries(v: unknown): [number, EntityMetadata][] {
  if (!Array.isArray(v) || !v.every((e) => Array.isArray(e) && e.length === 2 && isIndex(e[0]) && e[0] <= 0xffffffff && isObject(e[1]))) {
    malformed('an entity metadata entry is not [entity, metadata]');
  }
  return v as [number, EntityMetadata][];
}

function entityMetadataDelta(v: unknown): SnapshotDelta['entityMetadata'] {
  if (isObject(v) && 'replace' in v) return { replace: entityMetadataEntries(v.replace) };
  if (isObject(v) && Array.isArray(v.removed) && v.removed.every((e) => isIndex(e) && e <= 0xffffffff)) {
    return { set: entityMetadataEntries(v.set), removed: Uint32Array.from(v.removed as number[]) };
  }
  return malformed('its entity metadata change is neither {set, removed} nor {replace}');
}

function componentOrder(v: unknown): [number, string[]][] | null {
  if (v === null) return null;
  if (Array.isArray(v) && v.every((e) => Array.isArray(e) && e.length === 2 && isIndex(e[0]) && Array.isArray(e[1]) && e[1].every((id: unknown) => typeof id === 'string'))) {
    return v as [number, string[]][];
  }
  return malformed('its component order is not a list of [entity, component ids]');
}
