// Derives a "next" snapshot from a base by random edits, the way a world changes between
// frames: values change (every bit pattern, NaN payloads and -0 included), entities come and
// go, components are added, removed or change schema, metadata changes. A seeded PRNG makes
// every case reproducible from the fast-check seed.
import { encodeBlob, type Column, type EntityMetadata, type PackedComponent, type PackedSnapshot } from '../../src/index.js';

/** mulberry32: a tiny seeded PRNG returning [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = ['', 'a', 'é', '😀', 'changed', '\u0000', 'long '.repeat(8)];

function randomValue(type: Column['type'], rand: () => number): unknown {
  if (type === 'string') return STRINGS[Math.floor(rand() * STRINGS.length)]!;
  return Uint8Array.from({ length: Math.floor(rand() * 6) }, () => Math.floor(rand() * 256));
}

/** Copies a column, changing each row with probability `p` to random bits (or a random string / bytes). */
function changeColumn(column: Column, keep: number[], added: number, p: number, rand: () => number): Column {
  const n = keep.length + added;
  if (column.type === 'string' || column.type === 'bytes') {
    const old = column.values as readonly unknown[];
    const values = [...keep.map((r) => (rand() < p ? randomValue(column.type, rand) : old[r])), ...Array.from({ length: added }, () => randomValue(column.type, rand))];
    return { ...column, values } as Column;
  }
  const Ctor = (column.values as unknown as { constructor: new (n: number) => ArrayBufferView }).constructor;
  const out = new Ctor(n) as unknown as Column['values'] & ArrayBufferView;
  const width = (out as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  const src = column.values as unknown as ArrayBufferView;
  const srcBytes = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  const outBytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  keep.forEach((r, i) => {
    outBytes.set(srcBytes.subarray(r * width, (r + 1) * width), i * width);
  });
  for (let i = 0; i < n; i++) {
    if (i < keep.length && rand() >= p) continue;
    for (let b = 0; b < width; b++) outBytes[i * width + b] = Math.floor(rand() * 256);
    if (column.type === 'bool') outBytes[i] = outBytes[i]! & 1;
    // Sometimes exactly the interesting floats: -0 and NaN with a payload.
    if (column.type === 'f32' && rand() < 0.2) new Uint32Array(out.buffer, out.byteOffset + i * 4, 1)[0] = rand() < 0.5 ? 0x80000000 : 0x7fc00001;
  }
  return { ...column, values: out } as Column;
}

function freshIds(taken: Set<number>, count: number, rand: () => number): number[] {
  const out: number[] = [];
  while (out.length < count) {
    const id = rand() < 0.5 ? Math.floor(rand() * 200) : Math.floor(rand() * 0xffffffff);
    if (!taken.has(id)) {
      taken.add(id);
      out.push(id);
    }
  }
  return out;
}

function mutateComponent(c: PackedComponent, taken: Set<number>, rand: () => number): PackedComponent {
  const n = c.entityIds.length;
  const churn = rand() < 0.4;
  let keep = Array.from({ length: n }, (_, r) => r).filter(() => !churn || rand() > 0.25);
  if (rand() < 0.15) keep = keep.sort(() => rand() - 0.5); // rows reordered
  const newIds = churn ? freshIds(taken, Math.floor(rand() * 4), rand) : [];
  const entityIds = Uint32Array.from([...keep.map((r) => c.entityIds[r]!), ...newIds]);
  const p = [0, 0.1, 0.5, 1][Math.floor(rand() * 4)]!;
  if (c.layout === 'blobs') {
    const blobs = [...keep.map((r) => (rand() < p ? encodeBlob({ v: rand() }) : c.blobs[r]!)), ...newIds.map(() => encodeBlob([rand(), 'new']))];
    return { ...c, entityIds, blobs };
  }
  return { ...c, entityIds, fields: c.fields.map((f) => changeColumn(f, keep, newIds.length, p, rand)) };
}

/** A random next snapshot derived from `base`, borrowing whole components from `donor`. */
export function mutate(base: PackedSnapshot, donor: PackedSnapshot, seed: number): PackedSnapshot {
  const rand = prng(seed);
  const taken = new Set<number>([...base.entities, ...base.components.flatMap((c) => [...c.entityIds])]);
  const components: PackedComponent[] = [];
  for (const c of base.components) {
    const roll = rand();
    if (roll < 0.1) continue; // removed
    if (roll < 0.2) {
      // Schema change: a field retyped, dropped or the layout switched.
      const swap = donor.components[Math.floor(rand() * donor.components.length)];
      if (swap !== undefined) components.push({ ...swap, id: c.id });
      else if (c.layout === 'columns') components.push({ ...c, fields: c.fields.slice(1) });
      continue;
    }
    components.push(roll < 0.3 ? c : mutateComponent(c, taken, rand));
  }
  for (const c of donor.components) {
    if (rand() < 0.3 && !components.some((x) => x.id === c.id)) components.push(c);
  }
  if (rand() < 0.3) {
    const ids = Uint32Array.from(freshIds(taken, Math.floor(rand() * 4), rand));
    components.push({ id: `blobs-${Math.floor(rand() * 3)}`, layout: 'blobs', entityIds: ids, blobs: [...ids].map((id) => encodeBlob({ id, at: rand() < 0.5 ? -0 : NaN })) });
    if (components.filter((x) => x.id === components.at(-1)!.id).length > 1) components.pop();
  }
  if (rand() < 0.2) components.reverse();

  let entities = [...base.entities].filter(() => rand() > 0.1);
  entities.push(...freshIds(taken, Math.floor(rand() * 3), rand));
  if (rand() < 0.1) entities = entities.reverse();
  // Every entity with a component is in the world (writers refuse rows of other entities).
  const inWorld = new Set(entities);
  for (const c of components) {
    for (const id of c.entityIds) {
      if (!inWorld.has(id)) {
        inWorld.add(id);
        entities.push(id);
      }
    }
  }

  const metadata: Record<string, unknown> = { ...base.metadata };
  const keys = Object.keys(metadata);
  if (keys.length > 0 && rand() < 0.3) delete metadata[keys[Math.floor(rand() * keys.length)]!];
  if (rand() < 0.3) metadata[`k${Math.floor(rand() * 4)}`] = rand() < 0.5 ? -0 : { nested: [1n, 'x'] };
  const reordered = rand() < 0.1 ? Object.fromEntries(Object.entries(metadata).reverse()) : metadata;

  const next: PackedSnapshot = {
    timestamp: rand() < 0.5 ? base.timestamp : base.timestamp + 16,
    worldTime: rand() < 0.5 ? base.worldTime : -0,
    version: rand() < 0.9 ? base.version : `${base.version}+1`,
    schemaVersion: rand() < 0.9 ? base.schemaVersion : base.schemaVersion + 1,
    metadata: reordered,
    entities: Uint32Array.from(entities),
    components,
  };
  const md = new Map<number, EntityMetadata>(base.entityMetadata ?? []);
  for (const id of [...md.keys()]) if (rand() < 0.2) md.delete(id);
  if (rand() < 0.3 && entities.length > 0) md.set(entities[Math.floor(rand() * entities.length)]!, { created: rand(), tags: ['t'] });
  if (md.size > 0) next.entityMetadata = rand() < 0.1 ? new Map([...md].reverse()) : md;
  // A component order lists exactly the entity's components.
  const componentsOf = (entity: number): string[] => components.filter((c) => c.entityIds.includes(entity)).map((c) => c.id);
  const first = entities[0];
  if (rand() < 0.2 && first !== undefined && componentsOf(first).length > 1) next.componentOrder = new Map([[first, componentsOf(first).reverse()]]);
  else if (rand() < 0.7 && base.componentOrder !== undefined) {
    // Keep the base's order when the entity keeps the same components, as a world usually would.
    const kept = [...base.componentOrder].filter(([entity, list]) => inWorld.has(entity) && sameSet(list, componentsOf(entity)));
    if (kept.length > 0) next.componentOrder = new Map(kept);
  }
  return next;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}
