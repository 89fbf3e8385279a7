// The object form of docs/format.md section 9, built from a decoded snapshot as that text says.
import { decodeEntityIds } from './entity-list.js';
import { decodeMessagePack } from './msgpack.js';
import type { Component, Field, Packed } from './snapshot.js';

/** The object form: entities with their components' data, time, version and resources. */
export interface World {
  entities: { id: number; components: { id: string; data: unknown }[] }[];
  timestamp: number;
  version: string;
  resources?: Record<string, unknown>;
}

function valueAt(f: Field, row: number): unknown {
  if (f.type === 'string') return (f.values as string[])[row];
  if (f.type === 'bytes') {
    const bytes = (f.values as Uint8Array[])[row]!;
    return f.ref === 'entities' ? decodeEntityIds(bytes) : bytes.slice();
  }
  const v = (f.values as unknown as ArrayLike<number | bigint>)[row]!;
  return f.type === 'bool' ? v !== 0 : v;
}

function dataAt(c: Component, row: number): unknown {
  if (c.layout === 'blobs') return decodeMessagePack(c.blobs![row]!);
  if (c.singleValue) return valueAt(c.fields![0]!, row);
  const out: Record<string, unknown> = {};
  for (const f of c.fields!) out[f.name] = valueAt(f, row);
  return out;
}

/** Section 9's object form of `p`. */
export function toWorld(p: Packed): World {
  const rowOf = p.components.map((c) => new Map([...c.entityIds!].map((e, r) => [e, r])));
  const entities = [...p.entities].map((id) => {
    const held = p.components.flatMap((c, i) => (rowOf[i]!.has(id) ? [c] : []));
    const order = p.componentOrder?.get(id);
    const listed = order ? order.map((cid) => held.find((c) => c.id === cid)!) : held;
    return { id, components: listed.map((c) => ({ id: c.id, data: dataAt(c, rowOf[p.components.indexOf(c)]!.get(id)!) })) };
  });
  const world: World = { entities, timestamp: p.timestamp, version: p.version };
  if (p.resources) world.resources = Object.fromEntries(p.resources.map((r) => [r.id, dataAt(r, 0)]));
  return world;
}
