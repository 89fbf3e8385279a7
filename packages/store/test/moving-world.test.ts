// Checkpoints of a world where every entity moves every tick: deltas hold temporal (XOR)
// field changes and load bit for bit; a delta that cannot fit its run is not computed; the
// chain a manager keeps between calls follows what other managers write.
import { createPackedSnapshot, type PackedSnapshot, snapshotsEqual } from '@tx2/pack-format';
import { describe, expect, it, vi } from 'vitest';
import { CheckpointManager, MemoryBackend } from '../src/index.js';

/** `n` entities whose f32 positions move by their velocities each tick, and 10% of whose health changes. */
function movingWorld(n: number): { tick: () => PackedSnapshot } {
  let s = 11;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const x = Float32Array.from({ length: n }, () => -1000 + 2000 * rand());
  const y = Float32Array.from({ length: n }, () => -1000 + 2000 * rand());
  const vx = Float32Array.from({ length: n }, () => -10 + 20 * rand());
  const vy = Float32Array.from({ length: n }, () => -10 + 20 * rand());
  const hp = new Float32Array(n).fill(100);
  let t = 0;
  return {
    tick() {
      t++;
      for (let i = 0; i < n; i++) {
        x[i] = Math.fround(x[i]! + vx[i]! / 60);
        y[i] = Math.fround(y[i]! + vy[i]! / 60);
      }
      for (let k = 0; k < n / 10; k++) hp[Math.floor(rand() * n)] = Math.floor(rand() * 100);
      return createPackedSnapshot({
        entities: Uint32Array.from({ length: n }, (_, i) => i + 1),
        timestamp: 1000 + t,
        components: [
          { id: 'Position', fields: { x: x.slice(), y: y.slice() } },
          { id: 'Velocity', fields: { x: vx, y: vy } },
          { id: 'Health', fields: { current: hp.slice() } },
        ],
      });
    },
  };
}

describe('checkpoints of a moving world', () => {
  it('store deltas of temporal field changes, smaller than full checkpoints, and each loads exactly', async () => {
    const backend = new MemoryBackend();
    const manager = new CheckpointManager(backend, { incremental: { fullEvery: 5, maxDeltaRatio: Infinity } });
    const world = movingWorld(4000);
    const saved: PackedSnapshot[] = [];
    const made = [];
    for (let t = 0; t < 7; t++) {
      saved.push(world.tick());
      made.push(await manager.createCheckpoint(`t${t}`, saved[t]!));
    }
    expect(made.map((c) => c.storage.kind)).toEqual(['full', 'delta', 'delta', 'delta', 'delta', 'full', 'delta']);
    expect(made[1]!.bytes).toBeLessThan(made[0]!.bytes * 0.6);
    // t1 holds the XOR of each position with t0's; t2 the XOR with the position predicted from t0 and t1.
    const fields = async (id: string) => {
      const stored = await manager.store.loadStored(id);
      if (stored.kind !== 'delta') throw new Error(`${id} should be a delta`);
      const position = (await manager.store.reader.decodeDelta(stored.container)).components.find((c) => c.id === 'Position')!;
      return position.change === 'patched' ? position.fields.map((f) => [f.name, f.xor ?? false, f.predicted ?? false]) : [];
    };
    expect(await fields('t1')).toEqual([
      ['x', true, false],
      ['y', true, false],
    ]);
    expect(await fields('t2')).toEqual([
      ['x', false, true],
      ['y', false, true],
    ]);
    const fresh = new CheckpointManager(backend);
    for (let t = 0; t < 7; t++) expect(snapshotsEqual((await fresh.loadCheckpoint(`t${t}`)).snapshot, saved[t]!)).toBe(true);
  });

  it('a delta that cannot fit its run is predicted from the last one and not computed; one is tried again every fullEvery checkpoints', async () => {
    const manager = new CheckpointManager(new MemoryBackend(), { incremental: { fullEvery: 3, maxDeltaRatio: 0.05 } });
    const encodeDelta = vi.spyOn(manager.store.writer, 'encodeDelta');
    const world = movingWorld(2000);
    const reasons = [];
    for (let t = 0; t < 9; t++) reasons.push((await manager.createCheckpoint(`t${t}`, world.tick())).fullReason);
    expect(reasons).toEqual(Array(9).fill('max-delta-ratio').fill('first', 0, 1));
    // Tried at t1, then skipped 3 times (t2..t4), tried at t5, skipped t6..t8.
    expect(encodeDelta).toHaveBeenCalledTimes(2);
  });

  it('the chain kept between calls follows checkpoints other managers create and delete', async () => {
    const backend = new MemoryBackend();
    const a = new CheckpointManager(backend);
    const b = new CheckpointManager(backend);
    const world = movingWorld(200);
    await a.createCheckpoint('a1', world.tick());
    await b.createCheckpoint('b1', world.tick());
    const a2 = await a.createCheckpoint('a2', world.tick());
    expect(a2).toMatchObject({ parent: 'b1', sequence: 3 });
    await b.deleteCheckpoint('a2');
    const a3 = await a.createCheckpoint('a3', world.tick());
    expect(a3).toMatchObject({ parent: 'b1', sequence: 3 });
    expect((await a.listCheckpoints()).map((c) => c.id)).toEqual(['a1', 'b1', 'a3']);
    for (const id of ['a1', 'b1', 'a3']) await expect(b.loadCheckpoint(id)).resolves.toMatchObject({ id });
  });
});
