import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isPackError } from '@tx2/pack-format';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointManager, isValidId, MemoryBackend, SnapshotMetadata, SnapshotStore, validateId } from '../src/index.js';
import { NodeFsBackend } from '../src/node.js';
import { makeWorld } from './helpers/world.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tx2-hostile-'));
  dirs.push(dir);
  return dir;
}

/** Values a JavaScript caller (or a deserialized config) may pass anywhere. */
const HOSTILE: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 53,
  '',
  'a\0b',
  '../x',
  'x'.repeat(100_000),
  Symbol('s'),
  10n,
  true,
  {},
  Object.create(null),
  [],
  [1, 'x'],
  () => 1,
  new Uint8Array(3),
  { components: 'Health' },
  { components: [1] },
  { components: null },
  { minBytes: -1 },
  { lockTimeoutMs: Number.NaN },
  { lockTimeoutMs: -5 },
  { lockTimeoutMs: Number.POSITIVE_INFINITY },
  { dedupeSections: null },
  { cacheSize: 'x' },
  { incremental: { fullEvery: 0 } },
  { tags: 5 },
  { tags: [1] },
  { name: 5 },
  { custom: 5 },
  { custom: { big: 10n } },
  { createdAt: 'now' },
];

/** Calls `run` with each hostile value: it may succeed or throw a PackError, nothing else, and never hang. */
async function onlyPackErrors(label: string, run: (value: never) => unknown): Promise<void> {
  const raw: string[] = [];
  for (const value of HOSTILE) {
    try {
      // The hostile value goes in whatever the parameter's type: `never` lets each callback pass it on.
      await run(value as never);
    } catch (error) {
      if (!isPackError(error)) raw.push(`${label} with ${show(value)}: ${String((error as Error)?.stack?.split('\n').slice(0, 3).join(' | ') ?? error)}`);
    }
  }
  expect(raw).toEqual([]);
}

function show(value: unknown): string {
  if (typeof value === 'symbol' || typeof value === 'bigint' || typeof value === 'function') return String(value);
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 60);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

