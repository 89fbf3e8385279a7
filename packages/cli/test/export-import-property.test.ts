import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readOptions } from '@tx2/pack-codecs';
import { createPackedSnapshot, decodeSnapshot, encodeBlob, encodeSnapshot, hashHex, type PackedSnapshot, snapshotHash } from '@tx2/pack-format';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/program.js';
import { packedToWorldJson, worldJsonToPacked } from '../src/world-json.js';
import { packedSnapshot } from './arbitrary-snapshot.js';
import { tempDir, tx2pack } from './helpers.js';

const { dir, cleanup } = tempDir('export-property');
const at = (name: string): string => path.join(dir, name);
afterAll(cleanup);

const hashOf = (packed: PackedSnapshot): string => hashHex(snapshotHash(packed));
const quiet = { stdout: { write: () => true }, stderr: { write: () => true } };

async function decodeFile(file: string): Promise<PackedSnapshot> {
  const bytes = new Uint8Array(readFileSync(file));
  return decodeSnapshot(bytes, await readOptions({ bytes }));
}

/** Export then import through the modules, with the JSON text in between. */
function throughJson(packed: PackedSnapshot): PackedSnapshot {
  return worldJsonToPacked(JSON.parse(JSON.stringify(packedToWorldJson(packed))), 'world.json');
}

describe('export then import is lossless for everything encodeSnapshot accepts', () => {
  it('property: the same snapshot hash through the JSON document (modules)', () => {
    fc.assert(
      fc.property(packedSnapshot, (packed) => {
        expect(hashOf(throughJson(packed))).toBe(hashOf(packed));
      }),
      { numRuns: 500, seed: 15 },
    );
  });

  it('property: the same snapshot hash through `tx2pack export` and `tx2pack import` (run(argv))', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(packedSnapshot, async (packed) => {
        const k = n++;
        writeFileSync(at(`in-${k}.tx2pack`), encodeSnapshot(packed));
        expect(await run(['export', at(`in-${k}.tx2pack`), '--out', at(`w-${k}.json`)], quiet)).toBe(0);
        expect(await run(['import', at(`w-${k}.json`), at(`out-${k}.tx2pack`), '--codec', 'none'], quiet)).toBe(0);
        const original = await decodeFile(at(`in-${k}.tx2pack`));
        expect(hashOf(await decodeFile(at(`out-${k}.tx2pack`)))).toBe(hashOf(original));
      }),
      { numRuns: 100, seed: 15 },
    );
  });

  it('regressions: NaN payloads in f32 / f64 columns and blobs, components without rows, Map keys that are objects', async () => {
    const f32 = new Float32Array(new Uint32Array([0xffc00001, 0x7f800001, 0x7fc00000]).buffer);
    const f64 = new Float64Array(new BigUint64Array([0xfff8000000000001n, 0x7ff0000000000001n, 0x8000000000000000n]).buffer);
    const nanBlob = encodeBlob({ v: 1.5 });
    new DataView(nanBlob.buffer, nanBlob.byteOffset).setBigUint64(nanBlob.indexOf(0xcb) + 1, 0xfff8000000000abcn);
    const packed = createPackedSnapshot({
      entities: new Uint32Array([5, 6, 7]),
      timestamp: 1,
      version: 'v',
      components: [
        { id: 'Floats', fields: { a: f32, b: f64 } },
        { id: 'Empty', entityIds: new Uint32Array(0), fields: { x: new Float32Array(0), s: [] as string[] } },
      ],
    });
    packed.components.push({ id: 'Bag', layout: 'blobs', entityIds: new Uint32Array([5, 7]), blobs: [nanBlob, encodeBlob(new Map([[{ toString: 1 }, 2]]))] });
    packed.components.push({ id: 'EmptyBlobs', layout: 'blobs', entityIds: new Uint32Array(0), blobs: [] });
    expect(hashOf(throughJson(packed))).toBe(hashOf(packed));

    // And once as users run it: the built CLI in its own process.
    writeFileSync(at('regress.tx2pack'), encodeSnapshot(packed));
    const exported = await tx2pack(['export', at('regress.tx2pack'), '--out', at('regress.json')]);
    expect(exported).toMatchObject({ code: 0 });
    const imported = await tx2pack(['import', at('regress.json'), at('regress-back.tx2pack')]);
    expect(imported).toMatchObject({ code: 0 });
    expect(hashOf(await decodeFile(at('regress-back.tx2pack')))).toBe(hashOf(packed));
    const doc = JSON.parse(readFileSync(at('regress.json'), 'utf8'));
    expect(doc.$tx2pack.components.map((c: { id: string }) => c.id)).toEqual(['Floats', 'Empty', 'Bag', 'EmptyBlobs']);
    expect(doc.$tx2pack.exactBits).toEqual(
      expect.arrayContaining([
        ['Floats', 'a', 5, 'ffc00001'],
        ['Floats', 'b', 5, 'fff8000000000001'],
      ]),
    );
  });

  it('an edited value wins over the recorded bits, and a version 1 document still imports', () => {
    const f32 = new Float32Array(new Uint32Array([0xffc00001]).buffer);
    const packed = createPackedSnapshot({ entities: new Uint32Array([1]), timestamp: 0, version: 'v', components: [{ id: 'P', fields: { x: f32 } }] });
    const doc = JSON.parse(JSON.stringify(packedToWorldJson(packed)));
    doc.entities[0].components[0].data.x = 2.5;
    const edited = worldJsonToPacked(doc, 'edited.json');
    expect(Array.from((edited.components[0] as { fields: { values: Float32Array }[] }).fields[0]!.values)).toEqual([2.5]);
    const v1 = { timestamp: 0, version: 'v', entities: [{ id: 1, components: [{ id: 'P', data: { x: 1 } }] }], $tx2pack: { encoding: 1, schema: { P: { x: 'f32' } } } };
    expect((worldJsonToPacked(v1, 'v1.json').components[0] as { fields: { type: string }[] }).fields[0]!.type).toBe('f32');
  });
});
