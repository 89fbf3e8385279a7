import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EncryptionKey } from '@tx2/pack-crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBackend, SnapshotReader, SnapshotStore, SnapshotWriter } from '../src/index.js';
import { makeWorld } from './helpers/world.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
const world = makeWorld(1000);
const xs = (s: typeof world): number[] => Array.from((s.components.find((c) => c.id === 'Position') as { fields: { values: Float32Array }[] }).fields[0]!.values);

describe('encryption', () => {
  const key = EncryptionKey.generate();

  it.each(['none', 'lz4', 'zstd', 'gzip'] as const)('round-trips %s + AES-256-GCM; the reader needs only the key', async (codec) => {
    const bytes = await SnapshotWriter.create().withCodec(codec).withKey(key).writeToBytes(world);
    const back = await SnapshotReader.create().withKey(key).readFromBytes(bytes);
    expect(xs(back)).toEqual(xs(world));
    const partial = await SnapshotReader.create().withKey(key).withComponents(['Health']).readFromBytes(bytes);
    expect(partial.components.map((c) => c.id)).toEqual(['Health']);
  });

  it('passphrases: the file carries salt and cost', async () => {
    const writer = SnapshotWriter.create().withPassphrase('correct horse', { N: 2 ** 10, r: 8, p: 1 });
    const bytes = await writer.writeToBytes(world);
    expect(xs(await SnapshotReader.create().withPassphrase('correct horse').readFromBytes(bytes))).toEqual(xs(world));
    await expect(SnapshotReader.create().withPassphrase('wrong').readFromBytes(bytes)).rejects.toMatchObject({ code: 'WrongKey' });
  });

  it('no key is Decryption, a wrong key is WrongKey, a plain file reads with a key reader', async () => {
    const bytes = await SnapshotWriter.create().withKey(key).writeToBytes(world);
    await expect(SnapshotReader.create().readFromBytes(bytes)).rejects.toMatchObject({ code: 'Decryption' });
    await expect(SnapshotReader.create().withKey(EncryptionKey.generate()).readFromBytes(bytes)).rejects.toMatchObject({ code: 'WrongKey' });
    const plain = await SnapshotWriter.create().writeToBytes(world);
    expect(xs(await SnapshotReader.create().withKey(key).readFromBytes(plain))).toEqual(xs(world));
    expect(() => SnapshotWriter.create().withKey('nope' as never)).toThrow(expect.objectContaining({ code: 'InvalidInput' }));
  });

  it('an encrypted store and an encrypted file', async () => {
    const store = new SnapshotStore(new MemoryBackend(), { writer: SnapshotWriter.create().withKey(key), reader: SnapshotReader.create().withKey(key) });
    await store.save(world, 'secret');
    expect(xs((await store.load('secret')).snapshot)).toEqual(xs(world));
    expect((await store.load('secret', { components: ['Name'] })).snapshot.components.map((c) => c.id)).toEqual(['Name']);
    await expect(new SnapshotStore(store.backend).load('secret')).rejects.toMatchObject({ code: 'Decryption' });
    const dir = await mkdtemp(path.join(tmpdir(), 'tx2-enc-'));
    dirs.push(dir);
    const file = path.join(dir, 'w.tx2pack');
    await SnapshotWriter.create().withKey(key).writeToFile(file, world);
    expect(xs(await SnapshotReader.create().withKey(key).withComponents(['Position']).readFromFile(file))).toEqual(xs(world));
  });
});
