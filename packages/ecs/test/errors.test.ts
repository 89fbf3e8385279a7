// Bad registries, arguments and values: every one a PackError with a code and details a program can use.
import { isPackError } from '@tx2/pack-format';
import { createWorld as createBitecsWorld } from 'bitecs';
import { createWorld as createKootaWorld, trait } from 'koota';
import { World } from 'miniplex';
import { describe, expect, it } from 'vitest';
import * as bitecsAdapter from '../src/bitecs.js';
import { IdRemap } from '../src/core/remap.js';
import * as kootaAdapter from '../src/koota.js';
import * as miniplexAdapter from '../src/miniplex.js';

function caught(f: () => unknown): { code: string; message: string; details: Record<string, unknown> } {
  try {
    f();
  } catch (error) {
    expect(isPackError(error)).toBe(true);
    return error as never;
  }
  throw new Error('expected a PackError');
}

describe('argument and registry checks', () => {
  it('refuses malformed registries, options and snapshots with InvalidInput', () => {
    const world = new World<Record<string, unknown>>();
    expect(caught(() => miniplexAdapter.saveWorld(world, null as never)).details).toEqual({ library: 'miniplex', option: 'registry' });
    expect(caught(() => miniplexAdapter.saveWorld(world, { schemaVersion: -1, components: {} })).details.option).toBe('schemaVersion');
    expect(caught(() => miniplexAdapter.saveWorld(world, { components: {}, resources: { r: {} as never } })).details.option).toBe('resources');
    expect(caught(() => miniplexAdapter.saveWorld(world, { components: {} }, null as never)).details.option).toBe('options');
    expect(caught(() => miniplexAdapter.saveWorld({} as never, { components: {} })).details.option).toBe('world');
    expect(caught(() => miniplexAdapter.loadWorld({} as never, { components: {} })).details.option).toBe('snapshot');
    const snapshot = miniplexAdapter.saveWorld(world, { components: {} });
    expect(caught(() => miniplexAdapter.loadWorld(snapshot, { components: {} }, null as never)).details.option).toBe('options');
  });

  it('refuses unknown field types and empty declarations with SchemaMismatch naming them', () => {
    const world = new World<Record<string, unknown>>();
    world.add({ a: 1 });
    expect(caught(() => miniplexAdapter.saveWorld(world, { components: { a: { type: 'f128' as never } } })).message).toMatch(/unknown type "f128"/);
    expect(caught(() => miniplexAdapter.saveWorld(world, { components: { a: {} as never } })).message).toMatch(/has no declaration/);
    expect(caught(() => miniplexAdapter.saveWorld(world, { components: { a: { fields: { v: 'nope' as never } } } })).details).toEqual({
      library: 'miniplex',
      component: 'a',
      field: 'v',
    });
    expect(
      caught(() => miniplexAdapter.saveWorld(world, { components: { a: { type: 'u8' } }, resources: { r: { fields: { v: 'x' as never }, get: () => ({}), set: () => {} } } })).code,
    ).toBe('SchemaMismatch');
  });

  it('checks every value against its declared type', () => {
    for (const [type, value] of [
      ['bool', 2],
      ['i64', 1.5],
      ['bytes', 'x'],
      ['string', 1],
      ['entities', 'x'],
    ] as const) {
      const world = new World<Record<string, unknown>>();
      world.add({ v: value });
      const error = caught(() => miniplexAdapter.saveWorld(world, { components: { v: { type } } }));
      expect(error.code).toBe('SchemaMismatch');
      expect(error.message).toContain(`is declared ${type}`);
    }
    const world = new World<Record<string, unknown>>();
    world.add({ big: 5n, small: 7, on: true, raw: new Uint8Array([1]), none: null });
    const snapshot = miniplexAdapter.saveWorld(world, {
      components: { big: { type: 'u64' }, small: { type: 'i64' }, on: { type: 'bool' }, raw: { type: 'bytes' }, none: { type: 'entity' } },
    });
    expect(snapshot.components.map((c) => c.layout === 'columns' && c.fields[0]!.type)).toEqual(['u64', 'i64', 'bool', 'bytes', 'u32']);
  });

  it('a resource missing from the snapshot, or a field missing from a resource, is a SchemaMismatch', () => {
    const world = createBitecsWorld();
    const snapshot = bitecsAdapter.saveWorld(world, { components: {} });
    const resources = { rng: { fields: { state: 'u32' as const }, get: () => ({ state: 1 }), set: () => {} } };
    expect(caught(() => bitecsAdapter.loadWorld(snapshot, { components: {}, resources })).message).toMatch(/resource missing from the snapshot/);
    const bad = bitecsAdapter.saveWorld(world, { components: {}, resources: { rng: { fields: {}, get: () => ({}), set: () => {} } } });
    expect(caught(() => bitecsAdapter.loadWorld(bad, { components: {}, resources })).message).toMatch(/field "state" of component "rng" is missing/);
  });

  it('koota: a world trait resource that is not on the world, and declared fields the schema lacks', () => {
    const Time = trait({ tick: 0 });
    const world = createKootaWorld();
    try {
      expect(caught(() => kootaAdapter.saveWorld(world, { components: {}, resources: { time: kootaAdapter.worldTraitResource(Time) } })).message).toMatch(/not on the world/);
      const P = trait({ x: 0 });
      world.spawn(P);
      expect(caught(() => kootaAdapter.saveWorld(world, { components: { P: { trait: P, fields: { y: 'f32' } } } })).message).toMatch(/not in the trait schema/);
      expect(caught(() => kootaAdapter.saveWorld(world, { components: { P: { trait: P, fields: { x: 'f1' as never } } } })).message).toMatch(/unknown type/);
    } finally {
      world.destroy();
    }
  });
});

describe('the id map', () => {
  it('is a read-only map of saved to new ids, in saved order, dense or sparse', () => {
    for (const saved of [Uint32Array.of(5, 2, 9), Uint32Array.of(4_000_000_000, 2, 3_000_000_000)]) {
      const map = new IdRemap(saved, (old) => old + 1);
      expect([...map]).toEqual([...saved].map((s) => [s, s + 1]));
      expect([...map.keys()]).toEqual([...saved]);
      expect([...map.values()]).toEqual([...saved].map((s) => s + 1));
      const seen: number[] = [];
      map.forEach((v, k) => {
        seen.push(k, v);
      });
      expect(seen).toEqual([...saved].flatMap((s) => [s, s + 1]));
      expect([map.size, map.has(2), map.has(7), map.get(7), String(map)]).toEqual([3, true, false, undefined, '[object IdMap]']);
      expect(new Map(map).get(2)).toBe(3);
    }
  });
});
