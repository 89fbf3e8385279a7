// The JSON document of `export` written piece by piece: the same text JSON.stringify gives for
// the whole document, built a slice of entities at a time, so memory holds one slice of rows
// as objects (not the world) and the text is never one giant string.
import { type PackedComponent, type PackedSnapshot, toWorldSnapshot } from '@tx2/pack-format';
import { toJsonValue } from './json-encoding.js';
import { entitiesToJson, worldJsonExtension } from './world-json.js';

/** Entities turned into objects at a time: small enough to bound memory, large enough that JSON.stringify runs at full speed. */
export const ENTITY_SLICE = 8192;

/** True when every component's rows follow the order of the entity list (then a slice of entities is a slice of rows): one walk per component, no index. */
function rowsInEntityOrder(packed: PackedSnapshot): boolean {
  const entities = packed.entities;
  return packed.components.every((c) => {
    const rows = c.entityIds;
    let r = 0;
    for (let i = 0; i < entities.length && r < rows.length; i++) if (rows[r] === entities[i]) r++;
    return r === rows.length;
  });
}

/** Rows `from` to `to` of a component, as views (columns) or slices (blobs, strings). */
function rowsOf(component: PackedComponent, from: number, to: number): PackedComponent {
  const entityIds = component.entityIds.subarray(from, to);
  if (component.layout === 'blobs') return { ...component, entityIds, blobs: component.blobs.slice(from, to) };
  return {
    ...component,
    entityIds,
    fields: component.fields.map((f) => ({ ...f, values: Array.isArray(f.values) ? f.values.slice(from, to) : (f.values as Uint8Array).subarray(from, to) }) as typeof f),
  };
}

/** Indents every line but the first of a JSON text by `by` (JSON strings hold no raw newline, so this never touches a value). */
const indentBy = (text: string, by: string): string => (by === '' ? text : text.replaceAll('\n', `\n${by}`));

/**
 * The pieces of the document (with `indent` spaces per level, 0 for compact), `slice` entities at
 * a time; `onEntities` hears after each slice how many entities it held.
 */
export function* worldJsonPieces(packed: PackedSnapshot, indent: number, onEntities: (count: number) => void = () => {}, slice = ENTITY_SLICE): Generator<string> {
  const pad = ' '.repeat(indent);
  const nl = indent > 0 ? '\n' : '';
  const colon = indent > 0 ? ': ' : ':';
  const stringify = (value: unknown, depth: number): string => indentBy(JSON.stringify(value, null, indent || undefined), pad.repeat(depth));
  const head = `{${nl}${pad}"timestamp"${colon}${stringify(toJsonValue(packed.timestamp, 'timestamp'), 1)},${nl}${pad}"version"${colon}${JSON.stringify(packed.version)},${nl}${pad}"entities"${colon}`;
  const n = packed.entities.length;
  if (n === 0) yield `${head}[],`;
  else {
    yield `${head}[`;
    const cursors = new Array<number>(packed.components.length).fill(0);
    // Rows out of entity order (a rare, hand-built world) are found by toWorldSnapshot in one go.
    const sliceable = rowsInEntityOrder(packed);
    const step = sliceable ? slice : n;
    for (let from = 0; from < n; from += step) {
      const to = Math.min(n, from + step);
      let part = packed;
      if (sliceable) {
        const entities = packed.entities.subarray(from, to);
        const inSlice = new Set(entities);
        const components = packed.components.map((c, k) => {
          const start = cursors[k]!;
          let end = start;
          while (end < c.entityIds.length && inSlice.has(c.entityIds[end]!)) end++;
          cursors[k] = end;
          return rowsOf(c, start, end);
        });
        part = { ...packed, entities, components };
        if (packed.componentOrder !== undefined) {
          const order = new Map<number, string[]>();
          for (const id of entities) {
            const own = packed.componentOrder.get(id);
            if (own !== undefined) order.set(id, own);
          }
          part.componentOrder = order;
        }
      }
      // One JSON.stringify per slice (far faster than one per entity), without the array's brackets,
      // its lines indented one level deeper, where the entities array sits in the document.
      const array = JSON.stringify(entitiesToJson(toWorldSnapshot(part)), null, indent || undefined);
      const text = indentBy(array.slice(1, indent > 0 ? -2 : -1), pad);
      yield from === 0 ? text : `,${text}`;
      onEntities(to - from);
    }
    yield `${nl}${pad}],`;
  }
  yield `${nl}${pad}"$tx2pack"${colon}${stringify(worldJsonExtension(packed), 1)}${nl}}\n`;
}
