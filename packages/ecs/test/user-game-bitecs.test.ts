// A small game written from the README only, as a new bitECS user would: spawn, add and remove
// components, tags, relations with data, despawn and id reuse, save, load into a fresh world and
// into a world that already has entities.
import { decodeSnapshot, encodeSnapshot } from '@tx2/pack-format';
import {
  addComponent,
  addEntity,
  createRelation,
  createEntityIndex,
  createWorld,
  entityExists,
  getAllEntities,
  getRelationTargets,
  hasComponent,
  query,
  removeComponent,
  removeEntity,
  type World,
  withVersioning,
} from 'bitecs';
import { ref } from 'bitecs/serialization';
import { describe, expect, it } from 'vitest';
import { type BitecsRegistry, type IdMap, loadWorld, saveWorld } from '../src/bitecs.js';

const N = 256;
const Position = { x: new Float32Array(N), y: new Float32Array(N) };
const Health = { hp: new Uint8Array(N) };
const Target = { eid: ref([]) };
const Player = {}; // a tag
const Inventory: unknown[] = []; // nested data, saved whole
const ChildOf = createRelation({ store: () => ({ weight: new Float32Array(N) }), exclusive: true });
const Likes = createRelation();
const registry: BitecsRegistry = {
  components: {
    Position: { component: Position },
    Health: { component: Health },
    Target: { component: Target },
    Player: { component: Player },
    Inventory: { component: Inventory, blob: true, refs: ['items[].owner'] },
    ChildOf: { relation: ChildOf },
    Likes: { relation: Likes },
  },
};

/** An entity id in a description, renamed later (the original world must be read before a load writes the shared stores). */
const ref$ = (eid: number) => ({ $e: eid });

/** Everything a player could see of each entity, entity ids marked with `ref$`. */
function describeWorld(world: World): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const eid of getAllEntities(world)) {
    const row: Record<string, unknown> = { id: ref$(eid) };
    if (hasComponent(world, eid, Position)) row.pos = [Position.x[eid], Position.y[eid]];
    if (hasComponent(world, eid, Health)) row.hp = Health.hp[eid];
    if (hasComponent(world, eid, Target)) row.target = Target.eid[eid] === undefined ? undefined : ref$(Target.eid[eid]);
    if (hasComponent(world, eid, Player)) row.player = true;
    if (hasComponent(world, eid, Inventory)) {
      const inv = Inventory[eid] as { items: { kind: string; owner: number }[] };
      row.inventory = inv.items.map((i) => ({ kind: i.kind, owner: ref$(i.owner) }));
    }
    const parent = getRelationTargets(world, eid, ChildOf)[0];
    if (parent !== undefined) row.childOf = { parent: ref$(parent), weight: ChildOf(parent).weight[eid] };
    const likes = getRelationTargets(world, eid, Likes);
    if (likes.length > 0) row.likes = likes.map(ref$);
    out.push(row);
  }
  return out;
}

/** The description with every entity id passed through `name`, rows and lists in a stable order. */
function named(rows: Record<string, unknown>[], name: (eid: number) => unknown): unknown[] {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      if ('$e' in v) return name((v as { $e: number }).$e);
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'likes' ? (walk(x) as unknown[]).map(String).sort() : walk(x)]));
    }
    return v;
  };
  return rows.map(walk).sort((a, b) => String((a as { id: unknown }).id).localeCompare(String((b as { id: unknown }).id)));
}

function play(): { world: World; hero: number } {
  const world = createWorld();
  const hero = addEntity(world);
  addComponent(world, hero, Position);
  addComponent(world, hero, Health);
  addComponent(world, hero, Player);
  Position.x[hero] = 1.5;
  Health.hp[hero] = 100;
  const goblins: number[] = [];
  for (let i = 0; i < 5; i++) {
    const g = addEntity(world);
    addComponent(world, g, Position);
    addComponent(world, g, Target);
    Position.y[g] = i;
    Target.eid[g] = hero;
    goblins.push(g);
  }
  removeEntity(world, goblins[1]!); // despawned: its id may be reused below
  const pet = addEntity(world);
  addComponent(world, pet, ChildOf(hero));
  ChildOf(hero).weight[pet] = 0.75;
  addComponent(world, pet, Likes(hero));
  addComponent(world, pet, Likes(goblins[2]!));
  addComponent(world, pet, Health);
  Health.hp[pet] = 9;
  removeComponent(world, goblins[3]!, Target); // a component removed
  addComponent(world, hero, Inventory);
  Inventory[hero] = {
    items: [
      { kind: 'sword', owner: hero },
      { kind: 'bone', owner: pet },
    ],
  };
  addEntity(world); // an entity with no components
  return { world, hero };
}

