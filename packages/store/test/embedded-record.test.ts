// The store's record travels in the world metadata under EMBEDDED_KEY; an application key of
// the same name (or that name followed by "~"s) is escaped on save and restored on load, and
// files written before the escaping load as they always did.
import { createHash } from 'node:crypto';
import { createPackedSnapshot, encodeSnapshot, type PackedSnapshot } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_KEY, MemoryBackend, SnapshotReader, SnapshotStore } from '../src/index.js';

const K = EMBEDDED_KEY;
/** The snapshot as stored, record and escapes included. */
const stored = async (backend: MemoryBackend, id: string): Promise<PackedSnapshot> => SnapshotReader.create().decode((await backend.get(`${id}.tx2pack`))!);
const world = (metadata: Record<string, unknown>) =>
  createPackedSnapshot({ entities: [1, 2], timestamp: 5, metadata, components: [{ id: 'P', fields: { x: Float32Array.of(1, 2) } }] });

describe('the embedded store record', () => {
  it("keeps the application's own key of that name, and its escaped forms, in place", async () => {
    const backend = new MemoryBackend();
    const store = new SnapshotStore(backend);
    const metadata = { first: 1, [K]: 'mine', [`${K}~`]: { two: 2 }, [`${K}~x`]: 'not reserved', last: null };
    await store.save(world(metadata), 'w');
    const loaded = await store.load('w');
    expect(loaded.snapshot.metadata).toStrictEqual(metadata);
    expect(Object.keys(loaded.snapshot.metadata)).toStrictEqual(Object.keys(metadata));

    // On disk: the application's reserved keys carry one "~" more, the record is the last key and says so.
    const raw = await stored(backend, 'w');
    expect(Object.keys(raw.metadata)).toStrictEqual(['first', `${K}~`, `${K}~~`, `${K}~x`, 'last', K]);
    expect(raw.metadata[`${K}~`]).toBe('mine');
    expect(JSON.parse(raw.metadata[K] as string)).toMatchObject({ escapedKeys: true });
  });

  it('says nothing of escapes when the metadata holds no reserved key', async () => {
    const backend = new MemoryBackend();
    await new SnapshotStore(backend).save(world({ a: 1 }), 'w');
    const raw = await stored(backend, 'w');
    expect(Object.keys(raw.metadata)).toStrictEqual(['a', K]);
    expect(JSON.parse(raw.metadata[K] as string)).not.toHaveProperty('escapedKeys');
  });

  it('loads a file written before the escaping as it always did (a key with a "~" stays as it is)', async () => {
    const backend = new MemoryBackend();
    const store = new SnapshotStore(backend);
    await store.save(world({ a: 1 }), 'w');
    // What the earlier store wrote for metadata {a: 1, "tx2-pack/store~": "old"}: no escaping, no escapedKeys.
    const raw = await stored(backend, 'w');
    const record = raw.metadata[K];
    raw.metadata = { a: 1, [`${K}~`]: 'old', [K]: record };
    const bytes = encodeSnapshot(raw);
    await backend.put('w.tx2pack', bytes);
    const meta = JSON.parse(new TextDecoder().decode(await backend.get('w.meta.json'))) as Record<string, unknown>;
    meta.size = bytes.length;
    meta.sha256 = createHash('sha256').update(bytes).digest('hex');
    await backend.put('w.meta.json', new TextEncoder().encode(JSON.stringify(meta)));
    expect((await store.load('w')).snapshot.metadata).toStrictEqual({ a: 1, [`${K}~`]: 'old' });
  });
});
