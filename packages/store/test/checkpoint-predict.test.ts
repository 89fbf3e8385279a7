// Predicted checkpoints: a run is a full checkpoint F, F+1 (a delta against F), then deltas
// against F+1 whose floats are predicted from F and F+1. The links that say so persist in the
// metadata records, survive a restart, and records written before them still load; deleting a
// base or a reference rewrites its dependents first; a damaged reference is a typed PackError.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashHex, isPackError, type PackedSnapshot, snapshotHash, snapshotsEqual } from '@tx2/pack-format';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { linkOf, linkRecord } from '../src/incremental.js';
import { type CheckpointInfo, CheckpointManager, MemoryBackend, type StorageBackend } from '../src/index.js';
import { NodeFsBackend } from '../src/node.js';
import { EvolvingWorld } from './helpers/evolving-world.js';
import { FailingBackend } from './helpers/failing-backend.js';
import { MovingWorld } from './helpers/moving-world.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tx2-predict-'));
  dirs.push(dir);
  return dir;
}

const FIXTURE = fileURLToPath(new URL('./fixtures/pre-predict-store/', import.meta.url));
const RUN = { incremental: { fullEvery: 8, maxDeltaRatio: Number.POSITIVE_INFINITY } };

/** Creates `count` checkpoints t0, t1, ... of `world` (one step each); returns what each holds. */
async function checkpoints(manager: CheckpointManager, world: MovingWorld, count: number): Promise<Map<string, PackedSnapshot>> {
  const saved = new Map<string, PackedSnapshot>();
  for (let t = 0; t < count; t++) {
    const snapshot = world.step();
    await manager.createCheckpoint(`t${t}`, snapshot);
    saved.set(`t${t}`, snapshot);
  }
  return saved;
}

async function expectAllLoad(manager: CheckpointManager, saved: ReadonlyMap<string, PackedSnapshot>): Promise<void> {
  for (const [id, snapshot] of saved) expect(snapshotsEqual((await manager.loadCheckpoint(id)).snapshot, snapshot), id).toBe(true);
}

/** The record of `id` with its checkpoint link changed by `edit` (as an edited metadata file would be). */
async function editLink(backend: StorageBackend, id: string, edit: (link: Record<string, unknown>) => void): Promise<void> {
  const key = `${id}.meta.json`;
  const record = JSON.parse(new TextDecoder().decode((await backend.get(key))!));
  edit(record.extra.checkpoint);
  await backend.put(key, new TextEncoder().encode(JSON.stringify(record)));
}

const storageOf = (c: CheckpointInfo) => c.storage;

describe('checkpoint links of predicted deltas', () => {
  it('persist the reference (id, hash, scale) and runIndex, and read back links written without them', () => {
    const hash = 'ab'.repeat(32);
    const link = {
      parent: 't4',
      sequence: 5,
      storage: { kind: 'delta' as const, base: 't1', baseHash: hash, depth: 2, runIndex: 4, reference: { id: 't0', hash: 'cd'.repeat(32), scale: 3 } },
      hash: 'ef'.repeat(32),
      fullBytes: 100,
      deltaBytes: 40,
    };
    expect(linkOf(JSON.parse(JSON.stringify(linkRecord(link))))).toEqual(link);
    // A link of before: no runIndex (each delta chained on the one before), no reference.
    const old = { checkpoint: { sequence: 3, parent: 't1', storage: 'delta', base: 't1', baseHash: hash, depth: 2 } };
    expect(linkOf(old)?.storage).toEqual({ kind: 'delta', base: 't1', baseHash: hash, depth: 2, runIndex: 2 });
    // A reference missing one of its keys is kept as a damaged one, never dropped silently.
    const partial = { checkpoint: { ...old.checkpoint, reference: 't0', scale: 2 } };
    const storage = linkOf(partial)!.storage;
    expect(storage.kind === 'delta' && storage.reference).toEqual({ id: 't0', hash: '', scale: 2 });
  });

  it('records written before predicted deltas load, list and continue (a fixture store written by the previous build)', async () => {
    const dir = await tempDir();
    await cp(FIXTURE, dir, { recursive: true });
    const expected: Record<string, { hash: string; storage: string }> = JSON.parse(await readFile(path.join(FIXTURE, 'expected.json'), 'utf8'));
    const manager = new CheckpointManager(new NodeFsBackend(dir), RUN);
    const chain = await manager.listCheckpoints();
    expect(chain.map((c) => [c.id, c.storage.kind])).toEqual(Object.entries(expected).map(([id, e]) => [id, e.storage]));
    expect(chain.map(storageOf).filter((s) => s.kind === 'delta')).toEqual(chain.map(storageOf).flatMap((s) => (s.kind === 'delta' ? [{ ...s, runIndex: s.depth }] : [])));
    for (const [id, e] of Object.entries(expected)) expect(hashHex(snapshotHash((await manager.loadCheckpoint(id)).snapshot)), id).toBe(e.hash);
    // Deleting the full checkpoint c1 rewrites its dependent c2 in full; c3 and c4 keep their bases.
    expect(await manager.deleteCheckpoint('c1')).toBe(true);
    const fresh = new CheckpointManager(new NodeFsBackend(dir), { cacheSize: 0 });
    for (const [id, e] of Object.entries(expected)) if (id !== 'c1') expect(hashHex(snapshotHash((await fresh.loadCheckpoint(id)).snapshot)), id).toBe(e.hash);
    expect((await fresh.listCheckpoints()).map((c) => [c.id, c.storage.kind])).toEqual([
      ['c2', 'full'],
      ['c3', 'delta'],
      ['c4', 'delta'],
      ['c5', 'full'],
      ['c6', 'delta'],
    ]);
  });
});

