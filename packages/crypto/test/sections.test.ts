import {
  type ByteSource,
  decodeSnapshot,
  encodeSnapshotStream,
  type EncodeOptions,
  isPackError,
  joinPieces,
  readLayout,
  readManifest,
  readSnapshot,
  scanSections,
  SectionKind,
  TOC_ENTRY_SIZE,
  type PackErrorCode,
} from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { createSectionOpener, createSectionSealer, decryptSnapshot, deriveKey, EncryptionKey, encryptSnapshot } from '../src/index.js';
import { rleCodec } from './helpers/codec.js';
import { seededRandom } from './helpers/random.js';
import { smallPacked, smallSnapshot } from './helpers/snapshots.js';

const codecs = (id: number) => (id === rleCodec.id ? rleCodec : undefined);

/** Encodes and encrypts a world section by section, as a streaming writer does: format's encodeSnapshotStream with a sealer. */
async function sealStreamed(n: number, key: Parameters<typeof createSectionSealer>[1], seed: number, options: EncodeOptions = {}): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  for await (const piece of encodeSnapshotStream(smallPacked(n), { ...options, sealer: (header) => createSectionSealer(header, key, { random: seededRandom(seed) }) })) {
    pieces.push(piece.slice());
  }
  return joinPieces(pieces);
}

/** The frames of an encrypted container (the table of contents last), walked from the header by format's scanSections. */
function frames(bytes: Uint8Array): { descriptor: Uint8Array; payload: Uint8Array }[] {
  return scanSections(bytes).sections.map(({ offset, descriptor }) => ({
    descriptor: bytes.subarray(offset, offset + 64),
    payload: bytes.subarray(offset + 64, offset + 64 + descriptor.storedLength),
  }));
}

/** A byte source over `bytes` that counts the bytes read. */
function countingSource(bytes: Uint8Array): ByteSource & { bytesRead: number } {
  const source = {
    size: bytes.length,
    bytesRead: 0,
    read: async (offset: number, length: number) => {
      source.bytesRead += length;
      return bytes.slice(offset, offset + length);
    },
  };
  return source;
}

async function code(promise: unknown): Promise<PackErrorCode | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (isPackError(error)) return error.code;
    throw error;
  }
}

