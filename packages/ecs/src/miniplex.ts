// @tx2/pack-ecs/miniplex: save a miniplex 2 world to a PackedSnapshot and load it into a fresh world.
import type { PackedComponent, PackedSnapshot } from '@tx2/pack-format';
import { World } from 'miniplex';
import { buildColumn, idArray, isFieldSpec, loadColumn } from './core/columns.js';
import { mapRefs, parseRefPaths, strayEntity } from './core/blob-refs.js';
import { invalidArgument, schemaMismatch } from './core/mismatch.js';
import type { FieldSpec, LoadWorldOptions, LoadWorldResult, RegistryBase, SaveWorldOptions } from './core/registry.js';
import { IdRemap } from './core/remap.js';
import { assembleSnapshot, blobComponent, blobValues, loadable, checkRegistry, createEntities, restoreResources, undoOnFailure } from './core/snapshot.js';

export type { FieldSpec, IdMap, LoadWorldOptions, LoadWorldResult, ResourceSpec, SaveWorldOptions } from './core/registry.js';
export { NO_ENTITY } from './core/columns.js';

/**
 * How one entity property is saved. miniplex declares no types, so each saved key says its own:
 * `fields` for an object of typed fields, `type` for a single value, `blob` for any nested value.
 * A field or value of type `'entity'` holds another entity object (`'entities'`: an array of them).
 */
export type MiniplexComponentSpec =
  | { fields: Readonly<Record<string, FieldSpec>>; transient?: false }
  | { type: FieldSpec; transient?: false }
  /** `refs`: paths of entity objects inside the value, saved as ids and restored to the loaded objects (`'owner'`, `'crew[]'`, `'slots[].item'`). */
  | { blob: true; refs?: readonly string[]; transient?: false }
  /** Never saved (render handles, caches); rebuild it in the registry's `onLoaded`. */
  | { transient: true };

/** The entity properties and resources a miniplex world saves, by property name. */
export type MiniplexRegistry<E extends object = Record<string, unknown>> = RegistryBase<World<E>, MiniplexComponentSpec>;

type Entity = Record<string, unknown>;
type Kind = 'fields' | 'type' | 'blob' | 'transient';

function kindOf(name: string, spec: MiniplexComponentSpec): Kind {
  if (typeof spec !== 'object' || spec === null)
    throw schemaMismatch('miniplex', name, undefined, 'has no declaration', 'give `fields`, `type`, `blob: true` or `transient: true`');
  if (spec.transient === true) return 'transient';
  if ('fields' in spec) {
    for (const [field, type] of Object.entries(spec.fields)) {
      if (!isFieldSpec(type))
        throw schemaMismatch('miniplex', name, field, `is declared with unknown type ${JSON.stringify(type)}`, 'use a tx2-pack field type, "entity" or "entities"');
    }
    return 'fields';
  }
  if ('type' in spec) {
    if (!isFieldSpec(spec.type))
      throw schemaMismatch('miniplex', name, undefined, `is declared with unknown type ${JSON.stringify(spec.type)}`, 'use a tx2-pack field type, "entity" or "entities"');
    return 'type';
  }
  if ('blob' in spec && spec.blob === true) return 'blob';
  throw schemaMismatch('miniplex', name, undefined, 'has no declaration', 'give `fields`, `type`, `blob: true` or `transient: true`');
}

// The one column of a single-value component is unnamed, as the format's `createPackedSnapshot` writes it.
const VALUE = '';

/** A loaded value as the entity holds it: references (saved positions) become the objects at those positions. */
function resolve(type: FieldSpec, v: unknown, at: (pos: number) => Entity): unknown {
  if (type === 'entity') return v === null ? undefined : at(v as number);
  if (type === 'entities') return (v as number[]).map(at);
  return v;
}

