import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { createPackedSnapshot, decodeSnapshot, readLayout, type PackedSnapshot } from '@tx2/pack-format';
import { readOptions } from '@tx2/pack-codecs';
import { afterAll, describe, expect, it } from 'vitest';
import { SnapshotReader, SnapshotWriter } from '../src/index.js';
import { makeWorld } from './helpers/world.js';
import { readSnapshotFile, readSnapshotStream, writeSnapshotFile } from '../src/node.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tx2-stream-'));
  dirs.push(dir);
  return dir;
}

function summary(s: PackedSnapshot): unknown {
  return {
    entities: Array.from(s.entities),
    meta: s.metadata,
    worldTime: s.worldTime,
    components: s.components.map((c) => ({
      id: c.id,
      ids: Array.from(c.entityIds),
      fields: c.layout === 'columns' ? c.fields.map((f) => [f.name, f.type, Array.from(f.values as ArrayLike<unknown>)]) : c.blobs.map((b) => Array.from(b)),
    })),
    entityMetadata: s.entityMetadata ? [...s.entityMetadata] : undefined,
    order: s.componentOrder ? [...s.componentOrder] : undefined,
  };
}

async function collect(gen: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of gen) parts.push(p.slice());
  return new Uint8Array(Buffer.concat(parts));
}

