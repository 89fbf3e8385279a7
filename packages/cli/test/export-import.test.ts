import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot, fromWorldSnapshot, snapshotsEqual, toWorldSnapshot, type WorldSnapshot } from '@tx2/pack-format';
import { readOptions } from '@tx2/pack-codecs';
import { fromJsonValue, toJsonValue } from '../src/json-encoding.js';
import { referenceColumns } from '../src/reference-world.js';
import { hasStack, tempDir, tx2pack, tx2packJson } from './helpers.js';

const { dir, cleanup } = tempDir('export');
const at = (name: string): string => path.join(dir, name);
afterAll(cleanup);

const nanWithPayload = new Float32Array(new Uint32Array([0x7fc00123]).buffer);
const holey = [1, undefined, 3]; // eslint-disable-line no-sparse-arrays

/** A world holding every value plain JSON cannot. */
function trickyWorld(): { world: WorldSnapshot; options: Parameters<typeof fromWorldSnapshot>[1] } {
  const world: WorldSnapshot = {
    timestamp: 1_700_000_000_123.5,
    version: 'tricky-1',
    entities: [
      {
        id: 7,
        components: [
          { id: 'Stats', data: { hp: -0, speed: NaN, big: 12n, flag: true, name: 'alpha', raw: new Uint8Array([0, 255]) } },
          {
            id: 'Bag',
            data: {
              map: new Map<unknown, unknown>([
                [1, 'one'],
                ['k', new Set([1n, -0])],
              ]),
              when: new Date(0),
              never: new Date(NaN),
              f32: nanWithPayload,
              i64: new BigInt64Array([-(2n ** 63n), 5n]),
              buffer: new Uint8Array([1, 2, 3]).buffer,
              missing: undefined,
              lone: 'a\ud800b',
              holes: holey,
              inf: [Infinity, -Infinity],
              $tx2: 'a key that looks like a tag',
            },
          },
        ],
      },
      { id: 3, components: [] },
      {
        id: 9,
        components: [
          { id: 'Bag', data: { other: null } },
          { id: 'Stats', data: { hp: 1, speed: 2, big: -(2n ** 63n), flag: false, name: '', raw: new Uint8Array(0) } },
        ],
      },
    ],
  };
  return {
    world,
    options: {
      schema: { Stats: { hp: 'f64', speed: 'f32', big: 'i64', flag: 'bool', name: 'string', raw: 'bytes' } },
      worldTime: -0,
      schemaVersion: 4,
      metadata: { level: 'caves', seen: new Map([['x', new Date(5)]]) },
      entityMetadata: new Map([[7, { created: 1, modified: 2, tags: ['boss'] }]]),
    },
  };
}

describe('the JSON encoding', () => {
  it('round-trips every value plain JSON cannot hold', () => {
    const { world } = trickyWorld();
    const text = JSON.stringify(toJsonValue(world));
    const back = fromJsonValue(JSON.parse(text)) as WorldSnapshot;
    // Same encoding of both sides: every value, type and bit compared.
    expect(toJsonValue(back)).toStrictEqual(toJsonValue(world));
    const bag = back.entities[0]!.components[1]!.data as Record<string, unknown>;
    expect(bag.map).toBeInstanceOf(Map);
    expect((bag.map as Map<unknown, unknown>).get('k')).toStrictEqual(new Set([1n, -0]));
    expect(bag.i64).toStrictEqual(new BigInt64Array([-(2n ** 63n), 5n]));
    expect(Number.isNaN((bag.never as Date).getTime())).toBe(true);
    expect('missing' in bag && bag.missing === undefined).toBe(true);
    expect(bag.lone).toBe('a\ud800b');
    expect(Object.is((back.entities[0]!.components[0]!.data as { hp: number }).hp, -0)).toBe(true);
    expect(new Uint32Array((bag.f32 as Float32Array).buffer)[0]).toBe(0x7fc00123); // NaN payload kept bit for bit
    expect((bag.holes as unknown[]).length).toBe(3);
    expect(bag.$tx2).toBe('a key that looks like a tag');
  });

  it('refuses functions and symbols with a clear error, and malformed tags', () => {
    expect(() => toJsonValue({ f: () => 1 })).toThrow(/value\.f is a function, which has no JSON encoding/);
    expect(() => fromJsonValue({ $tx2: 'bigint', value: '1.5' })).toThrow(/not an integer string/);
    expect(() => fromJsonValue({ $tx2: 'Float64Array', base64: 'AAA=' })).toThrow(/whole number of 8-byte values/);
    expect(() => fromJsonValue({ $tx2: 'toString' })).toThrow(/known tag/);
  });
});

