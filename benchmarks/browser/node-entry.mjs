// The Node side of the browser benchmark (bundled for Node by the driver, so it can be pointed at
// another checkout's packages): the same steps, and the store rows on NodeFsBackend in a temporary folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as store from '@tx2/pack-store';
import * as storeNode from '@tx2/pack-store/node';
import { runSteps } from './runner.mjs';
import { coreSteps } from './steps.mjs';
import { storeSteps } from './store-steps.mjs';

/** Runs every step in Node; the file backend stands on the IndexedDB and OPFS rows. */
export async function runNodeBench({ n, settings, filter, log }) {
  // The Node-only entry since the store went portable; the main entry before.
  const NodeFsBackend = storeNode.NodeFsBackend ?? store.NodeFsBackend;
  const dir = mkdtempSync(join(tmpdir(), 'tx2-browser-bench-'));
  try {
    const onDisk = (row) => ({ row, create: async () => new NodeFsBackend(join(dir, row)) });
    const steps = [...(await coreSteps(n)), ...(await storeSteps(n, [onDisk('IndexedDB'), onDisk('OPFS')]))];
    return { results: await runSteps(steps, settings, filter, log) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
