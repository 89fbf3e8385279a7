// An exact, printable description of a packed snapshot, independent of the encoder: two
// snapshots with equal shapes are equal bit for bit (column bytes, NaN payloads, -0, strings
// code unit by code unit, blob values by decoding them, entity metadata, component order).
import { decodeBlob, type PackedSnapshot } from '@tx2/pack-format';

const hex = (view: ArrayBufferView): string => Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('hex');

const numberText = (n: number): string => (Object.is(n, -0) ? '-0' : String(n));

/** A tagged tree of `value` that tells apart everything the blob encoding promises to keep. */
export function valueShape(value: unknown): unknown {
  switch (typeof value) {
    case 'undefined':
      return ['undefined'];
    case 'number':
      return ['number', numberText(value)];
    case 'bigint':
      return ['bigint', value.toString()];
    case 'string':
      return ['string', value];
    case 'boolean':
      return ['boolean', value];
    default:
  }
  if (value === null) return ['null'];
  if (Array.isArray(value)) return ['array', value.length, value.map(valueShape)];
  if (value instanceof ArrayBuffer) return ['ArrayBuffer', hex(new Uint8Array(value))];
  if (ArrayBuffer.isView(value)) return [value.constructor.name, hex(value)];
  if (value instanceof Date) return ['Date', numberText(value.getTime())];
  if (value instanceof Map) return ['Map', [...value].map(([k, v]) => [valueShape(k), valueShape(v)])];
  if (value instanceof Set) return ['Set', [...value].map(valueShape)];
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    return ['object', proto === Object.prototype || proto === null ? 'plain' : 'other', Object.keys(value).map((k) => [k, valueShape((value as Record<string, unknown>)[k])])];
  }
  return ['unsupported', typeof value];
}

/** The exact shape of `packed`; an empty entityMetadata or componentOrder is the same as none (the format stores neither). */
export function snapshotShape(packed: PackedSnapshot): unknown {
  return {
    timestamp: numberText(packed.timestamp),
    version: packed.version,
    worldTime: numberText(packed.worldTime),
    schemaVersion: numberText(packed.schemaVersion),
    metadata: valueShape(packed.metadata),
    entities: [packed.entities.constructor.name, Array.from(packed.entities)],
    components: packed.components.map((c) => ({
      id: c.id,
      layout: c.layout,
      entityIds: [c.entityIds.constructor.name, Array.from(c.entityIds)],
      data:
        c.layout === 'blobs'
          ? c.blobs.map((b) => ({ bytes: hex(b), value: valueShape(decodeBlob(b)) }))
          : c.fields.map((f) => ({
              name: f.name,
              type: f.type,
              values: Array.isArray(f.values)
                ? (f.values as readonly (string | Uint8Array)[]).map((v) => (typeof v === 'string' ? ['string', v] : ['bytes', hex(v)]))
                : [(f.values as ArrayBufferView).constructor.name, (f.values as ArrayLike<unknown>).length, hex(f.values as ArrayBufferView)],
            })),
    })),
    entityMetadata: packed.entityMetadata === undefined || packed.entityMetadata.size === 0 ? 'none' : [...packed.entityMetadata].map(([k, v]) => [k, valueShape(v)]),
    componentOrder: packed.componentOrder === undefined || packed.componentOrder.size === 0 ? 'none' : [...packed.componentOrder],
  };
}
