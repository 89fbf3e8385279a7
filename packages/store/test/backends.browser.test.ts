import { isPackError } from '@tx2/pack-format';
import { cdp } from 'vitest/browser';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { IndexedDBBackend } from '../src/backends/indexeddb.js';
import { MemoryBackend } from '../src/backends/memory.js';
import { OPFSBackend } from '../src/backends/opfs.js';
import { acquireWebLock } from '../src/backends/web-lock.js';
import { backendSuite } from './backend-suite.js';

// Each test gets fresh, uniquely named storage; all of it is deleted at the end.
const idbNames: string[] = [];
const opfsNames: string[] = [];
function freshIdb(): IndexedDBBackend {
  const name = `t-${crypto.randomUUID()}`;
  idbNames.push(name);
  return new IndexedDBBackend(name);
}
function freshOpfs(): OPFSBackend {
  const name = `t-${crypto.randomUUID()}`;
  opfsNames.push(name);
  return new OPFSBackend(name);
}
afterAll(async () => {
  await Promise.all(idbNames.map((n) => IndexedDBBackend.destroy(n)));
  await Promise.all(opfsNames.map((n) => OPFSBackend.destroy(n)));
});

backendSuite('memory (in the browser)', async () => new MemoryBackend());
backendSuite('IndexedDB', async () => freshIdb());
backendSuite('OPFS', async () => {
  expect(OPFSBackend.supported()).toBe(true);
  return freshOpfs();
});

/** Bytes of a recognisable pattern. */
function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 255;
  return out;
}

/** Sets this origin's storage quota (Chromium's DevTools protocol); undefined restores the real one. */
async function setQuota(bytes: number | undefined): Promise<void> {
  await cdp().send('Storage.overrideQuotaForOrigin', bytes === undefined ? { origin: location.origin } : { origin: location.origin, quotaSize: bytes });
}

// Chromium enforces a DevTools quota override on OPFS writes but not on IndexedDB Blob records, so
// IndexedDB's quota failure is provoked by the browser's own put throwing the real DOMException.
// Chromium ends an OPFS write past the quota with QuotaExceededError or, when the refusal comes
// through the write's data pipe, an AbortError; the backend then asks estimate() whether the write
// could fit. estimate() ignores a DevTools override, so the test makes it report what a really
// full quota reports.
async function overQuota(label: string, usage: number): Promise<() => void> {
  await setQuota(usage + 64 * 1024);
  if (label !== 'IndexedDB') {
    const storage = navigator.storage;
    const estimate = Object.getOwnPropertyDescriptor(storage, 'estimate');
    Object.defineProperty(storage, 'estimate', { configurable: true, value: async () => ({ usage, quota: usage + 64 * 1024 }) });
    return () => {
      if (estimate) Object.defineProperty(storage, 'estimate', estimate);
      else delete (storage as { estimate?: unknown }).estimate;
    };
  }
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
    const size = value instanceof Blob ? value.size : ArrayBuffer.isView(value) ? value.byteLength : 0;
    if (size > 64 * 1024) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return put.call(this, value, key);
  };
  return () => {
    IDBObjectStore.prototype.put = put;
  };
}

