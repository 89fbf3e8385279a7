// Signalling NaNs through `export` / `import` (README "The JSON encoding"): engines do not keep
// NaN bits held in numbers (V8 quietens a signalling NaN once optimised code handles it), so a
// blob whose bytes hold one travels as its bytes (`blobBytes`), JSON writes every NaN value as
// {"$tx2":"NaN"}, and the result does not depend on the engine or its state.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readOptions } from '@tx2/pack-codecs';
import { createPackedSnapshot, decodeBlob, decodeSnapshot, encodeBlob, encodeSnapshot, hashHex, type PackedSnapshot, snapshotHash } from '@tx2/pack-format';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/program.js';
import { packedToWorldJson, worldJsonToPacked } from '../src/world-json.js';
import { tempDir, tx2pack } from './helpers.js';

const { dir, cleanup } = tempDir('nan-bits');
const at = (name: string): string => path.join(dir, name);
afterAll(cleanup);

const quiet = { stdout: { write: () => true }, stderr: { write: () => true } };
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const scratch = new DataView(new ArrayBuffer(8));

/** The number with these 64 bits. */
function f64(bits: bigint): number {
  scratch.setBigUint64(0, bits);
  return scratch.getFloat64(0);
}

/** The blob of `template` with its first float 64 (its 1.5) replaced by `bits`. */
function blobWithBits(template: unknown, bits: bigint): Uint8Array {
  const bytes = encodeBlob(template);
  new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(bytes.indexOf(0xcb) + 1, bits);
  return bytes;
}

/** Decodes and encodes blobs until V8 has optimised those paths and learnt generic array kinds. */
function warmUp(): void {
  for (let i = 0; i < 20_000; i++) {
    decodeBlob(encodeBlob(['x', i, { a: [i + 0.5, 'y'], n: f64(0x7ff0_0000_0000_0001n + BigInt(i % 5)) }]));
    decodeBlob(encodeBlob([i + 0.5, i * 1.5]));
  }
}

// Signalling NaNs in an object field, an array of doubles (which V8 quietens on decoding) and a Map.
const BLOBS = [blobWithBits({ v: 1.5 }, 0x7ff0_0000_0000_0001n), blobWithBits([1.5, 2.5], 0xfff0_0000_0000_0abcn), blobWithBits(new Map([['k', 1.5]]), 0x7ff4_0000_0000_0000n)];

function snapshot(): PackedSnapshot {
  const packed = createPackedSnapshot({
    entities: new Uint32Array([1, 2, 3]),
    timestamp: f64(0x7ff0_0000_0000_0002n),
    version: 'v',
    components: [],
    metadata: { nan: f64(0x7ff0_0000_0000_0003n), list: ['a', f64(0x7ff0_0000_0000_0004n)] },
  } as never);
  packed.components.push({ id: 'Bag', layout: 'blobs', entityIds: new Uint32Array([1, 2, 3]), blobs: BLOBS.map((b) => b.slice()) });
  return packed;
}

async function decodeFile(file: string): Promise<PackedSnapshot> {
  const bytes = new Uint8Array(readFileSync(file));
  return decodeSnapshot(bytes, await readOptions({ bytes }));
}

function blobsOf(packed: PackedSnapshot): string[] {
  const bag = packed.components.find((c) => c.id === 'Bag');
  return bag?.layout === 'blobs' ? bag.blobs.map(hex) : [];
}

describe('signalling NaNs through export and import', () => {
  it('blobs whose bytes hold a signalling NaN come back byte for byte, with the same JSON and hash before and after warm-up (modules)', () => {
    const packed = snapshot();
    const cold = JSON.stringify(packedToWorldJson(packed));
    warmUp();
    const warm = JSON.stringify(packedToWorldJson(packed));
    expect(warm).toBe(cold);
    const doc = JSON.parse(warm);
    expect(doc.$tx2pack.blobBytes.map((e: [string, number, string]) => hex(Buffer.from(e[2], 'base64')))).toEqual(BLOBS.map(hex));
    // JSON writes every NaN value alike.
    expect(warm).toContain('{"$tx2":"NaN"}');
    expect(warm).not.toContain('"bits"');
    const back = worldJsonToPacked(JSON.parse(warm), 'world.json');
    expect(blobsOf(back)).toEqual(BLOBS.map(hex));
    expect(hashHex(snapshotHash(back))).toBe(hashHex(snapshotHash(packed)));
  });

  it('a document of an earlier export, with NaN bits in its JSON, still restores the exact blob bytes', () => {
    const text = JSON.stringify(packedToWorldJson(snapshot()));
    // Earlier versions wrote the bits a NaN value held, e.g. those of the first blob's.
    const older = text.replace('{"v":{"$tx2":"NaN"}}', '{"v":{"$tx2":"NaN","bits":"7ff0000000000001"}}');
    expect(older).not.toBe(text);
    expect(blobsOf(worldJsonToPacked(JSON.parse(older), 'world.json'))).toEqual(BLOBS.map(hex));
  });

  it('an edited blob value wins over its recorded bytes', () => {
    const doc = packedToWorldJson(snapshot());
    const entity = doc.entities.find((e) => e.id === 1)!;
    entity.components[0]!.data = { v: 2 };
    const back = worldJsonToPacked(JSON.parse(JSON.stringify(doc)), 'world.json');
    expect(decodeBlob(back.components[0]!.layout === 'blobs' ? back.components[0]!.blobs[0]! : new Uint8Array())).toEqual({ v: 2 });
  });

  it('`tx2pack export` then `tx2pack import` keeps the bytes (run(argv) after warm-up, and the built CLI in its own process)', async () => {
    writeFileSync(at('in.tx2pack'), encodeSnapshot(snapshot()));
    warmUp();
    expect(await run(['export', at('in.tx2pack'), '--out', at('w.json')], quiet)).toBe(0);
    expect(await run(['import', at('w.json'), at('out.tx2pack'), '--codec', 'none'], quiet)).toBe(0);
    const original = await decodeFile(at('in.tx2pack'));
    const imported = await decodeFile(at('out.tx2pack'));
    expect(blobsOf(imported)).toEqual(BLOBS.map(hex));
    expect(hashHex(snapshotHash(imported))).toBe(hashHex(snapshotHash(original)));

    expect(await tx2pack(['export', at('in.tx2pack'), '--out', at('w2.json')])).toMatchObject({ code: 0 });
    expect(readFileSync(at('w2.json'), 'utf8')).toBe(readFileSync(at('w.json'), 'utf8'));
    expect(await tx2pack(['import', at('w2.json'), at('out2.tx2pack')])).toMatchObject({ code: 0 });
    expect(blobsOf(await decodeFile(at('out2.tx2pack')))).toEqual(BLOBS.map(hex));
  });
});
