// `import` of a large world JSON file without holding it whole: a structural scan finds the
// top-level values and cuts "entities" into batches of whole entities; each batch is parsed
// with JSON.parse and packed into columns at once, so memory holds the packed world plus one
// batch of JSON, never the document text or its object tree. Documents this route does not
// cover (no "$tx2pack" extension of version 2, components it does not list, text the scan
// cannot follow) return undefined, and the caller parses them whole as before.
import type { FileHandle } from 'node:fs/promises';
import { fromWorldSnapshot, type PackedComponent, type PackedSnapshot, PackError, sameIds } from '@tx2/pack-format';
import type { Json } from './json-encoding.js';
import { JsonScanError, scanJsonObject, type Span } from './json-scan.js';
import type { Progress } from './progress.js';
import { decodeEntity, readExtension, readWorldHeader, restoreExtension } from './world-json.js';

/** Raw JSON per batch of entities: large enough that JSON.parse runs at full speed, small enough to bound memory. */
export const BATCH_BYTES = 4 << 20;

/** Reads a span of the file as text. */
async function spanText(handle: FileHandle, span: Span): Promise<string> {
  const bytes = Buffer.alloc(span.end - span.start);
  const { bytesRead } = await handle.read(bytes, 0, bytes.length, span.start);
  return bytes.toString('utf8', 0, bytesRead);
}

/** Parses a span; text JSON.parse refuses sends the caller to the whole-document route, which reports it. */
async function spanJson(handle: FileHandle, span: Span): Promise<Json | undefined> {
  try {
    return JSON.parse(await spanText(handle, span)) as Json;
  } catch {
    return undefined;
  }
}

/** Joins the rows of one component packed batch by batch (same layout and columns in every batch). */
function joinComponent(parts: PackedComponent[]): PackedComponent {
  const first = parts[0]!;
  if (parts.length === 1) return first;
  const rows = parts.reduce((n, p) => n + p.entityIds.length, 0);
  const entityIds = new Uint32Array(rows);
  let at = 0;
  for (const p of parts) {
    entityIds.set(p.entityIds, at);
    at += p.entityIds.length;
  }
  if (first.layout === 'blobs') return { ...first, entityIds, blobs: parts.flatMap((p) => (p as typeof first).blobs) };
  const fields = first.fields.map((field, f) => {
    const pieces = parts.map((p) => (p as typeof first).fields[f]!.values);
    if (Array.isArray(field.values)) return { ...field, values: (pieces as unknown[][]).flat() };
    const Typed = (field.values as Uint8Array).constructor as new (n: number) => Uint8Array;
    const values = new Typed(rows);
    let k = 0;
    for (const piece of pieces as Uint8Array[]) {
      values.set(piece, k);
      k += piece.length;
    }
    return { ...field, values };
  });
  return { ...first, entityIds, fields } as PackedComponent;
}

/**
 * The snapshot of a world JSON file read batch by batch, or undefined when the file needs the
 * whole-document route. `scanning` and `parsing` report bytes scanned, then bytes parsed.
 */