for (const [label, make] of [
  ['IndexedDB', freshIdb],
  ['OPFS', freshOpfs],
] as const) {
  describe(`${label} specifics`, () => {
    afterEach(async () => {
      await setQuota(undefined);
    });

    it('a new backend object on the same name sees the files (what a page reload does)', async () => {
      const b = make();
      await b.put('slot.tx2pack', pattern(5000, 3));
      const again = label === 'IndexedDB' ? new IndexedDBBackend(b.name.slice('indexeddb:'.length)) : new OPFSBackend(b.name.slice('opfs:'.length));
      expect(await again.get('slot.tx2pack')).toEqual(pattern(5000, 3));
      expect(await again.list()).toEqual(['slot.tx2pack']);
    });

    it('refuses keys that are not plain file names with PackError InvalidInput', async () => {
      const b = make();
      for (const key of ['../x', 'a/b', '.hidden', 'a\\b', '']) {
        await expect(b.put(key, new Uint8Array(1))).rejects.toMatchObject({ name: 'PackError', code: 'InvalidInput' });
        await expect(b.get(key)).rejects.toMatchObject({ code: 'InvalidInput' });
      }
      await expect(b.put('k', [1, 2] as unknown as Uint8Array)).rejects.toMatchObject({ code: 'InvalidInput' });
      await expect(b.readRange('k', -1, 2)).rejects.toMatchObject({ code: 'InvalidInput' });
    });

    it('a full quota is PackError QuotaExceeded, and the previous save survives', async () => {
      const b = make();
      const previous = pattern(20_000, 1);
      await b.put('slot.tx2pack', previous);
      const { usage = 0 } = await navigator.storage.estimate();
      const restore = await overQuota(label, usage);
      const error = await b.put('slot.tx2pack', pattern(4 << 20, 2)).catch((e: unknown) => e);
      expect(error, String(error)).toMatchObject({ code: 'QuotaExceeded' });
      expect(isPackError(error, 'QuotaExceeded')).toBe(true);
      expect(error).toMatchObject({ details: { path: 'slot.tx2pack', backend: b.name } });
      expect((error as Error).message).toMatch(/quota .*full.*previous save is intact/);
      expect(['QuotaExceededError', label === 'OPFS' ? 'AbortError' : '']).toContain(((error as Error).cause as DOMException).name);
      // A streamed save too, and a new key leaves no file behind.
      async function* big(): AsyncGenerator<Uint8Array> {
        for (let i = 0; i < 16; i++) yield pattern(256 * 1024, i);
      }
      await expect(b.putStream!('slot.tx2pack', big())).rejects.toMatchObject({ code: 'QuotaExceeded' });
      const other = await b.put('other.tx2pack', pattern(4 << 20, 5)).catch((e: unknown) => e);
      expect(other, String(other)).toMatchObject({ code: 'QuotaExceeded' });
      restore();
      await setQuota(undefined);
      expect(await b.get('slot.tx2pack')).toEqual(previous);
      expect(await b.list()).toEqual(['slot.tx2pack']);
      expect(await b.has('other.tx2pack')).toBe(false);
      // Room again: saving works.
      await b.put('slot.tx2pack', pattern(4 << 20, 2));
      expect((await b.get('slot.tx2pack'))!.length).toBe(4 << 20);
    });

    it('readRange slices large values without changing them, and size matches', async () => {
      const b = make();
      const bytes = pattern(1 << 20, 9);
      await b.put('r', bytes);
      expect(await b.size!('r')).toBe(1 << 20);
      expect(await b.readRange!('r', 500_000, 1000)).toEqual(bytes.subarray(500_000, 501_000));
      expect((await b.readRange!('r', 1 << 20, 10))!.length).toBe(0);
    });

    it('readers racing writers see whole values only', async () => {
      const b = make();
      await b.put('k', pattern(200_000, 0));
      const writes = Array.from({ length: 6 }, (_, i) => b.put('k', new Uint8Array(200_000 + i).fill(i + 1)));
      const reads = Array.from({ length: 12 }, () => b.get('k'));
      await Promise.all(writes);
      for (const got of await Promise.all(reads)) {
        expect(got).toBeDefined();
        const whole = got!.length === 200_000 ? got!.every((v, i) => v === ((i * 31) & 255)) : got!.every((v) => v === got!.length - 200_000 + 1);
        expect(whole).toBe(true);
      }
    });
  });
}

describe('OPFS temporary files', () => {
  it('a write leaves no temporary file, and the lock removes ones whose writer is gone', async () => {
    const b = freshOpfs();
    await b.put('a', new Uint8Array([1]));
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(`tx2pack-${b.name.slice('opfs:'.length)}`);
    const names = async (): Promise<string[]> => {
      const out: string[] = [];
      for await (const [name] of (dir as unknown as { entries(): AsyncIterable<[string]> }).entries()) out.push(name);
      return out.sort();
    };
    expect(await names()).toEqual(['a']);
    // What a tab that died mid-write leaves: a temporary file nobody holds the write lock of.
    await dir.getFileHandle('.tmp-abandoned', { create: true });
    expect(await b.list()).toEqual(['a']);
    const release = await b.lock(1000);
    await release();
    expect(await names()).toEqual(['a']);
  });
});

describe('Web Locks', () => {
  it('a timeout names the holder and the lock', async () => {
    const name = `tx2pack-test-${crypto.randomUUID()}`;
    const release = await acquireWebLock(name, 1000, 'the save-slot tab');
    const error = await acquireWebLock(name, 50).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'PackError', code: 'Io', details: { lockFile: name, holder: 'the save-slot tab' } });
    expect((error as Error).message).toContain('locked by the save-slot tab for more than 50 ms');
    // A zero timeout asks once.
    await expect(acquireWebLock(name, 0)).rejects.toMatchObject({ code: 'Io' });
    await release();
    await release();
    const again = await acquireWebLock(name, 0);
    await again();
  });

  it('IndexedDB and OPFS stores of one name lock independently; one store locks across backend objects', async () => {
    const idb = freshIdb();
    const sameIdb = new IndexedDBBackend(idb.name.slice('indexeddb:'.length), { owner: 'tab B' });
    const release = await idb.lock(1000);
    await expect(sameIdb.lock(30)).rejects.toMatchObject({ code: 'Io' });
    const other = await freshOpfs().lock(1000);
    await other();
    await release();
    const b = await sameIdb.lock(1000);
    await b();
  });

  it('refuses a bad timeout with PackError InvalidInput', async () => {
    await expect(acquireWebLock('x', -1)).rejects.toMatchObject({ code: 'InvalidInput' });
    await expect(acquireWebLock('x', Number.NaN)).rejects.toMatchObject({ code: 'InvalidInput' });
  });
});
