import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EncryptionKey } from '@tx2/pack-crypto';
import { createPackedSnapshot, isPackError, type PackedSnapshot, readHeader, snapshotsEqual } from '@tx2/pack-format';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointManager, MemoryBackend, SnapshotMetadata, SnapshotReader, SnapshotStore, SnapshotWriter } from '../src/index.js';
import { EvolvingWorld } from './helpers/evolving-world.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tx2-incr-'));
  dirs.push(dir);
  return dir;
}

/** Every listed checkpoint loads and equals what was saved under its id; returns how many. */
async function expectAllLoad(manager: CheckpointManager, saved: Map<string, PackedSnapshot>): Promise<number> {
  const chain = await manager.listCheckpoints();
  expect(new Set(chain.map((c) => c.id))).toEqual(new Set(saved.keys()));
  for (const c of chain) {
    const loaded = await manager.loadCheckpoint(c.id);
    expect(snapshotsEqual(loaded.snapshot, saved.get(c.id)!), `checkpoint ${c.id}`).toBe(true);
  }
  return chain.length;
}

describe('incremental checkpoints', () => {
  it('stores deltas between full checkpoints every fullEvery, each loads exactly, and the delta files are delta containers', async () => {
    const backend = new MemoryBackend();
    const manager = new CheckpointManager(backend, { incremental: { fullEvery: 4 } });
    const world = new EvolvingWorld(1, 2_000);
    const saved = new Map<string, PackedSnapshot>();
    const kinds: string[] = [];
    for (let i = 0; i < 10; i++) {
      const snapshot = world.step(0.02).snapshot();
      const info = await manager.createCheckpoint(`c${i}`, snapshot);
      saved.set(`c${i}`, snapshot);
      kinds.push(info.storage.kind);
      if (info.storage.kind === 'delta') {
        expect(info.storage.base).toBe(`c${i - 1}`);
        expect(info.fullReason).toBeUndefined();
      }
    }
    expect(kinds).toEqual(['full', 'delta', 'delta', 'delta', 'full', 'delta', 'delta', 'delta', 'full', 'delta']);
    const header = readHeader((await backend.get('c1.tx2pack'))!);
    expect(header.kind).toBe(1);
    expect((await manager.chain()).map((c) => c.storage.kind)).toEqual(kinds);
    await expectAllLoad(manager, saved);
    // A fresh manager (no cache) rebuilds from the full checkpoints.
    await expectAllLoad(new CheckpointManager(backend, { cacheSize: 0 }), saved);
    // Partial loads of deltas and of full checkpoints.
    const partial = await manager.loadCheckpoint('c6', { components: ['Health'] });
    expect(partial.snapshot.components.map((c) => c.id)).toEqual(['Health']);
    expect((await manager.loadCheckpoint('c4', { components: ['Health'] })).snapshot.components.map((c) => c.id)).toEqual(['Health']);
    await expect(manager.loadCheckpoint('c6', { components: ['Nope'] })).rejects.toMatchObject({ code: 'InvalidInput' });
  });

  it('the policy: the first is full, a large delta is stored in full, fullEvery 1 and false store everything in full, bad options are refused', async () => {
    const manager = new CheckpointManager(new MemoryBackend(), { incremental: { fullEvery: 100, maxDeltaRatio: 0.3 } });
    const world = new EvolvingWorld(2, 3_000);
    expect((await manager.createCheckpoint('a', world.snapshot())).fullReason).toBe('first');
    expect((await manager.createCheckpoint('b', world.step(0.02).snapshot())).storage.kind).toBe('delta');
    // Everything moves: the delta is about as large as the snapshot.
    const churned = await manager.createCheckpoint('c', world.step(1).step(1).snapshot());
    expect(churned.fullReason).toBe('max-delta-ratio');
    const every = new CheckpointManager(new MemoryBackend(), { incremental: { fullEvery: 1 } });
    const off = new CheckpointManager(new MemoryBackend(), { incremental: false });
    for (let i = 0; i < 3; i++) {
      expect((await every.createCheckpoint(`x${i}`, world.step().snapshot())).storage.kind).toBe('full');
      expect((await off.createCheckpoint(`x${i}`, world.step().snapshot())).fullReason).toBe('incremental-off');
    }
    expect(() => new CheckpointManager(new MemoryBackend(), { incremental: { fullEvery: 0 } })).toThrow(/fullEvery/);
    expect(() => new CheckpointManager(new MemoryBackend(), { incremental: { maxDeltaRatio: -1 } })).toThrow(/maxDeltaRatio/);
    expect(() => new CheckpointManager(new MemoryBackend(), { cacheSize: -1 })).toThrow(/cacheSize/);
  });

  it('maxDeltaRatio bounds the deltas of a run together (the DeltaPolicy of @tx2/pack-format), across a restart too', async () => {
    const ratio = 0.3;
    const run = async (restartAt: number | undefined): Promise<string[]> => {
      const backend = new MemoryBackend();
      let manager = new CheckpointManager(backend, { incremental: { fullEvery: 100, maxDeltaRatio: ratio } });
      const world = new EvolvingWorld(5, 2_000);
      const kinds: string[] = [];
      let full = 0;
      let deltas = 0;
      for (let i = 0; i < 24; i++) {
        if (i === restartAt) manager = new CheckpointManager(backend, { incremental: { fullEvery: 100, maxDeltaRatio: ratio } });
        const created = await manager.createCheckpoint(`c${i}`, world.step(0.02).snapshot());
        kinds.push(created.fullReason ?? created.storage.kind);
        if (created.storage.kind === 'full') {
          full = created.bytes;
          deltas = 0;
        } else {
          // Each delta alone is well under the ratio: only their sum can start a new run.
          expect(created.bytes).toBeLessThan(ratio * full);
          deltas += created.bytes;
          expect(deltas).toBeLessThanOrEqual(ratio * full);
        }
      }
      return kinds;
    };
    const straight = await run(undefined);
    expect(straight.filter((k) => k === 'max-delta-ratio').length).toBeGreaterThan(0);
    // The run's delta bytes are recorded in each checkpoint's link: a new manager continues the count.
    expect(await run(9)).toEqual(straight);
  });

  it('the deprecated names still work: chain() is listCheckpoints(), loadEntry() is load()', async () => {
    const manager = new CheckpointManager(new MemoryBackend());
    const world = new EvolvingWorld(6);
    await manager.createCheckpoint('a', world.snapshot());
    await manager.createCheckpoint('b', world.step().snapshot());
    expect(await manager.chain()).toEqual(await manager.listCheckpoints());
    const loaded = await manager.store.load('a');
    expect(loaded.extra.checkpoint).toMatchObject({ sequence: 1, storage: 'full' });
    const entry = await manager.store.loadEntry('a');
    expect(snapshotsEqual(entry.snapshot, loaded.snapshot)).toBe(true);
    expect(entry.extra).toEqual(loaded.extra);
  });

  it('a delta that does not read back is never written: the checkpoint is stored in full (delta-check-failed)', async () => {
    // 199,000 entities spawned with consecutive ids: the delta's added-id list is a range that
    // @tx2/pack-format's decodeDelta refuses ("more than the input can describe") although encodeDelta wrote it.
    const world = (n: number): PackedSnapshot =>
      createPackedSnapshot({ entities: Uint32Array.from({ length: n }, (_, i) => i + 1), timestamp: 1, components: [{ id: 'P', fields: { x: new Float32Array(n).fill(1) } }] });
    const backend = new MemoryBackend();
    const manager = new CheckpointManager(backend, { incremental: { maxDeltaRatio: 100 } });
    await manager.createCheckpoint('a', world(1_000));
    const b = await manager.createCheckpoint('b', world(200_000));
    // If a later @tx2/pack-format reads such deltas back, the checkpoint is a delta, which is as good.
    if (b.storage.kind === 'full') expect(b.fullReason).toBe('delta-check-failed');
    expect(snapshotsEqual((await new CheckpointManager(backend).loadCheckpoint('b')).snapshot, world(200_000))).toBe(true);
  });

  it('a damaged latest checkpoint is not used as a base: the next checkpoint is full and loads; the damage is still reported', async () => {
    const backend = new MemoryBackend();
    const world = new EvolvingWorld(8, 2_000);
    const first = new CheckpointManager(backend);
    await first.createCheckpoint('a', world.snapshot());
    await first.createCheckpoint('b', world.step(0.02).snapshot());
    const bytes = (await backend.get('b.tx2pack'))!;
    bytes[bytes.length >> 1]! ^= 0xff;
    await backend.put('b.tx2pack', bytes);
    const restarted = new CheckpointManager(backend);
    const c = world.step(0.02).snapshot();
    const info = await restarted.createCheckpoint('c', c);
    expect(info).toMatchObject({ storage: { kind: 'full' }, fullReason: 'base-unreadable', parent: 'b' });
    expect(snapshotsEqual((await new CheckpointManager(backend).loadCheckpoint('c')).snapshot, c)).toBe(true);
    await expect(restarted.loadCheckpoint('b')).rejects.toMatchObject({ details: { checkpoint: 'b' } });
  });

  it('keeps its own copies: mutating a saved or a loaded snapshot changes nothing stored', async () => {
    const backend = new MemoryBackend();
    const manager = new CheckpointManager(backend);
    const world = new EvolvingWorld(3, 50);
    const first = world.snapshot();
    const expected = structuredClone(first);
    await manager.createCheckpoint('a', first);
    // The game reuses its buffers: the snapshot it passed changes after the save.
    (first.components[0] as { fields: { values: Float32Array }[] }).fields[0]!.values.fill(7);
    const next = world.step().snapshot();
    await manager.createCheckpoint('b', next);
    const loadedA = await manager.loadCheckpoint('a');
    expect(snapshotsEqual(loadedA.snapshot, expected)).toBe(true);
    (loadedA.snapshot.components[0] as { fields: { values: Float32Array }[] }).fields[0]!.values.fill(9);
    expect(snapshotsEqual((await manager.loadCheckpoint('b')).snapshot, next)).toBe(true);
    expect(snapshotsEqual((await manager.loadCheckpoint('a')).snapshot, expected)).toBe(true);
  });

  it('property: random chains with random creates, deletes, prunes and restarts load every remaining checkpoint exactly', async () => {
    const op = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('create' as const), churn: fc.double({ min: 0, max: 0.6, noNaN: true }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('prune' as const), keep: fc.nat({ max: 6 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), cacheSize: fc.nat({ max: 3 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('load' as const), pick: fc.nat() }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: 5 }), fc.array(op, { minLength: 1, maxLength: 40 }), async (seed, fullEvery, ops) => {
        const backend = new MemoryBackend();
        // Tiny worlds: a delta container's fixed overhead exceeds any ratio below 1, so the ratio is lifted here.
        const options = { incremental: { fullEvery, maxDeltaRatio: 100 }, dedupeSections: { minBytes: 64 } };
        let manager = new CheckpointManager(backend, options);
        const world = new EvolvingWorld(seed, 30);
        const saved = new Map<string, PackedSnapshot>();
        let n = 0;
        for (const o of ops) {
          const ids = [...saved.keys()];
          if (o.kind === 'create') {
            const snapshot = world.step(o.churn).snapshot();
            await manager.createCheckpoint(`c${n}`, snapshot);
            saved.set(`c${n++}`, snapshot);
          } else if (o.kind === 'delete' && ids.length > 0) {
            const id = ids[o.pick % ids.length]!;
            expect(await manager.deleteCheckpoint(id)).toBe(true);
            saved.delete(id);
          } else if (o.kind === 'prune') {
            for (const id of await manager.pruneOldCheckpoints(o.keep)) saved.delete(id);
          } else if (o.kind === 'restart') {
            manager = new CheckpointManager(backend, { ...options, cacheSize: o.cacheSize });
          } else if (o.kind === 'load' && ids.length > 0) {
            const id = ids[o.pick % ids.length]!;
            expect(snapshotsEqual((await manager.loadCheckpoint(id)).snapshot, saved.get(id)!)).toBe(true);
          }
        }
        await expectAllLoad(manager, saved);
        await expectAllLoad(new CheckpointManager(backend, { cacheSize: 0 }), saved);
        // No delta lost its base, and no section object is left that nothing references.
        const chain = await manager.chain();
        const ids = new Set(chain.map((c) => c.id));
        for (const c of chain) if (c.storage.kind === 'delta') expect(ids.has(c.storage.base)).toBe(true);
        if (chain.length === 0) expect((await backend.list()).filter((k) => k.endsWith('.tx2section'))).toEqual([]);
      }),
      // TX2_SOAK=1 runs many more cases (a soak run); CI runs enough to catch a broken chain.
      { numRuns: process.env.TX2_SOAK === '1' ? 300 : 30 },
    );
  });

  it('survives a restart on the filesystem: the new manager loads the latest once and continues with deltas', async () => {
    const dir = await tempDir();
    const world = new EvolvingWorld(5, 2_000);
    const saved = new Map<string, PackedSnapshot>();
    const first = new CheckpointManager(dir);
    for (let i = 0; i < 4; i++) {
      const s = world.step(0.02).snapshot();
      await first.createCheckpoint(`t${i}`, s);
      saved.set(`t${i}`, s);
    }
    const second = new CheckpointManager(dir);
    const s = world.step(0.02).snapshot();
    const info = await second.createCheckpoint('t4', s);
    saved.set('t4', s);
    expect(info.storage).toMatchObject({ kind: 'delta', base: 't3', depth: 4 });
    expect((await second.chain()).map((c) => [c.id, c.storage.kind])).toEqual([
      ['t0', 'full'],
      ['t1', 'delta'],
      ['t2', 'delta'],
      ['t3', 'delta'],
      ['t4', 'delta'],
    ]);
    await expectAllLoad(new CheckpointManager(dir), saved);
    expect(await second.deleteCheckpoint('t0')).toBe(true);
    saved.delete('t0');
    expect((await second.chain())[0]).toMatchObject({ id: 't1', storage: { kind: 'full' }, parentMissing: true });
    await expectAllLoad(new CheckpointManager(dir), saved);
    expect((await second.pruneOldCheckpoints(2)).sort()).toEqual(['t1', 't2']);
    saved.delete('t1');
    saved.delete('t2');
    await expectAllLoad(new CheckpointManager(dir), saved);
    expect(await second.clear()).toBe(2);
    expect((await readdir(dir)).filter((f) => !f.startsWith('.'))).toEqual([]);
  });

  it('encrypted managers store encrypted deltas (through @tx2/pack-crypto) and share no sections', async () => {
    const key = EncryptionKey.generate();
    const backend = new MemoryBackend();
    const options = { writer: SnapshotWriter.create().withKey(key), reader: SnapshotReader.create().withKey(key) };
    const manager = new CheckpointManager(backend, options);
    const world = new EvolvingWorld(6, 2_000, { terrainTiles: 4_000 });
    const saved = new Map<string, PackedSnapshot>();
    for (let i = 0; i < 4; i++) {
      const s = world.step(0.02).snapshot();
      const info = await manager.createCheckpoint(`e${i}`, s);
      expect(info.storage.kind).toBe(i === 0 ? 'full' : 'delta');
      saved.set(`e${i}`, s);
    }
    const delta = readHeader((await backend.get('e2.tx2pack'))!);
    expect(delta.kind).toBe(1);
    expect(delta.flags & 2).toBe(2); // Encrypted
    expect((await backend.list()).filter((k) => k.endsWith('.tx2section'))).toEqual([]);
    await expectAllLoad(new CheckpointManager(backend, options), saved);
    await expect(new CheckpointManager(backend).loadCheckpoint('e2')).rejects.toMatchObject({ code: 'Decryption' });
  });

  it('passphrase-encrypted deltas load with the passphrase alone; a wrong one is WrongKey', async () => {
    const backend = new MemoryBackend();
    const writer = SnapshotWriter.create().withPassphrase('open sesame', { N: 2 ** 10, r: 8, p: 1 });
    const manager = new CheckpointManager(backend, { writer, reader: SnapshotReader.create().withPassphrase('open sesame') });
    const world = new EvolvingWorld(9, 2_000);
    const saved = new Map<string, PackedSnapshot>();
    for (let i = 0; i < 5; i++) {
      const s = world.step(0.02).snapshot();
      expect((await manager.createCheckpoint(`p${i}`, s)).storage.kind).toBe(i === 0 ? 'full' : 'delta');
      saved.set(`p${i}`, s);
    }
    await expectAllLoad(new CheckpointManager(backend, { reader: SnapshotReader.create().withPassphrase('open sesame'), cacheSize: 0 }), saved);
    await expect(new CheckpointManager(backend, { reader: SnapshotReader.create().withPassphrase('nope') }).loadCheckpoint('p3')).rejects.toMatchObject({ code: 'WrongKey' });
  });

  it('a store load of a delta says to use the checkpoint manager; recover refuses a delta', async () => {
    const backend = new MemoryBackend();
    const manager = new CheckpointManager(backend);
    const world = new EvolvingWorld(7, 2_000);
    await manager.createCheckpoint('a', world.snapshot());
    expect((await manager.createCheckpoint('b', world.step(0.01).snapshot())).storage.kind).toBe('delta');
    const store = new SnapshotStore(backend);
    await expect(store.load('b')).rejects.toMatchObject({ code: 'InvalidCheckpoint', message: expect.stringContaining('loadCheckpoint("b")') });
    expect((await store.load('a')).snapshot.entities.length).toBe(2_000);
    await backend.delete('b.meta.json');
    await expect(store.recover('b')).rejects.toMatchObject({ code: 'SnapshotNotFound', message: expect.stringContaining('delta') });
    await expect(manager.loadCheckpoint('b')).rejects.toMatchObject({ code: 'SnapshotNotFound' });
    // Creating it again overwrites the orphaned delta.
    const again = world.step().snapshot();
    await manager.createCheckpoint('b', again, new SnapshotMetadata('b'));
    expect(snapshotsEqual((await manager.loadCheckpoint('b')).snapshot, again)).toBe(true);
  });
});

