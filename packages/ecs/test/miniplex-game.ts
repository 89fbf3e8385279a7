// The simulation's miniplex entities: plain objects whose target and parent point at other entities.
import { World } from 'miniplex';
import type { MiniplexRegistry } from '../src/miniplex.js';
import type { Body, Item, SimOps } from './sim.js';

export interface Unit {
  serial: number;
  body: Body;
  target?: Unit;
  parent?: Unit;
  drain?: number;
  inventory?: { items: Item[] };
  sprite?: { handle: string };
}

interface Resources {
  rng: { state: number };
  clock: { tick: number; nextSerial: number };
}

// miniplex has no world-level storage: the game keeps its resources beside each world.
const resources = new WeakMap<World<Unit>, Resources>();
const of = (w: World<Unit>): Resources => {
  let r = resources.get(w);
  if (r === undefined) {
    r = { rng: { state: 0 }, clock: { tick: 0, nextSerial: 1 } };
    resources.set(w, r);
  }
  return r;
};

export const registry: MiniplexRegistry<Unit> = {
  schemaVersion: 1,
  components: {
    serial: { type: 'u32' },
    body: { fields: { x: 'f64', y: 'f64', vx: 'f64', vy: 'f64', hp: 'i32' } },
    target: { type: 'entity' },
    parent: { type: 'entity' },
    drain: { type: 'u8' },
    inventory: { blob: true },
    sprite: { transient: true },
  },
  resources: {
    rng: { fields: { state: 'u32' }, get: (w) => of(w).rng, set: (w, v) => void (of(w).rng = { state: v.state as number }) },
    clock: {
      fields: { tick: 'u32', nextSerial: 'u32' },
      get: (w) => of(w).clock,
      set: (w, v) => void (of(w).clock = { tick: v.tick as number, nextSerial: v.nextSerial as number }),
    },
  },
  onLoaded: ({ world }) => {
    for (const e of world.with('serial')) world.addComponent(e, 'sprite', { handle: `sprite-${e.serial}` });
  },
};

export const ops: SimOps<World<Unit>, Unit> = {
  entities: (w) => [...w.with('serial')],
  serial: (_w, e) => e.serial,
  body: (_w, e) => ({ ...e.body }),
  setBody: (_w, e, b) => void Object.assign(e.body, b),
  target: (_w, e) => e.target,
  setTarget: (_w, e, t) => {
    if (t === undefined) delete e.target;
    else e.target = t;
  },
  parent: (_w, e) => e.parent,
  drain: (_w, e) => e.drain!,
  setParent: (_w, e, p, drain) => {
    if (p === undefined) {
      delete e.parent;
      delete e.drain;
    } else {
      e.parent = p;
      e.drain = drain;
    }
  },
  items: (_w, e) => (e.inventory?.items ?? []).map((i) => ({ ...i })),
  addItem: (_w, e, item) => {
    e.inventory ??= { items: [] };
    e.inventory.items.push(item);
  },
  sprite: (_w, e) => e.sprite?.handle,
  spawn: (w, serial, body) => w.add({ serial, body: { ...body }, sprite: { handle: `sprite-${serial}` } }),
  despawn: (w, e) => void w.remove(e),
  rng: (w) => ({ ...of(w).rng }),
  setRng: (w, state) => void (of(w).rng = { state }),
  clock: (w) => ({ ...of(w).clock }),
  setClock: (w, clock) => void (of(w).clock = { ...clock }),
};

export const newWorld = (): World<Unit> => new World<Unit>();
