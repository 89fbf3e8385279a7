import type { FieldSpec, LoadedContext, Migrations, OnLoaded } from '@tx2/pack-format';

/** A field of a saved component: a format field type, or an entity reference (`'entity'`) or list of them (`'entities'`). */
export type { FieldSpec, LoadedContext };

/** An old→new entity id map: saved id → id in the world a snapshot was loaded into. */
export type IdMap = ReadonlyMap<number, number>;

/** A world-level value saved as a typed part of the snapshot (an RNG state, a clock). */
export interface ResourceSpec<W> {
  /** Field types of the resource record. */
  fields: Readonly<Record<string, FieldSpec>>;
  /** Reads the resource from the world as a record of its fields. */
  get(world: W): Record<string, unknown>;
  /** Writes a loaded resource record into the world. */
  set(world: W, value: Record<string, unknown>): void;
}

/** The parts of a registry shared by every adapter. */
export interface RegistryBase<W, C> {
  /** Saved components by the id they take in the snapshot. */
  components: Readonly<Record<string, C>>;
  /** World-level values saved as typed parts, by name. */
  resources?: Readonly<Record<string, ResourceSpec<W>>>;
  /** The application's schema version written to the snapshot (default: `migrations.current`, else 0). */
  schemaVersion?: number;
  /** Steps from older schema versions (`defineMigrations` of @tx2/pack-format), applied by `loadWorld` to older saves. */
  migrations?: Migrations;
  /** Called once a load has restored every saved component (with the world, the id map and the snapshot): rebuild transient components here. */
  onLoaded?: OnLoaded<W>;
}

/** Options of every adapter's `saveWorld`. */
export interface SaveWorldOptions {
  /** Simulation or game time stored with the snapshot. */
  worldTime?: number;
  /** Wall-clock time of the snapshot (default `Date.now()`). */
  timestamp?: number;
  /** The world's own version string. */
  version?: string;
  /** Free-form world-level metadata. */
  metadata?: Record<string, unknown>;
}

/** Options of every adapter's `loadWorld`: `into` restores into an existing world instead of a new one. */
export interface LoadWorldOptions<W> {
  into?: W;
}

/** What every adapter's `loadWorld` returns. */
export interface LoadWorldResult<W> {
  world: W;
  idMap: IdMap;
}