describe('corruption is detected and named', () => {
  async function chain(): Promise<{ backend: MemoryBackend; saved: Map<string, PackedSnapshot> }> {
    const backend = new MemoryBackend();
    const manager = new CheckpointManager(backend, { dedupeSections: false });
    const world = new EvolvingWorld(11, 2_000);
    const saved = new Map<string, PackedSnapshot>();
    for (const id of ['base', 'd1', 'd2']) {
      const s = world.step(0.02).snapshot();
      expect((await manager.createCheckpoint(id, s)).storage.kind).toBe(id === 'base' ? 'full' : 'delta');
      saved.set(id, s);
    }
    return { backend, saved };
  }

  async function flipByte(backend: MemoryBackend, key: string, at: (length: number) => number): Promise<void> {
    const bytes = (await backend.get(key))!;
    bytes[at(bytes.length)]! ^= 0x40;
    await backend.put(key, bytes);
  }

  const rejection = async (promise: Promise<unknown>): Promise<Error & { code: string; details: Record<string, unknown> }> => {
    try {
      await promise;
    } catch (error) {
      expect(isPackError(error)).toBe(true);
      return error as Error & { code: string; details: Record<string, unknown> };
    }
    throw new Error('expected a rejection');
  };

  it('a damaged delta file: loading it (or a later delta) names that checkpoint; earlier ones still load', async () => {
    const { backend, saved } = await chain();
    await flipByte(backend, 'd1.tx2pack', (n) => Math.floor(n / 2));
    const manager = new CheckpointManager(backend);
    for (const id of ['d1', 'd2']) {
      const error = await rejection(manager.loadCheckpoint(id));
      expect(error.message).toContain('"d1"');
      expect(error.details.checkpoint ?? error.details.id).toBe('d1');
    }
    expect(snapshotsEqual((await manager.loadCheckpoint('base')).snapshot, saved.get('base')!)).toBe(true);
  });

  it('a damaged full base: loading a delta names the base', async () => {
    const { backend } = await chain();
    await flipByte(backend, 'base.tx2pack', (n) => Math.floor(n / 3));
    const error = await rejection(new CheckpointManager(backend).loadCheckpoint('d2'));
    expect(error.message).toContain('"base"');
    expect(error.details.checkpoint).toBe('base');
  });

  it('a base replaced outside the manager (valid file, other world): the base is named as not matching its recorded hash', async () => {
    const { backend } = await chain();
    const store = new SnapshotStore(backend);
    const record = (await store.record('base'))!;
    await store.saveUnlocked(new EvolvingWorld(99, 10).snapshot(), SnapshotMetadata.fromJSON(record.metadata), record.extra as Record<string, never>);
    const error = await rejection(new CheckpointManager(backend).loadCheckpoint('d1'));
    expect(error.code).toBe('ChecksumMismatch');
    expect(error.message).toContain('checkpoint "base" is damaged');
  });

  it('a base replaced together with its recorded hash: the delta does not fit it, DeltaBaseMismatch names the delta and its base', async () => {
    const { backend } = await chain();
    const store = new SnapshotStore(backend);
    const other = new CheckpointManager(new MemoryBackend());
    const created = await other.createCheckpoint('base', new EvolvingWorld(98, 10).snapshot());
    const record = (await store.record('base'))!;
    const extra = { checkpoint: { ...(record.extra.checkpoint as Record<string, never>), hash: created.hash! } };
    await store.saveUnlocked(new EvolvingWorld(98, 10).snapshot(), SnapshotMetadata.fromJSON(record.metadata), extra);
    const error = await rejection(new CheckpointManager(backend).loadCheckpoint('d2'));
    expect(error.code).toBe('DeltaBaseMismatch');
    expect(error.message).toContain('checkpoint "d1"');
    expect(error.message).toContain('"base"');
  });

  it('store.delete refuses to delete the base of a delta, naming the dependents', async () => {
    const { backend } = await chain();
    const error = await rejection(new SnapshotStore(backend).delete('d1'));
    expect(error.code).toBe('InvalidCheckpoint');
    expect(error.message).toContain('"d1" is the base or reference of incremental checkpoint "d2"');
    expect(await new CheckpointManager(backend).loadCheckpoint('d2')).toBeDefined();
  });

  it('a delta whose base was deleted outside the store names both', async () => {
    const { backend } = await chain();
    await backend.delete('d1.meta.json');
    await backend.delete('d1.tx2pack');
    const error = await rejection(new CheckpointManager(backend).loadCheckpoint('d2'));
    expect(error.code).toBe('InvalidCheckpoint');
    expect(error.message).toContain('"d2" is a delta against "d1", which is missing');
  });
});