const mapped = (idMap: IdMap) => (eid: number) => idMap.get(eid) ?? `unsaved ${eid}`;

describe('a bitECS game written from the README', () => {
  it('despawned ids are reused by bitECS and the save holds only live entities', () => {
    const { world } = play();
    const snapshot = saveWorld(world, registry);
    expect([...snapshot.entities].sort()).toEqual([...getAllEntities(world)].sort());
    expect(snapshot.entities.length).toBe(7);
  });

  it('save → load into a FRESH world: the same world, seen through idMap', () => {
    const { world } = play();
    const bytes = encodeSnapshot(saveWorld(world, registry));
    // bitECS stores are shared by every world that uses them: read the original before the load
    // writes the copy into the same arrays.
    const before = describeWorld(world);
    const { world: loaded, idMap } = loadWorld(decodeSnapshot(bytes), registry);
    expect(idMap.size).toBe(7);
    expect(named(describeWorld(loaded), (e) => e)).toEqual(named(before, mapped(idMap)));
  });

  it('save → load into a world that already has entities: theirs are untouched, ours get free ids', () => {
    const { world, hero } = play();
    const bytes = encodeSnapshot(saveWorld(world, registry));
    const host = createWorld();
    const locals: number[] = [];
    for (let i = 0; i < 12; i++) {
      const e = addEntity(host);
      addComponent(host, e, Position);
      Position.x[e] = 100 + i;
      locals.push(e);
    }
    removeEntity(host, locals[4]!);
    const before = named(describeWorld(host), (e) => `local ${e}`);
    const { idMap } = loadWorld(decodeSnapshot(bytes), registry, { into: host });
    const newIds = [...idMap.values()];
    expect(newIds.some((e) => locals.includes(e) && e !== locals[4])).toBe(false);
    expect(newIds.every((e) => entityExists(host, e))).toBe(true);
    const localRows = named(describeWorld(host), (e) => (newIds.includes(e) ? e : `local ${e}`)).filter((r) => String((r as { id: unknown }).id).startsWith('local'));
    expect(localRows).toEqual(before);
    expect(query(host, [Player])).toEqual([idMap.get(hero)]);
    expect(query(host, [Position]).length).toBe(11 + 5);
  });

  it('saving twice and loading twice gives two independent copies (no shared state)', () => {
    const { world, hero } = play();
    const snap = saveWorld(world, registry);
    const host = createWorld();
    const first = loadWorld(snap, registry, { into: host }).idMap;
    const second = loadWorld(snap, registry, { into: host }).idMap;
    expect(first.get(hero)).not.toBe(second.get(hero));
    expect(query(host, [Player]).length).toBe(2);
    expect(getRelationTargets(host, [...query(host, [ChildOf(second.get(hero)!)])][0]!, ChildOf)).toEqual([second.get(hero)]);
  });

  it('an empty world (no entity, components and relations never used) saves and loads', () => {
    const { world: loaded, idMap } = loadWorld(decodeSnapshot(encodeSnapshot(saveWorld(createWorld(), registry))), registry);
    expect(idMap.size).toBe(0);
    expect(getAllEntities(loaded).length).toBe(0);
  });

  it('a world with a versioned entity index (ids carry a version after reuse) saves and loads', () => {
    const Pos = { x: [] as number[] };
    const reg: BitecsRegistry = { components: { Pos: { component: Pos, fields: { x: 'f64' } }, Target: { component: Target } } };
    const world = createWorld(createEntityIndex(withVersioning(8)));
    const first = addEntity(world);
    removeEntity(world, first);
    const reused = addEntity(world); // same slot, next version: a large id
    expect(reused).not.toBe(first);
    const other = addEntity(world);
    addComponent(world, reused, Pos);
    addComponent(world, other, Target);
    Pos.x[reused] = 4.25;
    Target.eid[other] = reused;
    const { world: loaded, idMap } = loadWorld(decodeSnapshot(encodeSnapshot(saveWorld(world, reg))), reg, {
      into: createWorld(createEntityIndex(withVersioning(8))),
    });
    const [nReused, nOther] = [idMap.get(reused)!, idMap.get(other)!];
    expect(Pos.x[nReused]).toBe(4.25);
    expect(Target.eid[nOther]).toBe(nReused);
    expect(query(loaded, [Target])).toEqual([nOther]);
  });
});
