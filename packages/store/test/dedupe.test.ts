import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type PackedSnapshot, snapshotsEqual } from '@tx2/pack-format';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointManager, MemoryBackend, SECTION_SUFFIX, sectionKey, SnapshotStore, type StorageBackend } from '../src/index.js';
import { referencedSections } from '../src/section-pool.js';
import { EvolvingWorld } from './helpers/evolving-world.js';
import { storedBytes } from './helpers/failing-backend.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** The section objects present, and those the stored files reference. */
async function sectionSets(backend: StorageBackend): Promise<{ present: Set<string>; referenced: Set<string> }> {
  const keys = await backend.list();
  const present = new Set(keys.filter((k) => k.endsWith(SECTION_SUFFIX)).map((k) => k.slice(0, -SECTION_SUFFIX.length)));
  const referenced = new Set<string>();
  for (const key of keys) if (key.endsWith('.tx2pack')) for (const h of await referencedSections(backend, key)) referenced.add(h);
  return { present, referenced };
}

const TILES = 16_384; // 64 KiB of incompressible f32 terrain heights

describe('content-addressed sections', () => {
  it('a static component saved by N full checkpoints is stored once; GC keeps it until the last user is gone', async () => {
    const backend = new MemoryBackend();
    const manager = new CheckpointManager(backend, { incremental: false });
    const world = new EvolvingWorld(1, 50, { terrainTiles: TILES });
    const saved = new Map<string, PackedSnapshot>();
    const save = async (id: string): Promise<void> => {
      const s = world.step(0.3).snapshot();
      await manager.createCheckpoint(id, s);
      saved.set(id, s);
    };
    await save('c0');
    const first = await storedBytes(backend);
    expect(first.sections).toBeGreaterThanOrEqual(TILES * 4 * 0.7);
    const N = 8;
    for (let i = 1; i < N; i++) await save(`c${i}`);
    const after = await storedBytes(backend);
    // No new section object: the terrain is the same bytes every time.
    expect(after.sectionObjects).toBe(first.sectionObjects);
    expect(after.sections).toBe(first.sections);
    // Each further checkpoint costs its small dynamic part only.
    expect((after.total - first.total) / (N - 1)).toBeLessThan((TILES * 4) / 10);
    // Without dedupe the same saves store the terrain N times.
    const plain = new MemoryBackend();
    const plainManager = new CheckpointManager(plain, { incremental: false, dedupeSections: false });
    for (const [id, s] of saved) await plainManager.createCheckpoint(id, s);
    expect((await storedBytes(plain)).total).toBeGreaterThan(after.total * 4);

    for (const [i, id] of [...saved.keys()].entries()) {
      await manager.deleteCheckpoint(id);
      saved.delete(id);
      const { present, referenced } = await sectionSets(backend);
      expect(present).toEqual(referenced);
      if (i < N - 1) expect(present.size).toBe(first.sectionObjects);
      for (const [other, s] of saved) expect(snapshotsEqual((await manager.loadCheckpoint(other)).snapshot, s)).toBe(true);
    }
    expect(await backend.list()).toEqual([]);
  });

  it('changing sections become garbage when their last checkpoint goes; prune collects once; present = referenced', async () => {
    const backend = new MemoryBackend();
    const manager = new CheckpointManager(backend, { incremental: { fullEvery: 3 }, dedupeSections: { minBytes: 1024 } });
    const world = new EvolvingWorld(2, 3_000, { terrainTiles: 2_048 });
    const saved = new Map<string, PackedSnapshot>();
    for (let i = 0; i < 9; i++) {
      const s = world.step(0.05).snapshot();
      await manager.createCheckpoint(`c${i}`, s);
      saved.set(`c${i}`, s);
    }
    let sets = await sectionSets(backend);
    expect(sets.present).toEqual(sets.referenced);
    expect(sets.present.size).toBeGreaterThan(3);
    await manager.deleteCheckpoint('c4');
    saved.delete('c4');
    for (const id of await manager.pruneOldCheckpoints(3)) saved.delete(id);
    sets = await sectionSets(backend);
    expect(sets.present).toEqual(sets.referenced);
    for (const [id, s] of saved) expect(snapshotsEqual((await manager.loadCheckpoint(id)).snapshot, s)).toBe(true);
  });

  it('on the filesystem: objects are files beside the checkpoints, a restart loads them, clear removes them all', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tx2-dedupe-'));
    dirs.push(dir);
    const world = new EvolvingWorld(3, 50, { terrainTiles: TILES });
    const saved = new Map<string, PackedSnapshot>();
    const manager = new CheckpointManager(dir, { incremental: false });
    for (let i = 0; i < 3; i++) {
      const s = world.step().snapshot();
      await manager.createCheckpoint(`f${i}`, s);
      saved.set(`f${i}`, s);
    }
    const files = await readdir(dir);
    const objects = files.filter((f) => f.endsWith(SECTION_SUFFIX));
    expect(objects.length).toBeGreaterThan(0);
    expect(objects.every((f) => /^[0-9a-f]{64}\.tx2section$/.test(f))).toBe(true);
    const again = new CheckpointManager(dir);
    for (const [id, s] of saved) expect(snapshotsEqual((await again.loadCheckpoint(id)).snapshot, s)).toBe(true);
    expect(await again.clear()).toBe(3);
    expect((await readdir(dir)).filter((f) => !f.startsWith('.'))).toEqual([]);
  });

  it('a plain store with dedupeSections: overwrites collect the old objects; partial loads of pooled files work', async () => {
    const backend = new MemoryBackend();
    const store = new SnapshotStore(backend, { dedupeSections: { minBytes: 512 } });
    const world = new EvolvingWorld(4, 2_000, { terrainTiles: 4_096 });
    const a = world.snapshot();
    await store.save(a, 'slot');
    const b = world.step(0.5).snapshot();
    await store.save(b, 'slot');
    const sets = await sectionSets(backend);
    expect(sets.present).toEqual(sets.referenced);
    expect(snapshotsEqual((await store.load('slot')).snapshot, b)).toBe(true);
    const partial = await store.load('slot', { components: ['Terrain'] });
    expect(partial.snapshot.components.map((c) => c.id)).toEqual(['Terrain']);
    expect(await store.delete('slot')).toBe(true);
    expect(await backend.list()).toEqual([]);
  });

  it('hashes never reach keys unchecked; a missing or damaged object is a typed error naming the checkpoint and the object', async () => {
    expect(() => sectionKey('../../etc/passwd')).toThrow(/invalid section hash/);
    expect(() => sectionKey('A'.repeat(64))).toThrow(/invalid section hash/);
    const backend = new MemoryBackend();
    const manager = new CheckpointManager(backend, { incremental: false });
    const world = new EvolvingWorld(5, 50, { terrainTiles: TILES });
    await manager.createCheckpoint('a', world.snapshot());
    await manager.createCheckpoint('b', world.step().snapshot());
    const object = (await backend.list()).find((k) => k.endsWith(SECTION_SUFFIX))!;
    const bytes = (await backend.get(object))!;
    bytes[10]! ^= 1;
    await backend.put(object, bytes);
    // A new manager: the one that saved them serves its verified in-memory copy of the latest.
    const reader = new CheckpointManager(backend);
    for (const id of ['a', 'b']) {
      await expect(reader.loadCheckpoint(id)).rejects.toMatchObject({ code: 'ChecksumMismatch', message: expect.stringMatching(new RegExp(`"${id}".*${object}`)) });
    }
    await backend.delete(object);
    await expect(reader.loadCheckpoint('a')).rejects.toMatchObject({ code: 'SnapshotNotFound', message: expect.stringContaining(object) });
    // A reference table edited outside the store: hashes are stored as 32 raw bytes and always
    // become 64 hex digits, so the worst an edit does is name an object that is not there.
    const file = (await backend.get('b.tx2pack'))!;
    file.set(new TextEncoder().encode('../../../../../../../../../../..'), 40);
    await backend.put('b.tx2pack', file);
    await expect(reader.loadCheckpoint('b')).rejects.toMatchObject({
      code: 'SnapshotNotFound',
      message: expect.stringMatching(/section object [0-9a-f]{64}\.tx2section of snapshot "b" is missing/),
    });
  });
});
