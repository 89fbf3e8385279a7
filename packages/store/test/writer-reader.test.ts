import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readLayout, type PackedSnapshot } from '@tx2/pack-format';
import { afterAll, describe, expect, it } from 'vitest';
import { type ByteSource, SnapshotReader, SnapshotWriter, bytesSource } from '../src/index.js';
import { makeWorld } from './helpers/world.js';
import { readSnapshotFile, writeSnapshotFile } from '../src/node.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tx2-rw-'));
  dirs.push(dir);
  return dir;
}

function plain(s: PackedSnapshot): unknown {
  return {
    ...s,
    entities: Array.from(s.entities),
    components: s.components.map((c) => ({
      ...c,
      entityIds: Array.from(c.entityIds),
      ...(c.layout === 'columns' ? { fields: c.fields.map((f) => ({ ...f, values: Array.from(f.values as ArrayLike<unknown>) })) } : {}),
    })),
  };
}

describe('SnapshotWriter / SnapshotReader', () => {
  const world = makeWorld(2000);

  it.each([
    ['none', SnapshotWriter.create().withCodec('none')],
    ['lz4', SnapshotWriter.create().withCodec('lz4')],
    ['zstd-3', SnapshotWriter.create().withCodec('zstd', 3)],
    ['deflate fast', SnapshotWriter.create().withCodec('deflate').withLevel('fast')],
    ['gzip, no checksums, no filter', SnapshotWriter.create().withCodec('gzip').withChecksums(false).withFilter('none')],
    ['default', SnapshotWriter.create()],
  ])('round-trips bytes written with %s, read with no options', async (_, writer) => {
    const bytes = await writer.writeToBytes(world);
    const back = await SnapshotReader.create().readFromBytes(bytes);
    expect(plain(back)).toEqual(plain(world));
  });

  it('builders are immutable', () => {
    const a = SnapshotWriter.create();
    const b = a.withCodec('lz4');
    expect(a.settings.codec).toBeUndefined();
    expect(b.settings.codec).toBe('lz4');
    const r = SnapshotReader.create();
    expect(r.withComponents(['x']).settings.components).toEqual(['x']);
    expect(r.settings.components).toBeUndefined();
  });

  it('writes files atomically and reads them back', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'world.tx2pack');
    const size = await writeSnapshotFile(file, world, SnapshotWriter.create().withCodec('zstd', 3));
    expect((await readFile(file)).length).toBe(size);
    expect(plain(await readSnapshotFile(file, SnapshotReader.create()))).toEqual(plain(world));
    await writeSnapshotFile(file, makeWorld(10, 2), SnapshotWriter.create().withCodec('none'));
    expect((await readSnapshotFile(file, SnapshotReader.create())).entities.length).toBe(10);
  });

  it('partial reads decode only the asked components and read only their sections', async () => {
    const big = makeWorld(50_000);
    for (const codec of ['none', 'lz4', 'zstd'] as const) {
      const bytes = await SnapshotWriter.create().withCodec(codec).writeToBytes(big);
      const layout = readLayout(bytes);
      const source = bytesSource(bytes);
      const touched: [number, number][] = [];
      const spy: ByteSource = {
        size: source.size,
        read: (offset, length) => {
          touched.push([offset, offset + length]);
          return source.read(offset, length);
        },
      };
      const back = await SnapshotReader.create().withComponents(['Health']).readFromSource(spy);
      expect(back.components.map((c) => c.id)).toEqual(['Health']);
      const expected = plain({ ...big, components: big.components.filter((c) => c.id === 'Health') });
      expect(plain(back)).toEqual(expected);
      // No byte of a Position or Name section was read.
      const skipped = layout.sections.filter((s) => s.descriptor.kind === 3 && s.descriptor.owner !== 1);
      expect(skipped.length).toBeGreaterThan(0);
      for (const s of skipped) {
        const start = s.offset;
        const end = s.offset + 64 + s.descriptor.storedLength;
        expect(touched.some(([a, b]) => a < end && b > start)).toBe(false);
      }
      const read = touched.reduce((n, [a, b]) => n + (b - a), 0);
      expect(read).toBeLessThan(bytes.length * 0.6);
    }
  });

  it('partial reads from a file; unknown components are InvalidInput', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'w.tx2pack');
    await writeSnapshotFile(file, world, SnapshotWriter.create());
    const back = await readSnapshotFile(file, SnapshotReader.create().withComponents(['Name', 'Position']));
    expect(back.components.map((c) => c.id).sort()).toEqual(['Name', 'Position']);
    await expect(readSnapshotFile(file, SnapshotReader.create().withComponents(['Nope']))).rejects.toMatchObject({ code: 'InvalidInput' });
  });

  it('reports missing, truncated and corrupt files with typed errors', async () => {
    const dir = await tempDir();
    await expect(readSnapshotFile(path.join(dir, 'missing.tx2pack'), SnapshotReader.create())).rejects.toMatchObject({ code: 'SnapshotNotFound' });
    const bytes = await SnapshotWriter.create().withCodec('none').writeToBytes(world);
    const cut = path.join(dir, 'cut.tx2pack');
    await writeFile(cut, bytes.subarray(0, bytes.length - 100));
    await expect(readSnapshotFile(cut, SnapshotReader.create())).rejects.toMatchObject({ code: 'Truncated' });
    await expect(readSnapshotFile(cut, SnapshotReader.create().withComponents(['Health']))).rejects.toMatchObject({ code: 'Truncated' });
    const flipped = bytes.slice();
    flipped[Math.floor(bytes.length / 2)]! ^= 0xff;
    await expect(SnapshotReader.create().readFromBytes(flipped)).rejects.toMatchObject({ code: 'ChecksumMismatch' });
    await expect(SnapshotReader.create().readFromBytes(new Uint8Array(10))).rejects.toMatchObject({ name: 'PackError' });
  });
});
