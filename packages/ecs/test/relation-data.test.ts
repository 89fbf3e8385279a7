import { applyDelta, decodeSnapshot, diff, encodeSnapshot, isPackError, remapEntities } from '@tx2/pack-format';
import { addComponent, addEntity, createRelation, createWorld, getRelationTargets, query, removeEntity, withStore } from 'bitecs';
import { f32, ref } from 'bitecs/serialization';
import { createWorld as createKootaWorld, relation, trait } from 'koota';
import { describe, expect, it } from 'vitest';
import * as bitecs from '../src/bitecs.js';
import * as koota from '../src/koota.js';

describe('relation data (bitECS)', () => {
  it('saves each pair’s store data and loads it onto the remapped pair, refs in the data remapped', () => {
    const Contains = createRelation(withStore(() => ({ amount: new Uint16Array(64), weight: f32([]), owner: ref([]), note: [] as string[] })));
    const ChildOf = createRelation({ store: () => ({ weight: new Float32Array(64) }), exclusive: true });
    const registry = { components: { Contains: { relation: Contains, fields: { note: 'string' as const } }, ChildOf: { relation: ChildOf } } };
    const world = createWorld();
    const [bag, gold, gem, child] = [addEntity(world), addEntity(world), addEntity(world), addEntity(world)];
    addComponent(world, bag, Contains(gold));
    addComponent(world, bag, Contains(gem));
    Contains(gold).amount[bag] = 10;
    Contains(gold).weight[bag] = 0.25;
    Contains(gold).owner[bag] = child;
    Contains(gold).note[bag] = 'shiny';
    Contains(gem).amount[bag] = 3;
    Contains(gem).weight[bag] = 1.5;
    Contains(gem).owner[bag] = gem;
    Contains(gem).note[bag] = '';
    addComponent(world, child, ChildOf(bag));
    ChildOf(bag).weight[child] = 0.1;

    const fresh = createWorld();
    for (let i = 0; i < 9; i++) addEntity(fresh); // occupied ids
    const { idMap } = bitecs.loadWorld(decodeSnapshot(encodeSnapshot(bitecs.saveWorld(world, registry))), registry, { into: fresh });
    const [nBag, nGold, nGem, nChild] = [bag, gold, gem, child].map((e) => idMap.get(e)!) as [number, number, number, number];
    expect(nBag).not.toBe(bag);
    expect(new Set(getRelationTargets(fresh, nBag, Contains))).toEqual(new Set([nGold, nGem]));
    expect([Contains(nGold).amount[nBag], Contains(nGold).weight[nBag], Contains(nGold).owner[nBag], Contains(nGold).note[nBag]]).toEqual([10, 0.25, nChild, 'shiny']);
    expect([Contains(nGem).amount[nBag], Contains(nGem).weight[nBag], Contains(nGem).owner[nBag], Contains(nGem).note[nBag]]).toEqual([3, 1.5, nGem, '']);
    expect(getRelationTargets(fresh, nChild, ChildOf)).toEqual([nBag]);
    expect(ChildOf(nBag).weight[nChild]).toBe(Math.fround(0.1));
    expect(query(fresh, [ChildOf(nBag)])).toEqual([nChild]);
  });

  it('a relation store with an untyped array fails naming the relation and the field; a relation without store saves targets only', () => {
    const Likes = createRelation(withStore(() => ({ how: [] as number[] })));
    const world = createWorld();
    const a = addEntity(world);
    addComponent(world, a, Likes(addEntity(world)));
    const err = (() => {
      try {
        bitecs.saveWorld(world, { components: { Likes: { relation: Likes } } });
      } catch (e) {
        return e;
      }
    })();
    expect(isPackError(err) && err.code === 'SchemaMismatch' && err.details).toMatchObject({ library: 'bitecs', component: 'Likes', field: 'how' });
    const Plain = createRelation();
    addComponent(world, a, Plain(a));
    const snap = bitecs.saveWorld(world, { components: { Plain: { relation: Plain } } });
    expect(snap.components.map((c) => c.id)).toEqual(['Plain']);
    expect(() => bitecs.saveWorld(world, { components: { Plain: { relation: Plain, fields: { w: 'f32' } } } })).toThrow(/has no store/);
  });

  it('a pair whose target was despawned before the save is gone with it; data of the others stays aligned', () => {
    const Contains = createRelation(withStore(() => ({ amount: new Uint8Array(32) })));
    const registry = { components: { Contains: { relation: Contains } } };
    const world = createWorld();
    const bag = addEntity(world);
    const items = [addEntity(world), addEntity(world), addEntity(world)];
    items.forEach((item, i) => {
      addComponent(world, bag, Contains(item));
      Contains(item).amount[bag] = 10 + i;
    });
    removeEntity(world, items[0]!);
    const { world: loaded, idMap } = bitecs.loadWorld(bitecs.saveWorld(world, registry), registry);
    const nBag = idMap.get(bag)!;
    const got = getRelationTargets(loaded, nBag, Contains)
      .map((t) => Contains(t).amount[nBag])
      .sort();
    expect(got).toEqual([11, 12]);
  });
});

