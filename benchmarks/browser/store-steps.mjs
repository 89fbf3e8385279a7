// Save/load steps through the store, for whichever backends a platform has. Each backend is
// { row, create } where `row` names the table row it lands on (Node's file backend sits on the rows
// of the browser's IndexedDB and OPFS backends, for the ratio) and `create` makes an empty backend.
import { MemoryBackend, SnapshotStore } from '@tx2/pack-store';
import { snapshotsEqual } from '@tx2/pack-format';
import { referenceColumns } from '../world.mjs';

let sink;

/** The store rows: save and load of the n-entity world through each backend. */
export async function storeSteps(n, backends) {
  const { packed } = referenceColumns(n);
  const steps = [];
  for (const { row, create } of [{ row: 'MemoryBackend', create: async () => new MemoryBackend() }, ...backends]) {
    const store = new SnapshotStore(await create());
    await store.save(packed, 'slot');
    const back = await store.load('slot');
    if (!snapshotsEqual(back.snapshot, packed)) throw new Error(`browser benchmark: ${row} does not give back what was saved`);
    steps.push({ group: 'store', name: `save: ${row}`, fn: async () => (sink = await store.save(packed, 'slot')) });
    steps.push({ group: 'store', name: `load: ${row}`, fn: async () => (sink = await store.load('slot')) });
  }
  return steps;
}

/** Keeps the last result reachable so no step is optimised away. */
export function lastStoreResult() {
  return sink;
}
