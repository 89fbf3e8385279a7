// Regressions of the days when the store had its own streaming encoder: every case below gave
// a different answer through SnapshotWriter / SnapshotStore than through encodeSnapshot.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPackedSnapshot, encodeSnapshot, isPackError, type PackedSnapshot } from '@tx2/pack-format';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBackend, SnapshotStore, SnapshotWriter } from '../src/index.js';
import { writeSnapshotFile } from '../src/node.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function joined(writer: SnapshotWriter, packed: PackedSnapshot): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  for await (const piece of writer.stream(packed)) pieces.push(piece.slice());
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Every write route's outcome for `packed`: the PackError code, or 'ok'. */
async function outcomes(packed: PackedSnapshot): Promise<Record<string, string>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tx2-one-writer-'));
  dirs.push(dir);
  const plain = SnapshotWriter.create().withCodec('none');
  const routes: Record<string, () => Promise<unknown>> = {
    encodeSnapshot: async () => encodeSnapshot(packed),
    writeToBytes: () => plain.writeToBytes(packed),
    stream: () => joined(plain, packed),
    writeToFile: () => writeSnapshotFile(path.join(dir, 'w.tx2pack'), packed, plain),
    'store.save': () => new SnapshotStore(new MemoryBackend()).save(packed, 'slot'),
    'store.save dedupe': () => new SnapshotStore(new MemoryBackend(), { dedupeSections: true }).save(packed, 'slot'),
  };
  const out: Record<string, string> = {};
  for (const [name, run] of Object.entries(routes)) {
    try {
      await run();
      out[name] = 'ok';
    } catch (error) {
      out[name] = isPackError(error) ? error.code : `not a PackError: ${String(error)}`;
    }
  }
  return out;
}

const allEqual = (o: Record<string, string>, value: string): Record<string, string> => Object.fromEntries(Object.keys(o).map((k) => [k, value]));

describe('every write route gives the answer encodeSnapshot gives', () => {
  it('a string with a lone surrogate is refused everywhere (the stream once stored U+FFFD)', async () => {
    const packed = createPackedSnapshot({ entities: [1], components: [{ id: 'S', fields: { s: ['a\uD800b'] } }] });
    const o = await outcomes(packed);
    expect(o).toEqual(allEqual(o, 'InvalidInput'));
  });

  it('a componentOrder naming an unknown component is refused everywhere (the stream once wrote an unreadable file)', async () => {
    const packed = createPackedSnapshot({ entities: [1], components: [{ id: 'A', fields: { v: new Float32Array([1]) } }] });
    packed.componentOrder = new Map([[1, ['A', 'Nope']]]);
    const o = await outcomes(packed);
    expect(o).toEqual(allEqual(o, 'InvalidInput'));
  });

  it('a column of the wrong array type is a PackError everywhere (the stream once threw a raw RangeError)', async () => {
    const packed = createPackedSnapshot({ entities: [1, 2], components: [{ id: 'A', fields: { v: new Float32Array([1, 2]) } }] });
    (packed.components[0] as { fields: { values: unknown }[] }).fields[0]!.values = new Float64Array([1, 2]);
    const o = await outcomes(packed);
    expect(o).toEqual(allEqual(o, 'InvalidInput'));
  });

  it('schemaVersion -0 survives the stream and the store (it once became 0)', async () => {
    const packed = createPackedSnapshot({ entities: [1], components: [{ id: 'A', fields: { v: new Float32Array([1]) } }] });
    packed.schemaVersion = -0;
    const store = new SnapshotStore(new MemoryBackend());
    await store.save(packed, 'slot');
    const loaded = await store.load('slot');
    expect(Object.is(loaded.snapshot.schemaVersion, -0)).toBe(true);
    const streamed = await joined(SnapshotWriter.create().withCodec('none'), packed);
    expect(streamed).toEqual(encodeSnapshot(packed));
  });

  it('the stream gives exactly the bytes of encodeSnapshot for a world smaller than a chunk (696 vs 640 once)', async () => {
    const packed = createPackedSnapshot({
      entities: [1, 2, 3],
      metadata: { level: 'forest' },
      components: [
        { id: 'Position', fields: { x: new Float32Array([1, 2, 3]), y: new Float64Array([4, 5, 6]) } },
        { id: 'Name', entityIds: new Uint32Array([2]), fields: { name: ['\uFEFFbom'] } },
      ],
    });
    for (const checksums of [true, false]) {
      const writer = SnapshotWriter.create().withCodec('none').withChecksums(checksums);
      expect(await joined(writer, packed)).toEqual(encodeSnapshot(packed, { checksums }));
      expect(await writer.writeToBytes(packed)).toEqual(encodeSnapshot(packed, { checksums }));
    }
    const zstd = SnapshotWriter.create();
    expect(await joined(zstd, packed)).toEqual(await zstd.writeToBytes(packed));
  });
});