describe('hostile arguments to the public API give PackErrors (or work), never raw errors', () => {
  it('ids and metadata', async () => {
    await onlyPackErrors('validateId', (v) => validateId(v));
    await onlyPackErrors('isValidId', (v) => {
      if (typeof isValidId(v) !== 'boolean') throw new Error('isValidId must answer a boolean');
    });
    const meta = new SnapshotMetadata('m');
    await onlyPackErrors('new SnapshotMetadata(v)', (v) => new SnapshotMetadata(v));
    await onlyPackErrors('new SnapshotMetadata(id, v)', (v) => new SnapshotMetadata('m', v).toJSON());
    await onlyPackErrors('withName', (v) => meta.withName(v).toJSON());
    await onlyPackErrors('withDescription', (v) => meta.withDescription(v).toJSON());
    await onlyPackErrors('withTag', (v) => meta.withTag(v).toJSON());
    await onlyPackErrors('withCustomField(v, 1)', (v) => meta.withCustomField(v, 1).toJSON());
    await onlyPackErrors('withCustomField(k, v)', (v) => meta.withCustomField('k', v).toJSON());
    await onlyPackErrors('withWorldTime', (v) => meta.withWorldTime(v).toJSON());
    await onlyPackErrors('withSchemaVersion', (v) => meta.withSchemaVersion(v).toJSON());
    await onlyPackErrors('withId', (v) => meta.withId(v).toJSON());
    await onlyPackErrors('fromJSON', (v) => SnapshotMetadata.fromJSON(v).toJSON());
    await onlyPackErrors('fromJSON(record with v as custom)', (v) => SnapshotMetadata.fromJSON({ ...meta.toJSON(), custom: v }).toJSON());
    await onlyPackErrors('fromJSON(record with v as tags)', (v) => SnapshotMetadata.fromJSON({ ...meta.toJSON(), tags: v }).toJSON());
  });

  it('backends', async () => {
    const dir = await tempDir();
    await onlyPackErrors('new NodeFsBackend(v)', (v) => new NodeFsBackend(v));
    await onlyPackErrors('new NodeFsBackend(dir, v)', (v) => new NodeFsBackend(dir, v));
    for (const backend of [new MemoryBackend(), new NodeFsBackend(dir)]) {
      await backend.put('k', new Uint8Array([1, 2, 3]));
      await onlyPackErrors(`${backend.name} put(k, v)`, (v) => backend.put('k2', v));
      await onlyPackErrors(`${backend.name} readRange(k, v, 2)`, (v) => backend.readRange('k', v, 2));
      await onlyPackErrors(`${backend.name} readRange(k, 0, v)`, (v) => backend.readRange('k', 0, v));
      await onlyPackErrors(`${backend.name} lock(v)`, async (v) => {
        const release = await backend.lock(v);
        await release();
      });
    }
    const fs = new NodeFsBackend(dir);
    for (const method of ['get', 'has', 'size', 'delete', 'open'] as const) await onlyPackErrors(`NodeFsBackend.${method}(v)`, (v) => fs[method](v));
    await onlyPackErrors('NodeFsBackend.put(v, bytes)', (v) => fs.put(v, new Uint8Array(1)));
  });

  it('stores', async () => {
    const world = makeWorld(20);
    await onlyPackErrors('new SnapshotStore(v)', (v) => new SnapshotStore(v));
    await onlyPackErrors('new SnapshotStore(backend, v)', async (v) => {
      const store = new SnapshotStore(new MemoryBackend(), v);
      await store.save(world, 'a');
    });
    const store = new SnapshotStore(new MemoryBackend(), { lockTimeoutMs: 1000 });
    await store.save(world, 'a');
    await onlyPackErrors('save(v, id)', (v) => store.save(v, 'b'));
    await onlyPackErrors('save(world, v)', (v) => store.save(world, v));
    for (const method of ['load', 'loadEntry', 'loadStored', 'record', 'recover', 'exists', 'delete', 'inspectFile'] as const) {
      await onlyPackErrors(`${method}(v)`, (v) => store[method](v));
    }
    await store.save(world, 'a');
    for (const method of ['load', 'loadEntry', 'loadStored'] as const) await onlyPackErrors(`${method}(id, v)`, (v) => store[method]('a', v));
    await onlyPackErrors('withWriteLock(v)', (v) => store.withWriteLock(v));
    await onlyPackErrors('saveContainerUnlocked(id, v, meta, {})', (v) => store.saveContainerUnlocked('d', v, new SnapshotMetadata('d'), {}));
  });

  it('checkpoint managers', async () => {
    const world = makeWorld(20);
    await onlyPackErrors('new CheckpointManager(v)', (v) => new CheckpointManager(v));
    await onlyPackErrors('new CheckpointManager(backend, v)', (v) => new CheckpointManager(new MemoryBackend(), v));
    const manager = new CheckpointManager(new MemoryBackend());
    await manager.createCheckpoint('c0', world);
    let n = 1;
    await onlyPackErrors('createCheckpoint(v, world)', (v) => manager.createCheckpoint(v, world));
    await onlyPackErrors('createCheckpoint(id, v)', (v) => manager.createCheckpoint(`x${n++}`, v));
    await onlyPackErrors('createCheckpoint(id, world, v)', (v) => manager.createCheckpoint(`y${n++}`, world, v));
    await onlyPackErrors('loadCheckpoint(v)', (v) => manager.loadCheckpoint(v));
    await onlyPackErrors('loadCheckpoint(id, v)', (v) => manager.loadCheckpoint('c0', v));
    await onlyPackErrors('ancestors(v)', (v) => manager.ancestors(v));
    await onlyPackErrors('pruneOldCheckpoints(v)', (v) => manager.pruneOldCheckpoints(v));
    await onlyPackErrors('deleteCheckpoint(v)', (v) => manager.deleteCheckpoint(v));
  });

  it('malformed metadata files (deep nesting, wrong types) are PackErrors for that id and skipped by list()', async () => {
    const backend = new MemoryBackend();
    const store = new SnapshotStore(backend);
    await store.save(makeWorld(5), 'a');
    const good = JSON.parse(new TextDecoder().decode((await backend.get('a.meta.json'))!));
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const variants: [string, string][] = [
      ['custom nested 200,000 deep', JSON.stringify({ ...good, metadata: { ...good.metadata, custom: { x: 0 } } }).replace('{"x":0}', `{"x":${deep}}`)],
      ['extra a string', JSON.stringify({ ...good, extra: 'x' })],
      ['tags an object', JSON.stringify({ ...good, metadata: { ...good.metadata, tags: { length: 1e9 } } })],
      ['createdAt a string', JSON.stringify({ ...good, metadata: { ...good.metadata, createdAt: 'now' } })],
      ['a bare array', '[1,2,3]'],
      ['not JSON', '\u0000\u00ff{'],
    ];
    for (const [label, text] of variants) {
      await backend.put('a.meta.json', new TextEncoder().encode(text));
      await expect(store.load('a'), label).rejects.toMatchObject({ name: 'PackError', code: 'InvalidFormat' });
      await expect(store.record('a'), label).rejects.toMatchObject({ name: 'PackError', code: 'InvalidFormat' });
      expect(await store.list(), label).toEqual([]);
    }
    // Extra fields belong to upper layers: deep nesting there is carried, not interpreted.
    await backend.put('a.meta.json', new TextEncoder().encode(JSON.stringify({ ...good, extra: { x: 0 } }).replace('{"x":0}', `{"x":${deep}}`)));
    for (const run of [() => store.load('a'), () => new CheckpointManager(backend).loadCheckpoint('a'), () => store.list()]) {
      await run().catch((error: unknown) => expect(isPackError(error), String(error)).toBe(true));
    }
  });
});