export async function readWorldJsonStreaming(
  handle: FileHandle,
  size: number,
  source: string,
  scanning: Progress,
  parsing: () => Progress,
  batchBytes = BATCH_BYTES,
): Promise<PackedSnapshot | undefined> {
  let layout: Awaited<ReturnType<typeof scanJsonObject>>;
  try {
    layout = await scanJsonObject(async (buffer, position) => (await handle.read(buffer, 0, buffer.length, position)).bytesRead, size, {
      batchKey: 'entities',
      batchBytes,
      onBytes: (n) => scanning.advance(n),
    });
  } catch (error) {
    if (error instanceof JsonScanError) return undefined;
    throw error;
  } finally {
    scanning.finish();
  }
  const { values, batches } = layout;
  const entitiesSpan = values.get('entities');
  const extensionSpan = values.get('$tx2pack');
  if (entitiesSpan === undefined || extensionSpan === undefined || batches.length === 0) return undefined;
  // Nothing but the closing bracket may follow the last batch inside the entities value.
  const tail = await spanText(handle, { start: batches[batches.length - 1]!.end, end: entitiesSpan.end });
  if (tail.trim() !== ']') return undefined;
  const extensionJson = await spanJson(handle, extensionSpan);
  if (typeof extensionJson !== 'object' || extensionJson === null || Array.isArray(extensionJson) || extensionJson.encoding !== 2) return undefined;
  const head: Record<string, Json | undefined> = {};
  for (const key of ['timestamp', 'version']) {
    const span = values.get(key);
    if (span === undefined) continue;
    const value = await spanJson(handle, span);
    if (value === undefined) return undefined;
    head[key] = value;
  }
  const { timestamp, version } = readWorldHeader(head, source);
  const extension = readExtension(extensionJson, source);
  const listedIndex = new Map(extension.listed.map((c, i) => [c.id, i]));
  const blobKeys = new Set<string>();
  const blobBytes = extension.raw.blobBytes;
  if (Array.isArray(blobBytes)) for (const entry of blobBytes) if (Array.isArray(entry)) blobKeys.add(`${String(entry[0])}\0${String(entry[1])}`);
  const blobData = new Map<string, Json | undefined>();

  const progress = parsing();
  const lists = new Map<number, string[]>();
  const parts = new Map<string, PackedComponent[]>();
  const ids: Uint32Array[] = [];
  let index = 0;
  try {
    for (const batch of batches) {
      let entities: Json[];
      try {
        entities = JSON.parse(`[${await spanText(handle, batch)}]`) as Json[];
      } catch {
        return undefined;
      }
      const decoded = entities.map((entity, k) => {
        const one = decodeEntity(entity, index + k, source);
        const names = one.components.map((c) => c.id);
        let last = -1;
        for (const name of names) {
          const at = listedIndex.get(name);
          // A component the extension does not list (added by hand): the whole-document route places it.
          if (at === undefined) return undefined;
          if (at < last) lists.set(one.id, names);
          last = at;
        }
        if (extension.recordedOrder?.has(one.id) === true) lists.set(one.id, names);
        if (blobKeys.size > 0) {
          for (const c of one.components) {
            const key = `${c.id}\0${one.id}`;
            if (blobKeys.has(key)) {
              const raw = ((entity as { components: Json[] }).components as { id: string; data?: Json }[]).find((x) => x.id === c.id);
              blobData.set(key, raw !== undefined && Object.hasOwn(raw, 'data') ? raw.data : { $tx2: 'undefined' });
            }
          }
        }
        return one;
      });
      if (decoded.some((e) => e === undefined)) return undefined;
      index += entities.length;
      const packed = fromWorldSnapshot({ entities: decoded as NonNullable<(typeof decoded)[number]>[], timestamp, version }, { schema: extension.schema });
      ids.push(packed.entities);
      for (const component of packed.components) {
        const list = parts.get(component.id);
        if (list === undefined) parts.set(component.id, [component]);
        else list.push(component);
      }
      progress.advance(batch.end - batch.start);
    }
  } finally {
    progress.finish();
  }

  const base = fromWorldSnapshot({ entities: [], timestamp, version }, { schema: extension.schema, ...extension.options });
  const entities = new Uint32Array(index);
  let at = 0;
  for (const part of ids) {
    entities.set(part, at);
    at += part.length;
  }
  checkUnique(entities);
  base.entities = entities;
  // As fromWorldSnapshot does: components holding every entity, or the same entities as the one before, share one id array.
  let previous: Uint32Array = entities;
  base.components = [...parts.values()].map((list) => {
    const component = joinComponent(list);
    if (sameIds(component.entityIds, entities)) component.entityIds = entities;
    else if (sameIds(component.entityIds, previous)) component.entityIds = previous;
    previous = component.entityIds;
    return component;
  });
  restoreExtension(base, extension, lists, (component, entity) => blobData.get(`${component}\0${entity}`), source);
  return base;
}

/** Entity ids appear once (each batch was checked on its own). */
function checkUnique(ids: Uint32Array): void {
  let ascending = true;
  for (let i = 1; i < ids.length && ascending; i++) ascending = ids[i]! > ids[i - 1]!;
  if (ascending) return;
  const seen = new Set<number>();
  for (const id of ids) {
    if (seen.has(id)) throw new PackError('InvalidInput', `entity id ${id} appears twice: entity ids must be unique`);
    seen.add(id);
  }
}
