import { crc32, END_MAGIC, isPackError, readLayout, TOC_ENTRY_SIZE, type PackErrorCode } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { createSectionOpener, createSectionSealer, decryptSnapshot, deriveKey, EncryptionKey, encryptSnapshot } from '../src/index.js';
import { seededRandom } from './helpers/random.js';
import { smallSnapshot } from './helpers/snapshots.js';

const align = (n: number): number => n + ((8 - (n % 8)) % 8);

/** Encrypts `plain` section by section with a sealer, as a streaming writer does. */
async function sealStreamed(plain: Uint8Array, key: Parameters<typeof createSectionSealer>[1], seed: number): Promise<Uint8Array> {
  const layout = readLayout(plain);
  const sealer = createSectionSealer(plain.subarray(0, 128), key, { random: seededRandom(seed) });
  const parts: Uint8Array[] = [sealer.header];
  let offset = 128;
  const toc = new Uint8Array(layout.sections.length * TOC_ENTRY_SIZE);
  for (const [i, { offset: from, descriptor }] of layout.sections.entries()) {
    const sealed = await sealer.seal(i, plain.subarray(from, from + 64), plain.subarray(from + 64, from + 64 + descriptor.storedLength));
    const tv = new DataView(toc.buffer);
    tv.setUint32(i * TOC_ENTRY_SIZE, offset, true);
    toc.set(sealed.descriptor, i * TOC_ENTRY_SIZE + 8);
    const frame = new Uint8Array(align(64 + sealed.payload.length));
    frame.set(sealed.descriptor, 0);
    frame.set(sealed.payload, 64);
    parts.push(frame);
    offset += frame.length;
  }
  const tocOffset = layout.trailer.tocOffset;
  const sealedToc = await sealer.seal(layout.sections.length, plain.subarray(tocOffset, tocOffset + 64), toc);
  const frame = new Uint8Array(align(64 + sealedToc.payload.length));
  frame.set(sealedToc.descriptor, 0);
  frame.set(sealedToc.payload, 64);
  parts.push(frame);
  const trailer = new Uint8Array(64);
  const v = new DataView(trailer.buffer);
  v.setUint32(0, offset, true);
  v.setUint32(8, layout.sections.length, true);
  v.setUint32(52, crc32(trailer.subarray(0, 52)), true);
  trailer.set(END_MAGIC, 56);
  parts.push(trailer);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The frames of an encrypted container, walked from the header. */
function frames(bytes: Uint8Array): { descriptor: Uint8Array; payload: Uint8Array }[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = v.getUint32(bytes.length - 64 + 8, true);
  const out = [];
  let at = 128;
  for (let i = 0; i <= count; i++) {
    const stored = v.getUint32(at + 32, true);
    out.push({ descriptor: bytes.subarray(at, at + 64), payload: bytes.subarray(at + 64, at + 64 + stored) });
    at = align(at + 64 + stored);
  }
  return out;
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
    const plain = smallSnapshot(40);
    const key = EncryptionKey.fromBytes(new Uint8Array(32).fill(7));
    const streamed = await sealStreamed(plain, key, 11);
    const whole = await encryptSnapshot(plain, key, { random: seededRandom(11), digest: false });
    expect(streamed).toEqual(whole);
    expect(await decryptSnapshot(streamed, key, { digest: false })).toEqual(await decryptSnapshot(whole, key, { digest: false }));
  });

  it('passphrase keys put their scrypt parameters in the header', async () => {
    const plain = smallSnapshot(10);
    const key = await deriveKey('correct horse', { scrypt: { N: 1024, r: 8, p: 1 } });
    const streamed = await sealStreamed(plain, key, 3);
    expect(await decryptSnapshot(streamed, { passphrase: 'correct horse' }, { digest: false })).toEqual(await decryptSnapshot(await encryptSnapshot(plain, key, { digest: false }), key, { digest: false }));
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
});
