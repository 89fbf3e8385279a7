import {
  type BlobComponent,
  checkSnapshot,
  migrateSnapshot,
  PackError,
  type PackedComponent,
  type PackedResource,
  type PackedSnapshot,
  decodeBlob,
  encodeBlob,
} from '@tx2/pack-format';
import { buildColumn, type IdLookup, isFieldSpec, loadColumn } from './columns.js';
import { type Library, invalidArgument, schemaMismatch } from './mismatch.js';
import type { LoadWorldOptions, RegistryBase, SaveWorldOptions } from './registry.js';
import { IdRemap } from './remap.js';

/** Checks the registry object every adapter receives. */
export function checkRegistry<W>(library: Library, registry: RegistryBase<W, unknown>): void {
  if (typeof registry !== 'object' || registry === null || typeof registry.components !== 'object' || registry.components === null) {
    throw invalidArgument(library, 'the registry must be an object with `components` (saved components by id)', 'registry');
  }
  const version = registry.schemaVersion;
  if (version !== undefined && (!Number.isInteger(version) || version < 0)) {
    throw invalidArgument(library, `registry.schemaVersion must be a non-negative integer, got ${String(version)}`, 'schemaVersion');
  }
  for (const [name, resource] of Object.entries(registry.resources ?? {})) {
    if (typeof resource?.get !== 'function' || typeof resource.set !== 'function' || typeof resource.fields !== 'object') {
      throw invalidArgument(library, `resource "${name}" needs \`fields\`, \`get(world)\` and \`set(world, value)\``, 'resources');
    }
    for (const [field, spec] of Object.entries(resource.fields)) {
      if (!isFieldSpec(spec)) throw schemaMismatch(library, name, field, `has unknown type ${JSON.stringify(spec)}`, 'use a tx2-pack field type, "entity" or "entities"');
    }
  }
}

/** A blob component: one lossless MessagePack value per row. */
export function blobComponent(id: string, entityIds: Uint32Array, values: readonly unknown[]): BlobComponent {
  return { id, layout: 'blobs', entityIds, blobs: values.map((v) => encodeBlob(v)) };
}

/** The rows of a loaded blob component, decoded. */
export function blobValues(library: Library, component: PackedComponent): unknown[] {
  if (component.layout !== 'blobs') {
    throw schemaMismatch(library, component.id, undefined, 'is stored as columns in the snapshot but declared as a blob', 'declare its fields or migrate the save');
  }
  return component.blobs.map((b) => decodeBlob(b, `a row of component "${component.id}"`));
}

/** The packed snapshot of a world: entities, saved components, resources and the registry's schema version. */
export function assembleSnapshot<W>(
  library: Library,
  world: W,
  registry: RegistryBase<W, unknown>,
  entities: Uint32Array,
  components: PackedComponent[],
  options: SaveWorldOptions,
): PackedSnapshot {
  if (typeof options !== 'object' || options === null) throw invalidArgument(library, 'saveWorld options must be an object', 'options');
  const resources: PackedResource[] = [];
  for (const [name, spec] of Object.entries(registry.resources ?? {})) {
    const value = spec.get(world);
    // A resource is a one-row component: each value is checked against its declared type.
    const fields = Object.entries(spec.fields).map(([field, type]) => buildColumn(library, name, field, type, 1, () => value?.[field]));
    resources.push({ id: name, layout: 'columns', fields });
  }
  return {
    timestamp: options.timestamp ?? Date.now(),
    version: options.version ?? '',
    worldTime: options.worldTime ?? 0,
    schemaVersion: runningVersion(registry),
    metadata: { ...(options.metadata ?? {}) },
    entities,
    components,
    ...(resources.length > 0 ? { resources } : {}),
  };
}

/** The schema version a registry runs: its own, else its migrations' current one, else 0. */
function runningVersion<W>(registry: RegistryBase<W, unknown>): number {
  return registry.schemaVersion ?? registry.migrations?.current ?? 0;
}

/** Checks a snapshot handed to `loadWorld` and returns it as the running schema reads it: migrated when it is older. */
export function loadable<W>(library: Library, snapshot: PackedSnapshot, registry: RegistryBase<W, unknown>, options: LoadWorldOptions<W>): PackedSnapshot {
  if (typeof snapshot !== 'object' || snapshot === null || !(snapshot.entities instanceof Uint32Array) || !Array.isArray(snapshot.components)) {
    throw invalidArgument(library, 'loadWorld needs a PackedSnapshot (from saveWorld or decodeSnapshot)', 'snapshot');
  }
  if (typeof options !== 'object' || options === null) throw invalidArgument(library, 'loadWorld options must be an object', 'options');
  checkRegistry(library, registry);
  // Every check a writer makes (rows of saved entities, columns of their declared type and length, one
  // blob per row): a snapshot built or edited by hand is refused here, before the world is touched.
  // It costs a pass over the ids and column shapes, small beside creating the entities.
  checkSnapshot(snapshot);
  const running = runningVersion(registry);
  const migrations = registry.migrations;
  if (migrations !== undefined && migrations.current !== running) {
    throw invalidArgument(library, `registry.schemaVersion ${running} differs from migrations.current ${migrations.current}: they must name the same version`, 'migrations');
  }
  if (snapshot.schemaVersion > running) {
    throw new PackError(
      'SchemaMismatch',
      `${library}: the snapshot was saved with schema version ${snapshot.schemaVersion}, newer than the running schema ${running}: load it with the newer game version`,
      { details: { library, schemaVersion: snapshot.schemaVersion, running } },
    );
  }
  if (snapshot.schemaVersion < running && migrations !== undefined) {
    // The application's migrations may build a snapshot the adapter cannot read: checked the same way.
    const migrated = migrateSnapshot(snapshot, migrations);
    checkSnapshot(migrated);
    return migrated;
  }
  return snapshot;
}

/** Creates one entity per saved entity, in saved order, and maps saved ids to new ones. */
export function createEntities(entities: Uint32Array, create: (savedId: number, position: number) => number): IdRemap {
  return new IdRemap(entities, create);
}

/**
 * Restores the registry's resources from a snapshot; references in them are remapped. Every
 * value is read and checked before the first is set, so a malformed resource changes none.
 */
export function restoreResources<W>(library: Library, world: W, snapshot: PackedSnapshot, registry: RegistryBase<W, unknown>, idMap: IdLookup): void {
  const values: [(world: W, value: Record<string, unknown>) => void, Record<string, unknown>][] = [];
  for (const [name, spec] of Object.entries(registry.resources ?? {})) {
    const saved = snapshot.resources?.find((r) => r.id === name);
    if (saved === undefined)
      throw schemaMismatch(library, name, undefined, 'is a resource missing from the snapshot', 'add a migration that creates it, or remove it from the registry');
    const row: PackedComponent = { ...saved, entityIds: new Uint32Array(1) } as PackedComponent;
    const value: Record<string, unknown> = {};
    for (const [field, type] of Object.entries(spec.fields)) value[field] = loadColumn(library, row, field, type, idMap)[0];
    values.push([spec.set, value]);
  }
  for (const [set, value] of values) set(world, value);
}

/**
 * Runs the part of a `loadWorld` that changes the world. When it throws and the world is the
 * caller's (`into`), `undo` removes the entities it created first, so a refused load leaves
 * that world as it was; a fresh world is simply dropped.
 */
export function undoOnFailure<T>(into: unknown, load: () => T, undo: () => void): T {
  try {
    return load();
  } catch (error) {
    if (into !== undefined) undo();
    throw error;
  }
}
