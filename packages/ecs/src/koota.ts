// @tx2/pack-ecs/koota: save a koota world to a PackedSnapshot and load it into a fresh world.
import type { PackedComponent, PackedSnapshot } from '@tx2/pack-format';
import { $internal, type Entity, type Relation, type Trait, type World, createWorld, getStore } from 'koota';
import { buildColumn, idArray, isFieldSpec, loadColumn } from './core/columns.js';
import { mapRefs, parseRefPaths, savedRef } from './core/blob-refs.js';
import { badComponentSpec, invalidArgument, schemaMismatch } from './core/mismatch.js';
import { loadPairData, type PairData, savePairData } from './core/relation-data.js';
import type { FieldSpec, LoadWorldOptions, LoadWorldResult, RegistryBase, ResourceSpec, SaveWorldOptions } from './core/registry.js';
import { IdRemap } from './core/remap.js';
import { assembleSnapshot, blobComponent, blobValues, loadable, checkRegistry, createEntities, restoreResources, undoOnFailure } from './core/snapshot.js';

export type { FieldSpec, IdMap, LoadWorldOptions, LoadWorldResult, ResourceSpec, SaveWorldOptions } from './core/registry.js';
export { NO_ENTITY } from './core/columns.js';

/** A koota trait: struct-of-arrays traits are saved field by field (types from the schema), array-of-structs traits as one MessagePack value per entity, tags as membership. */
export interface KootaTraitSpec {
  trait: Trait;
  /** Field types the schema cannot tell: `'f32'` for a number to keep 4 bytes, `'entity'` for a field holding an entity. */
  fields?: Readonly<Record<string, FieldSpec>>;
  /** Array-of-structs traits: paths of entities inside each value, remapped on load (`'owner'`, `'crew[]'`, `'slots[].item'`). */
  refs?: readonly string[];
  /** Never saved; rebuild it in the registry's `onLoaded`. */
  transient?: boolean;
}

/**
 * A koota relation: each entity's targets are saved and remapped on load. A relation with a store
 * (`relation({ store: { weight: 0 } })`) also saves each pair's data, typed from the store schema
 * like a trait's (a store factory `() => ({...})` is saved whole, one MessagePack value per pair).
 */
export interface KootaRelationSpec {
  relation: Relation<Trait>;
  /** Store field types the schema cannot tell (`'f32'`, `'entity'`...). */
  fields?: Readonly<Record<string, FieldSpec>>;
  /** A store factory's pair values: paths of entities inside each value, remapped on load (`'owner'`, `'crew[]'`, `'slots[].item'`). */
  refs?: readonly string[];
  transient?: boolean;
}

/** How one koota trait or relation is saved. */
export type KootaComponentSpec = KootaTraitSpec | KootaRelationSpec;

/** The traits, relations and resources a koota world saves. */
export type KootaRegistry = RegistryBase<World, KootaComponentSpec>;

const isRelation = (spec: KootaComponentSpec): spec is KootaRelationSpec => 'relation' in spec;

const ACCEPTED = '{ trait: trait(...) } or { relation: relation(...) }';
const internal = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'function' || (typeof v === 'object' && v !== null) ? (v as { [$internal]?: Record<string, unknown> })[$internal] : undefined;
const isKootaRelation = (v: unknown): boolean => internal(v)?.trait !== undefined;
const isKootaTrait = (v: unknown): boolean => typeof internal(v)?.type === 'string';

// koota marks an ordered-relation trait (`ordered(ChildOf)`) with this registered symbol.
const ORDERED = Symbol.for('orderedTargetsTrait');
const orderedRelation = (trait: Trait): Relation<Trait> | undefined => (trait as unknown as Record<symbol, { relation: Relation<Trait> } | undefined>)[ORDERED]?.relation;

