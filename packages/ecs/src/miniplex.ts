// @tx2/pack-ecs/miniplex: save a miniplex 2 world to a PackedSnapshot and load it into a fresh world.
import type { PackedComponent, PackedSnapshot } from '@tx2/pack-format';
import { World } from 'miniplex';
import { buildColumn, isFieldSpec, loadColumn } from './core/columns.js';
import { invalidArgument, schemaMismatch } from './core/mismatch.js';
import type { FieldSpec, LoadWorldOptions, LoadWorldResult, RegistryBase, SaveWorldOptions } from './core/registry.js';
import { assembleSnapshot, blobComponent, blobValues, checkLoadable, checkRegistry, createEntities, restoreResources } from './core/snapshot.js';

export type { FieldSpec, IdMap, LoadWorldOptions, LoadWorldResult, ResourceSpec, SaveWorldOptions } from './core/registry.js';
export { NO_ENTITY } from './core/columns.js';

/**
 * How one entity property is saved. miniplex declares no types, so each saved key says its own:
 * `fields` for an object of typed fields, `type` for a single value, `blob` for any nested value.
 * A field or value of type `'entity'` holds another entity object (`'entity[]'`: an array of them).
 */
export type MiniplexComponentSpec =
  | { fields: Readonly<Record<string, FieldSpec>>; transient?: false }
  | { type: FieldSpec; transient?: false }
  | { blob: true; transient?: false }
  /** Never saved (render handles, caches); rebuild it in the registry's `onLoaded`. */
  | { transient: true };

/** The entity properties and resources a miniplex world saves, by property name. */
export type MiniplexRegistry<E extends object = Record<string, unknown>> = RegistryBase<World<E>, MiniplexComponentSpec>;

type Entity = Record<string, unknown>;
type Kind = 'fields' | 'type' | 'blob' | 'transient';

function kindOf(name: string, spec: MiniplexComponentSpec): Kind {
  if (typeof spec !== 'object' || spec === null) throw schemaMismatch('miniplex', name, undefined, 'has no declaration', 'give `fields`, `type`, `blob: true` or `transient: true`');
  if (spec.transient === true) return 'transient';
  if ('fields' in spec) {
    for (const [field, type] of Object.entries(spec.fields)) {
      if (!isFieldSpec(type)) throw schemaMismatch('miniplex', name, field, `is declared with unknown type ${JSON.stringify(type)}`, 'use a tx2-pack field type, "entity" or "entity[]"');
    }
    return 'fields';
  }
  if ('type' in spec) {
    if (!isFieldSpec(spec.type)) throw schemaMismatch('miniplex', name, undefined, `is declared with unknown type ${JSON.stringify(spec.type)}`, 'use a tx2-pack field type, "entity" or "entity[]"');
    return 'type';
  }
  if ('blob' in spec && spec.blob === true) return 'blob';
  throw schemaMismatch('miniplex', name, undefined, 'has no declaration', 'give `fields`, `type`, `blob: true` or `transient: true`');
}

// The one column of a single-value component.
const VALUE = 'value';

