import { decodeSnapshot, encodeSnapshot, isPackError } from '@tx2/pack-format';
import { addComponent, addEntity, createWorld, query } from 'bitecs';
import { f32 } from 'bitecs/serialization';
import { describe, expect, it } from 'vitest';
import { loadWorld, saveWorld } from '../src/bitecs.js';
import { type GameWorld, makeGame } from './bitecs-game.js';
import { canonical, run, seed } from './sim.js';

describe('bitECS adapter', () => {
  it('a world saved mid-run and loaded into a fresh world runs on exactly like the uninterrupted one', () => {
    const original = makeGame();
    const world = original.createWorld();
    seed(original.ops, world, 0xc0ffee, 40);
    run(original.ops, world, 60);
    const bytes = encodeSnapshot(saveWorld(world, original.registry, { worldTime: 60 }));
    const atSave = canonical(original.ops, world);
    run(original.ops, world, 100);
    const expected = canonical(original.ops, world);

    const fresh = makeGame();
    const snapshot = decodeSnapshot(bytes);
    expect(snapshot.components.map((c) => c.id)).not.toContain('Sprite');
    const { world: loaded, idMap } = loadWorld(snapshot, fresh.registry);
    expect(idMap.size).toBe(snapshot.entities.length);
    expect(canonical(fresh.ops, loaded as GameWorld)).toEqual(atSave);
    run(fresh.ops, loaded as GameWorld, 100);
    expect(canonical(fresh.ops, loaded as GameWorld)).toEqual(expected);
  });

  it('loads into an existing world with `into`, remapping references onto the new ids', () => {
    const game = makeGame();
    const world = game.createWorld();
    seed(game.ops, world, 7, 10);
    run(game.ops, world, 5);
    const snapshot = saveWorld(world, game.registry);
    const target = createWorld() as GameWorld;
    for (let i = 0; i < 25; i++) addEntity(target); // occupied ids: the loaded entities get others
    const { world: into, idMap } = loadWorld(snapshot, makeGame().registry, { into: target });
    expect(into).toBe(target);
    for (const [oldId, newId] of idMap) {
      expect(newId).toBeGreaterThan(25);
      expect(snapshot.entities).toContain(oldId);
    }
  });

  it('reads field types from typed-array stores and bitecs tags, and refuses an untyped plain array naming component, field and library', () => {
    const world = createWorld();
    const Typed = { a: new Float64Array(8), b: f32([]) };
    const Untyped = { v: [] as number[] };
    const e = addEntity(world);
    addComponent(world, e, Typed);
    addComponent(world, e, Untyped);
    Typed.b[e] = 1.5;
    Untyped.v[e] = 3;
    const snapshot = saveWorld(world, { components: { Typed: { component: Typed } } });
    const typed = snapshot.components[0]!;
    expect(typed.layout === 'columns' && typed.fields.map((f) => [f.name, f.type])).toEqual([
      ['a', 'f64'],
      ['b', 'f32'],
    ]);
    let error: unknown;
    try {
      saveWorld(world, { components: { Untyped: { component: Untyped } } });
    } catch (caught) {
      error = caught;
    }
    expect(isPackError(error, 'SchemaMismatch')).toBe(true);
    expect((error as Error).message).toMatch(/bitecs.*field "v" of component "Untyped"/);
    expect((error as { details: unknown }).details).toEqual({ library: 'bitecs', component: 'Untyped', field: 'v' });
    // A declaration fixes it.
    const saved = saveWorld(world, { components: { Untyped: { component: Untyped, fields: { v: 'i16' } } } });
    expect(saved.components[0]!.layout === 'columns' && saved.components[0]!.fields[0]!.type).toBe('i16');
  });

  it('refuses a declaration that contradicts the store, and a snapshot field of another type', () => {
    const world = createWorld();
    const P = { x: new Float32Array(4) };
    addComponent(world, addEntity(world), P);
    expect(() => saveWorld(world, { components: { P: { component: P, fields: { x: 'u8' } } } })).toThrow(/f32 store but declared u8/);
    const snapshot = saveWorld(world, { components: { P: { component: P } } });
    const Q = { x: new Float64Array(4) };
    expect(() => loadWorld(snapshot, { components: { P: { component: Q } } })).toThrow(/field "x" of component "P" is f32 in the snapshot but declared f64/);
    expect(() => loadWorld(snapshot, { components: { Missing: { component: Q } } })).toThrow(/"Missing" is in the registry but not in the snapshot/);
  });

  it('refuses a save from a newer schema', () => {
    const world = createWorld();
    const snapshot = saveWorld(world, { schemaVersion: 3, components: {} });
    expect(() => loadWorld(snapshot, { schemaVersion: 2, components: {} })).toThrow(/schema version 3, newer than the running schema 2/);
    expect(query(loadWorld(snapshot, { schemaVersion: 3, components: {} }).world, [])).toEqual([]);
  });
});
