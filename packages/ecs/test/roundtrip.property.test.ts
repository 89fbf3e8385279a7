// Property: any miniplex world of registered components, pointers included, loads back equal (pointers to the same entities).
import { decodeSnapshot, encodeSnapshot } from '@tx2/pack-format';
import fc from 'fast-check';
import { World } from 'miniplex';
import { describe, expect, it } from 'vitest';
import { loadWorld, type MiniplexRegistry, saveWorld } from '../src/miniplex.js';

interface E {
  pos?: { x: number; y: number };
  name?: string;
  flags?: { on: boolean; level: number };
  bag?: unknown;
  target?: E;
  crew?: E[];
}

const registry: MiniplexRegistry<E> = {
  components: {
    pos: { fields: { x: 'f64', y: 'f64' } },
    name: { type: 'string' },
    flags: { fields: { on: 'bool', level: 'u16' } },
    bag: { blob: true },
    target: { type: 'entity' },
    crew: { type: 'entities' },
  },
};

const entity = fc.record(
  {
    pos: fc.record({ x: fc.double({ noNaN: true }), y: fc.double({ noNaN: true }) }),
    name: fc.string(),
    flags: fc.record({ on: fc.boolean(), level: fc.integer({ min: 0, max: 65535 }) }),
    bag: fc.jsonValue(),
    target: fc.nat(),
    crew: fc.array(fc.nat(), { maxLength: 4 }),
  },
  { requiredKeys: [] },
);

/** The world as plain data, pointers as positions in the entity list. */
function plain(world: World<E>): unknown[] {
  const all = world.entities;
  const at = (e: E | undefined) => (e === undefined ? undefined : all.indexOf(e));
  return all.map((e) => ({ ...e, target: at(e.target), crew: e.crew?.map(at) }));
}

describe('miniplex round trip (property)', () => {
  it('any world of registered components loads back equal, pointers to the same entities', () => {
    fc.assert(
      fc.property(fc.array(entity, { maxLength: 30 }), (specs) => {
        const world = new World<E>();
        const made = specs.map(({ target: _t, crew: _c, ...rest }) => world.add(rest as E));
        specs.forEach((s, i) => {
          if (made.length === 0) return;
          if (s.target !== undefined) made[i]!.target = made[s.target % made.length];
          if (s.crew !== undefined) made[i]!.crew = s.crew.map((k) => made[k % made.length]!);
        });
        const { world: loaded } = loadWorld<E>(decodeSnapshot(encodeSnapshot(saveWorld(world, registry))), registry);
        expect(plain(loaded)).toEqual(plain(world));
      }),
      { seed: 0x7e57, numRuns: 150 },
    );
  });
});
