import { decodeSnapshot, encodeSnapshot, isPackError } from '@tx2/pack-format';
import { type World, createWorld, trait } from 'koota';
import { afterEach, describe, expect, it } from 'vitest';
import { loadWorld, saveWorld } from '../src/koota.js';
import { newWorld, ops, registry } from './koota-game.js';
import { canonical, run, seed } from './sim.js';

const worlds: World[] = [];
const track = (w: World): World => {
  worlds.push(w);
  return w;
};
afterEach(() => {
  // koota holds a fixed number of worlds at once.
  for (const w of worlds.splice(0)) w.destroy();
});

describe('koota adapter', () => {
  it('a world saved mid-run and loaded into a fresh world runs on exactly like the uninterrupted one', () => {
    const world = track(newWorld());
    seed(ops, world, 0xbeef, 40);
    run(ops, world, 60);
    const bytes = encodeSnapshot(saveWorld(world, registry, { worldTime: 60 }));
    const atSave = canonical(ops, world);
    run(ops, world, 100);
    const expected = canonical(ops, world);

    const snapshot = decodeSnapshot(bytes);
    expect(snapshot.components.map((c) => c.id)).not.toContain('Sprite');
    const { world: loaded, idMap } = loadWorld(snapshot, registry);
    track(loaded);
    expect(idMap.size).toBe(snapshot.entities.length);
    expect(canonical(ops, loaded)).toEqual(atSave);
    run(ops, loaded, 100);
    expect(canonical(ops, loaded)).toEqual(expected);
  });

  it('reads field types from trait schemas (number f64, boolean bool, string) and saves array-of-structs traits whole', () => {
    const Mixed = trait({ n: 1.5, on: true, name: 'x' });
    const Nested = trait(() => ({ list: [1, 2] }));
    const world = track(createWorld());
    world.spawn(Mixed({ n: 2.25, on: false, name: 'é' }), Nested);
    const snapshot = saveWorld(world, { components: { Mixed: { trait: Mixed }, Nested: { trait: Nested } } });
    const [mixed, nested] = snapshot.components;
    expect(mixed!.layout === 'columns' && mixed!.fields.map((f) => [f.name, f.type])).toEqual([
      ['n', 'f64'],
      ['on', 'bool'],
      ['name', 'string'],
    ]);
    expect(nested!.layout).toBe('blobs');
    const { world: loaded } = loadWorld(snapshot, { components: { Mixed: { trait: Mixed }, Nested: { trait: Nested } } });
    track(loaded);
    const e = loaded.query(Mixed)[0]!;
    expect(e.get(Mixed)).toEqual({ n: 2.25, on: false, name: 'é' });
    expect(e.get(Nested)).toEqual({ list: [1, 2] });
  });

  it('refuses a schema field koota does not type, naming component, field and library', () => {
    const Odd = trait({ when: null as unknown as number });
    const world = track(createWorld());
    world.spawn(Odd({ when: 4 }));
    let error: unknown;
    try {
      saveWorld(world, { components: { Odd: { trait: Odd } } });
    } catch (caught) {
      error = caught;
    }
    expect(isPackError(error, 'SchemaMismatch')).toBe(true);
    expect((error as Error).message).toMatch(/^koota: field "when" of component "Odd"/);
    expect(saveWorld(world, { components: { Odd: { trait: Odd, fields: { when: 'f64' } } } }).components[0]!.layout).toBe('columns');
  });

  it('remaps an entity-valued trait field declared `entity` through the id map', () => {
    const Follows = trait({ leader: 0 });
    const world = track(createWorld());
    const a = world.spawn();
    const b = world.spawn(Follows({ leader: a }));
    const snapshot = saveWorld(world, { components: { Follows: { trait: Follows, fields: { leader: 'entity' } } } });
    const into = track(createWorld());
    for (let i = 0; i < 10; i++) into.spawn();
    const { idMap } = loadWorld(snapshot, { components: { Follows: { trait: Follows, fields: { leader: 'entity' } } } }, { into });
    const newB = into.query(Follows)[0]!;
    expect(newB >>> 0).toBe(idMap.get(b >>> 0));
    expect(newB.get(Follows)!.leader >>> 0).toBe(idMap.get(a >>> 0));
    expect(idMap.get(a >>> 0)).not.toBe(a >>> 0);
  });
});
