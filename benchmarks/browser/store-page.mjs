// The page's store script, bundled apart from the rest so that a store that does not (yet) bundle for
// the browser only drops the store rows. The browser backends are taken from the store's exports when
// it has them: to add one, list it in BROWSER_BACKENDS.
import * as store from '@tx2/pack-store';
import { runSteps } from './runner.mjs';
import { storeSteps } from './store-steps.mjs';

// [table row, export name, the export (undefined when missing), how to make an empty one].
// The row names are the ones Node's file backend fills.
const BROWSER_BACKENDS = [
  ['IndexedDB', 'IndexedDBBackend', () => store.IndexedDBBackend, (Backend, name) => new Backend(name)],
  ['IndexedDB (durable: false)', 'IndexedDBBackend', () => store.IndexedDBBackend, (Backend, name) => new Backend(name, { durable: false })],
  ['OPFS', 'OPFSBackend', () => store.OPFSBackend, (Backend, name) => new Backend(name)],
];

/** Runs the store rows in this page; `missing` names the backends the store does not export. */
globalThis.runBrowserStoreBench = async ({ n, settings, filter }) => {
  const run = `bench-${Date.now()}`;
  const backends = [];
  const missing = [];
  for (const [row, exportName, exported, make] of BROWSER_BACKENDS) {
    const Backend = exported();
    if (typeof Backend === 'function') backends.push({ row, create: async () => make(Backend, `${run}-${row}`) });
    else missing.push(exportName);
  }
  const results = await runSteps(await storeSteps(n, backends), settings, filter, (line) => console.log(line));
  return { results, missing };
};
