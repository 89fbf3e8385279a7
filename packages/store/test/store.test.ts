import { mkdtemp, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBackend, SnapshotMetadata, SnapshotStore, SnapshotWriter, type StorageBackend } from '../src/index.js';
import { NodeFsBackend, writeSnapshotFile } from '../src/node.js';
import { makeWorld } from './helpers/world.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tx2-store-'));
  dirs.push(dir);
  return dir;
}

/** A backend whose writes fail like a read-only directory (tests run as root, where chmod does not stop writes). */
class ReadOnlyBackend extends MemoryBackend {
  override async put(key: string): Promise<void> {
    const { PackError } = await import('@tx2/pack-format');
    throw new PackError('Io', `could not write ${key} (EACCES): the store directory is not writable; check its permissions`);
  }
}

const backends: [string, () => Promise<StorageBackend>][] = [
  ['memory', async () => new MemoryBackend()],
  ['node fs', async () => new NodeFsBackend(await tempDir())],
];

describe.each(backends)('SnapshotStore on %s', (_, make) => {
  it('save, load, list, exists, delete', async () => {
    const store = new SnapshotStore(await make());
    const w1 = makeWorld(100, 1);
    const meta = new SnapshotMetadata('slot1', { createdAt: 1 }).withName('Slot 1').withTag('manual').withCustomField('chapter', 3);
    await store.save(w1, meta);
    await store.save(makeWorld(50, 2), 'slot2');
    expect(await store.exists('slot1')).toBe(true);
    expect(await store.exists('nope')).toBe(false);
    expect((await store.list()).map((m) => m.id)).toEqual(['slot1', 'slot2']);
    const loaded = await store.load('slot1');
    expect(loaded.metadata.toJSON()).toEqual(meta.toJSON());
    expect(loaded.snapshot.metadata).toEqual({ level: 'level-1' });
    expect(Array.from(loaded.snapshot.entities)).toEqual(Array.from(w1.entities));
    const partial = await store.load('slot1', { components: ['Health'] });
    expect(partial.snapshot.components.map((c) => c.id)).toEqual(['Health']);
    expect(await store.delete('slot1')).toBe(true);
    expect(await store.delete('slot1')).toBe(false);
    expect(await store.exists('slot1')).toBe(false);
    await expect(store.load('slot1')).rejects.toMatchObject({ code: 'SnapshotNotFound' });
    expect((await store.list()).map((m) => m.id)).toEqual(['slot2']);
  });

  it('overwrites a save with the new pair', async () => {
    const store = new SnapshotStore(await make());
    await store.save(makeWorld(10, 1), new SnapshotMetadata('s').withName('one'));
    await store.save(makeWorld(20, 2), new SnapshotMetadata('s').withName('two'));
    const { snapshot, metadata } = await store.load('s');
    expect(metadata.name).toBe('two');
    expect(snapshot.entities.length).toBe(20);
  });

  it('refuses bad ids with InvalidInput and touches nothing', async () => {
    const backend = await make();
    const store = new SnapshotStore(backend);
    for (const id of ['../evil', 'a/b', '..', 'x\n', '', 'a'.repeat(500)]) {
      await expect(store.save(makeWorld(1), id)).rejects.toMatchObject({ code: 'InvalidInput' });
      await expect(store.load(id)).rejects.toMatchObject({ code: 'InvalidInput' });
      await expect(store.delete(id)).rejects.toMatchObject({ code: 'InvalidInput' });
      await expect(store.exists(id)).rejects.toMatchObject({ code: 'InvalidInput' });
    }
    expect(await backend.list()).toEqual([]);
  });

  it('a crash between snapshot and metadata puts yields the new save, complete, and repairs the metadata', async () => {
    const backend = await make();
    const store = new SnapshotStore(backend);
    await store.save(makeWorld(10, 1), new SnapshotMetadata('s').withName('old'));
    const oldMeta = (await backend.get('s.meta.json'))!;
    await store.save(makeWorld(30, 2), new SnapshotMetadata('s').withName('new'));
    await backend.put('s.meta.json', oldMeta); // as if the process died before the metadata put
    const { snapshot, metadata } = await store.load('s');
    expect(metadata.name).toBe('new');
    expect(snapshot.entities.length).toBe(30);
    expect((await store.list())[0]!.name).toBe('new');
  });

  it('a snapshot without metadata is not listed, and recover() restores it', async () => {
    const backend = await make();
    const store = new SnapshotStore(backend);
    await store.save(makeWorld(10, 1), new SnapshotMetadata('s').withName('n'));
    await store.save(makeWorld(10, 2), 'other');
    await backend.delete('s.meta.json');
    expect(await store.exists('s')).toBe(false);
    expect((await store.list()).map((m) => m.id)).toEqual(['other']);
    await expect(store.load('s')).rejects.toMatchObject({ code: 'SnapshotNotFound', details: { orphanSnapshot: true } });
    expect((await store.load('other')).snapshot.entities.length).toBe(10);
    expect((await store.recover('s')).name).toBe('n');
    expect((await store.load('s')).metadata.name).toBe('n');
  });

  it('metadata whose snapshot is missing is SnapshotNotFound; a damaged snapshot is a typed error; the rest works', async () => {
    const backend = await make();
    const store = new SnapshotStore(backend, { writer: SnapshotWriter.create().withCodec('none') });
    await store.save(makeWorld(100, 1), 'a');
    await store.save(makeWorld(100, 2), 'b');
    await store.save(makeWorld(100, 3), 'c');
    await backend.delete('a.tx2pack');
    await expect(store.load('a')).rejects.toMatchObject({ code: 'SnapshotNotFound' });
    const bytes = (await backend.get('b.tx2pack'))!;
    await backend.put('b.tx2pack', bytes.subarray(0, bytes.length - 200));
    await expect(store.load('b')).rejects.toMatchObject({ code: 'Truncated' });
    await expect(store.load('b', { components: ['Health'] })).rejects.toMatchObject({ code: 'Truncated' });
    await backend.put('c.meta.json', new TextEncoder().encode('{not json'));
    await expect(store.load('c')).rejects.toMatchObject({ code: 'InvalidFormat' });
    await store.save(makeWorld(5, 4), 'd');
    expect((await store.load('d')).snapshot.entities.length).toBe(5);
    expect(await store.delete('a')).toBe(true);
    expect((await store.list()).map((m) => m.id).sort()).toEqual(['b', 'd']);
  });
});