/** Saves every registered property of every entity of a miniplex world; a property not in the registry is refused, transient ones are left out. */
export function saveWorld<E extends object>(world: World<E>, registry: MiniplexRegistry<E>, options: SaveWorldOptions = {}): PackedSnapshot {
  checkRegistry('miniplex', registry);
  if (!(world instanceof World)) throw invalidArgument('miniplex', 'saveWorld needs a miniplex World', 'world');
  const specs = new Map<string, { kind: Kind; spec: MiniplexComponentSpec; rows: Entity[]; ids: number[] }>();
  for (const [name, spec] of Object.entries(registry.components)) specs.set(name, { kind: kindOf(name, spec), spec, rows: [], ids: [] });
  const all = world.entities as unknown as Entity[];
  const entities = new Uint32Array(all.length);
  for (let i = 0; i < all.length; i++) {
    const e = all[i]!;
    // One id lookup per entity: miniplex's id() costs several map lookups.
    const id = world.id(e as E)!;
    entities[i] = id;
    for (const key in e) {
      if (e[key] === undefined) continue;
      const entry = specs.get(key);
      if (entry === undefined) {
        throw schemaMismatch('miniplex', key, undefined, 'is on an entity but not in the registry', 'register it, or register it as `{ transient: true }` to leave it out');
      }
      entry.rows.push(e);
      entry.ids.push(id);
    }
  }
  // An entity pointer is saved as the target's world id; a pointer to an entity outside the world saves as none.
  const ref = (target: unknown): number | undefined => (target === null || target === undefined ? undefined : world.id(target as E));
  const refs = (list: unknown): unknown => (Array.isArray(list) ? list.map(ref) : list);
  const components: PackedComponent[] = [];
  for (const [name, { kind, spec, rows, ids: rowIds }] of specs) {
    if (kind === 'transient') continue;
    const ids = idArray(rowIds);
    if (kind === 'blob') {
      const paths = parseRefPaths('miniplex', name, (spec as { refs?: unknown }).refs);
      const save = (target: unknown) => (target === null || target === undefined ? null : (ref(target) ?? null));
      const isEntity = (v: object) => world.id(v as E) !== undefined;
      const values = rows.map((e) => {
        const value = mapRefs('miniplex', name, e[name], paths, save);
        const stray = strayEntity(value, isEntity);
        if (stray !== undefined) {
          throw schemaMismatch(
            'miniplex',
            name,
            undefined,
            `holds an entity of the world at '${stray}', which would be saved as a copy`,
            `declare its path in \`refs\` (e.g. refs: ['${stray.replace(/\[\d+\]/g, '[]')}'])`,
          );
        }
        return value;
      });
      components.push(blobComponent(name, ids, values));
      continue;
    }
    const fields = kind === 'type' ? [[VALUE, (spec as { type: FieldSpec }).type] as const] : Object.entries((spec as { fields: Record<string, FieldSpec> }).fields);
    const columns = fields.map(([field, type]) => {
      const value = kind === 'type' ? (row: number) => rows[row]![name] : (row: number) => (rows[row]![name] as Entity | null | undefined)?.[field];
      const read = type === 'entity' ? (row: number) => ref(value(row)) : type === 'entities' ? (row: number) => refs(value(row)) : value;
      return buildColumn('miniplex', name, field, type, rows.length, read);
    });
    components.push(
      kind === 'type' ? { id: name, layout: 'columns', entityIds: ids, fields: columns, singleValue: true } : { id: name, layout: 'columns', entityIds: ids, fields: columns },
    );
  }
  return assembleSnapshot('miniplex', world, registry, entities, components, options);
}

/** Loads a snapshot into a new miniplex world (or `into`): entity pointers restored to the new objects, then `onLoaded`. */
export function loadWorld<E extends object>(snapshot: PackedSnapshot, registry: MiniplexRegistry<E>, options: LoadWorldOptions<World<E>> = {}): LoadWorldResult<World<E>> {
  snapshot = loadable('miniplex', snapshot, registry, options);
  if (options.into !== undefined && !(options.into instanceof World)) throw invalidArgument('miniplex', 'loadWorld `into` needs a miniplex World', 'into');
  const world = options.into ?? new World<E>();
  // Objects first, so that pointers can reach entities restored later; the world gets them once complete.
  // References resolve to saved positions, then to the objects at those positions.
  const position = new IdRemap(snapshot.entities);
  const objects: Entity[] = new Array(snapshot.entities.length);
  for (let i = 0; i < objects.length; i++) objects[i] = {};
  const at = (pos: number): Entity => objects[pos]!;
  for (const [name, spec] of Object.entries(registry.components)) {
    const kind = kindOf(name, spec);
    if (kind === 'transient') continue;
    const saved = snapshot.components.find((c) => c.id === name);
    if (saved === undefined)
      throw schemaMismatch('miniplex', name, undefined, 'is in the registry but not in the snapshot', 'add a migration that creates it, or mark it transient');
    const positions = position.positions(saved.entityIds);
    const rows: Entity[] = new Array(positions.length);
    for (let row = 0; row < rows.length; row++) rows[row] = at(positions[row]!);
    if (kind === 'blob') {
      const paths = parseRefPaths('miniplex', name, (spec as { refs?: unknown }).refs);
      const load = (id: unknown) => {
        const pos = typeof id === 'number' ? position.position(id) : undefined;
        return pos === undefined ? undefined : at(pos);
      };
      const values = blobValues('miniplex', saved);
      for (let row = 0; row < rows.length; row++) rows[row]![name] = mapRefs('miniplex', name, values[row], paths, load);
      continue;
    }
    if (kind === 'type') {
      const type = (spec as { type: FieldSpec }).type;
      const values = loadColumn('miniplex', saved, VALUE, type, position);
      for (let row = 0; row < rows.length; row++) rows[row]![name] = resolve(type, values[row], at);
      continue;
    }
    // Each row's object is built field by field, every row the same way (one hidden class per component).
    const fields = Object.entries((spec as { fields: Record<string, FieldSpec> }).fields);
    const columns = fields.map(([field, type]) => loadColumn('miniplex', saved, field, type, position));
    for (let row = 0; row < rows.length; row++) {
      const value: Entity = {};
      for (let f = 0; f < fields.length; f++) value[fields[f]![0]] = resolve(fields[f]![1], columns[f]![row], at);
      rows[row]![name] = value;
    }
  }
  const added: E[] = [];
  const idMap = undoOnFailure(
    options.into,
    () => {
      const remap = createEntities(snapshot.entities, (_old, k) => {
        const entity = world.add(objects[k] as E);
        added.push(entity);
        return world.id(entity)!;
      });
      restoreResources('miniplex', world, snapshot, registry, remap);
      return remap;
    },
    () => {
      for (const entity of added) world.remove(entity);
    },
  );
  registry.onLoaded?.({ world, idMap, snapshot });
  return { world, idMap };
}