describe('export and import', () => {
  it('round-trips a world with every awkward value: export -> import gives the same snapshot', async () => {
    const { world, options } = trickyWorld();
    const packed = fromWorldSnapshot(world, options);
    writeFileSync(at('tricky.tx2pack'), encodeSnapshot(packed));
    const exported = await tx2pack(['export', at('tricky.tx2pack'), '--out', at('tricky.json')]);
    expect(exported.code).toBe(0);
    const imported = await tx2pack(['import', at('tricky.json'), at('back.tx2pack'), '--codec', 'deflate']);
    expect(imported.code).toBe(0);
    const bytes = new Uint8Array(readFileSync(at('back.tx2pack')));
    const back = decodeSnapshot(bytes, await readOptions({ bytes }));
    expect(snapshotsEqual(back, packed)).toBe(true);
    expect(toWorldSnapshot(back)).toStrictEqual(toWorldSnapshot(packed));
    // And again: the JSON is stable.
    const again = await tx2pack(['export', at('back.tx2pack')]);
    expect(again.stdout).toBe(readFileSync(at('tricky.json'), 'utf8'));
  });

  it('exports the reference world as a WorldSnapshot on stdout, and imports plain WorldSnapshot JSON', async () => {
    writeFileSync(at('ref.tx2pack'), encodeSnapshot(referenceColumns(20).packed));
    const { code, stdout } = await tx2pack(['export', at('ref.tx2pack')]);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.entities).toHaveLength(20);
    expect(doc.entities[0].components.map((c: { id: string }) => c.id)).toEqual(['Position', 'Velocity', 'Health']);
    expect(doc.$tx2pack.components[0]).toEqual({
      id: 'Position',
      layout: 'columns',
      fields: [
        ['x', 'f32'],
        ['y', 'f32'],
        ['z', 'f32'],
      ],
    });
    delete doc.$tx2pack;
    writeFileSync(at('plain-world.json'), JSON.stringify(doc));
    const result = await tx2packJson(['import', at('plain-world.json'), at('plain-world.tx2pack')]);
    expect(result.code).toBe(0);
    expect(result.data).toMatchObject({ entities: 20, components: 3, codec: 'zstd', level: 1, encrypted: false });
  });

  it('imports with a key, and refuses JSON that is not a world', async () => {
    expect((await tx2pack(['keygen', at('k.key')])).code).toBe(0);
    const enc = await tx2pack(['import', at('tricky.json'), at('tricky-enc.tx2pack'), '--key-file', at('k.key')]);
    expect(enc.code).toBe(0);
    expect((await tx2pack(['verify', at('tricky-enc.tx2pack'), '--key-file', at('k.key')])).code).toBe(0);

    writeFileSync(at('bad.json'), '{"entities": 3}');
    const bad = await tx2pack(['import', at('bad.json'), at('bad.tx2pack')]);
    expect(bad.code).toBe(5);
    expect(bad.stderr).toContain('is not a world JSON document');
    writeFileSync(at('broken.json'), '{"entities": [');
    const broken = await tx2pack(['import', at('broken.json'), at('bad.tx2pack')]);
    expect(broken.code).toBe(5);
    expect(broken.stderr).toContain('is not valid JSON');
    writeFileSync(
      at('schema.json'),
      JSON.stringify({ timestamp: 0, version: '', entities: [{ id: 1, components: [{ id: 'P', data: { x: 0.1 } }] }], $tx2pack: { encoding: 1, schema: { P: { x: 'f32' } } } }),
    );
    const schema = await tx2pack(['import', at('schema.json'), at('bad.tx2pack')]);
    expect(schema.code).toBe(5);
    expect(schema.stderr).toMatch(/f32/);
    for (const r of [bad, broken, schema]) expect(hasStack(r.stderr)).toBe(false);
  });
});
