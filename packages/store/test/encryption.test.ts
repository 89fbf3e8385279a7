import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { decodeEncrypted, decryptSnapshot, EncryptionKey, encryptSnapshot } from '@tx2/pack-crypto';
import { decodeSnapshot, SectionKind } from '@tx2/pack-format';
import { createCodecRegistry, filterById } from '@tx2/pack-codecs';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBackend, SnapshotReader, SnapshotStore, SnapshotWriter } from '../src/index.js';
import { makeWorld } from './helpers/world.js';
import { readSnapshotFile, writeSnapshotFile } from '../src/node.js';

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
    await writeSnapshotFile(file, world, SnapshotWriter.create().withKey(key));
    expect(xs(await readSnapshotFile(file, SnapshotReader.create().withKey(key).withComponents(['Position'])))).toEqual(xs(world));
  });

  /** Frames of an encrypted file, walked from the header: offset, kind, owner, stored length. */
  function frames(bytes: Uint8Array): { offset: number; kind: number; owner: number; stored: number }[] {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const count = v.getUint32(bytes.length - 64 + 8, true);
    const out = [];
    let at = 128;
    for (let i = 0; i <= count; i++) {
      const stored = v.getUint32(at + 32, true);
      out.push({ offset: at, kind: v.getUint16(at, true), owner: v.getUint32(at + 8, true), stored });
      at += 64 + stored + ((8 - ((64 + stored) % 8)) % 8);
    }
    return out;
  }

  async function tempFile(bytes?: Uint8Array): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'tx2-enc-'));
    dirs.push(dir);
    const file = path.join(dir, 'w.tx2pack');
    if (bytes !== undefined) await writeFile(file, bytes);
    return file;
  }

  const big = makeWorld(20_000, 3);
  const writer = SnapshotWriter.create().withCodec('zstd').withKey(key).withChunkSize(4096);
  const sectionWise = SnapshotReader.create().withKey(key).withComponentWiseAbove(0);

  it('streams encrypted sections one by one; @tx2/pack-crypto reads the result', async () => {
    const pieces: Uint8Array[] = [];
    for await (const piece of writer.stream(big)) pieces.push(piece.slice());
    expect(pieces.length).toBeGreaterThan(20);
    const bytes = Buffer.concat(pieces);
    const { codecs } = await createCodecRegistry(['zstd']);
    const plain = decodeSnapshot(await decryptSnapshot(bytes, key), { codecs, filters: filterById });
    expect(xs(plain)).toEqual(xs(big));
    const partial = await decodeEncrypted(bytes, { key, codecs, filters: filterById, components: ['Name'] });
    expect(partial.components.map((c) => c.id)).toEqual(['Name']);
    // And the store's reader, whole and section by section.
    expect(xs(await SnapshotReader.create().withKey(key).readFromBytes(bytes))).toEqual(xs(big));
    const file = await tempFile();
    await writeSnapshotFile(file, big, writer);
    const back = await readSnapshotFile(file, sectionWise);
    expect(xs(back)).toEqual(xs(big));
    expect(back.components.map((c) => c.id)).toEqual(['Position', 'Health', 'Name']);
    expect(back.entities).toEqual(big.entities);
  });

  it('reads what encryptSnapshot writes, section by section and partially', async () => {
    const plain = await SnapshotWriter.create().withCodec('lz4').withChunkSize(4096).writeToBytes(big);
    const file = await tempFile(await encryptSnapshot(plain, key));
    expect(xs(await readSnapshotFile(file, sectionWise))).toEqual(xs(big));
    const health = await readSnapshotFile(file, SnapshotReader.create().withKey(key).withComponents(['Health']));
    expect(health.components.map((c) => c.id)).toEqual(['Health']);
    const streamed = await tempFile();
    await writeSnapshotFile(
      streamed,
      big,
      SnapshotWriter.create()
        .withPassphrase('pw', { N: 2 ** 10, r: 8, p: 1 })
        .withChunkSize(4096),
    );
    expect(xs(await readSnapshotFile(streamed, SnapshotReader.create().withPassphrase('pw').withComponentWiseAbove(0)))).toEqual(xs(big));
  });

  it('a streamed encrypted file: wrong key, no key, tampering; partial reads decrypt only what they need', async () => {
    const file = await tempFile();
    await writeSnapshotFile(file, big, writer);
    const { readFile } = await import('node:fs/promises');
    const bytes = new Uint8Array(await readFile(file));
    await expect(readSnapshotFile(file, SnapshotReader.create().withKey(EncryptionKey.generate()).withComponentWiseAbove(0))).rejects.toMatchObject({ code: 'WrongKey' });
    await expect(readSnapshotFile(file, SnapshotReader.create().withComponentWiseAbove(0))).rejects.toMatchObject({ code: 'Decryption' });
    await expect(readSnapshotFile(file, SnapshotReader.create().withComponents(['Health']))).rejects.toMatchObject({ code: 'Decryption' });
    // A flipped byte in a Position section: whole and section-wise reads fail, a Health-only read never touches it.
    const position = frames(bytes).find((f) => f.kind === SectionKind.Column && f.owner === 0)!;
    const tampered = bytes.slice();
    tampered[position.offset + 64 + Math.floor(position.stored / 2)]! ^= 0x10;
    const bad = await tempFile(tampered);
    await expect(readSnapshotFile(bad, SnapshotReader.create().withKey(key))).rejects.toMatchObject({ code: 'Decryption' });
    await expect(readSnapshotFile(bad, sectionWise)).rejects.toMatchObject({ code: 'Decryption' });
    await expect(decryptSnapshot(tampered, key)).rejects.toMatchObject({ code: 'Decryption' });
    const health = await readSnapshotFile(bad, SnapshotReader.create().withKey(key).withComponents(['Health']));
    expect(health.components.map((c) => c.id)).toEqual(['Health']);
    // A changed header byte (world time) fails every section, the table of contents first.
    const header = bytes.slice();
    header[40]! ^= 1;
    header.set(new Uint8Array(new Uint32Array([0]).buffer), 124);
    const { crc32 } = await import('@tx2/pack-format');
    new DataView(header.buffer).setUint32(124, crc32(header.subarray(0, 124)), true);
    await expect(readSnapshotFile(await tempFile(header), sectionWise)).rejects.toMatchObject({ code: 'Decryption' });
  });
});