/** Refuses a registry entry koota cannot save, before it reaches koota as a TypeError. */
function checkSpec(id: string, spec: KootaComponentSpec): void {
  if (typeof spec !== 'object' || spec === null) throw badComponentSpec('koota', id, `is ${spec === null ? 'null' : typeof spec}`, ACCEPTED);
  if ('relation' in spec) {
    if (isKootaTrait(spec.relation)) throw badComponentSpec('koota', id, 'is a trait registered as a relation', '{ trait: ... } for it');
    if (!isKootaRelation(spec.relation)) throw badComponentSpec('koota', id, 'has a `relation` that is not a koota relation', ACCEPTED);
    return;
  }
  const trait = (spec as { trait?: unknown }).trait;
  if (isKootaRelation(trait)) throw badComponentSpec('koota', id, 'is a relation registered as a trait', '{ relation: ... } for it');
  if (!isKootaTrait(trait)) throw badComponentSpec('koota', id, 'has no koota `trait` (or `relation`)', ACCEPTED);
}

/** An ordered-relation trait lists its relation's sources: that relation must be saved too, or the list loads empty. */
function checkOrdered(registry: KootaRegistry): void {
  const relations = new Set<unknown>();
  for (const spec of Object.values(registry.components)) if (isRelation(spec) && !spec.transient) relations.add(spec.relation);
  for (const [id, spec] of Object.entries(registry.components)) {
    if (isRelation(spec) || spec.transient) continue;
    const relation = orderedRelation(spec.trait);
    if (relation !== undefined && !relations.has(relation))
      throw badComponentSpec(
        'koota',
        id,
        'is an ordered relation whose relation is not in the registry',
        'the relation too ({ relation: ChildOf }): the list is made of its pairs',
      );
  }
}

/** Refuses a world that is not a koota world (the adapter of another library was picked). */
function checkWorld(world: unknown, what: string): void {
  const w = world as { spawn?: unknown; query?: unknown } | null;
  if (typeof w !== 'object' || w === null || typeof w.spawn !== 'function' || typeof w.query !== 'function' || internal(w)?.worldEntity === undefined) {
    throw invalidArgument('koota', `${what} needs a koota world (createWorld() of koota)`, what === 'saveWorld' ? 'world' : 'into');
  }
}

type StoreKind = 'soa' | 'aos' | 'tag';
const kindOf = (trait: Trait): StoreKind => (trait as unknown as { [$internal]: { type: StoreKind } })[$internal].type;

/** The saved fields of a struct-of-arrays trait: declared types first, else the type of the schema's default value. */
function traitFields(id: string, spec: KootaTraitSpec): [string, FieldSpec][] {
  const schema = spec.trait.schema as Record<string, unknown>;
  const declared = spec.fields ?? {};
  for (const name of Object.keys(declared)) {
    if (!Object.hasOwn(schema, name)) throw schemaMismatch('koota', id, name, 'is declared in `fields` but not in the trait schema', 'fix the field name');
  }
  return Object.entries(schema).map(([name, value]): [string, FieldSpec] => {
    const given = Object.hasOwn(declared, name) ? declared[name] : undefined;
    if (given !== undefined) {
      if (!isFieldSpec(given))
        throw schemaMismatch('koota', id, name, `is declared with unknown type ${JSON.stringify(given)}`, 'use a tx2-pack field type, "entity" or "entities"');
      return [name, given];
    }
    if (typeof value === 'number') return [name, 'f64'];
    if (typeof value === 'boolean') return [name, 'bool'];
    if (typeof value === 'string') return [name, 'string'];
    if (typeof value === 'bigint') return [name, 'i64'];
    throw schemaMismatch(
      'koota',
      id,
      name,
      `has a ${value === null ? 'null' : typeof value} default whose type koota does not declare`,
      'give its type in `fields`, or make the trait array-of-structs (trait(() => ({ ... }))) to save it whole',
    );
  });
}

/** The world's entities as saved ids, without the world entity (which holds world traits). */
function worldEntities(world: World): Uint32Array {
  const self = (world as unknown as { [$internal]: { worldEntity: Entity } })[$internal].worldEntity;
  const all = world.entities;
  const out = new Uint32Array(all.length - (all.includes(self) ? 1 : 0));
  let k = 0;
  for (const e of all) if (e !== self) out[k++] = e >>> 0;
  return out;
}

