// One build of the store for the IndexedDB A/B benchmark (indexeddb.bench.mjs): bundled once per
// checkout, each registering its steps under its tag in globalThis.idbVariants.
import { snapshotsEqual } from '@tx2/pack-format';
import { IndexedDBBackend, MemoryBackend, SnapshotStore, SnapshotWriter } from '@tx2/pack-store';
import { referenceColumns } from '../world.mjs';

let sink;

/** The steps of this build: store save/load and backend put/get of the saved file, for each durability. */
async function makeSteps(n, run) {
  const { packed } = referenceColumns(n);
  const file = await SnapshotWriter.create().encode(packed);
  const steps = [];
  const backends = [
    ['MemoryBackend', () => new MemoryBackend()],
    ['IndexedDB', () => new IndexedDBBackend(`${run}-strict`)],
    ['IndexedDB (durable: false)', () => new IndexedDBBackend(`${run}-relaxed`, { durable: false })],
  ];
  for (const [row, create] of backends) {
    const backend = create();
    const store = new SnapshotStore(backend);
    await store.save(packed, 'slot');
    if (!snapshotsEqual((await store.load('slot')).snapshot, packed)) throw new Error(`${row} does not give back what was saved`);
    steps.push([`save: ${row}`, async () => (sink = await store.save(packed, 'slot'))]);
    steps.push([`load: ${row}`, async () => (sink = await store.load('slot'))]);
    if (row === 'MemoryBackend') continue;
    await backend.put('file', file);
    steps.push([`put (${file.length} B): ${row}`, async () => (sink = await backend.put('file', file))]);
    steps.push([`get: ${row}`, async () => (sink = await backend.get('file'))]);
    steps.push([`size + readRange(0, 8): ${row}`, async () => (sink = [await backend.size('file'), await backend.readRange('file', 0, 8)])]);
  }
  return steps;
}

globalThis.idbVariants ??= {};
// VARIANT ("before" or "after") is defined by esbuild for each bundle.
globalThis.idbVariants[VARIANT] = { makeSteps, lastResult: () => sink };
