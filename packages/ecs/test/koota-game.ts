// The simulation's koota traits, relations and world resources, and the registry that saves them.
import { type Entity, type World, createWorld, relation, trait } from 'koota';
import { type KootaRegistry, worldTraitResource } from '../src/koota.js';
import type { Item, SimOps } from './sim.js';

export const Serial = trait({ id: 0 });
export const Body = trait({ x: 0, y: 0, vx: 0, vy: 0, hp: 0 });
export const Targets = relation({ exclusive: true });
export const ChildOf = relation({ exclusive: true, store: { drain: 0 } }); // pair data: hp lost per tick
export const Inventory = trait(() => ({ items: [] as Item[] }));
export const Sprite = trait(() => ({ handle: '' }));
export const Rng = trait({ state: 0 });
export const Clock = trait({ tick: 0, nextSerial: 0 });

export const registry: KootaRegistry = {
  schemaVersion: 1,
  components: {
    Serial: { trait: Serial, fields: { id: 'u32' } },
    Body: { trait: Body, fields: { hp: 'i32' } },
    Targets: { relation: Targets },
    ChildOf: { relation: ChildOf, fields: { drain: 'u8' } },
    Inventory: { trait: Inventory },
    Sprite: { trait: Sprite, transient: true },
  },
  resources: {
    rng: worldTraitResource(Rng, { state: 'u32' }),
    clock: worldTraitResource(Clock, { tick: 'u32', nextSerial: 'u32' }),
  },
  onLoaded: ({ world }) => {
    for (const e of world.query(Serial)) e.add(Sprite({ handle: `sprite-${e.get(Serial)!.id}` }));
  },
};

/** A new world holding the simulation's resources. */
export const newWorld = (): World => createWorld(Rng, Clock);

function setRelation(e: Entity, rel: typeof Targets, to: Entity | undefined): void {
  const old = e.targetFor(rel);
  if (old !== undefined) e.remove(rel(old));
  if (to !== undefined) e.add(rel(to));
}

function setParent(e: Entity, to: Entity | undefined, drain: number): void {
  const old = e.targetFor(ChildOf);
  if (old !== undefined) e.remove(ChildOf(old));
  if (to !== undefined) e.add(ChildOf(to, { drain }));
}

export const ops: SimOps<World, Entity> = {
  entities: (w) => [...w.query(Serial)],
  serial: (_w, e) => e.get(Serial)!.id,
  body: (_w, e) => ({ ...e.get(Body)! }),
  setBody: (_w, e, b) => e.set(Body, b),
  target: (_w, e) => e.targetFor(Targets),
  setTarget: (_w, e, t) => setRelation(e, Targets, t),
  parent: (_w, e) => e.targetFor(ChildOf),
  drain: (_w, e) => e.get(ChildOf(e.targetFor(ChildOf)!))!.drain,
  setParent: (_w, e, p, drain) => setParent(e, p, drain),
  items: (_w, e) => (e.get(Inventory)?.items ?? []).map((i) => ({ ...i })),
  addItem: (_w, e, item) => {
    if (!e.has(Inventory)) e.add(Inventory({ items: [] }));
    e.set(Inventory, { items: [...e.get(Inventory)!.items, item] });
  },
  sprite: (_w, e) => e.get(Sprite)?.handle,
  spawn: (w, serial, b) => w.spawn(Serial({ id: serial }), Body(b), Sprite({ handle: `sprite-${serial}` })),
  despawn: (_w, e) => e.destroy(),
  rng: (w) => ({ ...w.get(Rng)! }),
  setRng: (w, state) => w.set(Rng, { state }),
  clock: (w) => ({ ...w.get(Clock)! }),
  setClock: (w, clock) => w.set(Clock, clock),
};
