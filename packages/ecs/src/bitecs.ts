// @tx2/pack-ecs/bitecs: save a bitECS 0.4 world to a PackedSnapshot and load it into a fresh world.
import { type Column, type PackedComponent, type PackedSnapshot, gather } from '@tx2/pack-format';
import {
  type Relation,
  type World,
  Wildcard,
  addComponent,
  addEntity,
  createWorld,
  getAllEntities,
  getRelationTargets,
  isRelation as isBitecsRelation,
  query,
  removeEntity,
} from 'bitecs';
import { buildColumn, idArray, isFieldSpec, loadColumn, storedType } from './core/columns.js';
import { mapRefs, parseRefPaths, savedRef } from './core/blob-refs.js';
import { badComponentSpec, invalidArgument, schemaMismatch } from './core/mismatch.js';
import { loadPairData, savePairData } from './core/relation-data.js';
import type { FieldSpec, LoadWorldOptions, LoadWorldResult, RegistryBase, SaveWorldOptions } from './core/registry.js';
import type { IdRemap } from './core/remap.js';
import { assembleSnapshot, blobComponent, blobValues, loadable, checkRegistry, createEntities, restoreResources, undoOnFailure } from './core/snapshot.js';

export type { FieldSpec, IdMap, LoadWorldOptions, LoadWorldResult, ResourceSpec, SaveWorldOptions } from './core/registry.js';
export { NO_ENTITY } from './core/columns.js';

/** A bitECS component saved field by field: a struct-of-arrays store (typed arrays, or arrays tagged with `f32([])`, `ref([])`...). */
export interface BitecsStoreSpec {
  component: object;
  /** Types of fields the store does not declare itself (plain arrays); overrides nothing the store declares. */
  fields?: Readonly<Record<string, FieldSpec>>;
  /** Never saved; rebuild it in the registry's `onLoaded`. */
  transient?: boolean;
}

/** A bitECS component whose store is an array of values by entity id (`Inventory[eid] = {...}`), saved as one MessagePack value per entity. */
export interface BitecsBlobSpec {
  component: unknown[];
  blob: true;
  /** Paths of entity ids inside each value, remapped on load: `'owner'`, `'crew[]'`, `'slots[].item'`. */
  refs?: readonly string[];
  transient?: boolean;
}

/**
 * A bitECS relation (`createRelation`): each entity's targets are saved and remapped on load. A
 * relation with a store (`withStore(() => ({ weight: [] }))`) also saves each pair's data
 * (`ChildOf(parent).weight[child]`), typed like a component store.
 */
export interface BitecsRelationSpec {
  relation: Relation<unknown>;
  /** Types of relation-store fields the store does not declare itself (plain arrays). */
  fields?: Readonly<Record<string, FieldSpec>>;
  transient?: boolean;
}

/** How one bitECS component is saved. */
export type BitecsComponentSpec = BitecsStoreSpec | BitecsBlobSpec | BitecsRelationSpec;

/** The components and resources a bitECS world saves. */
export type BitecsRegistry = RegistryBase<World, BitecsComponentSpec>;

// bitecs/serialization brands its typed plain arrays with these registered symbols.
const BRANDS: readonly [symbol, FieldSpec][] = [
  [Symbol.for('bitecs-u8'), 'u8'],
  [Symbol.for('bitecs-i8'), 'i8'],
  [Symbol.for('bitecs-u16'), 'u16'],
  [Symbol.for('bitecs-i16'), 'i16'],
  [Symbol.for('bitecs-u32'), 'u32'],
  [Symbol.for('bitecs-i32'), 'i32'],
  [Symbol.for('bitecs-f32'), 'f32'],
  [Symbol.for('bitecs-f64'), 'f64'],
  [Symbol.for('bitecs-str'), 'string'],
  [Symbol.for('bitecs-ref'), 'entity'],
];

const TYPED: readonly [new (n: number) => ArrayLike<number>, FieldSpec][] = [
  [Float32Array, 'f32'],
  [Float64Array, 'f64'],
  [Int8Array, 'i8'],
  [Uint8Array, 'u8'],
  [Int16Array, 'i16'],
  [Uint16Array, 'u16'],
  [Int32Array, 'i32'],
  [Uint32Array, 'u32'],
];

