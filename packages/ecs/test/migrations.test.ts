// A save made by version 1 of a game loads under version 2 of its schema through the format's migrations.
import { addField, canLoad, decodeSnapshot, defineMigrations, encodeSnapshot, isPackError, renameComponent, renameField, widenField } from '@tx2/pack-format';
import { addComponent, addEntity, createWorld, query } from 'bitecs';
import { createWorld as createKootaWorld, trait } from 'koota';
import { World } from 'miniplex';
import { describe, expect, it } from 'vitest';
import * as bitecsAdapter from '../src/bitecs.js';
import * as kootaAdapter from '../src/koota.js';
import * as miniplexAdapter from '../src/miniplex.js';

const roundTrip = <T>(snapshot: T): T => decodeSnapshot(encodeSnapshot(snapshot as never)) as T;

describe('loading a v1 save under a v2 schema', () => {
  it('bitECS: a component renamed, a field added with a default, an int widened', () => {
    const HpV1 = { hp: new Int16Array(16) };
    const v1 = createWorld();
    const e = addEntity(v1);
    addComponent(v1, e, HpV1);
    HpV1.hp[e] = -300;
    const saved = roundTrip(bitecsAdapter.saveWorld(v1, { schemaVersion: 1, components: { Hp: { component: HpV1 } } }));

    const Health = { hp: new Int32Array(16), max: new Uint16Array(16) };
    const v2 = {
      schemaVersion: 2,
      migrations: defineMigrations([{ from: 1, to: 2, migrate: [renameComponent('Hp', 'Health'), widenField('Health', 'hp', 'i32'), addField('Health', 'max', 'u16', 100)] }]),
      components: { Health: { component: Health } },
    };
    expect(canLoad(saved.schemaVersion, v2.migrations).ok).toBe(true);
    const { world, idMap } = bitecsAdapter.loadWorld(saved, v2);
    const eid = idMap.get(e)!;
    expect(query(world, [Health])).toEqual([eid]);
    expect([Health.hp[eid], Health.max[eid]]).toEqual([-300, 100]);
  });

  it('koota: a field renamed and one added', () => {
    const PosV1 = trait({ x: 0, y: 0 });
    const v1 = createKootaWorld();
    v1.spawn(PosV1({ x: 1.5, y: -2 }));
    const saved = roundTrip(kootaAdapter.saveWorld(v1, { schemaVersion: 1, components: { Position: { trait: PosV1 } } }));
    v1.destroy();

    const Position = trait({ px: 0, y: 0, z: 0 });
    const v2: kootaAdapter.KootaRegistry = {
      migrations: defineMigrations([{ from: 1, to: 2, migrate: [renameField('Position', 'x', 'px'), addField('Position', 'z', 'f64', 9)] }]),
      components: { Position: { trait: Position } },
    };
    const { world } = kootaAdapter.loadWorld(saved, v2);
    expect(world.query(Position).map((e) => e.get(Position))).toEqual([{ px: 1.5, y: -2, z: 9 }]);
    world.destroy();
  });

  it('miniplex: a component renamed, a field added, a single value widened; a newer save is refused', () => {
    type V1 = { pos?: { x: number; y: number }; hp?: number };
    const v1 = new World<V1>();
    v1.add({ pos: { x: 3, y: 4 }, hp: 250 });
    const saved = roundTrip(miniplexAdapter.saveWorld(v1, { schemaVersion: 1, components: { pos: { fields: { x: 'f32', y: 'f32' } }, hp: { type: 'u8' } } }));

    const v2 = {
      migrations: defineMigrations([{ from: 1, to: 2, migrate: [renameComponent('pos', 'position'), addField('position', 'z', 'f32', 0), widenField('hp', '', 'u16')] }]),
      components: { position: { fields: { x: 'f32', y: 'f32', z: 'f32' } }, hp: { type: 'u16' } },
    } as const;
    const { world } = miniplexAdapter.loadWorld<{ position?: object; hp?: number }>(saved, v2);
    expect(world.entities).toEqual([{ position: { x: 3, y: 4, z: 0 }, hp: 250 }]);

    const newer = miniplexAdapter.saveWorld(world, v2);
    let error: unknown;
    try {
      miniplexAdapter.loadWorld(newer, { schemaVersion: 1, components: {} });
    } catch (caught) {
      error = caught;
    }
    expect(isPackError(error, 'SchemaMismatch')).toBe(true);
    expect((error as Error).message).toMatch(/schema version 2, newer than the running schema 1/);
  });
});