// A koota entity's id is its packed number (index, generation, world); saved as an unsigned 32-bit id.
const savedId = (e: unknown): number | undefined => (typeof e === 'number' ? e >>> 0 : undefined);

/** How a relation's per-pair data is saved: typed fields from its store schema, whole values, or none (no store). */
function pairData(id: string, spec: KootaRelationSpec): PairData | undefined {
  const trait = spec.relation[$internal].trait;
  const kind = kindOf(trait);
  if (kind === 'tag') {
    if (spec.fields !== undefined && Object.keys(spec.fields).length > 0)
      throw schemaMismatch('koota', id, Object.keys(spec.fields)[0], 'is declared in `fields` but the relation has no store', 'create it with relation({ store: { ... } })');
    return undefined;
  }
  if (kind === 'aos') return 'blob';
  if (spec.refs !== undefined)
    throw schemaMismatch(
      'koota',
      id,
      undefined,
      'has `refs`, which only a relation whose store is a factory (one value per pair) uses',
      "declare entity fields in `fields` as 'entity' instead",
    );
  return traitFields(id, spec.fields === undefined ? { trait } : { trait, fields: spec.fields });
}

// Entity-valued fields hold koota entities (numbers); saved as their unsigned id.
const savedRecord = (data: PairData, value: unknown): unknown => {
  if (data === 'blob' || typeof value !== 'object' || value === null) return value;
  const record = { ...(value as Record<string, unknown>) };
  for (const [name, type] of data) if (type === 'entity') record[name] = savedId(record[name]);
  return record;
};

function savedComponents(world: World, id: string, spec: KootaComponentSpec, taken: ReadonlySet<string>): PackedComponent[] {
  if (isRelation(spec)) {
    const rows = world.query(spec.relation('*'));
    const ids = idArray(rows);
    const targets = rows.map((e) => e.targetsFor(spec.relation));
    const column = buildColumn('koota', id, 'targets', 'entities', ids.length, (row) => targets[row]!.map((t) => t >>> 0));
    const relation: PackedComponent = { id, layout: 'columns', entityIds: ids, fields: [column] };
    const data = pairData(id, spec);
    if (data === undefined) return [relation];
    const paths = data === 'blob' ? parseRefPaths('koota', id, spec.refs) : [];
    const save = (ref: unknown) => savedRef('koota', id, savedId(ref) ?? ref);
    const read = (row: number, k: number) => {
      const value = rows[row]!.get(spec.relation(targets[row]![k]!));
      return data === 'blob' ? mapRefs('koota', id, value, paths, save) : savedRecord(data, value);
    };
    return [relation, ...savePairData('koota', id, data, ids, targets, read, taken)];
  }
  const rows = world.query(spec.trait);
  const ids = idArray(rows);
  const kind = kindOf(spec.trait);
  if (kind === 'tag') return [{ id, layout: 'columns', entityIds: ids, fields: [] }];
  if (orderedRelation(spec.trait) !== undefined) {
    // The order of the list, as saved ids; its members are the relation's pairs, saved with it.
    const order = buildColumn('koota', id, 'order', 'entities', ids.length, (row) => [...(rows[row]!.get(spec.trait) as Entity[])].map((e) => e >>> 0));
    return [{ id, layout: 'columns', entityIds: ids, fields: [order] }];
  }
  const store = getStore(world, spec.trait) as unknown;
  if (kind === 'aos') {
    const paths = parseRefPaths('koota', id, spec.refs);
    const save = (ref: unknown) => savedRef('koota', id, savedId(ref) ?? ref);
    const values: unknown[] = new Array(rows.length);
    for (let row = 0; row < rows.length; row++) values[row] = mapRefs('koota', id, (store as unknown[])[rows[row]!.id()], paths, save);
    return [blobComponent(id, ids, values)];
  }
  const arrays = store as Record<string, unknown[]>;
  const index = idArray(rows, (e) => e.id());
  const fields = traitFields(id, spec).map(([name, type]) => {
    const values = arrays[name]!;
    const read = type === 'entity' ? (row: number) => savedId(values[index[row]!]) : (row: number) => values[index[row]!];
    return buildColumn('koota', id, name, type, ids.length, read);
  });
  return [{ id, layout: 'columns', entityIds: ids, fields }];
}

