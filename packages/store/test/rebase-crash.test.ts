import { type PackedSnapshot, snapshotsEqual } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { CheckpointManager, SECTION_SUFFIX, type StorageBackend } from '../src/index.js';
import { referencedSections } from '../src/section-pool.js';
import { EvolvingWorld } from './helpers/evolving-world.js';
import { FailingBackend } from './helpers/failing-backend.js';

const OPTIONS = { incremental: { fullEvery: 4 }, dedupeSections: { minBytes: 1024 } };

/** c0 (full) c1 c2 c3 (deltas) c4 (full) c5 c6 (deltas), with a static terrain shared through the pool. */
async function build(): Promise<{ backend: FailingBackend; saved: Map<string, PackedSnapshot> }> {
  const backend = new FailingBackend();
  const manager = new CheckpointManager(backend, OPTIONS);
  const world = new EvolvingWorld(21, 2_000, { terrainTiles: 1_024 });
  const saved = new Map<string, PackedSnapshot>();
  for (let i = 0; i < 7; i++) {
    const s = world.step(0.02).snapshot();
    const info = await manager.createCheckpoint(`c${i}`, s);
    expect(info.storage.kind).toBe(i % 4 === 0 ? 'full' : 'delta');
    saved.set(`c${i}`, s);
  }
  return { backend, saved };
}

/** A new process's view: every listed checkpoint loads exactly, every delta's base is listed. */
async function expectConsistent(backend: StorageBackend, saved: Map<string, PackedSnapshot>, label: string): Promise<string[]> {
  const manager = new CheckpointManager(backend, { ...OPTIONS, cacheSize: 0 });
  const chain = await manager.chain();
  const ids = new Set(chain.map((c) => c.id));
  for (const c of chain) {
    const loaded = await manager.loadCheckpoint(c.id);
    expect(snapshotsEqual(loaded.snapshot, saved.get(c.id)!), `${label}: ${c.id}`).toBe(true);
    if (loaded.storage.kind === 'delta') expect(ids.has(loaded.storage.base), `${label}: base of ${c.id}`).toBe(true);
  }
  return [...ids];
}

async function expectNoDanglingSections(backend: StorageBackend): Promise<void> {
  const keys = await backend.list();
  const present = new Set(keys.filter((k) => k.endsWith(SECTION_SUFFIX)).map((k) => k.slice(0, -SECTION_SUFFIX.length)));
  for (const key of keys) if (key.endsWith('.tx2pack')) for (const h of await referencedSections(backend, key)) expect(present.has(h), `${key} references ${h}`).toBe(true);
}

const operations: [string, (m: CheckpointManager) => Promise<unknown>, string[]][] = [
  ['deleting a full base (c0: c1 becomes full first)', (m) => m.deleteCheckpoint('c0'), ['c0']],
  ['deleting a delta that is a base (c2: c3 becomes full first)', (m) => m.deleteCheckpoint('c2'), ['c2']],
  ['pruning to the 2 latest (c5 becomes full, c0..c4 go newest first)', (m) => m.pruneOldCheckpoints(2), ['c0', 'c1', 'c2', 'c3', 'c4']],
  ['clearing everything', (m) => m.clear(), ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']],
];

describe('crash safety of rebasing and collection', () => {
  it.each(operations)('%s: a failure at every write leaves every remaining checkpoint loadable, and a retry completes', async (_, run, removed) => {
    let k = 1;
    for (; ; k++) {
      const { backend, saved } = await build();
      backend.failAt(k);
      let failed = false;
      try {
        await run(new CheckpointManager(backend, OPTIONS));
      } catch (error) {
        expect(String((error as Error).message)).toContain(`injected failure at write ${k}`);
        failed = true;
      }
      backend.failAt(Number.POSITIVE_INFINITY);
      const label = `failure at write ${k}`;
      const remaining = await expectConsistent(backend.inner, saved, label);
      await expectNoDanglingSections(backend.inner);
      if (!failed) {
        expect(remaining.sort()).toEqual([...saved.keys()].filter((id) => !removed.includes(id)).sort());
        break;
      }
      // Whatever the crash left, the checkpoints not being removed are all there.
      for (const id of saved.keys()) if (!removed.includes(id)) expect(remaining).toContain(id);
      // Running the operation again from a new process finishes it.
      await run(new CheckpointManager(backend.inner, OPTIONS));
      const after = await expectConsistent(backend.inner, saved, `${label}, retried`);
      expect(after.sort()).toEqual([...saved.keys()].filter((id) => !removed.includes(id)).sort());
      await expectNoDanglingSections(backend.inner);
      const objects = (await backend.inner.list()).filter((key) => key.endsWith(SECTION_SUFFIX));
      if (after.length === 0) expect(objects).toEqual([]);
    }
    // The operation does several writes, and each of them was interrupted once.
    expect(k).toBeGreaterThan(3);
  });

  it.each([
    ['a delta', OPTIONS],
    ['a full checkpoint with pooled sections', { ...OPTIONS, incremental: false as const }],
  ])('creating %s: a failure at every write leaves the chain loadable, and creating it again works', async (_, options) => {
    const next = new EvolvingWorld(21, 2_000, { terrainTiles: 1_024 });
    for (let i = 0; i < 8; i++) next.step(0.02);
    const snapshot = next.snapshot();
    let k = 1;
    for (; ; k++) {
      const { backend, saved } = await build();
      backend.failAt(k);
      let failed = false;
      try {
        await new CheckpointManager(backend, options).createCheckpoint('c7', snapshot);
      } catch (error) {
        expect(String((error as Error).message)).toContain(`injected failure at write ${k}`);
        failed = true;
      }
      backend.failAt(Number.POSITIVE_INFINITY);
      const withNew = new Map([...saved, ['c7', snapshot]]);
      const listed = await expectConsistent(backend.inner, withNew, `failure at write ${k}`);
      await expectNoDanglingSections(backend.inner);
      if (!failed) break;
      if (!listed.includes('c7')) await new CheckpointManager(backend.inner, options).createCheckpoint('c7', snapshot);
      expect((await expectConsistent(backend.inner, withNew, `failure at write ${k}, created again`)).sort()).toEqual([...withNew.keys()].sort());
    }
    expect(k).toBeGreaterThan(1);
  });
});
