import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isPackError } from '@tx2/pack-format';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBackend, SECTION_SUFFIX, SnapshotStore, type StorageBackend } from '../src/index.js';
import { NodeFsBackend } from '../src/node.js';
import { makeWorld } from './helpers/world.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const OPTIONS = { dedupeSections: { minBytes: 64 } };
const TABLE_START = 24;
const REF_SIZE = 48;

/** The files of a store holding one pooled save "a" (several section objects). */
async function pooledStore(): Promise<Map<string, Uint8Array>> {
  const backend = new MemoryBackend();
  await new SnapshotStore(backend, OPTIONS).save(makeWorld(60), 'a');
  const files = new Map<string, Uint8Array>();
  for (const key of await backend.list()) files.set(key, (await backend.get(key))!);
  return files;
}

async function memoryWith(files: Map<string, Uint8Array>, key: string, bytes: Uint8Array): Promise<StorageBackend> {
  const backend = new MemoryBackend();
  for (const [k, v] of files) await backend.put(k, k === key ? bytes : v);
  return backend;
}

/** The same files behind a backend with only the required methods (no size, no readRange). */
async function minimalWith(files: Map<string, Uint8Array>, key: string, bytes: Uint8Array): Promise<StorageBackend> {
  const inner = (await memoryWith(files, key, bytes)) as MemoryBackend;
  return {
    name: 'minimal',
    get: (k) => inner.get(k),
    put: (k, b) => inner.put(k, b),
    delete: (k) => inner.delete(k),
    list: () => inner.list(),
    has: (k) => inner.has(k),
    lock: (ms) => inner.lock(ms),
  };
}

async function directoryWith(files: Map<string, Uint8Array>, key: string, bytes: Uint8Array): Promise<StorageBackend> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tx2-pooled-fuzz-'));
  dirs.push(dir);
  for (const [k, v] of files) await writeFile(path.join(dir, k), k === key ? bytes : v);
  return new NodeFsBackend(dir, { durable: false });
}

/** Every way the store reads a pooled file: each must succeed or fail with a PackError. */
async function expectOnlyPackErrors(backend: StorageBackend, label: string): Promise<number> {
  const store = new SnapshotStore(backend, OPTIONS);
  let refused = 0;
  const runs: [string, () => Promise<unknown>][] = [
    ['load', () => store.load('a')],
    ['partial load', () => store.load('a', { components: ['Health'] })],
    ['inspectFile', () => store.inspectFile('a')],
    ['recover', () => store.recover('a')],
    ['collectSections', () => store.collectSections()],
    ['save over it', () => store.save(makeWorld(3), 'a')],
  ];
  for (const [what, run] of runs) {
    try {
      await run();
    } catch (error) {
      refused++;
      if (!isPackError(error)) expect.fail(`${label}, ${what}: ${String((error as Error)?.stack ?? error)}`);
    }
  }
  return refused;
}

/** `bytes` with the u64 at `at` set to `value`. */
function withU64(bytes: Uint8Array, at: number, value: bigint): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setBigUint64(at, value, true);
  return out;
}

const EXTREMES = [0n, 1n, 0xffff_ffffn, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];

describe('a damaged pooled store file gives a PackError, never a raw error', () => {
  it('every prefix and every byte flip of the pooled file, every bit flip of its reference table', async () => {
    const files = await pooledStore();
    const file = files.get('a.tx2pack')!;
    const refs = new DataView(file.buffer, file.byteOffset).getUint32(12, true);
    const tableEnd = TABLE_START + refs * REF_SIZE;
    expect(refs).toBeGreaterThan(1);
    let refusals = 0;
    for (let cut = 0; cut < file.length; cut++) refusals += await expectOnlyPackErrors(await memoryWith(files, 'a.tx2pack', file.subarray(0, cut)), `cut at ${cut}`);
    for (let at = 0; at < file.length; at++) {
      const flipped = file.slice();
      flipped[at]! ^= 0xff;
      refusals += await expectOnlyPackErrors(await memoryWith(files, 'a.tx2pack', flipped), `byte ${at} flipped`);
    }
    for (let at = 0; at < tableEnd; at++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped = file.slice();
        flipped[at]! ^= 1 << bit;
        refusals += await expectOnlyPackErrors(await memoryWith(files, 'a.tx2pack', flipped), `bit ${bit} of table byte ${at} flipped`);
      }
    }
    // The damage was noticed (loads were refused), not just survived.
    expect(refusals).toBeGreaterThan(file.length * 2);
  }, 300_000);

  it.each([
    ['memory', memoryWith],
    ['node fs', directoryWith],
    ['minimal', minimalWith],
  ] as const)(
    'extreme counts, lengths and offsets in the reference table (%s backend)',
    async (_, make) => {
      const files = await pooledStore();
      const file = files.get('a.tx2pack')!;
      const refs = new DataView(file.buffer, file.byteOffset).getUint32(12, true);
      const cases: [string, Uint8Array][] = [];
      for (const count of [0, refs - 1, refs + 1, 0x7fff_ffff, 0xffff_ffff]) {
        const out = file.slice();
        new DataView(out.buffer).setUint32(12, count, true);
        cases.push([`count ${count}`, out]);
      }
      for (const value of EXTREMES) {
        cases.push([`container length ${value}`, withU64(file, 16, value)]);
        for (let r = 0; r < refs; r++) {
          cases.push([`ref ${r} offset ${value}`, withU64(file, TABLE_START + r * REF_SIZE, value)]);
          cases.push([`ref ${r} length ${value}`, withU64(file, TABLE_START + r * REF_SIZE + 8, value)]);
        }
        // The last reference grows and the container length with it: every size check adds up, only the objects disagree.
        const view = new DataView(file.buffer, file.byteOffset);
        const last = TABLE_START + (refs - 1) * REF_SIZE;
        const grownBy = value - view.getBigUint64(last + 8, true);
        const grown = withU64(withU64(file, last + 8, value), 16, view.getBigUint64(16, true) + grownBy);
        cases.push([`last ref length ${value} with a matching container length`, grown]);
      }
      for (const [label, bytes] of cases) expect(await expectOnlyPackErrors(await make(files, 'a.tx2pack', bytes), label), label).toBeGreaterThan(0);
    },
    300_000,
  );

  it('damaged or cut section objects are refused with ChecksumMismatch', async () => {
    const files = await pooledStore();
    const objects = [...files.keys()].filter((k) => k.endsWith(SECTION_SUFFIX));
    for (const key of objects) {
      const bytes = files.get(key)!;
      for (const damaged of [bytes.subarray(0, bytes.length - 1), Uint8Array.from(bytes, (b, i) => (i === 0 ? b ^ 1 : b)), new Uint8Array(0)]) {
        const store = new SnapshotStore(await memoryWith(files, key, damaged), OPTIONS);
        await expect(store.load('a')).rejects.toMatchObject({ name: 'PackError', code: 'ChecksumMismatch' });
      }
    }
  });
});
