import { decodeSnapshot, encodeSnapshot } from '@tx2/pack-format';
import { addComponent, addEntity, createWorld } from 'bitecs';
import { createWorld as createKootaWorld, relation, trait } from 'koota';
import { World } from 'miniplex';
import { describe, expect, it } from 'vitest';
import * as bitecs from '../src/bitecs.js';
import * as koota from '../src/koota.js';
import * as miniplex from '../src/miniplex.js';

describe('entity references inside blob components (`refs` paths)', () => {
  it('bitECS: ids at the declared paths are remapped, everything else is kept, the world’s own values are not touched', () => {
    const Squad = [] as unknown[];
    const registry = { components: { Squad: { component: Squad, blob: true as const, refs: ['leader', 'members[]', 'slots[].item', 'gone'] } } };
    const world = createWorld();
    const [a, b, c] = [addEntity(world), addEntity(world), addEntity(world)];
    addComponent(world, a, Squad);
    const value = { name: 'red', leader: b, members: [b, c], slots: [{ item: c, n: 1 }, { n: 2 }], gone: null, count: 7 };
    Squad[a] = value;
    const bytes = encodeSnapshot(bitecs.saveWorld(world, registry));
    expect(Squad[a]).toBe(value);
    expect(value.members).toEqual([b, c]);
    const fresh = createWorld();
    for (let i = 0; i < 6; i++) addEntity(fresh);
    const { idMap } = bitecs.loadWorld(decodeSnapshot(bytes), registry, { into: fresh });
    const [na, nb, nc] = [a, b, c].map((e) => idMap.get(e));
    expect(Squad[na!]).toEqual({ name: 'red', leader: nb, members: [nb, nc], slots: [{ item: nc, n: 1 }, { n: 2 }], gone: undefined, count: 7 });
  });

  it('bitECS: a non-id at a reference path fails naming the component; a malformed path fails', () => {
    const Squad = [] as unknown[];
    const world = createWorld();
    const a = addEntity(world);
    addComponent(world, a, Squad);
    Squad[a] = { leader: 'bob' };
    expect(() => bitecs.saveWorld(world, { components: { Squad: { component: Squad, blob: true, refs: ['leader'] } } })).toThrow(/component "Squad" has bob \(string\)/);
    expect(() => bitecs.saveWorld(world, { components: { Squad: { component: Squad, blob: true, refs: ['a..b'] } } })).toThrow(/not a path/);
    Squad[a] = { leader: 3 };
    expect(() => bitecs.saveWorld(world, { components: { Squad: { component: Squad, blob: true, refs: ['leader[]'] } } })).toThrow(/where the path has an array/);
  });

  it('koota: entities inside an array-of-structs trait come back as the new entities', () => {
    const Crew = trait(() => ({ captain: undefined as unknown, sailors: [] as unknown[] }));
    const registry = { components: { Crew: { trait: Crew, refs: ['captain', 'sailors[]'] } } };
    const world = createKootaWorld();
    const cap = world.spawn();
    const sailor = world.spawn();
    const ship = world.spawn(Crew({ captain: cap, sailors: [sailor, cap] }));
    const fresh = createKootaWorld();
    fresh.spawn();
    fresh.spawn();
    const { idMap } = koota.loadWorld(decodeSnapshot(encodeSnapshot(koota.saveWorld(world, registry))), registry, { into: fresh });
    const [nShip, nCap, nSailor] = [ship, cap, sailor].map((e) => idMap.get(e >>> 0)) as unknown as (typeof ship)[];
    expect(nShip!.get(Crew)).toEqual({ captain: nCap, sailors: [nSailor, nCap] });
    expect(fresh.has(nCap!)).toBe(true);
  });

  it('koota: entities inside the values of a relation whose store is a factory come back as the new entities', () => {
    const Wants = relation({ store: () => ({ from: undefined as unknown, also: [] as unknown[] }) });
    const registry = { components: { Wants: { relation: Wants, refs: ['from', 'also[]'] } } };
    const world = createKootaWorld();
    const shop = world.spawn();
    const rival = world.spawn();
    const buyer = world.spawn(Wants(shop));
    buyer.set(Wants(shop), { from: rival, also: [shop, rival] });
    const fresh = createKootaWorld();
    fresh.spawn();
    fresh.spawn();
    fresh.spawn();
    const { idMap } = koota.loadWorld(decodeSnapshot(encodeSnapshot(koota.saveWorld(world, registry))), registry, { into: fresh });
    const [nBuyer, nShop, nRival] = [buyer, shop, rival].map((e) => idMap.get(e >>> 0)) as unknown as (typeof buyer)[];
    expect(nBuyer!.targetsFor(Wants)).toEqual([nShop]);
    expect(nBuyer!.get(Wants(nShop!))).toEqual({ from: nRival, also: [nShop, nRival] });
    expect(() => koota.saveWorld(world, { components: { W: { relation: relation({ store: { n: 0 } }), refs: ['n'] } } })).toThrow(/only a relation whose store is a factory/);
  });

  it('miniplex: object pointers inside a blob are saved as ids and restored to the loaded objects', () => {
    type E = { name?: string; orders?: { follow?: unknown; guard: unknown[] } };
    const registry = { components: { name: { type: 'string' as const }, orders: { blob: true as const, refs: ['follow', 'guard[]'] } } };
    const world = new World<E>();
    const king = world.add({ name: 'king' });
    const gate = world.add({ name: 'gate' });
    world.add({ name: 'knight', orders: { follow: king, guard: [gate, king] } });
    const { world: loaded } = miniplex.loadWorld<E>(decodeSnapshot(encodeSnapshot(miniplex.saveWorld(world, registry))), registry);
    const byName = (n: string) => loaded.entities.find((e) => e.name === n)!;
    const knight = byName('knight');
    expect(knight.orders!.follow).toBe(byName('king'));
    expect(knight.orders!.guard[0]).toBe(byName('gate'));
    expect(knight.orders!.guard[1]).toBe(byName('king'));
  });
});

describe('an entity left in a miniplex blob without a `refs` path', () => {
  it('is refused with the path to declare, instead of being saved as a copy', () => {
    const world = new World<Record<string, unknown>>();
    const king = world.add({ name: 'king' });
    world.add({ name: 'knight', orders: { follow: [{ who: king }] } });
    const registry = { components: { name: { type: 'string' as const }, orders: { blob: true as const } } };
    expect(() => miniplex.saveWorld(world, registry)).toThrow(/component "orders" holds an entity of the world at 'follow\[0\]\.who'.*refs: \['follow\[\]\.who'\]/);
    expect(() => miniplex.saveWorld(world, { components: { ...registry.components, orders: { blob: true, refs: ['follow[].who'] } } })).not.toThrow();
  });
});