describe('section sealer and opener', () => {
  it('sealing section by section gives the bytes encryptSnapshot gives (same random source)', async () => {
    const key = EncryptionKey.fromBytes(new Uint8Array(32).fill(7));
    for (const options of [{}, { checksums: false }, { codec: rleCodec }]) {
      const plain = smallSnapshot(40, options);
      const streamed = await sealStreamed(40, key, 11, options);
      const whole = await encryptSnapshot(plain, key, { random: seededRandom(11), digest: false });
      expect(streamed).toEqual(whole);
      expect(await decryptSnapshot(streamed, key, { digest: false })).toEqual(plain);
    }
  });

  it('passphrase keys put their scrypt parameters in the header', async () => {
    const plain = smallSnapshot(10);
    const key = await deriveKey('correct horse', { scrypt: { N: 1024, r: 8, p: 1 } });
    const streamed = await sealStreamed(10, key, 3);
    expect(await decryptSnapshot(streamed, { passphrase: 'correct horse' }, { digest: false })).toEqual(
      await decryptSnapshot(await encryptSnapshot(plain, key, { digest: false }), key, { digest: false }),
    );
  });

  it('opening section by section gives the frames decryptSnapshot gives', async () => {
    const plain = smallSnapshot(40);
    const key = EncryptionKey.generate();
    const encrypted = await encryptSnapshot(plain, key, { digest: false });
    const decrypted = await decryptSnapshot(encrypted, key, { digest: false });
    const opener = await createSectionOpener(encrypted.subarray(0, 128), key);
    expect(opener.plainHeader).toEqual(decrypted.subarray(0, 128));
    const sealed = frames(encrypted);
    const layout = readLayout(decrypted);
    for (const [i, { offset, descriptor }] of layout.sections.entries()) {
      const opened = await opener.open(i, sealed[i]!.descriptor, sealed[i]!.payload);
      expect(opened.descriptor).toEqual(decrypted.subarray(offset, offset + 64));
      expect(opened.payload).toEqual(decrypted.subarray(offset + 64, offset + 64 + descriptor.storedLength));
    }
    const toc = await opener.open(layout.sections.length, sealed[layout.sections.length]!.descriptor, sealed[layout.sections.length]!.payload);
    expect(toc.payload.length).toBe(layout.sections.length * TOC_ENTRY_SIZE);
  });

  it('a wrong key, a tampered section or a wrong ordinal is an error', async () => {
    const plain = smallSnapshot(20);
    const key = EncryptionKey.generate();
    const encrypted = await encryptSnapshot(plain, key, { digest: false });
    expect(await code(createSectionOpener(encrypted.subarray(0, 128), EncryptionKey.generate()))).toBe('WrongKey');
    expect(await code(createSectionOpener(encrypted.subarray(0, 128), undefined))).toBe('Decryption');
    const opener = await createSectionOpener(encrypted.subarray(0, 128), key);
    const [first, second] = frames(encrypted);
    const tampered = first!.payload.slice();
    tampered[0]! ^= 1;
    expect(await code(opener.open(0, first!.descriptor, tampered))).toBe('Decryption');
    expect(await code(opener.open(1, first!.descriptor, first!.payload))).toBe('Decryption');
    expect(await code(opener.open(1, second!.descriptor, second!.payload))).toBeUndefined();
    expect(() => createSectionSealer(encrypted.subarray(0, 128), key)).toThrow(/already encrypted/);
  });

  it("is the opener format's random-access reader takes: a partial read fetches and opens only what it needs", async () => {
    const plain = smallSnapshot(2000);
    const key = EncryptionKey.generate();
    const encrypted = await encryptSnapshot(plain, key);
    let opened = 0;
    const opener = async (header: Uint8Array) => {
      const inner = await createSectionOpener(header, key);
      return {
        plainHeader: inner.plainHeader,
        open: (ordinal: number, d: Uint8Array, sealed: Uint8Array) => {
          opened++;
          return inner.open(ordinal, d, sealed);
        },
      };
    };
    const source = countingSource(encrypted);
    const partial = await readSnapshot(source, { opener, components: ['Health'] });
    expect(partial).toEqual(decodeSnapshot(plain, { components: ['Health'] }));
    // The Position and Secret columns are neither fetched nor opened.
    const sections = readLayout(plain).sections;
    expect(opened).toBeLessThan(sections.length + 1);
    const health = readManifest(plain).components.findIndex((c) => c.id === 'Health');
    const skipped = sections.filter((s) => s.descriptor.kind === SectionKind.Column && s.descriptor.owner !== health).reduce((n, s) => n + s.descriptor.storedLength, 0);
    expect(skipped).toBeGreaterThan(0);
    expect(source.bytesRead).toBeLessThanOrEqual(encrypted.length - skipped);
    expect(await readSnapshot(countingSource(encrypted), { opener: (h) => createSectionOpener(h, key), codecs })).toEqual(decodeSnapshot(plain));
  });

  it('authentication failures name the section ordinal and kind in details', async () => {
    const plain = smallSnapshot(20);
    const key = EncryptionKey.generate();
    const encrypted = await encryptSnapshot(plain, key, { digest: false });
    const opener = await createSectionOpener(encrypted.subarray(0, 128), key);
    const all = frames(encrypted);
    const layout = readLayout(plain);
    for (const [i, { descriptor }] of layout.sections.entries()) {
      const tampered = all[i]!.payload.slice();
      tampered[tampered.length - 1]! ^= 1;
      const error = await Promise.resolve(opener.open(i, all[i]!.descriptor, tampered)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isPackError(error, 'Decryption'), String(error)).toBe(true);
      expect((error as { details: unknown }).details).toEqual({ section: i, kind: descriptor.kind });
    }
    const toc = all[layout.sections.length]!;
    const bad = toc.payload.slice();
    bad[0]! ^= 1;
    await expect(Promise.resolve(opener.open(layout.sections.length, toc.descriptor, bad))).rejects.toMatchObject({
      code: 'Decryption',
      message: expect.stringMatching(/^the table of contents fails authentication/),
      details: { section: layout.sections.length, kind: SectionKind.TableOfContents },
    });
  });
});
