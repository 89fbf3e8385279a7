// A small game written from the README only, as a new koota user would: spawn, add and remove
// traits, tags, relations with data, destroy and id reuse, world traits, save, load into a fresh
// world and into a world that already has entities.
import { decodeSnapshot, encodeSnapshot } from '@tx2/pack-format';
import { $internal, createWorld, type Entity, ordered, relation, trait, type World } from 'koota';
import { describe, expect, it } from 'vitest';
import { type IdMap, type KootaRegistry, loadWorld, saveWorld, worldTraitResource } from '../src/koota.js';

const Position = trait({ x: 0, y: 0 });
const Health = trait({ hp: 100, alive: true, name: '' });
const Player = trait(); // a tag
const Bag = trait(() => ({ items: [] as { kind: string; owner?: Entity }[] }));
const ChildOf = relation({ exclusive: true, store: { weight: 0 } });
const Likes = relation();
const Targeting = relation({ store: { since: 0, by: 0 as unknown as Entity | undefined } });
const Clock = trait({ tick: 0 });
const registry: KootaRegistry = {
  components: {
    Position: { trait: Position, fields: { x: 'f32', y: 'f32' } },
    Health: { trait: Health },
    Player: { trait: Player },
    Bag: { trait: Bag, refs: ['items[].owner'] },
    ChildOf: { relation: ChildOf },
    Likes: { relation: Likes },
    Targeting: { relation: Targeting, fields: { since: 'u32', by: 'entity' } },
  },
  resources: { clock: worldTraitResource(Clock, { tick: 'u32' }) },
};

/** Everything a player could see of each spawned entity of `world`, entities passed through `name`. */
function describeWorld(world: World, name: (e: Entity) => unknown): unknown[] {
  const self = (world as unknown as { [$internal]: { worldEntity: Entity } })[$internal].worldEntity;
  const rows = world.entities
    .filter((e) => e !== self)
    .map((e) => {
      const row: Record<string, unknown> = { id: name(e) };
      if (e.has(Position)) row.pos = e.get(Position);
      if (e.has(Health)) row.health = e.get(Health);
      if (e.has(Player)) row.player = true;
      if (e.has(Bag)) row.bag = e.get(Bag)!.items.map((i) => ({ kind: i.kind, owner: i.owner === undefined ? undefined : name(i.owner) }));
      const parent = e.targetFor(ChildOf);
      if (parent !== undefined) row.childOf = { parent: name(parent), ...e.get(ChildOf(parent)) };
      const likes = e.targetsFor(Likes);
      if (likes.length > 0) row.likes = likes.map((t) => String(name(t))).sort();
      const targets = e.targetsFor(Targeting);
      if (targets.length > 0) {
        row.targeting = targets
          .map((t) => {
            const data = e.get(Targeting(t))!;
            return { target: name(t), since: data.since, by: data.by === undefined ? undefined : name(data.by) };
          })
          .sort((p, q) => String(p.target).localeCompare(String(q.target)));
      }
      return row;
    });
  return rows.sort((a, b) => String((a as { id: unknown }).id).localeCompare(String((b as { id: unknown }).id)));
}

function play(): { world: World; hero: Entity; reused: Entity; goneId: number } {
  const world = createWorld(Clock({ tick: 7 }));
  const hero = world.spawn(Position({ x: 1.5, y: 2 }), Health({ hp: 90, name: 'hero' }), Player);
  const goblins = Array.from({ length: 4 }, (_, i) => world.spawn(Position({ x: i, y: -i }), Health({ hp: 10 + i, alive: i !== 2 })));
  const goneId = goblins[1]!.id();
  goblins[1]!.destroy(); // its id is reused by the next spawn, with a new generation
  const pet = world.spawn(ChildOf(hero, { weight: 0.5 }), Likes(hero), Likes(goblins[0]!));
  pet.add(Targeting(goblins[3]!, { since: 12, by: hero }), Targeting(hero, { since: 3, by: undefined }));
  goblins[3]!.remove(Health); // a trait removed
  hero.add(Bag({ items: [{ kind: 'sword', owner: hero }, { kind: 'bone', owner: pet }, { kind: 'gem' }] }));
  world.spawn(); // an entity with no traits
  world.set(Clock, { tick: 8 });
  return { world, hero, reused: pet, goneId };
}

const mapped = (idMap: IdMap) => (e: Entity) => idMap.get(e >>> 0) ?? `unsaved ${e}`;