describe('SnapshotStore on the filesystem', () => {
  it('writes <id>.tx2pack and <id>.meta.json, and a new store instance (restart) sees the same saves', async () => {
    const dir = await tempDir();
    const store = new SnapshotStore(dir);
    await store.save(makeWorld(10, 1), new SnapshotMetadata('slot1').withDescription('d'));
    const meta = JSON.parse(await readFile(path.join(dir, 'slot1.meta.json'), 'utf8')) as { metadata: { description: string }; sha256: string };
    expect(meta.metadata.description).toBe('d');
    expect(meta.sha256).toMatch(/^[0-9a-f]{64}$/);
    const reopened = new SnapshotStore(dir);
    expect((await reopened.list()).map((m) => m.id)).toEqual(['slot1']);
    expect((await reopened.load('slot1')).metadata.description).toBe('d');
  });

  it('truncated snapshot file and deleted meta file on disk', async () => {
    const dir = await tempDir();
    const store = new SnapshotStore(dir);
    await store.save(makeWorld(1000, 1), 'a');
    await store.save(makeWorld(1000, 2), 'b');
    await truncate(path.join(dir, 'a.tx2pack'), 500);
    await expect(store.load('a')).rejects.toMatchObject({ code: 'Truncated' });
    await unlink(path.join(dir, 'b.meta.json'));
    await expect(store.load('b')).rejects.toMatchObject({ code: 'SnapshotNotFound' });
    await store.save(makeWorld(3, 3), 'c');
    expect((await store.list()).map((m) => m.id)).toEqual(['a', 'c']);
  });

  it('a snapshot file replaced from outside is detected (sha256 / store record)', async () => {
    const dir = await tempDir();
    const store = new SnapshotStore(dir, { writer: SnapshotWriter.create().withChecksums(false).withCodec('none') });
    await store.save(makeWorld(100, 1), 'a');
    const file = path.join(dir, 'a.tx2pack');
    const bytes = await readFile(file);
    bytes[bytes.length - 300]! ^= 1; // inside a column, no CRC to catch it
    await writeFile(file, bytes);
    await expect(store.load('a')).rejects.toMatchObject({ name: 'PackError' });
    await writeSnapshotFile(file, makeWorld(3), SnapshotWriter.create());
    await expect(store.load('a')).rejects.toMatchObject({ code: 'InvalidCheckpoint' });
  });

  it('a directory that cannot be written: typed Io error, reads still work', async () => {
    const backend = new ReadOnlyBackend();
    const store = new SnapshotStore(backend);
    await expect(store.save(makeWorld(1), 'x')).rejects.toMatchObject({ code: 'Io' });
    expect(await store.list()).toEqual([]);
    if (process.getuid?.() !== 0) {
      // Not root: a real read-only directory.
      const { chmod } = await import('node:fs/promises');
      const dir = await tempDir();
      const fsStore = new SnapshotStore(dir);
      await fsStore.save(makeWorld(2), 'ok');
      await chmod(dir, 0o500);
      try {
        await expect(fsStore.save(makeWorld(1), 'x')).rejects.toMatchObject({ code: 'Io' });
        expect((await fsStore.load('ok')).snapshot.entities.length).toBe(2);
      } finally {
        await chmod(dir, 0o700);
      }
    }
  });

  it('a held lock makes another writer wait, then fail with a clear Io error', async () => {
    const dir = await tempDir();
    const a = new SnapshotStore(dir);
    const b = new SnapshotStore(new NodeFsBackend(dir), { lockTimeoutMs: 100 });
    const release = await a.backend.lock(1000);
    await expect(b.save(makeWorld(1), 'x')).rejects.toMatchObject({ code: 'Io', message: expect.stringContaining('locked') });
    await release();
    await b.save(makeWorld(1), 'x');
    expect(await a.exists('x')).toBe(true);
  });
});