describe('predicted checkpoints of a moving world', () => {
  it('store F+d against F+1 predicted from F with scale d − 1; each loads exactly, after a restart too, applying at most two deltas', async () => {
    const backend = new MemoryBackend();
    const manager = new CheckpointManager(backend, RUN);
    const saved = await checkpoints(manager, new MovingWorld(2_000, 3), 11);
    const chain = await manager.listCheckpoints();
    const hashOf = (id: string) => chain.find((c) => c.id === id)!.hash!;
    expect(chain[0]!.storage).toEqual({ kind: 'full' });
    expect(chain[1]!.storage).toEqual({ kind: 'delta', base: 't0', baseHash: hashOf('t0'), depth: 1, runIndex: 1 });
    for (let d = 2; d < 8; d++) {
      expect(chain[d]!.storage, `t${d}`).toEqual({
        kind: 'delta',
        base: 't1',
        baseHash: hashOf('t1'),
        depth: 2,
        runIndex: d,
        reference: { id: 't0', hash: hashOf('t0'), scale: d - 1 },
      });
    }
    // fullEvery 8: t8 starts a new run, and t10 is predicted from t8 and t9.
    expect(chain[8]!.storage).toEqual({ kind: 'full' });
    expect(chain[10]!.storage).toMatchObject({ base: 't9', reference: { id: 't8', scale: 1 } });
    // A restart sees the same links (they live in the records) and loads every checkpoint exactly.
    const fresh = new CheckpointManager(backend, { ...RUN, cacheSize: 0 });
    expect((await fresh.listCheckpoints()).map(storageOf)).toEqual(chain.map(storageOf));
    await expectAllLoad(fresh, saved);
    const decode = vi.spyOn(fresh.store.reader, 'decodeDelta');
    await fresh.loadCheckpoint('t7');
    expect(decode).toHaveBeenCalledTimes(2);
    // The restarted manager continues the run with predicted deltas.
    const more = new MovingWorld(2_000, 3);
    for (let t = 0; t < 11; t++) more.step();
    const next = more.step();
    const made = await fresh.createCheckpoint('t11', next);
    expect(made.storage).toMatchObject({ base: 't9', reference: { id: 't8', scale: 2 } });
    expect(snapshotsEqual((await new CheckpointManager(backend).loadCheckpoint('t11')).snapshot, next)).toBe(true);
  });

  it('predicted deltas are a small fraction of the plain temporal delta before them', async () => {
    const manager = new CheckpointManager(new MemoryBackend(), RUN);
    const world = new MovingWorld(4_000, 8, { healthChurn: 0 });
    const bytes: number[] = [];
    for (let t = 0; t < 6; t++) bytes.push((await manager.createCheckpoint(`t${t}`, world.step())).bytes);
    // t1 is XOR against t0 (every position moved); t2..t5 predict the positions from t0 and t1.
    for (let t = 2; t < 6; t++) expect(bytes[t]!, `t${t}`).toBeLessThan(bytes[1]! / 4);
  });

  it('scale by world time when it moves (irregular steps), by sequence when it stays put', async () => {
    const timed = new CheckpointManager(new MemoryBackend(), RUN);
    const world = new MovingWorld(1_000, 4);
    const saved = new Map<string, PackedSnapshot>();
    for (const [t, dt] of [1, 2, 3, 1, 5].entries()) {
      const s = world.step(dt);
      saved.set(`t${t}`, s);
      await timed.createCheckpoint(`t${t}`, s);
    }
    // World times 1, 3, 6, 7, 12: base t1 (3), reference t0 (1).
    const scales = (await timed.listCheckpoints()).map((c) => (c.storage.kind === 'delta' ? c.storage.reference?.scale : undefined));
    expect(scales).toEqual([undefined, undefined, 1.5, 2, 4.5]);
    await expectAllLoad(new CheckpointManager(timed.store.backend, { cacheSize: 0 }), saved);

    const untimed = new CheckpointManager(new MemoryBackend(), RUN);
    const still = new MovingWorld(1_000, 4);
    for (let t = 0; t < 5; t++) await untimed.createCheckpoint(`t${t}`, still.step(1, true));
    expect((await untimed.listCheckpoints()).map((c) => (c.storage.kind === 'delta' ? c.storage.reference?.scale : undefined))).toEqual([undefined, undefined, 1, 2, 3]);
  });

  it('a world that does not move linearly keeps chaining each delta on its parent, as before', async () => {
    const manager = new CheckpointManager(new MemoryBackend(), RUN);
    const world = new EvolvingWorld(9, 400);
    const saved = new Map<string, PackedSnapshot>();
    for (let t = 0; t < 6; t++) {
      const s = world.step(0.05).snapshot();
      saved.set(`t${t}`, s);
      await manager.createCheckpoint(`t${t}`, s);
    }
    const chain = await manager.listCheckpoints();
    expect(chain.map((c) => (c.storage.kind === 'delta' ? [c.storage.base, c.storage.depth, c.storage.runIndex, c.storage.reference] : 'full'))).toEqual([
      'full',
      ['t0', 1, 1, undefined],
      ['t1', 2, 2, undefined],
      ['t2', 3, 3, undefined],
      ['t3', 4, 4, undefined],
      ['t4', 5, 5, undefined],
    ]);
    await expectAllLoad(new CheckpointManager(manager.store.backend, { cacheSize: 0 }), saved);
  });

  it('when prediction stops paying part-way through a run, the next delta chains on its parent', async () => {
    const manager = new CheckpointManager(new MemoryBackend(), RUN);
    const world = new MovingWorld(2_000, 5, { healthChurn: 0 });
    const saved = await checkpoints(manager, world, 4);
    world.swerve();
    for (let t = 4; t < 6; t++) {
      const s = world.step();
      saved.set(`t${t}`, s);
      await manager.createCheckpoint(`t${t}`, s);
    }
    const chain = await manager.listCheckpoints();
    expect(chain[3]!.storage).toMatchObject({ base: 't1', reference: { id: 't0' } });
    expect(chain[4]!.storage).toMatchObject({ base: 't3', depth: 3, runIndex: 4 });
    expect(chain[4]!.storage.kind === 'delta' && chain[4]!.storage.reference).toBe(undefined);
    await expectAllLoad(new CheckpointManager(manager.store.backend, { cacheSize: 0 }), saved);
  });

  it.each([
    ['the reference (t0)', 't0', ['t1', 't2', 't3', 't4', 't5']],
    ['the base (t1)', 't1', ['t2', 't3', 't4', 't5']],
    ['a predicted delta (t3)', 't3', []],
  ])('deleting %s rewrites the checkpoints that need it in full first; every other checkpoint loads exactly', async (_, doomed, dependents) => {
    const backend = new MemoryBackend();
    const manager = new CheckpointManager(backend, RUN);
    const saved = await checkpoints(manager, new MovingWorld(1_000, 6), 6);
    // The store alone refuses to delete a base or a reference: it names the dependents.
    if (dependents.length > 0) await expect(manager.store.delete(doomed)).rejects.toMatchObject({ code: 'InvalidCheckpoint', details: { dependents } });
    expect(await manager.deleteCheckpoint(doomed)).toBe(true);
    saved.delete(doomed);
    const fresh = new CheckpointManager(backend, { cacheSize: 0 });
    await expectAllLoad(fresh, saved);
    for (const c of await fresh.listCheckpoints()) {
      expect(c.storage.kind, c.id).toBe(dependents.includes(c.id) || c.id === 't0' ? 'full' : 'delta');
      if (c.storage.kind !== 'delta') continue;
      expect(c.storage.base).not.toBe(doomed);
      expect(c.storage.reference?.id).not.toBe(doomed);
    }
  });

  it('deleting the reference survives a failure at every write: what remains loads exactly, and a retry completes', async () => {
    let k = 1;
    for (; ; k++) {
      const backend = new FailingBackend();
      const saved = await checkpoints(new CheckpointManager(backend, RUN), new MovingWorld(500, 12), 5);
      backend.failAt(k);
      let failed = false;
      try {
        await new CheckpointManager(backend, RUN).deleteCheckpoint('t0');
      } catch (error) {
        expect(String((error as Error).message)).toContain(`injected failure at write ${k}`);
        failed = true;
      }
      backend.failAt(Number.POSITIVE_INFINITY);
      const listed = (await new CheckpointManager(backend.inner).listCheckpoints()).map((c) => c.id);
      for (const id of ['t1', 't2', 't3', 't4']) expect(listed, `failure at write ${k}`).toContain(id);
      await expectAllLoad(new CheckpointManager(backend.inner, { cacheSize: 0 }), new Map([...saved].filter(([id]) => listed.includes(id))));
      if (!failed) break;
      await new CheckpointManager(backend.inner, RUN).deleteCheckpoint('t0');
      saved.delete('t0');
      expect((await new CheckpointManager(backend.inner).listCheckpoints()).map((c) => c.id)).toEqual([...saved.keys()]);
      await expectAllLoad(new CheckpointManager(backend.inner, { cacheSize: 0 }), saved);
    }
    // Four dependents rewritten (file and metadata each), then the delete: each write was interrupted once.
    expect(k).toBeGreaterThan(8);
  });

  it('pruning the head of a predicted run keeps every kept checkpoint loadable', async () => {
    const backend = new MemoryBackend();
    const manager = new CheckpointManager(backend, RUN);
    const saved = await checkpoints(manager, new MovingWorld(1_000, 7), 7);
    for (const id of await manager.pruneOldCheckpoints(3)) saved.delete(id);
    expect([...saved.keys()]).toEqual(['t4', 't5', 't6']);
    await expectAllLoad(new CheckpointManager(backend, { cacheSize: 0 }), saved);
  });
});

