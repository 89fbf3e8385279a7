// Entity ids change when a snapshot is loaded into a world that picks its own ids: remap
// the entity list, every component's rows and every reference field through one id map.
import type { IdMap } from './columns.js';
import { PackError } from './errors.js';
import type { Column, PackedComponent, PackedResource, PackedSnapshot } from './model.js';
import { decodeEntityList, encodeEntityList, NULL_ENTITY } from './refs.js';

/** What a reference to an entity that is neither in the snapshot nor in the id map becomes. */
export type MissingRefPolicy = 'null' | 'keep' | 'error';

/** Options of {@link remapEntities}. */
export interface RemapOptions {
  /**
   * A reference whose target is not in the id map and not an entity of the snapshot (a dangling
   * reference): `'null'` (default) makes it `NULL_ENTITY`, `'keep'` leaves the id as it is,
   * `'error'` throws InvalidInput naming the component, field and id.
   */
  missing?: MissingRefPolicy;
}

const isU32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/**
 * The snapshot with entity ids renamed through `idMap` (old id to new id): the entity list,
 * every component's rows, entity metadata, component order, and every `'entity'`/`'entities'`
 * field of components and resources. Ids not in the map keep their value; `NULL_ENTITY` stays
 * null. The input is not modified; arrays that do not change are shared.
 */
export function remapEntities(snapshot: PackedSnapshot, idMap: IdMap, options: RemapOptions = {}): PackedSnapshot {
  if (typeof snapshot !== 'object' || snapshot === null || !(snapshot.entities instanceof Uint32Array) || !Array.isArray(snapshot.components)) {
    throw new PackError('InvalidInput', 'remapEntities needs a packed snapshot');
  }
  if (typeof idMap !== 'function' && !(idMap instanceof Map)) throw new PackError('InvalidInput', 'remapEntities needs a Map or a function from old to new entity id');
  const missing = options.missing ?? 'null';
  if (missing !== 'null' && missing !== 'keep' && missing !== 'error') throw new PackError('InvalidInput', `missing must be 'null', 'keep' or 'error', got ${String(missing)}`);
  const lookup = (id: number): number | undefined => {
    const to = typeof idMap === 'function' ? idMap(id) : idMap.get(id);
    if (to === undefined) return undefined;
    if (!isU32(to) || to === NULL_ENTITY) {
      throw new PackError('InvalidInput', `the id map sends entity ${id} to ${String(to)}: new ids must be integers from 0 to 4294967294`, { details: { entity: id } });
    }
    return to;
  };
  const entity = (id: number): number => lookup(id) ?? id;
  const present = new Set(snapshot.entities);
  const reference = (id: number, where: string): number => {
    if (id === NULL_ENTITY) return id;
    const to = lookup(id);
    if (to !== undefined) return to;
    if (present.has(id) || missing === 'keep') return id;
    if (missing === 'null') return NULL_ENTITY;
    throw new PackError('InvalidInput', `${where} refers to entity ${id}, which is neither in the snapshot nor in the id map`, { details: { entity: id } });
  };

  const entities = snapshot.entities.map(entity);
  if (new Set(entities).size !== entities.length) {
    throw new PackError('InvalidInput', 'the id map sends two entities of the snapshot to the same id: new ids must be unique', { details: { entities: entities.length } });
  }
  // Components sharing one entity list share its remapped copy, so the encoder still stores it once.
  const lists = new Map<Uint32Array, Uint32Array>([[snapshot.entities, entities]]);
  const rowsOf = (ids: Uint32Array): Uint32Array => {
    let out = lists.get(ids);
    if (out === undefined) {
      out = ids.map(entity);
      lists.set(ids, out);
    }
    return out;
  };
  const components = snapshot.components.map((c): PackedComponent => {
    const entityIds = rowsOf(c.entityIds);
    if (c.layout === 'blobs') return { ...c, entityIds };
    return { ...c, entityIds, fields: remapFields(c.fields, `component "${c.id}"`, reference) };
  });
  const out: PackedSnapshot = { ...snapshot, entities, components };
  if (snapshot.resources !== undefined) {
    out.resources = snapshot.resources.map((r): PackedResource => (r.layout === 'blobs' ? r : { ...r, fields: remapFields(r.fields, `resource "${r.id}"`, reference) }));
  }
  if (snapshot.entityMetadata !== undefined) out.entityMetadata = new Map([...snapshot.entityMetadata].map(([id, md]) => [entity(id), md]));
  if (snapshot.componentOrder !== undefined) out.componentOrder = new Map([...snapshot.componentOrder].map(([id, order]) => [entity(id), order]));
  return out;
}

/** The fields with every reference remapped (fields without references are shared). */
function remapFields(fields: readonly Column[], what: string, reference: (id: number, where: string) => number): Column[] {
  return fields.map((f): Column => {
    const where = `field "${f.name}" of ${what}`;
    if (f.ref === 'entity' && !(f.values instanceof Uint32Array)) throw new PackError('InvalidInput', `${where} is an entity reference: its values must be a Uint32Array`);
    if (f.ref === 'entities' && !(Array.isArray(f.values) && f.values.every((v) => v instanceof Uint8Array && v.length % 4 === 0))) {
      throw new PackError('InvalidInput', `${where} is an entity list: its values must be Uint8Arrays of whole u32 ids (encodeEntityList)`);
    }
    if (f.ref === 'entity' && f.type === 'u32') return { ...f, values: f.values.map((id) => reference(id, where)) };
    if (f.ref === 'entities' && f.type === 'bytes') return { ...f, values: f.values.map((list) => encodeEntityList(decodeEntityList(list).map((id) => reference(id, where)))) };
    return f;
  });
}