interface StoreField {
  name: string;
  spec: FieldSpec;
  store: ArrayLike<unknown> & Record<number, unknown>;
}

/** The saved fields of a struct-of-arrays store, with the type each one declares. */
function storeFields(id: string, spec: BitecsStoreSpec): StoreField[] {
  const out: StoreField[] = [];
  const declared = spec.fields ?? {};
  for (const [name, store] of Object.entries(spec.component)) {
    if (!Array.isArray(store) && !(ArrayBuffer.isView(store) && !(store instanceof DataView))) continue;
    const own = ownType(store);
    const given = Object.hasOwn(declared, name) ? declared[name] : undefined;
    if (given !== undefined && !isFieldSpec(given)) {
      throw schemaMismatch('bitecs', id, name, `is declared with unknown type ${JSON.stringify(given)}`, 'use a tx2-pack field type, "entity" or "entities"');
    }
    if (own !== undefined && given !== undefined && given !== own && !(own === 'u32' && given === 'entity')) {
      throw schemaMismatch('bitecs', id, name, `is a ${own} store but declared ${given}`, 'drop the declaration or make the store match it');
    }
    const type = given ?? own;
    if (type === undefined) {
      throw schemaMismatch(
        'bitecs',
        id,
        name,
        'is a plain array whose element type bitECS does not declare',
        'use a typed array, tag it (f32([]), ref([]) from bitecs/serialization) or give its type in `fields`',
      );
    }
    out.push({ name, spec: type, store: store as StoreField['store'] });
  }
  for (const name of Object.keys(declared)) {
    if (!out.some((f) => f.name === name)) throw schemaMismatch('bitecs', id, name, 'is declared in `fields` but the store has no such array', 'fix the field name');
  }
  return out;
}

function ownType(store: object): FieldSpec | undefined {
  for (const [brand, type] of BRANDS) if (brand in store) return type;
  for (const [ctor, type] of TYPED) if (store instanceof ctor) return type;
  return undefined;
}

const isRelation = (spec: BitecsComponentSpec): spec is BitecsRelationSpec => 'relation' in spec;

const ACCEPTED = '{ component: store }, { component: array, blob: true } or { relation: createRelation(...) }';

/** Refuses a registry entry bitECS cannot save, before it reaches bitECS as a TypeError. */
function checkSpec(id: string, spec: BitecsComponentSpec): void {
  if (typeof spec !== 'object' || spec === null) throw badComponentSpec('bitecs', id, `is ${spec === null ? 'null' : typeof spec}`, ACCEPTED);
  if ('relation' in spec) {
    if (!isBitecsRelation(spec.relation)) throw badComponentSpec('bitecs', id, 'has a `relation` that is not a bitECS relation', ACCEPTED);
    return;
  }
  const component = (spec as { component?: unknown }).component;
  if (isBitecsRelation(component)) throw badComponentSpec('bitecs', id, 'is a relation registered as a component', '{ relation: ... } for it');
  if (typeof component !== 'object' || component === null) throw badComponentSpec('bitecs', id, 'has no `component` (or `relation`)', ACCEPTED);
  if (isBlob(spec) && !Array.isArray(component)) throw badComponentSpec('bitecs', id, 'is a blob whose `component` is not an array', 'an array indexed by entity id');
}

/** Refuses a world that is not a bitECS world (the adapter of another library was picked). */
function checkWorld(world: unknown, what: string): void {
  if (typeof world !== 'object' || world === null || !(Symbol.for('bitecs_internal') in world)) {
    throw invalidArgument('bitecs', `${what} needs a bitECS world (createWorld() of bitecs)`, what === 'saveWorld' ? 'world' : 'into');
  }
}
const isBlob = (spec: BitecsComponentSpec): spec is BitecsBlobSpec => 'blob' in spec && spec.blob === true;

// bitECS keeps a relation's options (its store factory) under this registered symbol.
const RELATION_DATA = Symbol.for('bitecs-relationData');

