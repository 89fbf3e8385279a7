// Delta containers (header kind 1, docs/format.md §13) encrypt, authenticate and digest like snapshots.
import { applyDelta, ContainerKind, createPackedSnapshot, decodeDelta, diff, encodeDelta, readHeader, snapshotsEqual } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { addDigest, decryptSnapshot, EncryptionKey, encryptSnapshot, verifyDigest } from '../src/index.js';

const ids = Uint32Array.from({ length: 100 }, (_, i) => i);
const a = createPackedSnapshot({ timestamp: 1, entities: ids, components: [{ id: 'P', fields: { x: new Float32Array(100) } }] });
const x = new Float32Array(100);
x[3] = 1;
const b = createPackedSnapshot({ timestamp: 2, entities: ids, components: [{ id: 'P', fields: { x } }] });

describe('encrypted deltas', () => {
  it('round-trip: the container stays a delta and rebuilds its target', async () => {
    const key = EncryptionKey.generate();
    const sealed = await encryptSnapshot(encodeDelta(diff(a, b)), key);
    expect(readHeader(sealed).kind).toBe(ContainerKind.Delta);
    const plain = await decryptSnapshot(sealed, key);
    expect(snapshotsEqual(applyDelta(a, decodeDelta(plain)), b)).toBe(true);
  });

  it('a flipped byte in a sealed delta fails authentication', async () => {
    const key = EncryptionKey.generate();
    const sealed = await encryptSnapshot(encodeDelta(diff(a, b)), key);
    const at = sealed.length - 200;
    sealed[at]! ^= 1;
    await expect(decryptSnapshot(sealed, key)).rejects.toMatchObject({ name: 'PackError' });
  });

  it('the wrong key is refused', async () => {
    const sealed = await encryptSnapshot(encodeDelta(diff(a, b)), EncryptionKey.generate());
    await expect(decryptSnapshot(sealed, EncryptionKey.generate())).rejects.toMatchObject({ code: 'WrongKey' });
  });

  it('digests cover deltas', async () => {
    const digested = await addDigest(encodeDelta(diff(a, b)));
    expect(await verifyDigest(digested)).toBe(true);
    expect(snapshotsEqual(applyDelta(a, decodeDelta(digested)), b)).toBe(true);
  });
});