describe('relation data (koota)', () => {
  it('saves struct-of-arrays store data per pair, entity fields remapped, into a world that already has entities', () => {
    const Contains = relation({ store: { amount: 0, fresh: true, label: '', by: 0 } });
    const Wants = relation({ store: () => ({ list: [] as number[] }) });
    const Tag = trait();
    const registry = {
      components: { Tag: { trait: Tag }, Contains: { relation: Contains, fields: { amount: 'u16' as const, by: 'entity' as const } }, Wants: { relation: Wants } },
    };
    const world = createKootaWorld();
    const bag = world.spawn(Tag);
    const gold = world.spawn();
    const gem = world.spawn();
    bag.add(Contains(gold, { amount: 10, fresh: false, label: 'g', by: gem }), Contains(gem, { amount: 3, by: undefined as never }));
    gem.add(Wants(bag, { list: [1, 2] }));
    const fresh = createKootaWorld();
    for (let i = 0; i < 5; i++) fresh.spawn();
    const { idMap } = koota.loadWorld(decodeSnapshot(encodeSnapshot(koota.saveWorld(world, registry))), registry, { into: fresh });
    const [nBag, nGold, nGem] = [bag, gold, gem].map((e) => idMap.get(e >>> 0)!) as unknown as [typeof bag, typeof bag, typeof bag];
    expect(nBag).not.toBe(bag);
    expect(nBag.has(Tag)).toBe(true);
    expect(nBag.get(Contains(nGold))).toEqual({ amount: 10, fresh: false, label: 'g', by: nGem });
    expect(nBag.get(Contains(nGem))).toEqual({ amount: 3, fresh: true, label: '', by: undefined });
    expect(nGem.get(Wants(nBag))).toEqual({ list: [1, 2] });
    expect([...fresh.query(Contains(nGold))]).toEqual([nBag]);
  });

  it('a field the store schema cannot type fails naming the relation and the field', () => {
    const Holds = relation({ store: { what: null } });
    const world = createKootaWorld();
    const a = world.spawn();
    a.add(Holds(world.spawn()));
    expect(() => koota.saveWorld(world, { components: { Holds: { relation: Holds } } })).toThrow(/field "what" of component "Holds"/);
  });
});

describe('relation data in deltas and format-level remaps', () => {
  it('a delta between saves whose pair count changed rebuilds the later save, data included', () => {
    const Contains = relation({ store: { amount: 0 } });
    const registry = { components: { Contains: { relation: Contains, fields: { amount: 'u16' as const } } } };
    const world = createKootaWorld();
    const bag = world.spawn();
    const [gold, gem] = [world.spawn(), world.spawn()];
    bag.add(Contains(gold, { amount: 1 }), Contains(gem, { amount: 2 }));
    const first = koota.saveWorld(world, registry, { timestamp: 1 });
    bag.remove(Contains(gem));
    bag.set(Contains(gold), { amount: 5 });
    const second = koota.saveWorld(world, registry, { timestamp: 2 });
    expect(second.components.map((c) => c.id)).toEqual(['Contains', 'Contains#0']);
    const rebuilt = applyDelta(first, diff(first, second));
    const { world: loaded, idMap } = koota.loadWorld(rebuilt, registry);
    expect(loaded.query(Contains('*')).length).toBe(1);
    const nBag = idMap.get(bag >>> 0) as unknown as typeof bag;
    expect(nBag.targetsFor(Contains)).toEqual([idMap.get(gold >>> 0)]);
    expect(nBag.get(Contains(idMap.get(gold >>> 0) as unknown as typeof bag))).toEqual({ amount: 5 });
  });

  it('remapEntities renames relation targets and entity fields of pair data, and the result loads the same', () => {
    const Follows = createRelation({ store: () => ({ leader: ref([]), gap: new Float32Array(16) }) });
    const registry = { components: { Follows: { relation: Follows } } };
    const world = createWorld();
    const [a, b, c] = [addEntity(world), addEntity(world), addEntity(world)];
    addComponent(world, a, Follows(b));
    Follows(b).leader[a] = c;
    Follows(b).gap[a] = 2.5;
    const snapshot = bitecs.saveWorld(world, registry);
    const renamed = remapEntities(
      snapshot,
      new Map([
        [a, 100],
        [b, 200],
        [c, 300],
      ]),
    );
    const { world: loaded, idMap } = bitecs.loadWorld(renamed, registry);
    const [na, nb, nc] = [100, 200, 300].map((e) => idMap.get(e)!) as [number, number, number];
    expect(getRelationTargets(loaded, na, Follows)).toEqual([nb]);
    expect([Follows(nb).leader[na], Follows(nb).gap[na]]).toEqual([nc, 2.5]);
  });
});