/** Saves every registered property of every entity of a miniplex world; a property not in the registry is refused, transient ones are left out. */
export function saveWorld<E extends object>(world: World<E>, registry: MiniplexRegistry<E>, options: SaveWorldOptions = {}): PackedSnapshot {
  checkRegistry('miniplex', registry);
  if (!(world instanceof World)) throw invalidArgument('miniplex', 'saveWorld needs a miniplex World', 'world');
  const specs = new Map<string, { kind: Kind; spec: MiniplexComponentSpec; rows: Entity[] }>();
  for (const [name, spec] of Object.entries(registry.components)) specs.set(name, { kind: kindOf(name, spec), spec, rows: [] });
  const all = world.entities as unknown as Entity[];
  const entities = new Uint32Array(all.length);
  for (let i = 0; i < all.length; i++) {
    const e = all[i]!;
    entities[i] = world.id(e as E)!;
    for (const key in e) {
      if (e[key] === undefined) continue;
      const entry = specs.get(key);
      if (entry === undefined) {
        throw schemaMismatch('miniplex', key, undefined, 'is on an entity but not in the registry', 'register it, or register it as `{ transient: true }` to leave it out');
      }
      entry.rows.push(e);
    }
  }
  // An entity pointer is saved as the target's world id; a pointer to an entity outside the world saves as none.
  const ref = (target: unknown): number | undefined => (target === null || target === undefined ? undefined : world.id(target as E));
  const refs = (list: unknown): unknown => (Array.isArray(list) ? list.map(ref) : list);
  const components: PackedComponent[] = [];
  for (const [name, { kind, spec, rows }] of specs) {
    if (kind === 'transient') continue;
    const ids = Uint32Array.from(rows, (e) => world.id(e as E)!);
    if (kind === 'blob') {
      components.push(blobComponent(name, ids, rows.map((e) => e[name])));
      continue;
    }
    const fields = kind === 'type' ? [[VALUE, (spec as { type: FieldSpec }).type] as const] : Object.entries((spec as { fields: Record<string, FieldSpec> }).fields);
    const columns = fields.map(([field, type]) => {
      const value =
        kind === 'type' ? (row: number) => rows[row]![name] : (row: number) => (rows[row]![name] as Entity | null | undefined)?.[field];
      const read = type === 'entity' ? (row: number) => ref(value(row)) : type === 'entity[]' ? (row: number) => refs(value(row)) : value;
      return buildColumn('miniplex', name, field, type, rows.length, read);
    });
    components.push({ id: name, layout: 'columns', entityIds: ids, fields: columns });
  }
  return assembleSnapshot('miniplex', world, registry, entities, components, options);
}

/** Loads a snapshot into a new miniplex world (or `into`): entity pointers restored to the new objects, then `onLoaded`. */
export function loadWorld<E extends object>(
  snapshot: PackedSnapshot,
  registry: MiniplexRegistry<E>,
  options: LoadWorldOptions<World<E>> = {},
): LoadWorldResult<World<E>> {
  checkLoadable('miniplex', snapshot, registry, options);
  const world = options.into ?? new World<E>();
  // Objects first, so that pointers can reach entities restored later; the world gets them once complete.
  const objects = new Map<number, Entity>();
  for (const old of snapshot.entities) objects.set(old, {});
  const byOld = (old: number): Entity => objects.get(old)!;
  // Pointers are resolved through an identity map (saved id → object) and rewritten to world ids below.
  const identity = new Map<number, number>();
  for (const old of snapshot.entities) identity.set(old, old);
  for (const [name, spec] of Object.entries(registry.components)) {
    const kind = kindOf(name, spec);
    if (kind === 'transient') continue;
    const saved = snapshot.components.find((c) => c.id === name);
    if (saved === undefined) throw schemaMismatch('miniplex', name, undefined, 'is in the registry but not in the snapshot', 'add a migration that creates it, or mark it transient');
    const rows = Array.from(saved.entityIds, byOld);
    if (kind === 'blob') {
      const values = blobValues('miniplex', saved);
      for (let row = 0; row < rows.length; row++) rows[row]![name] = values[row];
      continue;
    }
    const fields = kind === 'type' ? [[VALUE, (spec as { type: FieldSpec }).type] as const] : Object.entries((spec as { fields: Record<string, FieldSpec> }).fields);
    if (kind === 'fields') for (const e of rows) e[name] = {};
    for (const [field, type] of fields) {
      const values = loadColumn('miniplex', saved, field, type, identity);
      for (let row = 0; row < rows.length; row++) {
        let v = values[row];
        if (type === 'entity') v = v === null ? undefined : byOld(v as number);
        else if (type === 'entity[]') v = (v as number[]).map(byOld);
        if (kind === 'type') rows[row]![name] = v;
        else (rows[row]![name] as Entity)[field] = v;
      }
    }
  }
  const idMap = createEntities(snapshot.entities, (old) => world.id(world.add(byOld(old) as E))!);
  restoreResources('miniplex', world, snapshot, registry, idMap);
  registry.onLoaded?.({ world, idMap });
  return { world, idMap };
}