describe('damaged predicted checkpoints', () => {
  async function run(): Promise<{ backend: MemoryBackend; saved: Map<string, PackedSnapshot> }> {
    const backend = new MemoryBackend();
    const saved = await checkpoints(new CheckpointManager(backend, RUN), new MovingWorld(600, 10), 5);
    return { backend, saved };
  }
  const load = async (backend: StorageBackend, id: string) => {
    try {
      await new CheckpointManager(backend, { cacheSize: 0 }).loadCheckpoint(id);
    } catch (error) {
      expect(isPackError(error), String(error)).toBe(true);
      return error as { code: string; details: Record<string, unknown> };
    }
    throw new Error(`loading ${id} should have failed`);
  };

  it('a record naming another checkpoint as reference: DeltaBaseMismatch naming the reference', async () => {
    const { backend } = await run();
    await editLink(backend, 't3', (link) => {
      link.reference = 't2';
    });
    expect(await load(backend, 't3')).toMatchObject({ code: 'DeltaBaseMismatch', details: { checkpoint: 't3', reference: 't2', which: 'reference' } });
  });

  it('a record whose reference was removed or changed: ChecksumMismatch, the delta names other snapshots', async () => {
    const { backend } = await run();
    await editLink(backend, 't3', (link) => {
      delete link.reference;
      delete link.referenceHash;
      delete link.scale;
    });
    expect(await load(backend, 't3')).toMatchObject({ code: 'ChecksumMismatch', details: { checkpoint: 't3' } });
    await editLink(backend, 't4', (link) => {
      link.scale = 7;
    });
    expect(await load(backend, 't4')).toMatchObject({ code: 'ChecksumMismatch', details: { checkpoint: 't4' } });
  });

  it('a malformed reference in a record: InvalidCheckpoint', async () => {
    const { backend } = await run();
    await editLink(backend, 't3', (link) => {
      link.referenceHash = 'not a hash';
    });
    expect(await load(backend, 't3')).toMatchObject({ code: 'InvalidCheckpoint', details: { checkpoint: 't3' } });
  });

  it('a reference deleted outside the manager: InvalidCheckpoint naming it; one that references itself: a cycle', async () => {
    const { backend } = await run();
    await editLink(backend, 't3', (link) => {
      link.reference = 'gone';
    });
    expect(await load(backend, 't3')).toMatchObject({ code: 'InvalidCheckpoint', details: { checkpoint: 't3', reference: 'gone' } });
    await editLink(backend, 't4', (link) => {
      link.reference = 't4';
    });
    expect(await load(backend, 't4')).toMatchObject({ code: 'InvalidCheckpoint' });
  });

  it('a damaged reference file: a typed error naming the reference checkpoint, and its dependents do not load', async () => {
    const { backend } = await run();
    const bytes = (await backend.get('t0.tx2pack'))!;
    bytes[bytes.length - 40]! ^= 0xff;
    await backend.put('t0.tx2pack', bytes);
    for (const id of ['t0', 't2', 't4']) expect(await load(backend, id)).toMatchObject({ details: { checkpoint: 't0' } });
  });
});