/** The data fields of a relation's per-pair store, or none for a relation without a store. */
function pairFields(id: string, spec: BitecsRelationSpec): StoreField[] {
  const options = (spec.relation as unknown as Record<symbol, { initStore?: unknown } | undefined>)[RELATION_DATA];
  if (typeof options?.initStore !== 'function') {
    if (spec.fields !== undefined && Object.keys(spec.fields).length > 0)
      throw schemaMismatch('bitecs', id, Object.keys(spec.fields)[0], 'is declared in `fields` but the relation has no store', 'create the relation with withStore(...)');
    return [];
  }
  // The wildcard pair's store has the shape every pair's store has.
  return storeFields(id, { component: spec.relation(Wildcard) as object, ...(spec.fields === undefined ? {} : { fields: spec.fields }) });
}

/** Refuses a typed-array store too short for an entity that has the component (bitECS itself would read `undefined`). */
function checkCapacity(id: string, fields: readonly StoreField[], ids: ArrayLike<number>, where = ''): void {
  let max = -1;
  for (let i = 0; i < ids.length; i++) if (ids[i]! > max) max = ids[i]!;
  for (const f of fields) {
    if (ArrayBuffer.isView(f.store) && max >= f.store.length) {
      throw schemaMismatch(
        'bitecs',
        id,
        f.name,
        `is a typed array of length ${f.store.length}${where}, too short for entity ${max}`,
        'size the typed array for the largest entity id the world hands out',
      );
    }
  }
}

function savedComponents(world: World, id: string, spec: BitecsComponentSpec, taken: ReadonlySet<string>): PackedComponent[] {
  if (isRelation(spec)) {
    const ids = idArray(query(world, [spec.relation(Wildcard)]));
    const targets: number[][] = new Array(ids.length);
    for (let row = 0; row < ids.length; row++) targets[row] = getRelationTargets(world, ids[row]!, spec.relation);
    const column = buildColumn('bitecs', id, 'targets', 'entities', ids.length, (row) => targets[row]);
    const relation: PackedComponent = { id, layout: 'columns', entityIds: ids, fields: [column] };
    const fields = pairFields(id, spec);
    if (fields.length === 0) return [relation];
    checkCapacity(id, fields, ids, ' (in the relation store)');
    const data = fields.map((f) => [f.name, f.spec] as const);
    const read = (row: number, k: number): Record<string, unknown> => {
      const store = spec.relation(targets[row]![k]!) as Record<string, Record<number, unknown>>;
      const eid = ids[row]!;
      const record: Record<string, unknown> = {};
      for (const f of fields) record[f.name] = store[f.name]![eid];
      return record;
    };
    return [relation, ...savePairData('bitecs', id, data, ids, targets, read, taken)];
  }
  const ids = idArray(query(world, [spec.component]));
  if (isBlob(spec)) {
    const paths = parseRefPaths('bitecs', id, spec.refs);
    const values: unknown[] = new Array(ids.length);
    for (let row = 0; row < ids.length; row++) values[row] = mapRefs('bitecs', id, spec.component[ids[row]!], paths, (ref) => savedRef('bitecs', id, ref));
    return [blobComponent(id, ids, values)];
  }
  const own = storeFields(id, spec);
  checkCapacity(id, own, ids);
  const fields = own.map((field) => {
    const type = storedType(field.spec);
    if (ArrayBuffer.isView(field.store) && ownType(field.store) === type && field.spec !== 'entity') {
      // A typed store of the saved type: one dense copy, no per-value checks.
      return { name: field.name, type, values: gather(field.store as unknown as Float32Array, ids) } as Column;
    }
    return buildColumn('bitecs', id, field.name, field.spec, ids.length, (row) => field.store[ids[row]!]);
  });
  return [{ id, layout: 'columns', entityIds: ids, fields }];
}

