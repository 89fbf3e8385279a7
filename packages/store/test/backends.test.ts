import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBackend } from '../src/index.js';
import { NodeFsBackend } from '../src/node.js';
import { backendSuite } from './backend-suite.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tx2-store-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

backendSuite('memory', async () => new MemoryBackend());
backendSuite('node fs', async () => new NodeFsBackend(await tempDir()));

describe('NodeFsBackend specifics', () => {
  it('leaves no temporary files and lists no lock file', async () => {
    const dir = await tempDir();
    const b = new NodeFsBackend(dir);
    const release = await b.lock(1000);
    await b.put('a', new Uint8Array([1]));
    expect(await b.list()).toEqual(['a']);
    await release();
    expect(await readdir(dir)).toEqual(['a']);
  });

  it('refuses keys that are not plain file names', async () => {
    const b = new NodeFsBackend(await tempDir());
    for (const key of ['../x', 'a/b', '.hidden', 'a\\b', '']) {
      await expect(b.put(key, new Uint8Array(1))).rejects.toMatchObject({ code: 'InvalidInput' });
    }
  });

  it('breaks a lock left by a dead process', async () => {
    const dir = await tempDir();
    const b = new NodeFsBackend(dir);
    const { writeFile } = await import('node:fs/promises');
    const { hostname } = await import('node:os');
    // pid 2^22 + 12345 is above Linux's pid_max default range: no such process.
    await writeFile(path.join(dir, '.tx2pack.lock'), `${4_194_304 + 12345}@${hostname()}\nold\n`);
    const release = await b.lock(500);
    await release();
  });

  it('reports a file in place of the directory as PackError Io', async () => {
    const dir = await tempDir();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(dir, 'file'), 'x');
    const b = new NodeFsBackend(path.join(dir, 'file'));
    await expect(b.put('a', new Uint8Array(1))).rejects.toMatchObject({ code: 'Io' });
  });
});
