// The entity-level consistency every writer checks before laying a snapshot out: unique
// entity ids, component rows only for entities of the world (at most one each), per-entity
// metadata and component order in the shapes the reader accepts. Linear time for the usual
// ascending ids, without a Set per check; other orders are sorted on a copy.
import { bytesEqual } from '#platform';
import { bytesOf } from './byte-view.js';
import { PackError } from './errors.js';
import type { EntityMetadata, PackedSnapshot } from './model.js';

function invalid(message: string, details?: Record<string, unknown>): never {
  throw new PackError('InvalidInput', message, details === undefined ? {} : { details });
}

const isIdArray = (v: unknown): v is Uint32Array => v instanceof Uint32Array || Object.prototype.toString.call(v) === '[object Uint32Array]';

const isEntityId = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/** True when the ids strictly increase (unique, and searchable as they are). */
function strictlyAscending(ids: Uint32Array): boolean {
  const n = ids.length;
  if (n < 2) return true;
  let previous = ids[0]!;
  for (let i = 1; i < n; i++) {
    const id = ids[i]!;
    if (id <= previous) return false;
    previous = id;
  }
  return true;
}

/** `ids` itself when strictly ascending, else a sorted copy; the first repeated id when one repeats. */
function sortedUnique(ids: Uint32Array): { sorted: Uint32Array; repeated?: number } {
  if (strictlyAscending(ids)) return { sorted: ids };
  const sorted = ids.slice().sort();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) return { sorted, repeated: sorted[i]! };
  return { sorted };
}

/** The first index at or after `from` whose id is not below `id` (`sorted` ascending); galloping, so dense runs cost O(1) each. */
function seek(sorted: Uint32Array, id: number, from: number): number {
  let step = 1;
  let lo = from;
  let hi = from;
  while (hi < sorted.length && sorted[hi]! < id) {
    lo = hi + 1;
    hi += step;
    step *= 2;
  }
  if (hi > sorted.length) hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** True when `sorted` (ascending) holds `id`. */
function holds(sorted: Uint32Array, id: number): boolean {
  const at = seek(sorted, id, 0);
  return at < sorted.length && sorted[at] === id;
}

/** The first id of `ids` (ascending) that `world` (ascending) lacks, or -1. */
function firstMissing(world: Uint32Array, ids: Uint32Array): number {
  const n = world.length;
  const m = ids.length;
  if (m === 0) return -1;
  if (n === 0) return ids[0]!;
  // A contiguous world (the common case) needs bounds only; a component of every entity, one memcmp.
  const low = world[0]!;
  const high = world[n - 1]!;
  if (high - low === n - 1) {
    if (ids[0]! < low) return ids[0]!;
    if (ids[m - 1]! > high) return ids[m - 1]!;
    return -1;
  }
  if (m === n && bytesEqual(bytesOf(ids), bytesOf(world))) return -1;
  if (m * 8 >= n) {
    // Dense: one merge pass.
    let j = 0;
    for (let i = 0; i < m; i++) {
      const id = ids[i]!;
      while (j < n && world[j]! < id) j++;
      if (j >= n || world[j] !== id) return id;
      j++;
    }
    return -1;
  }
  let at = 0;
  for (let i = 0; i < m; i++) {
    const id = ids[i]!;
    at = seek(world, id, at);
    if (at >= n || world[at] !== id) return id;
  }
  return -1;
}

/**
 * Refuses a snapshot whose entities do not add up, with InvalidInput naming the entity: an
 * entity id listed twice, a component with two rows for one entity or a row for an entity
 * not in `entities`, entity metadata that is not a Map of entity ids to objects, or a
 * component order for an entity not in the world or not listing exactly its components.
 * Arrays of the wrong class are left for the layout code to report.
 */
export function checkEntities(packed: PackedSnapshot): void {
  if (typeof packed !== 'object' || packed === null) invalid('expected a PackedSnapshot object');
  if (!Array.isArray(packed.components)) invalid('snapshot.components must be an array of components');
  checkEntityMetadata(packed.entityMetadata);
  const entities = packed.entities;
  if (!isIdArray(entities)) return;
  const world = sortedUnique(entities);
  if (world.repeated !== undefined) {
    invalid(`entity id ${world.repeated} appears twice in snapshot.entities: entity ids must be unique`, { entity: world.repeated });
  }
  // Components of one archetype share their entity list: each list is checked once.
  const sortedRows = new Map<Uint32Array, Uint32Array>([[entities, world.sorted]]);
  for (const component of packed.components as unknown[]) {
    const { id, entityIds } = (component ?? {}) as { id?: unknown; entityIds?: unknown };
    if (!isIdArray(entityIds) || sortedRows.has(entityIds)) continue;
    const rows = sortedUnique(entityIds);
    const name = typeof id === 'string' ? `component "${id}"` : 'a component';
    if (rows.repeated !== undefined) {
      invalid(`${name} has two rows for entity ${rows.repeated}: an entity has a component at most once`, { component: id, entity: rows.repeated });
    }
    const missing = firstMissing(world.sorted, rows.sorted);
    if (missing >= 0) {
      invalid(`${name} has a row (row ${entityIds.indexOf(missing)}) for entity ${missing}, which is not in snapshot.entities: add the entity to the world or drop the row`, {
        component: id,
        entity: missing,
        row: entityIds.indexOf(missing),
      });
    }
    sortedRows.set(entityIds, rows.sorted);
  }
  checkComponentOrder(packed, world.sorted, sortedRows);
}

/**
 * True for the carrier `encodeDelta` lays out like a snapshot (docs/format.md 13.2): no
 * entities, id lists and row indexes as entity sets, the description as metadata. Its sets
 * are not world entities. (A stopgap until the planner is told the container kind.)
 */
/** Refuses per-entity metadata the reader would not give back: only a Map of entity ids to objects. */
export function checkEntityMetadata(metadata: unknown): asserts metadata is Map<number, EntityMetadata> | undefined {
  if (metadata === undefined) return;
  if (!(metadata instanceof Map)) {
    invalid(
      `entityMetadata must be a Map from entity id to metadata, got ${describe(metadata)}: build it with createPackedSnapshot or fromWorldSnapshot, which also take [id, metadata] pairs`,
    );
  }
  for (const [entity, value] of metadata) {
    if (!isEntityId(entity)) invalid(`entityMetadata has key ${describe(entity)}: keys are entity ids, integers from 0 to 4294967295`, { entity });
    if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) {
      invalid(`the entityMetadata of entity ${entity} is ${describe(value)}: it must be an object such as { created, modified, tags }`, { entity });
    }
  }
}

