import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointManager, SECTION_SUFFIX, SnapshotStore } from '../src/index.js';
import { LOCK_FILE, NodeFsBackend } from '../src/node.js';
import { makeWorld } from './helpers/world.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tx2-planted-'));
  dirs.push(dir);
  return dir;
}

/** Every file of `dir` with its bytes. */
async function contents(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of (await readdir(dir)).sort()) out.set(name, (await readFile(path.join(dir, name))).toString('base64'));
  return out;
}

/** A directory outside the store holding a valid pooled save "a" (what a planted link would expose), and a secret file. */
async function outside(): Promise<{ dir: string; before: Map<string, string>; objects: string[] }> {
  const dir = await tempDir();
  await new SnapshotStore(dir, { dedupeSections: { minBytes: 64 } }).save(makeWorld(200), 'a');
  await writeFile(path.join(dir, 'secret'), 'SECRET-CONTENT\n'.repeat(1000));
  const objects = (await readdir(dir)).filter((n) => n.endsWith(SECTION_SUFFIX));
  expect(objects.length).toBeGreaterThan(0);
  return { dir, before: await contents(dir), objects };
}

const refusal = (name: string, fileType = 'symbolic link') => ({
  name: 'PackError',
  code: 'Io',
  details: expect.objectContaining({ path: expect.stringMatching(new RegExp(`${name.replace(/\./g, '\\.')}$`)), fileType }),
});

const posix = process.platform !== 'win32';

