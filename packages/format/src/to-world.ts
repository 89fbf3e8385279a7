import { decodeBlob } from './blob.js';
import { PackError } from './errors.js';
import type { Column, PackedSnapshot, WorldComponent, WorldEntity, WorldSnapshot } from './model.js';

function corrupt(message: string): never {
  throw new PackError('InvalidFormat', `${message}: the snapshot is inconsistent`);
}

function sameIds(a: Uint32Array, b: Uint32Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Reads row `r` of a column as the value the world object held. */
function valuesReader(column: Column): (r: number) => unknown {
  switch (column.type) {
    case 'bool': {
      const v = column.values;
      return (r) => v[r] !== 0;
    }
    case 'bytes': {
      const v = column.values;
      return (r) => v[r]!.slice();
    }
    default: {
      const v = column.values as ArrayLike<unknown>;
      return (r) => v[r];
    }
  }
}

/** Unpacks a packed snapshot into the tx2 `WorldSnapshot` object shape (the inverse of fromWorldSnapshot). */
export function toWorldSnapshot(packed: PackedSnapshot): WorldSnapshot {
  const ids = packed.entities;
  const n = ids.length;
  const entities = new Array<WorldEntity>(n);
  for (let i = 0; i < n; i++) entities[i] = { id: ids[i]!, components: [] };
  let position: Map<number, number> | undefined;
  const positionOf = (id: number): number => {
    if (position === undefined) {
      position = new Map();
      for (let i = 0; i < n; i++) position.set(ids[i]!, i);
    }
    const p = position.get(id);
    if (p === undefined) corrupt(`a component belongs to entity ${id}, which is not in the entity list`);
    return p;
  };

  for (const component of packed.components) {
    const rows = component.entityIds;
    const count = rows.length;
    const identity = sameIds(rows, ids);
    const data = new Array<unknown>(count);
    if (component.layout === 'blobs') {
      for (let r = 0; r < count; r++) data[r] = decodeBlob(component.blobs[r]!, `the blob of component "${component.id}" for entity ${rows[r]}`);
    } else {
      for (let r = 0; r < count; r++) data[r] = {};
      // Field by field keeps each store monomorphic: every object takes the same shape transitions.
      for (const column of component.fields) {
        const name = column.name;
        const read = valuesReader(column);
        if (column.type === 'f32' || column.type === 'f64') {
          const v = column.values;
          for (let r = 0; r < count; r++) (data[r] as Record<string, unknown>)[name] = v[r];
        } else {
          for (let r = 0; r < count; r++) (data[r] as Record<string, unknown>)[name] = read(r);
        }
      }
    }
    const cid = component.id;
    for (let r = 0; r < count; r++) {
      const entity = entities[identity ? r : positionOf(rows[r]!)]!;
      entity.components.push({ id: cid, data: data[r] });
    }
  }

  for (const [id, order] of packed.componentOrder ?? []) {
    const entity = entities[positionOf(id)]!;
    const byId = new Map<string, WorldComponent>(entity.components.map((c) => [c.id, c]));
    if (order.length !== byId.size) corrupt(`the component order of entity ${id} does not list its components`);
    entity.components = order.map((cid) => byId.get(cid) ?? corrupt(`the component order of entity ${id} names "${cid}"`));
  }
  return { entities, timestamp: packed.timestamp, version: packed.version };
}