describe('property: predicted checkpoints', () => {
  it('random creates (moving, swerving, branching), loads, deletes, prunes and restarts load every remaining checkpoint exactly', async () => {
    const op = fc.oneof(
      {
        weight: 8,
        arbitrary: fc.record({ kind: fc.constant('create' as const), dt: fc.constantFrom(1, 1, 1, 2, 0.5), swerve: fc.nat({ max: 9 }), branch: fc.option(fc.nat(), { freq: 5 }) }),
      },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('prune' as const), keep: fc.nat({ max: 6 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), cacheSize: fc.nat({ max: 3 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('load' as const), pick: fc.nat() }) },
    );
    let predictedSeen = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: 9 }), fc.array(op, { minLength: 4, maxLength: 30 }), async (seed, fullEvery, ops) => {
        const backend = new MemoryBackend();
        const options = { incremental: { fullEvery, maxDeltaRatio: 100 }, dedupeSections: { minBytes: 256 } };
        let manager = new CheckpointManager(backend, options);
        const world = new MovingWorld(400, seed);
        const saved = new Map<string, PackedSnapshot>();
        let n = 0;
        for (const o of ops) {
          const ids = [...saved.keys()];
          if (o.kind === 'create') {
            if (o.swerve === 0) world.swerve();
            const snapshot = world.step(o.dt);
            // Now and then a branch: the new checkpoint continues an older one.
            const parent = o.branch === null || ids.length === 0 ? undefined : ids[o.branch % ids.length];
            const made = await manager.createCheckpoint(`c${n}`, snapshot, parent === undefined ? undefined : { parent });
            if (made.storage.kind === 'delta' && made.storage.reference !== undefined) predictedSeen++;
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
        // Every base and reference is a kept checkpoint, and a load applies at most fullEvery − 1 deltas.
        const chain = await manager.listCheckpoints();
        const ids = new Set(chain.map((c) => c.id));
        for (const c of chain) {
          if (c.storage.kind !== 'delta') continue;
          expect(ids.has(c.storage.base)).toBe(true);
          if (c.storage.reference !== undefined) expect(ids.has(c.storage.reference.id)).toBe(true);
          expect(c.storage.depth).toBeLessThan(fullEvery);
        }
      }),
      { seed: 20_261_203, numRuns: process.env.TX2_SOAK === '1' ? 300 : 25 },
    );
    // The runs did create predicted deltas, not only plain ones.
    expect(predictedSeen).toBeGreaterThan(10);
  });
});
