import { afterAll, describe, expect, it } from 'vitest';
import { IndexedDBBackend } from '../src/backends/indexeddb.js';
import { CHUNK_SIZE, FLUSH_BYTES, HEAD_BYTES } from '../src/backends/indexeddb-records.js';
import { bytesEqual, snapshotsEqual } from '@tx2/pack-format';
import { SnapshotStore } from '../src/store.js';
import { SnapshotWriter } from '../src/writer.js';
import { makeWorld } from './helpers/world.js';

// IndexedDBBackend's chunked layout: streamed saves, failures mid-stream, leftovers of closed
// tabs, readers racing streamed writers, and values written by the one-Blob-per-key layout.
const names: string[] = [];
function fresh(): { b: IndexedDBBackend; name: string } {
  const name = `layout-${crypto.randomUUID()}`;
  names.push(name);
  return { b: new IndexedDBBackend(name), name };
}
afterAll(async () => {
  await Promise.all(names.map((n) => IndexedDBBackend.destroy(n)));
});

/** Bytes of a recognisable pattern. */
function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed + (i >>> 16)) & 255;
  return out;
}

/** `bytes` as pieces of `piece` bytes (the last shorter), reusing one buffer as a streaming encoder may. */
async function* piecesOf(bytes: Uint8Array, piece: number, failAfter = Number.POSITIVE_INFINITY): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(piece);
  for (let at = 0; at < bytes.length; at += piece) {
    if (at >= failAfter) throw new Error('the encoder failed');
    const part = bytes.subarray(at, at + piece);
    buffer.set(part);
    yield buffer.subarray(0, part.length);
    // The next piece overwrites this one: the backend must have copied it.
    buffer.fill(0xee);
  }
}

/** Runs `fn` on the raw database `tx2pack:<name>` (opened at its current version) and closes it. */
async function raw<T>(name: string, fn: (db: IDBDatabase) => Promise<T>): Promise<T> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(`tx2pack:${name}`);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

/** Every key of object store `store`. */
function keysOf(name: string, store: string): Promise<IDBValidKey[]> {
  return raw(
    name,
    (db) =>
      new Promise((resolve, reject) => {
        const request = db.transaction(store, 'readonly').objectStore(store).getAllKeys();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      }),
  );
}

/** Puts `records` ([value, key] pairs) into `store` of the raw database in one transaction. */
function putRaw(name: string, store: string, records: [unknown, IDBValidKey][]): Promise<void> {
  return raw(
    name,
    (db) =>
      new Promise((resolve, reject) => {
        const tx = db.transaction(store, 'readwrite');
        for (const [value, key] of records) tx.objectStore(store).put(value, key);
        tx.oncomplete = () => resolve();
        tx.onabort = () => reject(tx.error);
      }),
  );
}

/** Asserts `got` holds exactly `want` (without vitest's element-by-element diff, slow on MiBs). */
function expectBytes(got: Uint8Array | undefined, want: Uint8Array): void {
  expect(got).toBeInstanceOf(Uint8Array);
  expect(got!.length).toBe(want.length);
  expect(bytesEqual(got!, want)).toBe(true);
}

const chunksFor = (size: number): number => Math.ceil(size / CHUNK_SIZE);

