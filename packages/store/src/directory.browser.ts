// `#directory` outside Node: there is no filesystem to open a path on (see directory.node.ts).
import { PackError } from '@tx2/pack-format';
import type { StorageBackend } from './backend.js';

/** Refuses a directory path: outside Node a store needs a StorageBackend object. */
export function openDirectory(path: string): StorageBackend {
  throw new PackError(
    'InvalidInput',
    `a store directory path (${JSON.stringify(path.slice(0, 60))}) needs Node's filesystem: outside Node give the store a StorageBackend object instead (MemoryBackend, or a browser backend)`,
    { details: { path } },
  );
}
