// A full disk (ENOSPC) or disk quota (EDQUOT) on Node is the browsers' full quota: PackError
// 'QuotaExceeded', the previous save intact. A real full disk cannot be made in a test, so the
// writes of temporary files are made to fail as the kernel fails them.
import { promises as fs } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isPackError, snapshotsEqual } from '@tx2/pack-format';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SnapshotStore } from '../src/index.js';
import { NodeFsBackend } from '../src/node.js';
import { makeWorld } from './helpers/world.js';

/** Makes every write to a temporary file of the store fail with `code`, as a full disk does. */
function failTempWrites(code: string): void {
  const open = fs.open.bind(fs);
  vi.spyOn(fs, 'open').mockImplementation(async (...args: Parameters<typeof fs.open>) => {
    const handle = await open(...args);
    if (String(args[0]).endsWith('.tmp')) {
      handle.write = (async () => {
        throw Object.assign(new Error(`${code}: no space left on device, write`), { code, errno: code === 'ENOSPC' ? -28 : -122, syscall: 'write' });
      }) as typeof handle.write;
    }
    return handle;
  });
}

const dirs: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function storeDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tx2pack-disk-full-'));
  dirs.push(dir);
  return dir;
}

describe('a full disk while saving through NodeFsBackend', () => {
  for (const code of ['ENOSPC', 'EDQUOT']) {
    it(`${code} is PackError QuotaExceeded naming the file and errno; the previous save loads, no temporary file is left`, async () => {
      const dir = await storeDir();
      const backend = new NodeFsBackend(dir);
      const store = new SnapshotStore(backend);
      const before = makeWorld(50, 1);
      await store.save(before, 'slot');

      failTempWrites(code);
      let error: unknown;
      try {
        await store.save(makeWorld(80, 2), 'slot');
      } catch (e) {
        error = e;
      }
      expect(isPackError(error, 'QuotaExceeded'), String(error)).toBe(true);
      const pack = error as { message: string; details: Record<string, unknown> };
      expect(pack.details).toMatchObject({ errno: code, backend: backend.name });
      expect(String(pack.details.path)).toContain(dir);
      expect(pack.message).toMatch(/full/);
      expect(pack.message).toMatch(/previous save is intact/);
      expect(pack.message).toMatch(/[Ff]ree some space/);

      vi.restoreAllMocks();
      expect(snapshotsEqual((await store.load('slot')).snapshot, before)).toBe(true);
      expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toStrictEqual([]);
      // Space freed: the same save goes through.
      await store.save(makeWorld(80, 2), 'slot');
      expect(snapshotsEqual((await store.load('slot')).snapshot, makeWorld(80, 2))).toBe(true);
    });
  }

  it('backend.put reports a full disk the same way; another write error stays Io with its errno', async () => {
    const backend = new NodeFsBackend(await storeDir());
    failTempWrites('ENOSPC');
    await expect(backend.put('a.bin', Uint8Array.of(1))).rejects.toMatchObject({ code: 'QuotaExceeded', details: { errno: 'ENOSPC' } });
    vi.restoreAllMocks();
    failTempWrites('EIO');
    await expect(backend.put('a.bin', Uint8Array.of(1))).rejects.toMatchObject({ code: 'Io', details: { errno: 'EIO' } });
    expect(await backend.get('a.bin')).toBeUndefined();
  });
});
