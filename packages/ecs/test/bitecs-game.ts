// One bitECS "game instance": its own stores, the registry that saves them, and the simulation's view of them.
import { type World, addComponent, addEntity, createRelation, createWorld, getRelationTargets, hasComponent, query, removeComponent, removeEntity } from 'bitecs';
import { i32, ref } from 'bitecs/serialization';
import type { BitecsRegistry } from '../src/bitecs.js';
import type { Item, SimOps } from './sim.js';

export interface GameWorld extends World {
  rng?: { state: number };
  clock?: { tick: number; nextSerial: number };
}

/** Fresh stores for one game: bitECS stores are plain arrays outside the world. */
export function makeGame(capacity = 4096) {
  const Serial = { id: new Uint32Array(capacity) };
  const Body = { x: new Float32Array(capacity), y: new Float32Array(capacity), vx: new Float32Array(capacity), vy: new Float32Array(capacity), hp: i32([]) };
  const Target = { eid: ref([]) };
  const ChildOf = createRelation({ store: () => ({ drain: new Uint8Array(capacity) }), exclusive: true }); // pair data: hp lost per tick
  const Inventory: Item[][] = [];
  const Sprite = { handle: [] as string[] };
  const registry: BitecsRegistry = {
    schemaVersion: 1,
    components: {
      Serial: { component: Serial },
      Body: { component: Body },
      Target: { component: Target },
      ChildOf: { relation: ChildOf },
      Inventory: { component: Inventory, blob: true },
      Sprite: { component: Sprite, transient: true },
    },
    resources: {
      rng: { fields: { state: 'u32' }, get: (w) => (w as GameWorld).rng!, set: (w, v) => void ((w as GameWorld).rng = { state: v.state as number }) },
      clock: {
        fields: { tick: 'u32', nextSerial: 'u32' },
        get: (w) => (w as GameWorld).clock!,
        set: (w, v) => void ((w as GameWorld).clock = { tick: v.tick as number, nextSerial: v.nextSerial as number }),
      },
    },
    onLoaded: ({ world }) => {
      for (const eid of query(world, [Serial])) {
        addComponent(world, eid, Sprite);
        Sprite.handle[eid] = `sprite-${Serial.id[eid]}`;
      }
    },
  };
  const ops: SimOps<GameWorld, number> = {
    entities: (w) => Array.from(query(w, [Serial])),
    serial: (_w, e) => Serial.id[e]!,
    body: (_w, e) => ({ x: Body.x[e]!, y: Body.y[e]!, vx: Body.vx[e]!, vy: Body.vy[e]!, hp: Body.hp[e]! }),
    setBody: (_w, e, b) => {
      Body.x[e] = b.x;
      Body.y[e] = b.y;
      Body.vx[e] = b.vx;
      Body.vy[e] = b.vy;
      Body.hp[e] = b.hp;
    },
    target: (w, e) => (hasComponent(w, e, Target) ? Target.eid[e] : undefined),
    setTarget: (w, e, t) => {
      if (t === undefined) removeComponent(w, e, Target);
      else {
        addComponent(w, e, Target);
        Target.eid[e] = t;
      }
    },
    parent: (w, e) => getRelationTargets(w, e, ChildOf)[0],
    drain: (w, e) => ChildOf(getRelationTargets(w, e, ChildOf)[0]!).drain[e]!,
    setParent: (w, e, p, drain) => {
      for (const old of getRelationTargets(w, e, ChildOf)) removeComponent(w, e, ChildOf(old));
      if (p !== undefined) {
        addComponent(w, e, ChildOf(p));
        ChildOf(p).drain[e] = drain;
      }
    },
    items: (w, e) => (hasComponent(w, e, Inventory) ? Inventory[e]!.map((i) => ({ ...i })) : []),
    addItem: (w, e, item) => {
      if (!hasComponent(w, e, Inventory)) {
        addComponent(w, e, Inventory);
        Inventory[e] = [];
      }
      Inventory[e]!.push(item);
    },
    sprite: (w, e) => (hasComponent(w, e, Sprite) ? Sprite.handle[e] : undefined),
    spawn: (w, serial, b) => {
      const e = addEntity(w);
      addComponent(w, e, Serial);
      addComponent(w, e, Body);
      addComponent(w, e, Sprite);
      Serial.id[e] = serial;
      Sprite.handle[e] = `sprite-${serial}`;
      ops.setBody(w, e, b);
      return e;
    },
    despawn: (w, e) => removeEntity(w, e),
    rng: (w) => w.rng!,
    setRng: (w, state) => void (w.rng = { state }),
    clock: (w) => w.clock!,
    setClock: (w, clock) => void (w.clock = clock),
  };
  return { Serial, Body, Target, ChildOf, Inventory, Sprite, registry, ops, createWorld: (): GameWorld => createWorld() };
}