/** Saves every registered trait, relation and resource of a koota world; transient traits are left out. */
export function saveWorld(world: World, registry: KootaRegistry, options: SaveWorldOptions = {}): PackedSnapshot {
  checkRegistry('koota', registry);
  checkWorld(world, 'saveWorld');
  for (const [id, spec] of Object.entries(registry.components)) checkSpec(id, spec);
  checkOrdered(registry);
  const components: PackedComponent[] = [];
  const taken = new Set(Object.keys(registry.components));
  for (const [id, spec] of Object.entries(registry.components)) if (!spec.transient) components.push(...savedComponents(world, id, spec, taken));
  const entities = worldEntities(world);
  return assembleSnapshot('koota', world, registry, entities, components, options);
}

/** Loads a snapshot into a new koota world (or `into`): new entities, references remapped, then `onLoaded`. */
export function loadWorld(snapshot: PackedSnapshot, registry: KootaRegistry, options: LoadWorldOptions<World> = {}): LoadWorldResult<World> {
  snapshot = loadable('koota', snapshot, registry, options);
  for (const [id, spec] of Object.entries(registry.components)) checkSpec(id, spec);
  checkOrdered(registry);
  if (options.into !== undefined) checkWorld(options.into, 'loadWorld `into`');
  const saved = new Map<string, PackedComponent>();
  for (const [id, spec] of Object.entries(registry.components)) {
    if (spec.transient) continue;
    const component = snapshot.components.find((c) => c.id === id);
    if (component === undefined)
      throw schemaMismatch('koota', id, undefined, 'is in the registry but not in the snapshot', 'add a migration that creates it, or mark it transient');
    saved.set(id, component);
  }
  // Each entity is spawned once with all its traits (koota moves an entity between archetypes on every add).
  const count = snapshot.entities.length;
  const position = new IdRemap(snapshot.entities);
  const traitsOf: Trait[][] = new Array(count);
  for (let k = 0; k < count; k++) traitsOf[k] = [];
  const rowsOf = new Map<string, number[]>();
  for (const [id, spec] of Object.entries(registry.components)) {
    if (spec.transient) continue;
    const rows = position.positions(saved.get(id)!.entityIds);
    rowsOf.set(id, rows);
    if (!isRelation(spec)) for (let row = 0; row < rows.length; row++) traitsOf[rows[row]!]!.push(spec.trait);
  }
  // The world is created once the snapshot is known to fit, and destroyed again if filling it fails:
  // koota holds at most 16 worlds, and a world leaked by each refused load would exhaust them.
  const world = options.into ?? createWorld();
  const spawned: Entity[] = [];
  const idMap = undoOnFailure(
    world,
    () => fill(world, snapshot, registry, saved, rowsOf, traitsOf, spawned),
    () => {
      if (options.into === undefined) world.destroy();
      else for (const e of spawned) if (e !== undefined && world.has(e)) e.destroy();
    },
  );
  registry.onLoaded?.({ world, idMap, snapshot });
  return { world, idMap };
}