describe('streaming', () => {
  const world = makeWorld(5000);
  world.entityMetadata = new Map([[1, { created: 5, tags: ['a'] }]]);
  world.componentOrder = new Map([[1, ['Name', 'Position', 'Health']]]);

  it.each(['none', 'lz4', 'zstd'] as const)('section-by-section output with %s decodes with decodeSnapshot, columns cut into bounded chunks', async (codec) => {
    const writer = SnapshotWriter.create().withCodec(codec).withChunkSize(4096);
    const bytes = await collect(writer.stream(world));
    const layout = readLayout(bytes);
    const columns = layout.sections.filter((s) => s.descriptor.kind === 3);
    expect(columns.length).toBeGreaterThan(10);
    for (const s of columns) expect(s.descriptor.rawLength).toBeLessThanOrEqual(4096 + 8 * 1024);
    expect(summary(decodeSnapshot(bytes, await readOptions({ bytes })))).toEqual(summary(world));
    expect(summary(await SnapshotReader.create().readFromBytes(bytes))).toEqual(summary(world));
  });

  it('blob components, empty components and empty worlds stream too', async () => {
    const blobs = makeWorld(10);
    blobs.components.push({ id: 'Blob', layout: 'blobs', entityIds: blobs.entities, blobs: Array.from(blobs.entities, (i) => new Uint8Array([0x91, i])) });
    blobs.components.push({
      id: 'Empty',
      layout: 'columns',
      entityIds: new Uint32Array(0),
      fields: [
        { name: 'v', type: 'f32', values: new Float32Array(0) },
        { name: 's', type: 'string', values: [] },
      ],
    });
    const bytes = await collect(SnapshotWriter.create().withChunkSize(64).stream(blobs));
    expect(summary(await SnapshotReader.create().readFromBytes(bytes))).toEqual(summary(blobs));
    const empty = createPackedSnapshot({ entities: [] });
    const e = await collect(SnapshotWriter.create().stream(empty));
    expect((await SnapshotReader.create().readFromBytes(e)).entities.length).toBe(0);
  });

  it('Node streams: writeToStream into a PassThrough, readFromStream back', async () => {
    const pass = new PassThrough();
    const writing = SnapshotWriter.create()
      .withCodec('lz4')
      .withChunkSize(1 << 12)
      .writeToStream(world, pass)
      .then((n) => {
        pass.end();
        return n;
      });
    const back = await readSnapshotStream(pass, SnapshotReader.create());
    expect((await writing) > 0).toBe(true);
    expect(summary(back)).toEqual(summary(world));
  });

  it('web streams: toWebStream, WritableStream sink, readFromStream', async () => {
    const back = await readSnapshotStream(SnapshotWriter.create().toWebStream(world), SnapshotReader.create().withComponents(['Health']));
    expect(back.components.map((c) => c.id)).toEqual(['Health']);
    const parts: Uint8Array[] = [];
    const sink = new WritableStream<Uint8Array>({ write: (chunk) => void parts.push(chunk) });
    await SnapshotWriter.create().withCodec('zstd').writeToStream(world, sink);
    expect(summary(await readSnapshotStream(Readable.from(parts), SnapshotReader.create()))).toEqual(summary(world));
  });

  it.each(['none', 'zstd'] as const)('component-wise file reads (%s) equal whole reads, also with range entity sets larger than the partial containers', async (codec) => {
    const dir = await tempDir();
    const file = path.join(dir, 'cw.tx2pack');
    await writeSnapshotFile(file, world, SnapshotWriter.create().withCodec(codec).withChunkSize(1024));
    const reader = SnapshotReader.create().withComponentWiseAbove(0);
    expect(summary(await readSnapshotFile(file, reader))).toEqual(summary(world));
    // 3 million range ids, one tiny component: the partial containers are padded in memory.
    const n = 3_000_000;
    const ids = new Uint32Array(n);
    for (let i = 0; i < n; i++) ids[i] = i + 7;
    const ranged = createPackedSnapshot({
      entities: ids,
      components: [
        { id: 'Tiny', entityIds: ids.subarray(0, 3), fields: { t: new Uint8Array([1, 2, 3]) } },
        { id: 'All', entityIds: ids, fields: { a: new Uint8Array(n).fill(9) } },
      ],
    });
    await writeSnapshotFile(file, ranged, SnapshotWriter.create().withCodec(codec));
    const back = await readSnapshotFile(file, reader);
    expect(back.entities.length).toBe(n);
    expect(back.entities[n - 1]).toBe(n + 6);
    expect(Array.from((back.components[0] as { fields: { values: Uint8Array }[] }).fields[0]!.values)).toEqual([1, 2, 3]);
    const tiny = await readSnapshotFile(file, SnapshotReader.create().withComponents(['Tiny']));
    expect(tiny.components[0]!.entityIds.length).toBe(3);
  });

  it('decodeStream (every platform) reads web streams, Node Readables and async iterables in memory', async () => {
    const back = await SnapshotReader.create().withComponents(['Health']).decodeStream(SnapshotWriter.create().withCodec('lz4').toWebStream(world));
    expect(back.components.map((c) => c.id)).toEqual(['Health']);
    const bytes = await collect(
      SnapshotWriter.create()
        .withChunkSize(1 << 12)
        .stream(world),
    );
    const pieces = [bytes.subarray(0, 100), bytes.subarray(100, 5000), bytes.subarray(5000)];
    expect(summary(await SnapshotReader.create().decodeStream(Readable.from(pieces)))).toEqual(summary(world));
    expect(
      summary(
        await SnapshotReader.create().decodeStream(
          (async function* () {
            yield* pieces;
          })(),
        ),
      ),
    ).toEqual(summary(world));
    await expect(SnapshotReader.create().decodeStream(Readable.from([bytes.subarray(0, bytes.length - 10)]))).rejects.toMatchObject({ code: 'Truncated' });
  });

  it('a truncated stream is a typed error', async () => {
    const bytes = await collect(SnapshotWriter.create().stream(world));
    await expect(readSnapshotStream(Readable.from([bytes.subarray(0, bytes.length - 10)]), SnapshotReader.create())).rejects.toMatchObject({ code: 'Truncated' });
  });

  it('a Zstandard payload well over 100 MiB (one 128 MiB section, and 150 MiB streamed to a file) reads back', async () => {
    const n = 16 << 20; // 16 Mi f64 = 128 MiB
    const v = new Float64Array(n);
    // Partly compressible (zstd must win, or the section would be stored raw), but not so much that
    // the file gets smaller than its range entity set allows (format: 8 ids per input byte).
    let seed = 12345;
    for (let i = 0; i < n; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      v[i] = seed >>> 21; // 11 random bits per value
    }
    const ids = new Uint32Array(n);
    for (let i = 0; i < n; i++) ids[i] = i;
    const big = createPackedSnapshot({ entities: ids, components: [{ id: 'Big', fields: { v } }] });
    const writer = SnapshotWriter.create().withCodec('zstd', 1);
    const bytes = await writer.writeToBytes(big);
    const layout = readLayout(bytes);
    const section = layout.sections.find((s) => s.descriptor.kind === 3)!;
    expect(section.descriptor.rawLength).toBe(128 << 20);
    expect(section.descriptor.codec).toBe(2);
    const back = await SnapshotReader.create().readFromBytes(bytes);
    const got = (back.components[0] as { fields: { values: Float64Array }[] }).fields[0]!.values;
    expect(got.length).toBe(n);
    expect(got[n - 1]).toBe(v[n - 1]);
    expect(Buffer.compare(Buffer.from(got.buffer, got.byteOffset, got.byteLength), Buffer.from(v.buffer))).toBe(0);

    // 150 MiB of payload (f64 + u32 ids + a second f64 column) streamed to a file in 8 MiB chunks, read back component by component.
    const w = new Float64Array(n / 8);
    for (let i = 0; i < w.length; i++) w[i] = i;
    const big2 = createPackedSnapshot({
      entities: ids,
      components: [
        { id: 'Big', fields: { v } },
        { id: 'Small', entityIds: ids.subarray(0, w.length), fields: { w } },
      ],
    });
    const file = path.join(await tempDir(), 'big.tx2pack');
    await writeSnapshotFile(file, big2, writer.withChunkSize(8 << 20));
    expect((await stat(file)).size).toBeGreaterThan(1 << 20);
    const back2 = await readSnapshotFile(file, SnapshotReader.create());
    const got2 = (back2.components[0] as { fields: { values: Float64Array }[] }).fields[0]!.values;
    expect(Buffer.compare(Buffer.from(got2.buffer, got2.byteOffset, got2.byteLength), Buffer.from(v.buffer))).toBe(0);
    expect(Array.from((back2.components[1] as { fields: { values: Float64Array }[] }).fields[0]!.values.subarray(0, 5))).toEqual([0, 1, 2, 3, 4]);
  }, 300_000);
});
