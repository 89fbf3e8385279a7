// Mistakes a new user makes (the wrong adapter, a relation registered as a component...) fail
// with a PackError that says what to give instead, never a TypeError from inside the ECS.
import { isPackError, type PackError } from '@tx2/pack-format';
import { addComponent, addEntity, createRelation, createWorld } from 'bitecs';
import { createWorld as createKootaWorld, relation, trait } from 'koota';
import { World } from 'miniplex';
import { describe, expect, it } from 'vitest';
import * as bitecs from '../src/bitecs.js';
import * as koota from '../src/koota.js';
import * as miniplex from '../src/miniplex.js';

function failure(f: () => unknown): PackError {
  try {
    f();
  } catch (e) {
    if (isPackError(e)) return e;
    throw e;
  }
  throw new Error('expected a PackError');
}

describe('registry and world mistakes', () => {
  const Pos = { x: new Float32Array(8) };
  const Rel = createRelation();
  const bw = createWorld();
  const a = addEntity(bw);
  addComponent(bw, a, Pos);
  addComponent(bw, a, Rel(a));
  const P = trait({ x: 0 });
  const KRel = relation();
  const kw = createKootaWorld();
  kw.spawn(P, KRel(kw.spawn()));

  it.each([
    ['bitECS relation registered as a component', () => bitecs.saveWorld(bw, { components: { R: { component: Rel as never } } }), /"R" is a relation registered as a component/],
    ['bitECS store registered as a relation', () => bitecs.saveWorld(bw, { components: { P: { relation: Pos as never } } }), /"P" has a `relation` that is not a bitECS relation/],
    ['bitECS empty entry', () => bitecs.saveWorld(bw, { components: { P: {} as never } }), /"P" has no `component`/],
    ['bitECS null entry', () => bitecs.saveWorld(bw, { components: { P: null as never } }), /"P" is null/],
    ['bitECS blob that is not an array', () => bitecs.saveWorld(bw, { components: { P: { component: Pos as never, blob: true } } }), /blob whose `component` is not an array/],
    ['bitECS adapter given a miniplex world', () => bitecs.saveWorld(new World() as never, { components: {} }), /needs a bitECS world/],
    ['bitECS load into a koota world', () => bitecs.loadWorld(bitecs.saveWorld(bw, { components: {} }), { components: {} }, { into: kw as never }), /`into` needs a bitECS world/],
    ['koota relation registered as a trait', () => koota.saveWorld(kw, { components: { R: { trait: KRel as never } } }), /"R" is a relation registered as a trait/],
    ['koota trait registered as a relation', () => koota.saveWorld(kw, { components: { P: { relation: P as never } } }), /"P" is a trait registered as a relation/],
    ['koota empty entry', () => koota.saveWorld(kw, { components: { P: {} as never } }), /"P" has no koota `trait`/],
    ['koota adapter given a bitECS world', () => koota.saveWorld(bw as never, { components: {} }), /needs a koota world/],
    ['koota load into a bitECS world', () => koota.loadWorld(koota.saveWorld(kw, { components: {} }), { components: {} }, { into: bw as never }), /`into` needs a koota world/],
    [
      'miniplex load into a bitECS world',
      () => miniplex.loadWorld(miniplex.saveWorld(new World(), { components: {} }), { components: {} }, { into: bw as never }),
      /`into` needs a miniplex World/,
    ],
  ])('%s: InvalidInput that names the fix', (_name, f, message) => {
    const err = failure(f);
    expect(err.code).toBe('InvalidInput');
    expect(err.message).toMatch(message);
    expect(err.details).toHaveProperty('library');
  });

  it('a relation-data slot id taken by a registered component is refused', () => {
    const Carries = createRelation({ store: () => ({ n: new Uint8Array(8) }) });
    const w = createWorld();
    const e = addEntity(w);
    addComponent(w, e, Carries(e));
    const err = failure(() => bitecs.saveWorld(w, { components: { Carries: { relation: Carries }, 'Carries#0': { component: Pos } } }));
    expect(err.message).toMatch(/"Carries#0" is taken by the data of relation "Carries"/);
  });
});

describe('a bitECS typed-array store too short for the world', () => {
  it('fails naming the component, the field and the entity, for components and relation stores', () => {
    const Small = { hp: new Uint8Array(2) };
    const Near = createRelation({ store: () => ({ d: new Float32Array(2) }) });
    const w = createWorld();
    const ids = [addEntity(w), addEntity(w), addEntity(w), addEntity(w)];
    addComponent(w, ids[3]!, Small);
    expect(() => bitecs.saveWorld(w, { components: { Small: { component: Small } } })).toThrow(
      new RegExp(`field "hp" of component "Small" is a typed array of length 2, too short for entity ${ids[3]}`),
    );
    addComponent(w, ids[3]!, Near(ids[0]!));
    expect(() => bitecs.saveWorld(w, { components: { Near: { relation: Near } } })).toThrow(/field "d" of component "Near" is a typed array of length 2 \(in the relation store\)/);
  });

  it('a load whose new ids do not fit the store fails instead of dropping the values', () => {
    const Hp = { hp: new Uint8Array(8) };
    const registry = { components: { Hp: { component: Hp } } };
    const w = createWorld();
    const e = addEntity(w);
    addComponent(w, e, Hp);
    Hp.hp[e] = 7;
    const snapshot = bitecs.saveWorld(w, registry);
    const full = createWorld();
    for (let i = 0; i < 10; i++) addEntity(full); // the loaded entity gets id 11, past the store
    expect(() => bitecs.loadWorld(snapshot, registry, { into: full })).toThrow(/field "hp" of component "Hp" is a typed array of length 8, too short for entity 11/);
  });
});
