import { PackError, validateId } from '@tx2/pack-format';
import { describeValue, optionsObject } from './errors.js';

/** A JSON value, as custom metadata fields hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The plain, JSON-serializable form of {@link SnapshotMetadata} (what `<id>.meta.json` holds). */
export interface SnapshotMetadataRecord {
  id: string;
  name?: string;
  description?: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  worldTime: number;
  schemaVersion: number;
  tags: string[];
  custom: Record<string, JsonValue>;
}

/** Describes a saved snapshot; immutable, with `with*` builder methods that return a copy. */
export class SnapshotMetadata {
  readonly id: string;
  readonly name: string | undefined;
  readonly description: string | undefined;
  readonly createdAt: number;
  readonly worldTime: number;
  readonly schemaVersion: number;
  readonly tags: readonly string[];
  readonly custom: Readonly<Record<string, JsonValue>>;

  /** Creates metadata for snapshot `id` (validated); `createdAt` defaults to now. */
  constructor(id: string, fields?: Partial<Omit<SnapshotMetadataRecord, 'id'>>) {
    this.id = validateId(id);
    const init = optionsObject(fields, 'metadata fields');
    const bad = (why: string): never => {
      throw new PackError('InvalidInput', `metadata of "${id}": ${why}`);
    };
    for (const key of ['name', 'description'] as const) {
      if (init[key] !== undefined && typeof init[key] !== 'string') bad(`${key} must be a string, got ${describeValue(init[key])}`);
    }
    if (init.tags !== undefined && (!Array.isArray(init.tags) || init.tags.some((t) => typeof t !== 'string')))
      bad(`tags must be a list of strings, got ${describeValue(init.tags)}`);
    if (init.custom !== undefined) {
      if (typeof init.custom !== 'object' || init.custom === null || Array.isArray(init.custom)) bad(`custom must be an object of JSON values, got ${describeValue(init.custom)}`);
      try {
        JSON.stringify(init.custom);
      } catch (cause) {
        // Cycles, bigints, or nesting too deep for the engine.
        throw new PackError('InvalidInput', `metadata of "${id}": custom is not JSON-serializable (${(cause as Error).message})`, { cause });
      }
    }
    this.name = init.name;
    this.description = init.description;
    this.createdAt = init.createdAt ?? Date.now();
    this.worldTime = init.worldTime ?? 0;
    this.schemaVersion = init.schemaVersion ?? 0;
    this.tags = Object.freeze([...(init.tags ?? [])]);
    this.custom = Object.freeze({ ...(init.custom ?? {}) });
    for (const [what, n] of [
      ['createdAt', this.createdAt],
      ['worldTime', this.worldTime],
      ['schemaVersion', this.schemaVersion],
    ] as const) {
      if (typeof n !== 'number' || !Number.isFinite(n)) throw new PackError('InvalidInput', `metadata ${what} must be a finite number, got ${describeValue(n)}`);
    }
    Object.freeze(this);
  }

  /** Returns a copy with `name` set. */
  withName(name: string): SnapshotMetadata {
    return this.#with({ name });
  }

  /** Returns a copy with `description` set. */
  withDescription(description: string): SnapshotMetadata {
    return this.#with({ description });
  }

  /** Returns a copy with `tag` added (once). */
  withTag(tag: string): SnapshotMetadata {
    if (typeof tag !== 'string' || tag.length === 0) throw new PackError('InvalidInput', 'a tag must be a non-empty string');
    return this.tags.includes(tag) ? this : this.#with({ tags: [...this.tags, tag] });
  }

  /** Returns a copy with custom field `key` set to a JSON value. */
  withCustomField(key: string, value: JsonValue): SnapshotMetadata {
    if (typeof key !== 'string' || key.length === 0 || key === '__proto__') throw new PackError('InvalidInput', `invalid custom field name ${describeValue(key)}`);
    try {
      JSON.stringify(value);
    } catch (cause) {
      throw new PackError('InvalidInput', `custom field "${key}" is not JSON-serializable`, { cause });
    }
    return this.#with({ custom: { ...this.custom, [key]: value } });
  }

  /** Returns a copy with `worldTime` set. */
  withWorldTime(worldTime: number): SnapshotMetadata {
    return this.#with({ worldTime });
  }

  /** Returns a copy with `schemaVersion` set. */
  withSchemaVersion(schemaVersion: number): SnapshotMetadata {
    return this.#with({ schemaVersion });
  }

  /** Returns a copy with another id. */
  withId(id: string): SnapshotMetadata {
    return new SnapshotMetadata(id, this.toJSON());
  }

  /** The plain JSON form. */
  toJSON(): SnapshotMetadataRecord {
    const out: SnapshotMetadataRecord = {
      id: this.id,
      createdAt: this.createdAt,
      worldTime: this.worldTime,
      schemaVersion: this.schemaVersion,
      tags: [...this.tags],
      custom: JSON.parse(JSON.stringify(this.custom)) as Record<string, JsonValue>,
    };
    if (this.name !== undefined) out.name = this.name;
    if (this.description !== undefined) out.description = this.description;
    return out;
  }

  /** Rebuilds metadata from its JSON form, checking every field (PackError 'InvalidFormat' when malformed). */
  static fromJSON(value: unknown): SnapshotMetadata {
    const bad = (why: string): never => {
      throw new PackError('InvalidFormat', `snapshot metadata is malformed: ${why}`);
    };
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('not an object');
    const r = value as Record<string, unknown>;
    if (typeof r.id !== 'string') return bad('id is missing');
    if (r.name !== undefined && typeof r.name !== 'string') bad('name is not a string');
    if (r.description !== undefined && typeof r.description !== 'string') bad('description is not a string');
    if (!Array.isArray(r.tags) || r.tags.some((t) => typeof t !== 'string')) bad('tags is not a list of strings');
    if (typeof r.custom !== 'object' || r.custom === null || Array.isArray(r.custom)) bad('custom is not an object');
    const init: Partial<SnapshotMetadataRecord> = {
      createdAt: r.createdAt as number,
      worldTime: r.worldTime as number,
      schemaVersion: r.schemaVersion as number,
      tags: r.tags as string[],
      custom: r.custom as Record<string, JsonValue>,
    };
    if (r.name !== undefined) init.name = r.name as string;
    if (r.description !== undefined) init.description = r.description as string;
    try {
      return new SnapshotMetadata(r.id, init);
    } catch (error) {
      return bad((error as Error).message);
    }
  }

  #with(patch: Partial<SnapshotMetadataRecord>): SnapshotMetadata {
    return new SnapshotMetadata(this.id, { ...this.toJSON(), ...patch });
  }
}

/** The metadata a save records for a world given only an id: its times when finite (a world may hold NaN or Infinity; the record keeps 0). */
export function metadataForWorld(id: string, world: { worldTime: unknown; schemaVersion: unknown }): SnapshotMetadata {
  const finite = (n: unknown): number | undefined => (typeof n === 'number' && Number.isFinite(n) ? n : undefined);
  const fields: { worldTime?: number; schemaVersion?: number } = {};
  const worldTime = finite(world.worldTime);
  const schemaVersion = finite(world.schemaVersion);
  if (worldTime !== undefined) fields.worldTime = worldTime;
  if (schemaVersion !== undefined) fields.schemaVersion = schemaVersion;
  return new SnapshotMetadata(id, fields);
}