/** Spawns the saved entities in `world` (each also put in `spawned`) with their traits, relations and resources. */
function fill(
  world: World,
  snapshot: PackedSnapshot,
  registry: KootaRegistry,
  saved: Map<string, PackedComponent>,
  rowsOf: Map<string, number[]>,
  traitsOf: Trait[][],
  spawned: Entity[],
): IdRemap {
  const index: number[] = new Array(snapshot.entities.length);
  // A koota entity is its number: the new ids are the entities; references resolve through the same map.
  const remap = createEntities(snapshot.entities, (_old, k) => {
    const e = world.spawn(...traitsOf[k]!);
    spawned[k] = e;
    index[k] = e.id();
    return e;
  });
  const orderings: (() => void)[] = [];
  for (const [id, spec] of Object.entries(registry.components)) {
    if (spec.transient) continue;
    const component = saved.get(id)!;
    const rows = rowsOf.get(id)!;
    if (isRelation(spec)) {
      const targets = loadColumn('koota', component, 'targets', 'entities', remap) as Entity[][];
      for (let row = 0; row < rows.length; row++) for (const target of targets[row]!) spawned[rows[row]!]!.add(spec.relation(target));
      const data = pairData(id, spec);
      if (data !== undefined) {
        // Entity fields come back as new ids, which are the koota entities; none is undefined.
        const refs = data === 'blob' ? [] : data.filter(([, type]) => type === 'entity').map(([name]) => name);
        const paths = data === 'blob' ? parseRefPaths('koota', id, spec.refs) : [];
        const load = (ref: unknown) => (typeof ref === 'number' ? remap.get(ref) : undefined);
        loadPairData('koota', snapshot, component, data, remap, (subject, target, value) => {
          for (const name of refs) (value as Record<string, unknown>)[name] ??= undefined;
          const loaded = data === 'blob' ? mapRefs('koota', id, value, paths, load) : value;
          (subject as Entity).set(spec.relation(target as Entity), loaded as never, false);
        });
      }
      continue;
    }
    const kind = kindOf(spec.trait);
    // A trait no loaded entity has may be unknown to the world, which then has no store for it.
    if (kind === 'tag' || rows.length === 0) continue;
    if (orderedRelation(spec.trait) !== undefined) {
      const order = loadColumn('koota', component, 'order', 'entities', remap) as Entity[][];
      orderings.push(() => {
        for (let row = 0; row < rows.length; row++) {
          const list = spawned[rows[row]!]!.get(spec.trait) as unknown as Entity[] & { moveTo(e: Entity, at: number): void };
          let at = 0;
          for (const e of order[row]!) if (list.includes(e)) list.moveTo(e, at++);
        }
      });
      continue;
    }
    const store = getStore(world, spec.trait) as unknown;
    if (kind === 'aos') {
      const paths = parseRefPaths('koota', id, spec.refs);
      const values = blobValues('koota', component);
      const load = (ref: unknown) => (typeof ref === 'number' ? remap.get(ref) : undefined);
      for (let row = 0; row < rows.length; row++) (store as unknown[])[index[rows[row]!]!] = mapRefs('koota', id, values[row], paths, load);
      continue;
    }
    // Write straight into the trait's arrays: no record per row.
    const arrays = store as Record<string, unknown[]>;
    for (const [name, type] of traitFields(id, spec)) {
      const values = loadColumn('koota', component, name, type, remap);
      const target = arrays[name]!;
      if (type === 'entity') for (let row = 0; row < rows.length; row++) target[index[rows[row]!]!] = values[row] ?? undefined;
      else for (let row = 0; row < rows.length; row++) target[index[rows[row]!]!] = values[row];
    }
  }
  // Ordered lists fill up as their relations are added: put them back in saved order once all are.
  for (const reorder of orderings) reorder();
  restoreResources('koota', world, snapshot, registry, remap);
  return remap;
}

/** A resource kept in a koota world trait (`world.add(Time)`): its fields are read from the trait's schema like any trait. */
export function worldTraitResource(trait: Trait, fields?: Readonly<Record<string, FieldSpec>>): ResourceSpec<World> {
  const spec: KootaTraitSpec = fields === undefined ? { trait } : { trait, fields };
  return {
    fields: Object.fromEntries(traitFields('world trait', spec)),
    get: (world) => {
      const value = world.get(trait) as Record<string, unknown> | undefined;
      if (value === undefined) throw schemaMismatch('koota', 'world trait', undefined, 'is not on the world being saved', 'add it with world.add(trait) before saving');
      return value;
    },
    set: (world, value) => {
      if (world.has(trait)) world.set(trait, value as never);
      else world.add(trait(value as never));
    },
  };
}
