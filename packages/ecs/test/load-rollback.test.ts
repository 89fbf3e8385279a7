// A loadWorld that is refused part-way leaves the caller's `into` world as it was: the entities
// it had created are removed again, and no resource is set.
import { addComponent, addEntity, createWorld as createBitecsWorld, getAllEntities } from 'bitecs';
import { createWorld as createKootaWorld, trait } from 'koota';
import { World } from 'miniplex';
import { describe, expect, it } from 'vitest';
import { packErrorOfSync as refusal } from '../../../test-support/pack-errors.js';
import * as bitecs from '../src/bitecs.js';
import * as koota from '../src/koota.js';
import * as miniplex from '../src/miniplex.js';

/** A resource the saved worlds lack: loading with it is refused after the entities exist. */
function missingResource() {
  const set: unknown[] = [];
  return { set, resources: { clock: { fields: { tick: 'u32' as const }, get: () => ({ tick: 0 }), set: (_w: unknown, v: unknown) => void set.push(v) } } };
}

describe('a refused load into an existing world', () => {
  it('bitECS: removes the entities it created and keeps the world usable', () => {
    const Hp = { hp: new Float32Array(64) };
    const saved = createBitecsWorld();
    for (let i = 0; i < 5; i++) {
      const e = addEntity(saved);
      addComponent(saved, e, Hp);
      Hp.hp[e] = i + 1;
    }
    const snapshot = bitecs.saveWorld(saved, { components: { Hp: { component: Hp } } });
    const into = createBitecsWorld();
    const own = [addEntity(into), addEntity(into)];
    const clock = missingResource();
    const error = refusal(() => bitecs.loadWorld(snapshot, { components: { Hp: { component: Hp } }, resources: clock.resources }, { into }));
    expect(error.code).toBe('SchemaMismatch');
    expect([...getAllEntities(into)].sort()).toEqual(own.sort());
    expect(clock.set).toEqual([]);
    // The same world still takes a load that fits.
    const { idMap } = bitecs.loadWorld(snapshot, { components: { Hp: { component: Hp } } }, { into });
    expect(getAllEntities(into).length).toBe(own.length + 5);
    expect([...idMap.values()].map((e) => Hp.hp[e])).toEqual([1, 2, 3, 4, 5]);
  });

  it('koota: destroys the entities it spawned', () => {
    const Position = trait({ x: 0, y: 0 });
    const saved = createKootaWorld();
    for (let i = 0; i < 4; i++) saved.spawn(Position({ x: i, y: -i }));
    const registry = { components: { Position: { trait: Position } } };
    const snapshot = koota.saveWorld(saved, registry);
    const into = createKootaWorld();
    into.spawn(Position({ x: 100, y: 100 }));
    into.spawn();
    const before = into.query().length;
    const clock = missingResource();
    expect(refusal(() => koota.loadWorld(snapshot, { ...registry, resources: clock.resources }, { into })).code).toBe('SchemaMismatch');
    expect(into.query().length).toBe(before);
    expect(into.query(Position).map((e) => e.get(Position))).toEqual([{ x: 100, y: 100 }]);
    expect(clock.set).toEqual([]);
    koota.loadWorld(snapshot, registry, { into });
    expect(into.query(Position).length).toBe(5);
    saved.destroy();
    into.destroy();
  });

  it('miniplex: removes the objects it added', () => {
    type E = { hp?: number; name?: string };
    const saved = new World<E>();
    for (let i = 0; i < 3; i++) saved.add({ hp: i, name: `e${i}` });
    const registry = { components: { hp: { type: 'f64' as const }, name: { type: 'string' as const } } };
    const snapshot = miniplex.saveWorld(saved, registry);
    const into = new World<E>();
    const mine = into.add({ hp: 99 });
    const clock = missingResource();
    expect(refusal(() => miniplex.loadWorld(snapshot, { ...registry, resources: clock.resources }, { into })).code).toBe('SchemaMismatch');
    expect([...into.entities]).toEqual([mine]);
    expect(clock.set).toEqual([]);
    miniplex.loadWorld(snapshot, registry, { into });
    expect(into.entities.length).toBe(4);
  });
});
