import path from 'node:path';
import { CheckpointManager } from '@tx2/pack-store';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointTree } from '../src/checkpoint-tree.js';
import { referenceColumns } from '../src/reference-world.js';
import type { StoreEntryInfo } from '../src/store-directory.js';
import { tempDir, tx2pack } from './helpers.js';

const { dir, cleanup } = tempDir('tree');
afterAll(cleanup);

function entry(id: string, parent: string | null, sequence: number): StoreEntryInfo {
  return {
    id,
    name: null,
    description: null,
    createdAt: 0,
    worldTime: 0,
    schemaVersion: 0,
    tags: [],
    custom: {},
    sizeBytes: 0,
    sha256: '',
    checkpoint: { parent, sequence, parentMissing: false, storage: null },
  };
}

describe('checkpointTree', () => {
  it('draws a branch off its parent with a fork mark, nested branches one column further right', () => {
    const lines = checkpointTree([
      entry('a', null, 1),
      entry('b', 'a', 2),
      entry('c', 'b', 3),
      entry('b2', 'a', 4),
      entry('c2', 'b2', 5),
      entry('d', 'c', 6),
      entry('c3', 'b2', 7),
    ]).map((l) => `${l.prefix}${l.entry.id}`);
    expect(lines).toEqual(['● a', '├─● b', '│ ● c', '│ ● d', '● b2', '├─● c2', '● c3']);
  });

  it('tx2pack ls draws a checkpoint saved with a named parent as a branch', async () => {
    const checkpoints = path.join(dir, 'checkpoints');
    const world = referenceColumns(50).packed;
    const manager = new CheckpointManager(checkpoints);
    await manager.createCheckpoint('t100', { ...world, worldTime: 100 });
    await manager.createCheckpoint('t110', { ...world, worldTime: 110 });
    await manager.createCheckpoint('t120', { ...world, worldTime: 120 });
    await manager.createCheckpoint('t120-retry', { ...world, worldTime: 121 }, { parent: 't110' });
    await manager.createCheckpoint('t130-retry', { ...world, worldTime: 131 });
    const { code, stdout } = await tx2pack(['ls', checkpoints]);
    expect(code).toBe(0);
    const drawn = stdout
      .split('\n')
      .map((l) => /^([│├─● ]+)(t\d+(?:-retry)?)/u.exec(l.trimStart()))
      .filter((m) => m !== null)
      .map((m) => `${m![1]}${m![2]}`);
    expect(drawn).toEqual(['● t100', '● t110', '├─● t120', '● t120-retry', '● t130-retry']);
  });
});
