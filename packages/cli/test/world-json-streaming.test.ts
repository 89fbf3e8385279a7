// The streaming routes of export and import against the whole-document ones: the same text
// out, the same snapshot in, for every world encodeSnapshot accepts, in batches of any size.
import { writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { hashHex, type PackedSnapshot, snapshotHash } from '@tx2/pack-format';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonScanError, scanJsonObject } from '../src/json-scan.js';
import { Progress } from '../src/progress.js';
import { packedToWorldJson } from '../src/world-json.js';
import { readWorldJsonStreaming } from '../src/world-json-reader.js';
import { worldJsonPieces } from '../src/world-json-writer.js';
import { packedSnapshot } from './arbitrary-snapshot.js';
import { tempDir } from './helpers.js';

const { dir, cleanup } = tempDir('json-streaming');
afterAll(cleanup);

const hashOf = (packed: PackedSnapshot): string => hashHex(snapshotHash(packed));
const silent = (): Progress => new Progress('', 0, undefined);

/** Reads a JSON file through the streaming route with batches of about `batchBytes`. */
async function streamIn(file: string, text: string, batchBytes: number): Promise<PackedSnapshot | undefined> {
  writeFileSync(file, text);
  const handle = await open(file, 'r');
  try {
    return await readWorldJsonStreaming(handle, Buffer.byteLength(text), file, silent(), silent, batchBytes);
  } finally {
    await handle.close();
  }
}

/** Scans text held in memory. */
const scanText = (text: string, batchBytes = 1, chunkBytes = 7) => {
  const bytes = Buffer.from(text);
  return scanJsonObject(
    async (buffer, position) => {
      const part = bytes.subarray(position, position + buffer.length);
      buffer.set(part);
      return part.length;
    },
    bytes.length,
    { batchKey: 'entities', batchBytes, chunkBytes },
  );
};

describe('streamed export and import', () => {
  it('property: export writes exactly the text of the whole document, compact and indented', () => {
    fc.assert(
      fc.property(packedSnapshot, fc.constantFrom(0, 2), fc.integer({ min: 1, max: 5 }), (packed, indent, slice) => {
        expect([...worldJsonPieces(packed, indent, () => {}, slice)].join('')).toBe(`${JSON.stringify(packedToWorldJson(packed), null, indent || undefined)}\n`);
      }),
      { numRuns: 300, seed: 16 },
    );
  });

  it('property: import batch by batch gives the snapshot back (same hash), whatever the batch size', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(packedSnapshot, fc.constantFrom(0, 2), fc.integer({ min: 1, max: 4096 }), async (packed, indent, batchBytes) => {
        const text = [...worldJsonPieces(packed, indent)].join('');
        const back = await streamIn(path.join(dir, `w-${n++}.json`), text, batchBytes);
        expect(back, 'the streaming route takes every document export writes').toBeDefined();
        expect(hashOf(back!)).toBe(hashOf(packed));
      }),
      { numRuns: 200, seed: 16 },
    );
  });

  it('hands documents it does not cover to the whole-document route', async () => {
    const plain = '{"timestamp":1,"version":"1","entities":[{"id":1,"components":[]}]}';
    expect(await streamIn(path.join(dir, 'plain.json'), plain, 16)).toBeUndefined();
    const v1 = '{"timestamp":1,"version":"1","entities":[],"$tx2pack":{"encoding":1,"schema":{}}}';
    expect(await streamIn(path.join(dir, 'v1.json'), v1, 16)).toBeUndefined();
    const unlisted =
      '{"timestamp":1,"version":"1","entities":[{"id":1,"components":[{"id":"Hand","data":1}]}],"$tx2pack":{"encoding":2,"worldTime":0,"schemaVersion":0,"components":[],"metadata":{},"entityMetadata":[]}}';
    expect(await streamIn(path.join(dir, 'unlisted.json'), unlisted, 16)).toBeUndefined();
    expect(await streamIn(path.join(dir, 'broken.json'), '{"entities":[{"id":1}', 16)).toBeUndefined();
  });
});

describe('the structural scan', () => {
  it('finds every top-level value and cuts the entities into whole elements, across chunk boundaries', async () => {
    const text = ' { "a\\"b" : "x,}]\\\\" , "entities" : [ {"id":1,"s":"],"} , [2] , 3 ] , "z":{"k":[1,{}]} } ';
    const { values, batches } = await scanText(text);
    expect([...values.keys()]).toEqual(['a"b', 'entities', 'z']);
    const slice = (span: { start: number; end: number }) => text.slice(span.start, span.end);
    expect(JSON.parse(slice(values.get('a"b')!))).toBe('x,}]\\');
    expect(JSON.parse(slice(values.get('z')!))).toEqual({ k: [1, {}] });
    expect(batches.map((b) => JSON.parse(`[${slice(b)}]`))).toEqual([[{ id: 1, s: '],' }], [[2]], [3]]);
  });

  it('keeps elements together when batches are large', async () => {
    const { batches } = await scanText('{"entities":[1,2,3,4]}', 1 << 20);
    expect(batches).toHaveLength(1);
  });

  it('refuses what is not one object', async () => {
    for (const text of ['[1]', '{"a" 1}', '{"a":1', '{"a":1} x', '{,}', '{"a":}']) await expect(scanText(text), text).rejects.toBeInstanceOf(JsonScanError);
  });
});
