import { decodeSnapshot, encodeSnapshot, isPackError } from '@tx2/pack-format';
import { World } from 'miniplex';
import { describe, expect, it } from 'vitest';
import { loadWorld, saveWorld } from '../src/miniplex.js';
import { newWorld, ops, registry } from './miniplex-game.js';
import { canonical, run, seed } from './sim.js';

describe('miniplex adapter', () => {
  it('a world saved mid-run and loaded into a fresh world runs on exactly like the uninterrupted one', () => {
    const world = newWorld();
    seed(ops, world, 0xfeed, 40);
    run(ops, world, 60);
    const bytes = encodeSnapshot(saveWorld(world, registry, { worldTime: 60 }));
    const atSave = canonical(ops, world);
    run(ops, world, 100);
    const expected = canonical(ops, world);

    const snapshot = decodeSnapshot(bytes);
    expect(snapshot.components.map((c) => c.id)).not.toContain('sprite');
    const { world: loaded, idMap } = loadWorld(snapshot, registry);
    expect(idMap.size).toBe(snapshot.entities.length);
    expect(canonical(ops, loaded)).toEqual(atSave);
    run(ops, loaded, 100);
    expect(canonical(ops, loaded)).toEqual(expected);
  });

  it('restores object pointers and lists of them to the new objects', () => {
    type E = { name: string; friends?: E[]; best?: E };
    const world = new World<E>();
    const a = world.add({ name: 'a' });
    const b = world.add({ name: 'b', best: a });
    world.add({ name: 'c', friends: [a, b] });
    const reg = { components: { name: { type: 'string' as const }, friends: { type: 'entities' as const }, best: { type: 'entity' as const } } };
    const { world: loaded } = loadWorld<E>(decodeSnapshot(encodeSnapshot(saveWorld(world, reg))), reg);
    const [na, nb, nc] = loaded.entities;
    expect(na).not.toBe(a);
    expect(nb!.best).toBe(na);
    expect(nc!.friends![0]).toBe(na);
    expect(nc!.friends![1]).toBe(nb);
    expect(na!.best).toBeUndefined();
  });

  it('refuses a property that is not registered, and a value that does not fit its declared type, naming component, field and library', () => {
    const world = new World<Record<string, unknown>>();
    world.add({ pos: { x: 1 }, mesh: {} });
    let error: unknown;
    try {
      saveWorld(world, { components: { pos: { fields: { x: 'f32' } } } });
    } catch (caught) {
      error = caught;
    }
    expect(isPackError(error, 'SchemaMismatch')).toBe(true);
    expect((error as Error).message).toMatch(/^miniplex: component "mesh" is on an entity but not in the registry/);
    expect(() => saveWorld(world, { components: { pos: { fields: { x: 'string' } }, mesh: { transient: true } } })).toThrow(
      /miniplex: field "x" of component "pos" is declared string but holds 1/,
    );
    const snapshot = saveWorld(world, { components: { pos: { fields: { x: 'f32' } }, mesh: { transient: true } } });
    expect(snapshot.components.map((c) => c.id)).toEqual(['pos']);
  });
});

describe('miniplex adapter and the format', () => {
  it('writes single values as single-value components, references marked, resources as typed parts', () => {
    type E = { hp?: number; leader?: E; crew?: E[] };
    const world = new World<E>();
    const a = world.add({ hp: 3 });
    world.add({ hp: 4, leader: a, crew: [a] });
    let clock = { tick: 7 };
    const reg = {
      components: { hp: { type: 'i16' as const }, leader: { type: 'entity' as const }, crew: { type: 'entities' as const } },
      resources: { clock: { fields: { tick: 'u32' as const }, get: () => clock, set: (_w: unknown, v: Record<string, unknown>) => void (clock = { tick: v.tick as number }) } },
    };
    const snapshot = decodeSnapshot(encodeSnapshot(saveWorld(world, reg)));
    const hp = snapshot.components.find((c) => c.id === 'hp')!;
    expect(hp.layout === 'columns' && hp.singleValue).toBe(true);
    const leader = snapshot.components.find((c) => c.id === 'leader')!;
    expect(leader.layout === 'columns' && leader.fields[0]!.ref).toBe('entity');
    const crew = snapshot.components.find((c) => c.id === 'crew')!;
    expect(crew.layout === 'columns' && crew.fields[0]!.ref).toBe('entities');
    expect(snapshot.resources?.map((r) => r.id)).toEqual(['clock']);
    clock = { tick: 0 };
    const { world: loaded } = loadWorld<E>(snapshot, reg);
    expect(clock).toEqual({ tick: 7 });
    expect(loaded.entities[1]!.crew![0]).toBe(loaded.entities[0]);
  });
});
