// The JSON document of `export` / `import`: the tx2 WorldSnapshot shape
// ({ timestamp, version, entities: [{ id, components: [{ id, data }] }] }) with component
// data in the lossless encoding of json-encoding.ts, plus one extra key "$tx2pack" holding
// what the WorldSnapshot shape has no place for (column types, world time, schema version,
// world and entity metadata), so that export then import gives back the same snapshot.
// Plain WorldSnapshot JSON without "$tx2pack" imports too (field types are then inferred).
import { fromWorldSnapshot, isFieldType, toWorldSnapshot, type EntityMetadata, type PackedSnapshot, type Schema, type ComponentSchema, type FieldType } from '@tx2/pack-format';
import { CliError, ExitCode } from './errors.js';
import { fromJsonValue, toJsonValue, type Json } from './json-encoding.js';

/** The version of the "$tx2pack" extension written by this CLI. */
export const WORLD_JSON_VERSION = 1;

/** What `export` adds beside the WorldSnapshot fields. */
export interface WorldJsonExtension {
  /** Version of this extension ({@link WORLD_JSON_VERSION}). */
  encoding: number;
  worldTime: Json;
  schemaVersion: Json;
  /** Field types per columnar component, "blob" for blob components. */
  schema: Record<string, Record<string, FieldType> | 'blob'>;
  metadata: Json;
  /** `[entityId, { created?, modified?, tags? }]` pairs, in the lossless encoding. */
  entityMetadata: Json;
}

/** The exported document: a WorldSnapshot in JSON plus the "$tx2pack" extension. */
export interface WorldJson {
  timestamp: Json;
  version: string;
  entities: { id: number; components: { id: string; data: Json }[] }[];
  $tx2pack?: WorldJsonExtension;
}

/** A packed snapshot as the JSON document of `export`. */
export function packedToWorldJson(packed: PackedSnapshot): WorldJson {
  const world = toWorldSnapshot(packed);
  const schema: WorldJsonExtension['schema'] = {};
  for (const component of packed.components) {
    schema[component.id] = component.layout === 'blobs' ? 'blob' : Object.fromEntries(component.fields.map((f) => [f.name, f.type]));
  }
  return {
    timestamp: toJsonValue(world.timestamp, 'timestamp'),
    version: world.version,
    entities: world.entities.map((entity) => ({
      id: entity.id,
      components: entity.components.map((c) => ({ id: c.id, data: toJsonValue(c.data, `entity ${entity.id} ${c.id}`) })),
    })),
    $tx2pack: {
      encoding: WORLD_JSON_VERSION,
      worldTime: toJsonValue(packed.worldTime, 'worldTime'),
      schemaVersion: toJsonValue(packed.schemaVersion, 'schemaVersion'),
      schema,
      metadata: toJsonValue(packed.metadata, 'metadata'),
      entityMetadata: toJsonValue(packed.entityMetadata === undefined ? [] : [...packed.entityMetadata], 'entityMetadata'),
    },
  };
}

function notAWorld(source: string, what: string): CliError {
  return new CliError(`${source} is not a world JSON document (${what}): it needs { "timestamp", "version", "entities": [{ "id", "components": [{ "id", "data" }] }] }, as \`tx2pack export\` writes`, ExitCode.Unsupported);
}

function readSchema(value: unknown, source: string): Schema {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw notAWorld(source, '"$tx2pack.schema" is not an object');
  const schema: Record<string, ComponentSchema> = {};
  for (const [id, fields] of Object.entries(value)) {
    if (fields === 'blob') {
      schema[id] = 'blob';
      continue;
    }
    if (typeof fields !== 'object' || fields === null) throw notAWorld(source, `the schema of "${id}" is neither "blob" nor an object of field types`);
    for (const [name, type] of Object.entries(fields)) {
      if (!isFieldType(type)) throw notAWorld(source, `field "${id}.${name}" has the unknown type ${JSON.stringify(type)}`);
    }
    schema[id] = fields as Record<string, FieldType>;
  }
  return schema;
}

function readEntityMetadata(value: unknown, source: string): Map<number, EntityMetadata> | undefined {
  if (!Array.isArray(value)) throw notAWorld(source, '"$tx2pack.entityMetadata" is not a list of [id, metadata] pairs');
  if (value.length === 0) return undefined;
  return new Map(
    value.map((pair) => {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'number') throw notAWorld(source, 'an entityMetadata entry is not an [id, metadata] pair');
      return [pair[0], pair[1] as EntityMetadata];
    }),
  );
}

/** The snapshot a JSON document (as written by `export`, or a plain WorldSnapshot) describes. */
export function worldJsonToPacked(document: unknown, source: string): PackedSnapshot {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw notAWorld(source, 'the top level is not an object');
  const doc = document as Record<string, Json>;
  if (!Array.isArray(doc.entities)) throw notAWorld(source, '"entities" is not a list');
  if (typeof doc.version !== 'string') throw notAWorld(source, '"version" is not a string');
  const timestamp = fromJsonValue(doc.timestamp ?? null, 'timestamp');
  if (typeof timestamp !== 'number') throw notAWorld(source, '"timestamp" is not a number');
  const entities = doc.entities.map((entity, i) => {
    if (typeof entity !== 'object' || entity === null || Array.isArray(entity)) throw notAWorld(source, `entities[${i}] is not an object`);
    const { id, components } = entity;
    if (typeof id !== 'number') throw notAWorld(source, `entities[${i}].id is not a number`);
    if (!Array.isArray(components)) throw notAWorld(source, `entity ${id} has no "components" list`);
    return {
      id,
      components: components.map((component, c) => {
        if (typeof component !== 'object' || component === null || Array.isArray(component) || typeof component.id !== 'string') {
          throw notAWorld(source, `component ${c} of entity ${id} has no string "id"`);
        }
        return { id: component.id, data: fromJsonValue(component.data ?? { $tx2: 'undefined' }, `entity ${id} ${component.id}`) };
      }),
    };
  });
  const extension = doc.$tx2pack as Record<string, Json> | undefined;
  if (extension === undefined) return fromWorldSnapshot({ entities, timestamp, version: doc.version });
  if (typeof extension !== 'object' || extension === null || Array.isArray(extension)) throw notAWorld(source, '"$tx2pack" is not an object');
  if (typeof extension.encoding !== 'number' || extension.encoding > WORLD_JSON_VERSION) {
    throw new CliError(`${source} uses version ${String(extension.encoding)} of the tx2pack JSON encoding; this tx2pack reads up to ${WORLD_JSON_VERSION}: upgrade @tx2/pack-cli`, ExitCode.Unsupported);
  }
  const metadata = fromJsonValue(extension.metadata ?? {}, 'metadata');
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw notAWorld(source, '"$tx2pack.metadata" is not an object');
  const worldTime = fromJsonValue(extension.worldTime ?? 0, 'worldTime');
  const schemaVersion = fromJsonValue(extension.schemaVersion ?? 0, 'schemaVersion');
  if (typeof worldTime !== 'number' || typeof schemaVersion !== 'number') throw notAWorld(source, '"$tx2pack.worldTime" or "schemaVersion" is not a number');
  const entityMetadata = readEntityMetadata(fromJsonValue(extension.entityMetadata ?? [], 'entityMetadata'), source);
  return fromWorldSnapshot(
    { entities, timestamp, version: doc.version },
    {
      schema: readSchema(extension.schema ?? {}, source),
      worldTime,
      schemaVersion,
      metadata: metadata as Record<string, unknown>,
      ...(entityMetadata === undefined ? {} : { entityMetadata }),
    },
  );
}