describe('IndexedDB chunked layout', () => {
  it('a streamed save of many chunks reads back whole, by range and by size, and keeps nothing of the value it replaced', async () => {
    const { b, name } = fresh();
    await b.put('slot', pattern(3 * CHUNK_SIZE + 5, 1));
    // More than two flushes' worth, in pieces that do not line up with chunks.
    const bytes = pattern(2 * FLUSH_BYTES + 3 * CHUNK_SIZE + 12_345, 7);
    await b.putStream('slot', piecesOf(bytes, 100_003));
    expect(await b.size('slot')).toBe(bytes.length);
    expectBytes(await b.get('slot'), bytes);
    for (const [offset, length] of [
      [0, 16],
      [CHUNK_SIZE - 10, 30],
      [HEAD_BYTES - 5, 10],
      [CHUNK_SIZE * 2, CHUNK_SIZE],
      [CHUNK_SIZE - 1, 3 * CHUNK_SIZE + 2],
      [bytes.length - 100, 1000],
      [bytes.length, 10],
    ] as const) {
      expectBytes(await b.readRange('slot', offset, length), bytes.subarray(offset, offset + length));
    }
    expect(await b.list()).toEqual(['slot']);
    expect((await keysOf(name, 'chunks')).length).toBe(chunksFor(bytes.length));
    expect(await keysOf(name, 'pending')).toEqual([]);
    // A small value replaces it: no chunk is left.
    await b.putStream('slot', piecesOf(pattern(1000, 3), 300));
    expectBytes(await b.get('slot'), pattern(1000, 3));
    expect(await keysOf(name, 'chunks')).toEqual([]);
    expect(await b.delete('slot')).toBe(true);
    expect(await b.get('slot')).toBeUndefined();
  });

  it('a streamed save commits its chunks as it goes, while readers still get the old value whole', async () => {
    const { b, name } = fresh();
    const old = pattern(CHUNK_SIZE + 1, 6);
    await b.put('slot', old);
    const bytes = pattern(3 * FLUSH_BYTES, 8);
    const seen: { chunks: number; value: Uint8Array | undefined }[] = [];
    async function* watched(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < bytes.length; at += FLUSH_BYTES / 2) {
        if (at === 2 * FLUSH_BYTES) seen.push({ chunks: (await keysOf(name, 'chunks')).length, value: await b.get('slot') });
        yield bytes.subarray(at, at + FLUSH_BYTES / 2);
      }
    }
    await b.putStream('slot', watched());
    // Before its last piece came, two flushes of the new value were stored beside the old value's chunks,
    // so the whole save was never held in memory; readers saw the old value.
    expect(seen[0]!.chunks).toBe(chunksFor(old.length) + (2 * FLUSH_BYTES) / CHUNK_SIZE);
    expectBytes(seen[0]!.value, old);
    expectBytes(await b.get('slot'), bytes);
    expect((await keysOf(name, 'chunks')).length).toBe(chunksFor(bytes.length));
  });

  it('a stream that fails midway leaves the old value and none of its chunks', async () => {
    const { b, name } = fresh();
    const old = pattern(CHUNK_SIZE + 77, 2);
    await b.put('slot', old);
    const error = await b.putStream('slot', piecesOf(pattern(3 * FLUSH_BYTES, 4), 65_536, FLUSH_BYTES + CHUNK_SIZE)).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'PackError', code: 'Io', details: { path: 'slot', backend: b.name } });
    expect(((error as Error).cause as Error).message).toBe('the encoder failed');
    expectBytes(await b.get('slot'), old);
    expect((await keysOf(name, 'chunks')).length).toBe(chunksFor(old.length));
    expect(await keysOf(name, 'pending')).toEqual([]);
    // Bad pieces are refused the same way, and a new key is not created.
    async function* bad(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(FLUSH_BYTES + 1);
      yield [1, 2, 3] as unknown as Uint8Array;
    }
    await expect(b.putStream('other', bad())).rejects.toMatchObject({ code: 'InvalidInput' });
    expect(await b.list()).toEqual(['slot']);
    expect((await keysOf(name, 'chunks')).length).toBe(chunksFor(old.length));
  });

  it("what a closed tab's unfinished stream left is removed by the next writer's lock", async () => {
    const { b, name } = fresh();
    await b.put('slot', pattern(10, 1));
    // A tab that died after committing two chunks of a stream: chunks and a pending note, no manifest.
    await putRaw(name, 'chunks', [
      [new Uint8Array(CHUNK_SIZE), ['slot', 'dead', 0]],
      [new Uint8Array(CHUNK_SIZE), ['slot', 'dead', 1]],
    ]);
    await putRaw(name, 'pending', [[Date.now(), ['slot', 'dead']]]);
    const reloaded = new IndexedDBBackend(name);
    expect(await reloaded.get('slot')).toEqual(pattern(10, 1));
    const release = await reloaded.lock(1000);
    await release();
    expect(await keysOf(name, 'chunks')).toEqual([]);
    expect(await keysOf(name, 'pending')).toEqual([]);
    expect(await reloaded.get('slot')).toEqual(pattern(10, 1));
  });

  it('a stream whose chunks another writer swept as abandoned fails and keeps the old value', async () => {
    const { b, name } = fresh();
    await b.put('slot', pattern(100, 5));
    let swept!: () => void;
    const sweptNow = new Promise<void>((resolve) => {
      swept = resolve;
    });
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield pattern(FLUSH_BYTES, 1);
      yield pattern(10, 2);
      // The first flush is committed once the next piece is asked for; another tab (without this
      // one holding the lock) takes the lock now and sweeps it.
      yield pattern(10, 3);
      await sweptNow;
      yield pattern(10, 4);
    }
    const writing = b.putStream('slot', slow()).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 0));
    for (let i = 0; i < 200 && (await keysOf(name, 'pending')).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await keysOf(name, 'pending')).length).toBe(1);
    const release = await new IndexedDBBackend(name).lock(1000);
    await release();
    swept();
    expect(await writing).toMatchObject({ name: 'PackError', code: 'Io' });
    expect(((await writing) as Error).message).toMatch(/removed by another writer/);
    expectBytes(await b.get('slot'), pattern(100, 5));
    expect(await keysOf(name, 'chunks')).toEqual([]);
  });

  it('readers racing streamed writers see whole values only', async () => {
    const { b } = fresh();
    const size = FLUSH_BYTES + 2 * CHUNK_SIZE + 3;
    await b.put('k', new Uint8Array(size).fill(1));
    const writes = [2, 3, 4].map((v) => b.putStream('k', piecesOf(new Uint8Array(size + v).fill(v), 200_000)));
    const reads: Promise<Uint8Array | undefined>[] = [];
    for (let i = 0; i < 12; i++) {
      reads.push(b.get('k'));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await Promise.all(writes);
    const seen = new Set<number>();
    for (const got of await Promise.all(reads)) {
      expect(got).toBeDefined();
      const v = got![0] as number;
      seen.add(v);
      expect(got!.length).toBe(v === 1 ? size : size + v);
      expect(bytesEqual(got!, new Uint8Array(got!.length).fill(v))).toBe(true);
    }
    expect(seen.size).toBeGreaterThan(0);
    const last = await b.get('k');
    expect(bytesEqual(last!, new Uint8Array(last!.length).fill(last![0] as number))).toBe(true);
  });

  it('values of the one-Blob-per-key layout (database version 1) still read, and are replaced and deleted', async () => {
    const name = `layout-${crypto.randomUUID()}`;
    names.push(name);
    const old = pattern(300_000, 9);
    // A database as the previous version made it: one "files" store of Blobs.
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(`tx2pack:${name}`, 1);
      request.onupgradeneeded = () => request.result.createObjectStore('files');
      request.onsuccess = () => {
        const db = request.result;
        const tx = db.transaction('files', 'readwrite');
        tx.objectStore('files').put(new Blob([old as Uint8Array<ArrayBuffer>]), 'old.tx2pack');
        tx.objectStore('files').put(new Blob([new Uint8Array([1, 2, 3])]), 'old.meta.json');
        tx.oncomplete = () => {
          db.close();
          resolve();
        };
        tx.onabort = () => reject(tx.error);
      };
      request.onerror = () => reject(request.error);
    });
    const b = new IndexedDBBackend(name);
    expect((await b.list()).sort()).toEqual(['old.meta.json', 'old.tx2pack']);
    expectBytes(await b.get('old.tx2pack'), old);
    expect(await b.size('old.tx2pack')).toBe(old.length);
    expectBytes(await b.readRange('old.tx2pack', 123_456, 1000), old.subarray(123_456, 124_456));
    expect(await b.has('old.meta.json')).toBe(true);
    await b.putStream('old.tx2pack', piecesOf(pattern(FLUSH_BYTES + 1, 3), 70_000));
    expectBytes(await b.get('old.tx2pack'), pattern(FLUSH_BYTES + 1, 3));
    expect(await b.delete('old.meta.json')).toBe(true);
    expect(await b.list()).toEqual(['old.tx2pack']);
  });

  it('a store saves a world larger than a flush through putStream and loads it whole and by component', async () => {
    const { b, name } = fresh();
    // Uncompressed, so that the file is several flushes long.
    const store = new SnapshotStore(b, { writer: SnapshotWriter.create().withCodec('none') });
    const world = makeWorld(300_000, 4);
    await store.save(world, 'big');
    expect((await b.size('big.tx2pack'))!).toBeGreaterThan(FLUSH_BYTES);
    expect((await keysOf(name, 'chunks')).length).toBeGreaterThan(FLUSH_BYTES / CHUNK_SIZE);
    expect(snapshotsEqual((await store.load('big')).snapshot, world)).toBe(true);
    const health = (await store.load('big', { components: ['Health'] })).snapshot;
    expect(health.components.map((c) => c.id)).toEqual(['Health']);
    expect(snapshotsEqual(health, { ...world, components: world.components.filter((c) => c.id === 'Health') })).toBe(true);
  });

  it('damaged records are PackError Io, not a crash', async () => {
    const { b, name } = fresh();
    await b.put('ok', new Uint8Array(1));
    await putRaw(name, 'files', [
      [{ v: 9, size: 3 }, 'odd'],
      [{ v: 1, size: CHUNK_SIZE + 1, gen: 'g', chunk: CHUNK_SIZE }, 'lost'],
    ]);
    await expect(b.get('odd')).rejects.toMatchObject({ name: 'PackError', code: 'Io', details: { path: 'odd' } });
    await expect(b.size('odd')).rejects.toMatchObject({ code: 'Io' });
    await expect(b.get('lost')).rejects.toMatchObject({ code: 'Io' });
    expect((await b.get('lost').catch((e: Error) => e.message)) as string).toMatch(/chunk 0 .* missing or damaged/);
    // A damaged value can still be replaced and deleted.
    await b.put('odd', new Uint8Array(CHUNK_SIZE * 2));
    expect((await b.get('odd'))!.length).toBe(CHUNK_SIZE * 2);
    expect(await b.delete('lost')).toBe(true);
  });
});