describe('a koota game written from the README', () => {
  it('a destroyed entity’s id is reused by the next spawn; the save holds only live entities', () => {
    const { world, reused, goneId } = play();
    expect(reused.id()).toBe(goneId);
    const snapshot = saveWorld(world, registry);
    expect(snapshot.entities.length).toBe(6);
    expect(snapshot.components.map((c) => c.id)).toEqual(['Position', 'Health', 'Player', 'Bag', 'ChildOf', 'ChildOf#0', 'Likes', 'Targeting', 'Targeting#0', 'Targeting#1']);
  });

  it('save → load into a FRESH world: the same world, seen through idMap', () => {
    const { world } = play();
    const bytes = encodeSnapshot(saveWorld(world, registry));
    const { world: loaded, idMap } = loadWorld(decodeSnapshot(bytes), registry);
    expect(idMap.size).toBe(6);
    expect(describeWorld(loaded, (e) => e)).toEqual(describeWorld(world, mapped(idMap)));
    expect(loaded.get(Clock)).toEqual({ tick: 8 });
  });

  it('save → load into a world that already has entities: theirs are untouched, ours are new', () => {
    const { world, hero } = play();
    const bytes = encodeSnapshot(saveWorld(world, registry));
    const host = createWorld();
    const locals = Array.from({ length: 6 }, (_, i) => host.spawn(Position({ x: 100 + i, y: 0 }), Player));
    locals[2]!.destroy();
    const before = describeWorld(host, (e) => `local ${e}`);
    const { idMap } = loadWorld(decodeSnapshot(bytes), registry, { into: host });
    const ours = new Set([...idMap.values()]);
    expect([...ours].some((e) => locals.includes(e as Entity))).toBe(false);
    expect(describeWorld(host, (e) => (ours.has(e) ? e : `local ${e}`)).filter((r) => String((r as { id: unknown }).id).startsWith('local'))).toEqual(before);
    expect(host.query(Player).length).toBe(5 + 1);
    expect(host.get(Clock)).toEqual({ tick: 8 }); // the world trait was added to the host
    const newHero = idMap.get(hero >>> 0) as Entity;
    expect(host.query(ChildOf(newHero)).length).toBe(1);
  });

  it('the loaded world keeps playing: relations can be changed and the next save loads again', () => {
    const { world, hero } = play();
    const { world: loaded, idMap } = loadWorld(saveWorld(world, registry), registry);
    const newHero = idMap.get(hero >>> 0) as Entity;
    const pet = loaded.queryFirst(ChildOf(newHero))!;
    pet.set(ChildOf(newHero), { weight: 2 });
    pet.remove(Likes(newHero));
    newHero.destroy();
    const again = loadWorld(saveWorld(loaded, registry), registry);
    const pets = again.world.query(Likes('*'));
    expect(pets.length).toBe(1);
    expect(pets[0]!.targetFor(ChildOf)).toBeUndefined(); // its parent was destroyed before the save
    expect(pets[0]!.targetsFor(Targeting).length).toBe(1);
  });

  it('an empty world (no entity, traits never used) saves and loads', () => {
    const world = createWorld(Clock);
    const { world: loaded, idMap } = loadWorld(decodeSnapshot(encodeSnapshot(saveWorld(world, registry))), registry);
    expect(idMap.size).toBe(0);
    expect(loaded.query(Position).length).toBe(0);
    expect(loaded.get(Clock)).toEqual({ tick: 0 });
  });

  it('a reference to a destroyed entity whose id was reused loads as none, not as the newcomer', () => {
    const Aim = trait({ at: 0 as unknown as Entity | undefined });
    const reg: KootaRegistry = { components: { Aim: { trait: Aim, fields: { at: 'entity' } }, Player: { trait: Player } } };
    const world = createWorld();
    const victim = world.spawn();
    const hunter = world.spawn(Aim({ at: victim }));
    victim.destroy(); // the hunter still holds the stale entity (koota does not clear trait fields)
    const newcomer = world.spawn(Player); // same index, new generation
    expect(newcomer.id()).toBe(victim.id());
    const { idMap } = loadWorld(decodeSnapshot(encodeSnapshot(saveWorld(world, reg))), reg);
    const nHunter = idMap.get(hunter >>> 0) as Entity;
    expect(nHunter.get(Aim)!.at).toBeUndefined();
  });

  it('an ordered relation (`ordered(ChildOf)`) keeps its order, whatever order the children were spawned in', () => {
    const Parent = relation();
    const Kids = ordered(Parent);
    const reg: KootaRegistry = { components: { Kids: { trait: Kids }, Parent: { relation: Parent }, Health: { trait: Health } } };
    const world = createWorld();
    const mother = world.spawn(Kids);
    const kids = ['a', 'b', 'c', 'd'].map((name) => world.spawn(Health({ name })));
    const list = mother.get(Kids)!;
    for (const k of [kids[2]!, kids[0]!, kids[3]!, kids[1]!]) list.push(k);
    list.moveTo(kids[1]!, 0);
    const names = (m: Entity) => [...m.get(Kids)!].map((k) => k.get(Health)!.name);
    expect(names(mother)).toEqual(['b', 'c', 'a', 'd']);
    const { idMap } = loadWorld(decodeSnapshot(encodeSnapshot(saveWorld(world, reg))), reg);
    const newMother = idMap.get(mother >>> 0) as Entity;
    expect(names(newMother)).toEqual(['b', 'c', 'a', 'd']);
    const popped = newMother.get(Kids)!.pop()!; // still an ordered list in sync with the relation
    expect(popped.get(Health)!.name).toBe('d');
    expect(popped.has(Parent(newMother))).toBe(false);
    expect([...loadWorld(saveWorld(world, reg), reg).world.query(Parent('*'))].length).toBe(4);
  });

  it('an ordered relation whose relation is not registered is refused', () => {
    const Parent = relation();
    const Kids = ordered(Parent);
    expect(() => saveWorld(createWorld(), { components: { Kids: { trait: Kids } } })).toThrow(/"Kids" is an ordered relation whose relation is not in the registry/);
  });
});