describe.runIf(posix)('the store does not follow links or special files planted in its directory', () => {
  it('snapshot and metadata files that are links are refused for load, save and listing; delete removes only the links', async () => {
    const out = await outside();
    const dir = await tempDir();
    await symlink(path.join(out.dir, 'a.tx2pack'), path.join(dir, 'a.tx2pack'));
    await symlink(path.join(out.dir, 'a.meta.json'), path.join(dir, 'a.meta.json'));
    for (const object of out.objects) await symlink(path.join(out.dir, object), path.join(dir, object));
    const store = new SnapshotStore(dir, { dedupeSections: { minBytes: 64 } });
    await expect(store.load('a')).rejects.toMatchObject(refusal('a.meta.json'));
    await expect(store.record('a')).rejects.toMatchObject(refusal('a.meta.json'));
    await expect(store.exists('a')).rejects.toMatchObject(refusal('a.meta.json'));
    expect(await store.list()).toEqual([]);
    expect(await store.orphans()).toEqual([]);
    await expect(store.save(makeWorld(5, 2), 'a')).rejects.toMatchObject(refusal('a.tx2pack'));
    await expect(store.recover('a')).rejects.toMatchObject(refusal('a.tx2pack'));
    expect(await contents(out.dir)).toEqual(out.before);
    expect(await store.delete('a')).toBe(true);
    expect((await readdir(dir)).filter((n) => n.startsWith('a.'))).toEqual([]);
    expect(await contents(out.dir)).toEqual(out.before);
  });

  it('a snapshot file that is a link is refused for whole and partial loads even with a genuine metadata file', async () => {
    const out = await outside();
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.meta.json'), await readFile(path.join(out.dir, 'a.meta.json')));
    await symlink(path.join(out.dir, 'a.tx2pack'), path.join(dir, 'a.tx2pack'));
    for (const object of out.objects) await writeFile(path.join(dir, object), await readFile(path.join(out.dir, object)));
    const store = new SnapshotStore(dir);
    await expect(store.load('a')).rejects.toMatchObject(refusal('a.tx2pack'));
    await expect(store.load('a', { components: ['Health'] })).rejects.toMatchObject(refusal('a.tx2pack'));
    await expect(store.inspectFile('a')).rejects.toMatchObject(refusal('a.tx2pack'));
    expect(await contents(out.dir)).toEqual(out.before);
  });

  it('section objects that are links are refused when loading and when a save would reuse them', async () => {
    const out = await outside();
    const dir = await tempDir();
    for (const name of ['a.tx2pack', 'a.meta.json']) await writeFile(path.join(dir, name), await readFile(path.join(out.dir, name)));
    for (const object of out.objects) await symlink(path.join(out.dir, object), path.join(dir, object));
    const store = new SnapshotStore(dir, { dedupeSections: { minBytes: 64 } });
    await expect(store.load('a')).rejects.toMatchObject(refusal(SECTION_SUFFIX));
    await expect(store.save(makeWorld(200), 'b')).rejects.toMatchObject(refusal(SECTION_SUFFIX));
    // Garbage collection unlinks names, never targets.
    await store.delete('a');
    expect(await contents(out.dir)).toEqual(out.before);
  });

  it('a lock file that is a link is never read, written or removed through', async () => {
    const out = await outside();
    const dir = await tempDir();
    await symlink(path.join(out.dir, 'secret'), path.join(dir, LOCK_FILE));
    const store = new SnapshotStore(dir, { lockTimeoutMs: 20 });
    const error = await store.save(makeWorld(5), 'x').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'PackError', code: 'Io', message: expect.stringContaining('an unknown holder') });
    expect(String((error as Error).message)).not.toContain('SECRET');
    expect(JSON.stringify((error as { details: unknown }).details)).not.toContain('SECRET');
    expect(await contents(out.dir)).toEqual(out.before);
  });

  it('temporary files left as links by a dead writer are removed as names only', async () => {
    const out = await outside();
    const dir = await tempDir();
    // pid 2^22 + 12345 is above Linux's default pid range: a dead writer's temp file.
    await symlink(path.join(out.dir, 'secret'), path.join(dir, `.a.tx2pack.${4_194_304 + 12345}.abcdefabcdef.tmp`));
    const store = new SnapshotStore(dir);
    await store.save(makeWorld(5), 'a');
    expect((await readdir(dir)).sort()).toEqual(['a.meta.json', 'a.tx2pack']);
    expect(await contents(out.dir)).toEqual(out.before);
  });

  it('a directory or a FIFO in place of a store file is refused, not read (a FIFO would block a plain read forever)', async () => {
    const dir = await tempDir();
    const store = new SnapshotStore(dir);
    await store.save(makeWorld(5), 'a');
    await rm(path.join(dir, 'a.tx2pack'));
    await mkdir(path.join(dir, 'a.tx2pack'));
    await expect(store.load('a')).rejects.toMatchObject(refusal('a.tx2pack', 'directory'));
    let fifo = true;
    try {
      execFileSync('mkfifo', [path.join(dir, 'b.meta.json')]);
    } catch {
      fifo = false;
    }
    if (fifo) await expect(store.load('b')).rejects.toMatchObject(refusal('b.meta.json', 'FIFO'));
  });

  it('a checkpoint manager over a directory with planted links refuses them too', async () => {
    const out = await outside();
    const dir = await tempDir();
    const manager = new CheckpointManager(dir, { dedupeSections: { minBytes: 64 } });
    await manager.createCheckpoint('c0', makeWorld(200));
    await rm(path.join(dir, 'c0.meta.json'));
    await symlink(path.join(out.dir, 'a.meta.json'), path.join(dir, 'c0.meta.json'));
    await expect(manager.loadCheckpoint('c0')).rejects.toMatchObject(refusal('c0.meta.json'));
    await expect(manager.createCheckpoint('c1', makeWorld(200, 2))).resolves.toMatchObject({ id: 'c1' });
    expect(await contents(out.dir)).toEqual(out.before);
  });
});

describe('lock holders in messages', () => {
  it('a hostile lock file is not copied into the error: only a bounded description', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, LOCK_FILE), `\u001b[31mEVIL ${'x'.repeat(1 << 20)}\n`);
    const store = new SnapshotStore(dir, { lockTimeoutMs: 20 });
    const error = (await store.save(makeWorld(5), 'x').catch((e: unknown) => e)) as Error & { details: Record<string, unknown> };
    expect(error).toMatchObject({ name: 'PackError', code: 'Io' });
    expect(error.message).toContain('an unknown holder');
    expect(error.message).not.toContain('EVIL');
    expect(error.message.length).toBeLessThan(400 + dir.length * 2);
    expect(JSON.stringify(error.details).length).toBeLessThan(200 + dir.length);
  });

  it('a well-formed lock of a live process on another host names that pid and host', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, LOCK_FILE), `${process.ppid}@other-host.example\n2026-01-01T00:00:00.000Z\n`);
    const error = (await new SnapshotStore(new NodeFsBackend(dir), { lockTimeoutMs: 20 }).save(makeWorld(5), 'x').catch((e: unknown) => e)) as Error & {
      details: Record<string, unknown>;
    };
    expect(error.message).toContain(`process ${process.ppid} on host other-host.example`);
    expect(error.details).toMatchObject({ holderPid: process.ppid, holderHost: 'other-host.example' });
  });
});