/** Per-entity metadata given as a Map or as [entity id, metadata] pairs (the shape of the file), as the Map a snapshot holds. */
export function entityMetadataMap(input: Map<number, EntityMetadata> | readonly (readonly [number, EntityMetadata])[] | undefined): Map<number, EntityMetadata> | undefined {
  if (input === undefined || input instanceof Map) {
    checkEntityMetadata(input);
    return input;
  }
  if (!Array.isArray(input)) invalid(`entityMetadata must be a Map or an array of [entity id, metadata] pairs, got ${describe(input)}`);
  const map = new Map<number, EntityMetadata>();
  input.forEach((pair: unknown, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) invalid(`entityMetadata entry ${i} is not an [entity id, metadata] pair`);
    if (map.has(pair[0])) invalid(`entityMetadata lists entity ${describe(pair[0])} twice`, { entity: pair[0] });
    map.set(pair[0], pair[1]);
  });
  checkEntityMetadata(map);
  return map;
}

function checkComponentOrder(packed: PackedSnapshot, world: Uint32Array, sortedRows: Map<Uint32Array, Uint32Array>): void {
  const order: unknown = packed.componentOrder;
  if (order === undefined) return;
  if (!(order instanceof Map)) invalid(`componentOrder must be a Map from entity id to component ids, got ${describe(order)}`);
  for (const [entity, ids] of order as Map<unknown, unknown>) {
    if (!isEntityId(entity) || !holds(world, entity)) {
      invalid(`componentOrder lists entity ${describe(entity)}, which is not in snapshot.entities`, { entity });
    }
    if (!Array.isArray(ids)) invalid(`componentOrder of entity ${entity} is not an array of component ids`, { entity });
    for (const id of ids as unknown[]) {
      if (!packed.components.some((c) => c?.id === id)) invalid(`componentOrder of entity ${entity} names unknown component "${String(id)}"`, { entity });
    }
    // The components the entity has, to compare with the list (names are checked by the layout code).
    const has = new Set<unknown>();
    for (const component of packed.components as unknown[]) {
      const { id, entityIds } = (component ?? {}) as { id?: unknown; entityIds?: unknown };
      const rows = isIdArray(entityIds) ? sortedRows.get(entityIds) : undefined;
      if (rows !== undefined && holds(rows, entity)) has.add(id);
    }
    const listed = new Set<unknown>(ids);
    if (listed.size !== ids.length || listed.size !== has.size || ![...has].every((id) => listed.has(id))) {
      invalid(`componentOrder of entity ${entity} lists ${JSON.stringify(ids)}, but the entity has ${JSON.stringify([...has])}: list each of its components once`, { entity });
    }
  }
}

function describe(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null || v === undefined || typeof v === 'boolean') return String(v);
  return Array.isArray(v) ? 'an array' : Object.prototype.toString.call(v);
}
