// The main entry is portable: a directory path is opened through `#directory`, whose Node build
// is the filesystem backend and whose browser build refuses paths with a typed error.
import { describe, expect, it } from 'vitest';
import { openDirectory as browserOpen } from '../src/directory.browser.js';
import { CheckpointManager, MemoryBackend, SnapshotStore } from '../src/index.js';
import { NodeFsBackend } from '../src/node.js';

describe('portable main entry', () => {
  it('under Node, a path opens a NodeFsBackend (the class `/node` exports)', () => {
    const store = new SnapshotStore('/tmp/tx2-portable-never-written');
    expect(store.backend).toBeInstanceOf(NodeFsBackend);
  });

  it('outside Node, a path is an InvalidInput PackError that says what to pass instead', () => {
    expect(() => browserOpen('saves')).toThrow(expect.objectContaining({ name: 'PackError', code: 'InvalidInput', details: { path: 'saves' } }));
    expect(() => browserOpen('saves')).toThrow(/StorageBackend object/);
  });

  it('a backend object works the same everywhere', async () => {
    const manager = new CheckpointManager(new MemoryBackend());
    expect(await manager.listCheckpoints()).toEqual([]);
  });
});
