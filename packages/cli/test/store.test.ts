import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSnapshot } from '@tx2/pack-format';
import { CheckpointManager, SnapshotMetadata, SnapshotStore } from '@tx2/pack-store';
import { referenceColumns } from '../src/reference-world.js';
import { hasStack, tempDir, tx2pack, tx2packJson } from './helpers.js';

const { dir, cleanup } = tempDir('store');
const checkpoints = path.join(dir, 'checkpoints');
const saves = path.join(dir, 'saves');
const world = referenceColumns(100).packed;

beforeAll(async () => {
  const manager = new CheckpointManager(checkpoints);
  for (let tick = 0; tick < 5; tick++) {
    await manager.createCheckpoint(
      `tick-${tick}`,
      { ...world, worldTime: tick },
      new SnapshotMetadata(`tick-${tick}`, { worldTime: tick }).withTag(tick % 2 === 0 ? 'even' : 'odd'),
    );
  }
  const store = new SnapshotStore(saves);
  await store.save(world, new SnapshotMetadata('slot-1').withName('Before the boss').withTag('manual').withCustomField('chapter', 3));
  await store.save(world, new SnapshotMetadata('slot-2').withName('After the boss'));
  await store.save(world, 'autosave');
});
afterAll(cleanup);

describe('ls', () => {
  it('lists a checkpoint directory as a tree, with tags and sizes', async () => {
    const { code, stdout } = await tx2pack(['ls', checkpoints]);
    expect(code).toBe(0);
    expect(stdout).toContain('checkpoint directory, 5 checkpoints');
    const rows = stdout.split('\n').filter((l) => l.includes('● tick-'));
    expect(rows.map((l) => /tick-\d/.exec(l)![0])).toEqual(['tick-0', 'tick-1', 'tick-2', 'tick-3', 'tick-4']);
    expect(stdout).toMatch(/tick-0\s+1\s.*even/);
    expect(stdout).toMatch(/kB/);
  });

  it('--json has every entry with its chain link', async () => {
    const { code, data } = await tx2packJson(['ls', checkpoints]);
    expect(code).toBe(0);
    expect(data.kind).toBe('checkpoints');
    expect(data.entries.map((e: { id: string }) => e.id)).toEqual(['tick-0', 'tick-1', 'tick-2', 'tick-3', 'tick-4']);
    expect(data.entries[1]).toMatchObject({ tags: ['odd'], worldTime: 1, checkpoint: { parent: 'tick-0', sequence: 2, parentMissing: false } });
    expect(data.entries[0].sizeBytes).toBeGreaterThan(1000);
  });

  it('lists a snapshot store with names, tags and custom fields', async () => {
    const { code, data } = await tx2packJson(['ls', saves]);
    expect(code).toBe(0);
    expect(data.kind).toBe('snapshots');
    expect(data.entries.map((e: { id: string }) => e.id)).toEqual(['slot-1', 'slot-2', 'autosave']);
    expect(data.entries[0]).toMatchObject({ name: 'Before the boss', tags: ['manual'], custom: { chapter: 3 }, checkpoint: null });
    const text = await tx2pack(['ls', saves]);
    expect(text.stdout).toContain('snapshot store');
    expect(text.stdout).toContain('Before the boss');
  });

  it('refuses a missing directory, a file, and a directory of loose snapshot files', async () => {
    const missing = await tx2pack(['ls', path.join(dir, 'nope')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('no such directory');
    const loose = path.join(dir, 'loose');
    mkdirSync(loose);
    writeFileSync(path.join(loose, 'a.tx2pack'), encodeSnapshot(world));
    const foreign = await tx2pack(['ls', loose]);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain('not a snapshot store');
    const file = await tx2pack(['ls', path.join(loose, 'a.tx2pack')]);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain('tx2pack inspect');
    for (const r of [missing, foreign, file]) expect(hasStack(r.stderr)).toBe(false);
  });
});

describe('show', () => {
  it('shows a checkpoint with its ancestors, children and components', async () => {
    const { code, stdout } = await tx2pack(['show', checkpoints, 'tick-2']);
    expect(code).toBe(0);
    expect(stdout).toContain('checkpoint #3');
    expect(stdout).toContain('tick-1 <- tick-0');
    expect(stdout).toMatch(/children\s+tick-3/);
    expect(stdout).toMatch(/Position\s+columns\s+100\s+x:f32 y:f32 z:f32/);
    const { data } = await tx2packJson(['show', saves, 'slot-1']);
    expect(data.entry).toMatchObject({ id: 'slot-1', name: 'Before the boss', tags: ['manual'] });
    expect(data.contents.entities).toBe(100);
    expect(data.contents.components.map((c: { id: string }) => c.id)).toEqual(['Position', 'Velocity', 'Health']);
  });

  it('an unknown id is exit code 3, listing what exists', async () => {
    const { code, stderr } = await tx2pack(['show', saves, 'slot-9']);
    expect(code).toBe(3);
    expect(stderr).toContain('no snapshot "slot-9"');
    expect(stderr).toContain('slot-1');
  });
});

describe('rm and prune', () => {
  it('rm deletes a checkpoint and the tree shows the gap', async () => {
    const rm = await tx2packJson(['rm', checkpoints, 'tick-2']);
    expect(rm.code).toBe(0);
    expect(rm.data).toMatchObject({ deleted: ['tick-2'], gapsBefore: ['tick-3'] });
    const { stdout } = await tx2pack(['ls', checkpoints]);
    expect(stdout).toContain('after deleted tick-2');
    // Its child still loads (a store keeping checkpoints as deltas rebases them before a delete).
    const child = await tx2packJson(['show', checkpoints, 'tick-3']);
    expect(child.code).toBe(0);
    expect(child.data.contents.entities).toBe(100);
    const unknown = await tx2pack(['rm', checkpoints, 'tick-2']);
    expect(unknown.code).toBe(3);
  });

  it('prune --keep N keeps the latest checkpoints; --dry-run deletes nothing', async () => {
    const dry = await tx2packJson(['prune', checkpoints, '--keep', '1', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.data).toMatchObject({ dryRun: true, deleted: ['tick-0', 'tick-1', 'tick-3'], kept: ['tick-4'] });
    expect((await tx2packJson(['ls', checkpoints])).data.count).toBe(4);
    const real = await tx2packJson(['prune', checkpoints, '--keep', '2']);
    expect(real.data).toMatchObject({ dryRun: false, deleted: ['tick-0', 'tick-1'], kept: ['tick-3', 'tick-4'] });
    const { data } = await tx2packJson(['ls', checkpoints]);
    expect(data.entries.map((e: { id: string }) => e.id)).toEqual(['tick-3', 'tick-4']);
  });

  it('prune on a snapshot store keeps the newest saves; --keep is required and checked', async () => {
    const missing = await tx2pack(['prune', saves]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--keep');
    const bad = await tx2pack(['prune', saves, '--keep', 'many']);
    expect(bad.code).toBe(2);
    const pruned = await tx2packJson(['prune', saves, '--keep', '2']);
    expect(pruned.data.deleted).toEqual(['slot-1']);
  });
});