/** Saves every registered component, relation and resource of a bitECS world; transient components are left out. */
export function saveWorld(world: World, registry: BitecsRegistry, options: SaveWorldOptions = {}): PackedSnapshot {
  checkRegistry('bitecs', registry);
  checkWorld(world, 'saveWorld');
  for (const [id, spec] of Object.entries(registry.components)) checkSpec(id, spec);
  const components: PackedComponent[] = [];
  const taken = new Set(Object.keys(registry.components));
  for (const [id, spec] of Object.entries(registry.components)) if (!spec.transient) components.push(...savedComponents(world, id, spec, taken));
  return assembleSnapshot('bitecs', world, registry, idArray(getAllEntities(world)), components, options);
}

/** Loads a snapshot into a new bitECS world (or `into`): new entity ids, references remapped, then `onLoaded`. */
export function loadWorld(snapshot: PackedSnapshot, registry: BitecsRegistry, options: LoadWorldOptions<World> = {}): LoadWorldResult<World> {
  snapshot = loadable('bitecs', snapshot, registry, options);
  for (const [id, spec] of Object.entries(registry.components)) checkSpec(id, spec);
  if (options.into !== undefined) checkWorld(options.into, 'loadWorld `into`');
  const world = options.into ?? createWorld();
  const created: number[] = [];
  const idMap = undoOnFailure(
    options.into,
    () => fill(world, snapshot, registry, created),
    () => {
      for (const eid of created) removeEntity(world, eid);
    },
  );
  registry.onLoaded?.({ world, idMap, snapshot });
  return { world, idMap };
}

/** Creates the saved entities in `world` (each id also pushed to `created`) with their components and resources. */
function fill(world: World, snapshot: PackedSnapshot, registry: BitecsRegistry, created: number[]): IdRemap {
  const remap = createEntities(snapshot.entities, () => {
    const eid = addEntity(world);
    created.push(eid);
    return eid;
  });
  for (const [id, spec] of Object.entries(registry.components)) {
    if (spec.transient) continue;
    const saved = snapshot.components.find((c) => c.id === id);
    if (saved === undefined) throw schemaMismatch('bitecs', id, undefined, 'is in the registry but not in the snapshot', 'add a migration that creates it, or mark it transient');
    const eids = remap.rows(saved.entityIds);
    if (isRelation(spec)) {
      const targets = loadColumn('bitecs', saved, 'targets', 'entities', remap) as number[][];
      for (let row = 0; row < eids.length; row++) for (const target of targets[row]!) addComponent(world, eids[row]!, spec.relation(target));
      const fields = pairFields(id, spec);
      if (fields.length === 0) continue;
      checkCapacity(id, fields, eids, ' (in the relation store)');
      const data = fields.map((f) => [f.name, f.spec] as const);
      loadPairData('bitecs', snapshot, saved, data, remap, (subject, target, value) => {
        const store = spec.relation(target) as Record<string, Record<number, unknown>>;
        const record = value as Record<string, unknown>;
        for (const f of fields) {
          const v = record[f.name];
          const column = store[f.name]!;
          column[subject] = v === null ? (ArrayBuffer.isView(column) ? 0 : undefined) : v;
        }
      });
      continue;
    }
    for (const eid of eids) addComponent(world, eid, spec.component);
    if (isBlob(spec)) {
      const paths = parseRefPaths('bitecs', id, spec.refs);
      const values = blobValues('bitecs', saved);
      const load = (ref: unknown) => (typeof ref === 'number' ? remap.get(ref) : undefined);
      for (let row = 0; row < eids.length; row++) spec.component[eids[row]!] = mapRefs('bitecs', id, values[row], paths, load);
      continue;
    }
    const own = storeFields(id, spec);
    // A typed array silently drops writes past its end: refuse instead of losing values.
    checkCapacity(id, own, eids);
    for (const field of own) {
      const values = loadColumn('bitecs', saved, field.name, field.spec, remap);
      const store = field.store;
      const nullRef = ArrayBuffer.isView(store) ? 0 : undefined;
      for (let row = 0; row < eids.length; row++) {
        const v = values[row];
        store[eids[row]!] = v === null ? nullRef : v;
      }
    }
  }
  restoreResources('bitecs', world, snapshot, registry, remap);
  return remap;
}
