// A small game written from the README only, as a new miniplex user would: add entities, add and
// remove components, tags, pointers between entities, remove entities, save, load into a fresh
// world and into a world that already has entities.
import { decodeSnapshot, encodeSnapshot } from '@tx2/pack-format';
import { World } from 'miniplex';
import { describe, expect, it } from 'vitest';
import { loadWorld, type MiniplexRegistry, saveWorld } from '../src/miniplex.js';

type Entity = {
  name?: string;
  position?: { x: number; y: number };
  hp?: number;
  player?: true;
  target?: Entity;
  party?: Entity[];
  bag?: { items: { kind: string; owner?: Entity }[] };
  sprite?: { texture: string };
};

const registry: MiniplexRegistry<Entity> = {
  components: {
    name: { type: 'string' },
    position: { fields: { x: 'f32', y: 'f32' } },
    hp: { type: 'u8' },
    player: { type: 'bool' }, // a tag: `true` while the entity has it
    target: { type: 'entity' },
    party: { type: 'entities' },
    bag: { blob: true, refs: ['items[].owner'] },
    sprite: { transient: true },
  },
  onLoaded: ({ world }) => {
    for (const e of world.with('position')) world.addComponent(e, 'sprite', { texture: `${e.name}.png` });
  },
};

/** Everything a player could see, entities named by their `name`. */
function describeWorld(world: World<Entity>): unknown[] {
  const n = (e: Entity | undefined) => e?.name;
  return world.entities
    .map((e) => ({
      name: e.name,
      position: e.position,
      hp: e.hp,
      player: e.player,
      target: n(e.target),
      party: e.party?.map(n),
      bag: e.bag?.items.map((i) => ({ kind: i.kind, owner: n(i.owner) })),
      sprite: e.sprite?.texture,
    }))
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));
}

function play(): World<Entity> {
  const world = new World<Entity>();
  const hero = world.add({ name: 'hero', position: { x: 1.5, y: 2 }, hp: 90, player: true, sprite: { texture: 'hero.png' } });
  const goblins = [0, 1, 2].map((i) => world.add({ name: `goblin${i}`, position: { x: i, y: 0 }, hp: 10, target: hero, sprite: { texture: `goblin${i}.png` } }));
  world.remove(goblins[1]!); // removed: nobody points at it any more
  world.removeComponent(goblins[2]!, 'target');
  world.addComponent(hero, 'party', [goblins[0]!, goblins[2]!]);
  world.addComponent(hero, 'bag', { items: [{ kind: 'sword', owner: hero }, { kind: 'gem' }] });
  world.add({ name: 'note' }); // no position: gets no sprite
  return world;
}

describe('a miniplex game written from the README', () => {
  it('save → load into a FRESH world: the same world, pointers to the new objects, transient components rebuilt', () => {
    const world = play();
    const { world: loaded, idMap } = loadWorld(decodeSnapshot(encodeSnapshot(saveWorld(world, registry))), registry);
    expect(idMap.size).toBe(4);
    expect(describeWorld(loaded)).toEqual(describeWorld(world));
    const hero = loaded.entities.find((e) => e.name === 'hero')!;
    expect(loaded.entities.includes(hero.party![0]!)).toBe(true);
    expect(hero.bag!.items[0]!.owner).toBe(hero);
    expect([...loaded.with('player')]).toEqual([hero]); // archetype queries see loaded entities
  });

  it('save → load into a world that already has entities: theirs are untouched, pointers never cross over', () => {
    const world = play();
    const bytes = encodeSnapshot(saveWorld(world, registry));
    const host = new World<Entity>();
    const local = host.add({ name: 'local hero', hp: 1, player: true });
    host.add({ name: 'local goblin', target: local });
    const { idMap } = loadWorld(decodeSnapshot(bytes), registry, { into: host });
    expect(host.entities.length).toBe(6);
    expect(host.entities.find((e) => e.name === 'local goblin')!.target).toBe(local);
    const loadedHero = host.entities.find((e) => e.name === 'hero')!;
    expect(host.entities.filter((e) => e.target === loadedHero).map((e) => e.name)).toEqual(['goblin0']);
    expect([...idMap.values()].every((id) => host.entity(id) !== undefined)).toBe(true);
    expect([...host.with('player')].length).toBe(2);
  });

  it('a component that is not in the registry is refused by name; a pointer to a removed entity saves as none', () => {
    const world = play();
    world.add({ name: 'x', ...({ mana: 3 } as object) });
    expect(() => saveWorld(world, registry)).toThrow(/component "mana" is on an entity but not in the registry/);
    const other = play();
    const stray = { name: 'stray' };
    other.add({ name: 'follower', target: stray });
    const { world: loaded } = loadWorld(saveWorld(other, registry), registry);
    expect(loaded.entities.find((e) => e.name === 'follower')!.target).toBeUndefined();
  });
});
