// Round trips over arbitrary worlds, encrypted and not: what decodeEncrypted returns equals
// what decodeSnapshot returns for the plain container, for every backend and API.
import { decodeSnapshot, encodeSnapshot, fromWorldSnapshot, toWorldSnapshot } from '@tx2/pack-format';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDigestSync,
  decodeEncrypted,
  decodeEncryptedSync,
  decodeVerifiedSync,
  decryptSnapshotSync,
  EncryptionKey,
  encryptSnapshot,
  encryptSnapshotSync,
  rotateKeySync,
} from '../src/index.js';
import { packedArb, worldArb } from './helpers/arbitraries.js';
import { nobleBackend, nodeBackend, webCryptoBackend } from './helpers/backends.js';
import { rleCodec } from './helpers/codec.js';
import { seededRandom } from './helpers/random.js';

const KEY = EncryptionKey.generate();
const OTHER = EncryptionKey.generate();
const codecs = (id: number) => (id === rleCodec.id ? rleCodec : undefined);
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const encodeOptions = fc.record({ checksums: fc.boolean(), compressed: fc.boolean() });

describe('round trips over arbitrary snapshots', () => {
  it('encrypt, decrypt: the same container byte for byte; decode: the same snapshot (plain, digest, encrypted)', () => {
    fc.assert(
      fc.property(packedArb(), encodeOptions, fc.boolean(), (packed, { checksums, compressed }, digest) => {
        const plain = encodeSnapshot(packed, { checksums, ...(compressed ? { codec: rleCodec } : {}) });
        const expected = decodeSnapshot(plain, { codecs });
        // Not encrypted, with a digest.
        expect(decodeVerifiedSync(addDigestSync(plain.slice()), { codecs, required: true })).toEqual(expected);
        // Encrypted.
        const encrypted = encryptSnapshotSync(plain, KEY, { digest });
        expect(same(decryptSnapshotSync(encrypted, KEY, { digest: false }), plain)).toBe(true);
        expect(decodeEncryptedSync(encrypted, { key: KEY, codecs })).toEqual(expected);
        // Rotated.
        const rotated = rotateKeySync(encrypted, KEY, OTHER);
        expect(same(decryptSnapshotSync(rotated, OTHER, { digest: false }), plain)).toBe(true);
      }),
      { seed: 20261203, numRuns: 150 },
    );
  });

  it('partial reads return exactly the requested components', () => {
    fc.assert(
      fc.property(
        packedArb().chain((packed) => fc.tuple(fc.constant(packed), fc.subarray(packed.components.map((c) => c.id)))),
        ([packed, wanted]) => {
          const plain = encodeSnapshot(packed);
          const encrypted = encryptSnapshotSync(plain, KEY);
          expect(decodeEncryptedSync(encrypted, { key: KEY, components: wanted })).toEqual(decodeSnapshot(plain, { components: wanted }));
        },
      ),
      { seed: 20261203, numRuns: 100 },
    );
  });

  it('object worlds with blob components survive encryption', () => {
    fc.assert(
      fc.property(worldArb(), (world) => {
        const plain = encodeSnapshot(fromWorldSnapshot(world));
        const encrypted = encryptSnapshotSync(plain, KEY, { digest: true });
        expect(toWorldSnapshot(decodeEncryptedSync(encrypted, { key: KEY }))).toEqual(toWorldSnapshot(decodeSnapshot(plain)));
      }),
      { seed: 20261203, numRuns: 100 },
    );
  });

  it('every backend writes the same bytes for the same key and nonces', async () => {
    await fc.assert(
      fc.asyncProperty(packedArb(8), fc.integer(), async (packed, seed) => {
        const plain = encodeSnapshot(packed);
        const reference = encryptSnapshotSync(plain, KEY, { random: seededRandom(seed), backend: nodeBackend, digest: true });
        expect(same(encryptSnapshotSync(plain, KEY, { random: seededRandom(seed), backend: nobleBackend, digest: true }), reference)).toBe(true);
        expect(same(await encryptSnapshot(plain, KEY, { random: seededRandom(seed), backend: webCryptoBackend, digest: true }), reference)).toBe(true);
        expect(await decodeEncrypted(reference, { key: KEY, backend: webCryptoBackend })).toEqual(decodeSnapshot(plain));
      }),
      { numRuns: 40 },
    );
  });
});
