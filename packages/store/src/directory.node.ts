// `#directory` under Node: a directory path given to SnapshotStore / CheckpointManager opens a
// NodeFsBackend. The browser build (directory.browser.ts) refuses paths instead, so the main
// entry bundles for browsers without the filesystem backend.
import type { StorageBackend } from './backend.js';
import { NodeFsBackend } from './backends/node-fs.js';

/** The backend of the store directory `path` (created when missing): a NodeFsBackend. */
export function openDirectory(path: string): StorageBackend {
  return new NodeFsBackend(path);
}
