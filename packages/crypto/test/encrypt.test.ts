import { createHmac } from 'node:crypto';
import {
  crc32,
  createPackedSnapshot,
  decodeSnapshot,
  encodeSnapshot,
  getColumn,
  HeaderFlags,
  isPackError,
  readHeader,
  readLayout,
  type PackErrorCode,
  TrailerFlags,
} from '@tx2/pack-format';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type CryptoBackend,
  decodeEncrypted,
  decodeEncryptedSync,
  decryptSnapshot,
  decryptSnapshotSync,
  deriveKey,
  deriveKeyForSnapshot,
  encodeEncrypted,
  encodeEncryptedSync,
  EncryptionKey,
  encryptionInfo,
  encryptSnapshot,
  encryptSnapshotSync,
  rotateKey,
  rotateKeySync,
  verifyDigest,
} from '../src/index.js';
import { BACKENDS, nobleBackend, nodeBackend, SYNC_BACKENDS, webCryptoBackend } from './helpers/backends.js';
import { rleCalls, rleCodec } from './helpers/codec.js';
import { seededRandom } from './helpers/random.js';
import { smallPacked, smallSnapshot } from './helpers/snapshots.js';
import { specAad, specFingerprint, specOpen, specRead, specSeal, specWrite } from './helpers/spec.js';

const KEY = EncryptionKey.fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
const RAW = KEY.toBytes();
const FAST = { N: 2 ** 10, r: 8, p: 1 };
const codecs = (id: number) => (id === rleCodec.id ? rleCodec : undefined);
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
const withCrc = (bytes: Uint8Array, from: number, length: number) => {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(from + length, crc32(bytes.subarray(from, from + length)), true);
  return bytes;
};

async function failure(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return undefined;
}

async function expectPackError(run: () => unknown, code: PackErrorCode, message?: RegExp): Promise<void> {
  const error = await failure(run);
  expect(isPackError(error, code), `expected a ${code} PackError, got ${String(error)}`).toBe(true);
  if (message) expect((error as Error).message).toMatch(message);
}

/** Wraps a backend to count its operations. */
function counting(backend: CryptoBackend) {
  const counts = { seal: 0, open: 0, sha256: 0, scrypt: 0 };
  const wrapped: CryptoBackend = {
    name: backend.name,
    sync: backend.sync,
    seal: (...a) => {
      counts.seal++;
      return backend.seal(...a);
    },
    open: (...a) => {
      counts.open++;
      return backend.open(...a);
    },
    sha256: (d) => {
      counts.sha256++;
      return backend.sha256(d);
    },
    scrypt: (...a) => {
      counts.scrypt++;
      return backend.scrypt(...a);
    },
  };
  return { backend: wrapped, counts };
}

describe('encryptSnapshot / decryptSnapshot', () => {
  const variants = [
    { name: 'payload CRCs on', options: {} },
    { name: 'payload CRCs off', options: { checksums: false } },
    { name: 'compressed sections', options: { codec: rleCodec } },
  ];

  it.each(variants)('round-trips byte for byte ($name)', async ({ options }) => {
    const plain = smallSnapshot(6, options);
    for (const digest of [false, true]) {
      const encrypted = await encryptSnapshot(plain, KEY, { digest });
      expect(encrypted.length).toBeGreaterThan(plain.length);
      const back = await decryptSnapshot(encrypted, KEY, { digest: false });
      expect(same(back, plain)).toBe(true);
      expect(same(decryptSnapshotSync(encrypted, KEY, { digest: false }), plain)).toBe(true);
    }
    const decoded = await decodeEncrypted(await encryptSnapshot(plain, KEY), { key: KEY, codecs });
    expect(decoded).toEqual(decodeSnapshot(plain, { codecs }));
  });

  it('round-trips empty sections (a component without rows) byte for byte, on every path', async () => {
    const packed = createPackedSnapshot({ entities: [1, 2], components: [{ id: 'Empty', entityIds: new Uint32Array(0), fields: { x: new Float32Array(0), s: [] } }] });
    const plain = encodeSnapshot(packed);
    expect(readLayout(plain).sections.some((s) => s.descriptor.storedLength === 0)).toBe(true);
    const encrypted = encryptSnapshotSync(plain, KEY);
    expect(same(decryptSnapshotSync(encrypted, KEY), plain)).toBe(true);
    expect(same(await decryptSnapshot(encrypted, KEY, { backend: webCryptoBackend }), plain)).toBe(true);
    expect(same(decryptSnapshotSync(rotateKeySync(encrypted, KEY, KEY), KEY), plain)).toBe(true);
    expect(decodeEncryptedSync(encrypted, { key: KEY })).toEqual(decodeSnapshot(plain));
  });

  it('keeps a digest through encryption and decryption by default', async () => {
    const plain = smallSnapshot();
    const { addDigestSync } = await import('../src/index.js');
    addDigestSync(plain);
    const encrypted = await encryptSnapshot(plain, KEY);
    expect(encryptionInfo(encrypted)!.digest).toBe(true);
    expect(await verifyDigest(encrypted)).toBe(true);
    const back = await decryptSnapshot(encrypted, KEY);
    expect(same(back, plain)).toBe(true);
  });

  it('produces byte-identical output on every backend, sync and async, for the same key and nonces', async () => {
    const plain = smallSnapshot(7, { codec: rleCodec });
    const reference = await encryptSnapshot(plain, KEY, { random: seededRandom(1), backend: nodeBackend, digest: true });
    for (const backend of BACKENDS) {
      const out = await encryptSnapshot(plain, KEY, { random: seededRandom(1), backend, digest: true });
      expect(same(out, reference), backend.name).toBe(true);
      expect(same(await decryptSnapshot(out, KEY, { backend }), await decryptSnapshot(reference, KEY))).toBe(true);
    }
    for (const backend of SYNC_BACKENDS) {
      expect(same(encryptSnapshotSync(plain, KEY, { random: seededRandom(1), backend, digest: true }), reference), backend.name).toBe(true);
      expect(same(decryptSnapshotSync(reference, KEY, { backend }), await decryptSnapshot(reference, KEY))).toBe(true);
    }
    expect(same(await encodeEncrypted(smallPacked(7), KEY, { codec: rleCodec, random: seededRandom(1), digest: true }), reference)).toBe(true);
    expect(same(encodeEncryptedSync(smallPacked(7), KEY, { codec: rleCodec, random: seededRandom(1), digest: true, backend: nobleBackend }), reference)).toBe(true);
  });

  it('uses a fresh random nonce for every section and a fresh file id for every file', async () => {
    const plain = smallSnapshot();
    const a = specRead(await encryptSnapshot(plain, KEY), RAW);
    const b = specRead(await encryptSnapshot(plain, KEY), RAW);
    const nonces = [...a.sections, ...b.sections].map((s) => Buffer.from(s.descriptor.subarray(44, 56)).toString('hex'));
    nonces.push(Buffer.from(a.tocDescriptor.subarray(44, 56)).toString('hex'), Buffer.from(b.tocDescriptor.subarray(44, 56)).toString('hex'));
    expect(new Set(nonces).size).toBe(nonces.length);
    expect(same(a.header.subarray(64, 80), b.header.subarray(64, 80))).toBe(false);
    expect(same(a.sections[1]!.sealed, b.sections[1]!.sealed)).toBe(false);
  });

  it('writes what docs/format.md describes (checked by an independent node:crypto reader)', async () => {
    const plain = smallSnapshot(5, { codec: rleCodec });
    const layout = readLayout(plain);
    const encrypted = await encryptSnapshot(plain, KEY);
    const header = readHeader(encrypted);
    expect(header.flags & HeaderFlags.Encrypted).toBe(HeaderFlags.Encrypted);
    expect(header.flags & HeaderFlags.SectionChecksums).toBe(HeaderFlags.SectionChecksums);
    expect(encrypted[18]).toBe(1); // cipher: AES-256-GCM
    // Extension area, header bytes 48-119.
    expect(encrypted[48]).toBe(1); // key scheme 1
    expect(encrypted[49]).toBe(0); // raw key: no KDF
    expect([...encrypted.subarray(50, 56)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(same(encrypted.subarray(56, 64), specFingerprint(RAW))).toBe(true);
    expect(encrypted.subarray(64, 80).some((b) => b !== 0)).toBe(true); // file id
    expect(encrypted.subarray(80, 124).every((b) => b === 0)).toBe(true); // salt (none) and reserved
    // Header fields before the extension are those of the plain snapshot.
    expect(same(encrypted.subarray(20, 48), plain.subarray(20, 48))).toBe(true);

    const spec = specRead(encrypted, RAW);
    expect(spec.sections).toHaveLength(layout.sections.length);
    spec.sections.forEach((s, i) => {
      const original = layout.sections[i]!;
      const d = original.descriptor;
      expect(s.plaintext, `section ${i}`).not.toBeNull();
      expect(same(s.plaintext!, plain.subarray(original.offset + 64, original.offset + 64 + d.storedLength))).toBe(true);
      // Identity fields are kept, cipher is 1, no payload CRC (the tag replaces it), the payload grew by the tag.
      expect(same(s.descriptor.subarray(0, 4), plain.subarray(original.offset, original.offset + 4))).toBe(true);
      expect(s.descriptor[4]).toBe(1);
      expect(d.flags & 1).toBe(1);
      expect(s.descriptor[5]).toBe(d.flags & ~1);
      expect(same(s.descriptor.subarray(6, 32), plain.subarray(original.offset + 6, original.offset + 32))).toBe(true);
      expect(s.sealed.length).toBe(d.storedLength + 16);
      expect(new DataView(s.descriptor.buffer).getUint32(40, true)).toBe(0);
      expect(s.descriptor.subarray(56, 60).every((b) => b === 0)).toBe(true);
      expect(new DataView(s.descriptor.buffer).getUint32(60, true)).toBe(crc32(s.descriptor.subarray(0, 60)));
    });
    expect(spec.tocDescriptor[4]).toBe(1);
    expect(spec.tocDescriptor[5]! & 1).toBe(0);
  });

  it('stores the scrypt parameters and salt of a passphrase-derived key', async () => {
    const derived = await deriveKey('open sesame', { scrypt: { N: 2 ** 11, r: 4, p: 2 } });
    const encrypted = await encryptSnapshot(smallSnapshot(), derived);
    expect(encrypted[49]).toBe(1); // scrypt
    expect([encrypted[50], encrypted[51], encrypted[52]]).toEqual([11, 4, 2]);
    expect(same(encrypted.subarray(80, 96), derived.kdf.salt)).toBe(true);
    expect(same(encrypted.subarray(56, 64), specFingerprint(derived.key.toBytes()))).toBe(true);
    const info = encryptionInfo(encrypted)!;
    expect(info).toMatchObject({ cipher: 'aes-256-gcm', fingerprint: derived.key.fingerprint, kdf: { algorithm: 'scrypt', N: 2048, r: 4, p: 2 } });
    expect(encryptionInfo(smallSnapshot())).toBeUndefined();

    // The passphrase alone opens it; so does the derived key, or the key derived once for the file.
    expect((await decodeEncrypted(encrypted, { key: { passphrase: 'open sesame' } })).entities).toHaveLength(5);
    expect((await decodeEncrypted(encrypted, { key: derived })).entities).toHaveLength(5);
    expect((await decodeEncrypted(encrypted, { key: derived.key })).entities).toHaveLength(5);
    const again = await deriveKeyForSnapshot(encrypted, 'open sesame');
    expect(again.key.equals(derived.key)).toBe(true);
    await expectPackError(() => deriveKeyForSnapshot(encrypted, 'open sesame!'), 'WrongKey', /wrong passphrase/);
    const rawKeyFile = await encryptSnapshot(smallSnapshot(), KEY);
    await expectPackError(() => deriveKeyForSnapshot(rawKeyFile, 'x'), 'WrongKey', /raw key/);
  });
});

describe('decodeEncrypted', () => {
  it('decodes every component, or decrypts only the sections the requested components need', async () => {
    const plain = smallSnapshot(9);
    const encrypted = await encryptSnapshot(plain, KEY);
    const all = await decodeEncrypted(encrypted, { key: KEY });
    expect(all).toEqual(decodeSnapshot(plain));
    const sectionCount = readLayout(plain).sections.length;

    const { backend, counts } = counting(nodeBackend);
    const partial = await decodeEncrypted(encrypted, { key: KEY, components: ['Health'], backend });
    expect(partial.components.map((c) => c.id)).toEqual(['Health']);
    expect(getColumn(partial, 'Health', 'hp', 'u16')).toEqual(getColumn(all, 'Health', 'hp', 'u16'));
    expect(partial.entities).toEqual(all.entities);
    expect(partial.entityMetadata).toEqual(all.entityMetadata);
    // TOC + manifest + the world's entity set + Health's entity set + its one column + entity metadata.
    expect(counts.open).toBe(6);
    expect(counts.open).toBeLessThan(sectionCount + 1);

    const sync = decodeEncryptedSync(encrypted, { key: KEY, components: ['Secret'] });
    expect(sync.components.map((c) => c.id)).toEqual(['Secret']);
    await expectPackError(() => decodeEncrypted(encrypted, { key: KEY, components: ['Nope'] }), 'InvalidInput', /"Nope" is not in this snapshot/);
  });

  it('reads compressed snapshots partially with their codecs', async () => {
    const plain = smallSnapshot(20, { codec: rleCodec });
    const encrypted = await encryptSnapshot(plain, KEY);
    const partial = await decodeEncrypted(encrypted, { key: KEY, components: ['Secret'], codecs });
    expect(partial.components[0]).toEqual(decodeSnapshot(plain, { codecs }).components.find((c) => c.id === 'Secret'));
  });

  it('decodes with copy: true and with every backend', async () => {
    const plain = smallSnapshot();
    const encrypted = await encryptSnapshot(plain, KEY);
    for (const backend of BACKENDS) expect(await decodeEncrypted(encrypted, { key: KEY, backend, copy: true })).toEqual(decodeSnapshot(plain));
  });
});

describe('key errors', () => {
  let encrypted: Uint8Array;
  beforeEach(async () => {
    encrypted = await encryptSnapshot(smallSnapshot(), KEY);
  });

  it('a missing key says the snapshot is encrypted and to pass a key', async () => {
    await expectPackError(() => decodeEncrypted(encrypted), 'Decryption', /this snapshot is encrypted: pass a key/);
    await expectPackError(() => decryptSnapshot(encrypted, undefined as never), 'Decryption', /this snapshot is encrypted: pass a key/);
    expect(() => decodeEncryptedSync(encrypted, {})).toThrow(/this snapshot is encrypted: pass a key/);
    // The format alone refuses it too.
    await expectPackError(() => decodeSnapshot(encrypted), 'Decryption');
  });

  it('a wrong key is a WrongKey error before any decryption is tried', async () => {
    const { backend, counts } = counting(webCryptoBackend);
    const other = EncryptionKey.generate();
    await expectPackError(() => decodeEncrypted(encrypted, { key: other, backend }), 'WrongKey', new RegExp(`wrong key: .*fingerprint ${KEY.fingerprint}.*${other.fingerprint}`));
    await expectPackError(() => decryptSnapshot(encrypted, other, { backend }), 'WrongKey');
    await expectPackError(() => rotateKey(encrypted, other, KEY, { backend }), 'WrongKey');
    expect(counts.open).toBe(0);
  });

  it('a passphrase for a raw-key snapshot, a wrong passphrase, or another salt is a WrongKey error', async () => {
    await expectPackError(() => decodeEncrypted(encrypted, { key: { passphrase: 'guess' } }), 'WrongKey', /raw key .* not a passphrase/);
    const derived = await deriveKey('right', { scrypt: FAST });
    const byPassphrase = await encryptSnapshot(smallSnapshot(), derived);
    await expectPackError(() => decodeEncrypted(byPassphrase, { key: { passphrase: 'wrong' } }), 'WrongKey', /wrong passphrase: it does not give the key/);
    const otherSalt = await deriveKey('right', { scrypt: FAST });
    await expectPackError(() => decodeEncrypted(byPassphrase, { key: otherSalt }), 'WrongKey', /another salt/);
    await expectPackError(() => decodeEncrypted(byPassphrase, { key: KEY }), 'WrongKey', /derived from a passphrase/);
  });

  it('an empty passphrase, a key that is not a key, or a key of the wrong size is a clear typed error', async () => {
    await expectPackError(() => decodeEncrypted(encrypted, { key: { passphrase: '' } }), 'InvalidInput', /passphrase is empty/);
    await expectPackError(() => decodeEncrypted(encrypted, { key: RAW as never }), 'InvalidInput', /expected an EncryptionKey/);
    await expectPackError(() => encryptSnapshot(smallSnapshot(), RAW as never), 'InvalidInput', /expected an EncryptionKey/);
    await expectPackError(() => encryptSnapshot(smallSnapshot(), undefined as never), 'InvalidInput', /no key given/);
    await expectPackError(() => EncryptionKey.fromBytes(new Uint8Array(31)), 'InvalidInput', /exactly 32 bytes/);
    await expectPackError(() => EncryptionKey.fromBytes(new Uint8Array(33)), 'InvalidInput', /exactly 32 bytes/);
  });

  it('refuses plain snapshots on decryption and encrypted ones on encryption', async () => {
    await expectPackError(() => decryptSnapshot(smallSnapshot(), KEY), 'InvalidInput', /not encrypted/);
    await expectPackError(() => decodeEncrypted(smallSnapshot(), { key: KEY }), 'InvalidInput', /not encrypted/);
    await expectPackError(() => encryptSnapshot(encrypted, KEY), 'InvalidInput', /already encrypted: use rotateKey/);
    await expectPackError(() => encryptSnapshot(new Uint8Array(10), KEY), 'InvalidFormat');
    await expectPackError(() => encryptSnapshot('x' as never, KEY), 'InvalidInput', /must be a Uint8Array/);
  });

  it('refuses to seal a corrupt input', async () => {
    const plain = smallSnapshot();
    const section = readLayout(plain).sections[1]!;
    plain[section.offset + 64]! ^= 1;
    await expectPackError(() => encryptSnapshot(plain, KEY), 'ChecksumMismatch', /refusing to seal/);
    expect(await failure(() => encryptSnapshot(plain, KEY))).toMatchObject({ details: { section: 1, kind: section.descriptor.kind } });
    // Without the check, the corruption is sealed in: it authenticates, and decryption gives it a matching CRC.
    const back = await decryptSnapshot(await encryptSnapshot(plain, KEY, { verifyChecksums: false }), KEY);
    expect(back.subarray(section.offset + 64, section.offset + 64 + section.descriptor.storedLength)).toEqual(
      plain.subarray(section.offset + 64, section.offset + 64 + section.descriptor.storedLength),
    );
  });

  it('a section that fails authentication is named in the error details (ordinal and kind)', async () => {
    const plain = smallSnapshot();
    const encrypted = await encryptSnapshot(plain, KEY, { digest: false });
    const spec = specRead(encrypted, RAW);
    const kinds = readLayout(plain).sections.map((s) => s.descriptor.kind);
    for (const i of [0, 2, kinds.length - 1]) {
      const tampered = encrypted.slice();
      tampered[spec.sections[i]!.offset + 64]! ^= 1;
      for (const run of [() => decodeEncrypted(tampered, { key: KEY }), () => decryptSnapshotSync(tampered, KEY), () => rotateKeySync(tampered, KEY, KEY)]) {
        expect(await failure(run)).toMatchObject({ code: 'Decryption', details: { section: i, kind: kinds[i] } });
      }
    }
  });

  it('refuses hostile or unknown key parameters in a header (CRC made valid)', async () => {
    const derived = await deriveKey('p', { scrypt: FAST });
    const file = await encryptSnapshot(smallSnapshot(), derived);
    const huge = withCrc(file.slice(), 0, 124);
    huge[50] = 30; // N = 2^30 with r = 8: 128 GiB
    withCrc(huge, 0, 124);
    const { backend, counts } = counting(nodeBackend);
    await expectPackError(() => decodeEncrypted(huge, { key: { passphrase: 'p' }, backend }), 'Decryption', /over the 1073741824-byte limit/);
    expect(counts.scrypt).toBe(0);
    const scheme = file.slice();
    scheme[48] = 2;
    await expectPackError(() => decodeEncrypted(withCrc(scheme, 0, 124), { key: KEY }), 'Decryption', /key scheme 2/);
    const cipher = file.slice();
    cipher[18] = 2;
    await expectPackError(() => decodeEncrypted(withCrc(cipher, 0, 124), { key: KEY }), 'Decryption', /cipher 2/);
    const kdf = file.slice();
    kdf[49] = 9;
    await expectPackError(() => decodeEncrypted(withCrc(kdf, 0, 124), { key: KEY }), 'Decryption', /KDF 9/);
    const reserved = file.slice();
    reserved[100] = 1;
    await expectPackError(() => decodeEncrypted(withCrc(reserved, 0, 124), { key: KEY }), 'InvalidFormat', /reserved/);
  });
});

describe('authentication binds the header, the order of sections and the file', () => {
  // These files are built by a key holder (specWrite re-seals the table of contents), so the
  // structure checks all pass: only the associated data of each section can reject them.
  let plain: Uint8Array;
  let encrypted: Uint8Array;
  let spec: ReturnType<typeof specRead>;
  const nonce = new Uint8Array(12).fill(5);
  const sections = () => spec.sections.map((s) => ({ descriptor: s.descriptor, sealed: s.sealed }));

  beforeEach(async () => {
    plain = smallSnapshot(6);
    encrypted = await encryptSnapshot(plain, KEY);
    spec = specRead(encrypted, RAW);
  });

  it('a faithful rebuild decodes (the forging helper itself is sound)', async () => {
    const rebuilt = specWrite(spec.header, sections(), spec.tocDescriptor, RAW, nonce);
    expect(await decodeEncrypted(rebuilt, { key: KEY })).toEqual(decodeSnapshot(plain));
  });

  it('sections that another writer gave a CRC-32 of the sealed bytes decode, and are checked', async () => {
    const list = spec.sections.map((s, i) => {
      const descriptor = s.descriptor.slice();
      descriptor[5]! |= 1;
      const nonceI = new Uint8Array(12).fill(i + 1);
      descriptor.set(nonceI, 44);
      return { descriptor, sealed: specSeal(RAW, nonceI, s.plaintext!, specAad(spec.header, i, descriptor)) };
    });
    const file = specWrite(spec.header, list, spec.tocDescriptor, RAW, nonce);
    expect(await decodeEncrypted(file, { key: KEY })).toEqual(decodeSnapshot(plain));
    const at = specRead(file, RAW).sections[1]!.offset + 64;
    const broken = file.slice();
    broken[at]! ^= 1;
    await expectPackError(() => decodeEncrypted(broken, { key: KEY }), 'ChecksumMismatch', /section 1 fails its checksum/);
  });

  it('a changed header byte fails authentication', async () => {
    for (const at of [20, 32, 40, 47, 64, 79, 12]) {
      const header = spec.header.slice();
      header[at]! ^= at === 12 ? 1 : 0x10; // for the flags, drop the section-checksum bit
      // Re-sealing the TOC needs the key; without it, the TOC itself fails:
      const tampered = withCrc(encrypted.slice(), 0, 124);
      tampered.set(header.subarray(0, 124));
      withCrc(tampered, 0, 124);
      await expectPackError(() => decodeEncrypted(tampered, { key: KEY }), 'Decryption', /table of contents fails authentication/);
      // With the TOC re-sealed under the new header, every section fails.
      const forged = specWrite(header, sections(), spec.tocDescriptor, RAW, nonce);
      const error = await failure(() => decodeEncrypted(forged, { key: KEY }));
      expect(isPackError(error), `header byte ${at}: ${String(error)}`).toBe(true);
      expect((error as Error).message).toMatch(/fails authentication|invalid|does not match/);
    }
  });

  it('reordered sections fail authentication', async () => {
    const list = sections();
    [list[2], list[3]] = [list[3]!, list[2]!];
    await expectPackError(
      () => decodeEncrypted(specWrite(spec.header, list, spec.tocDescriptor, RAW, nonce), { key: KEY }),
      'Decryption',
      /section 2\)? fails authentication|fails authentication/,
    );
  });

  it('a section from another file (same key, same content) fails authentication', async () => {
    const other = specRead(await encryptSnapshot(plain, KEY), RAW);
    for (let i = 0; i < spec.sections.length; i++) {
      const list = sections();
      list[i] = { descriptor: other.sections[i]!.descriptor, sealed: other.sections[i]!.sealed };
      const forged = specWrite(spec.header, list, spec.tocDescriptor, RAW, nonce);
      await expectPackError(() => decodeEncrypted(forged, { key: KEY }), 'Decryption', /fails authentication/);
      // And spliced in without the key (TOC untouched): the descriptor no longer matches the table.
      const spliced = encrypted.slice();
      const at = spec.sections[i]!.offset;
      spliced.set(other.sections[i]!.descriptor, at);
      spliced.set(other.sections[i]!.sealed, at + 64);
      expect(isPackError(await failure(() => decodeEncrypted(spliced, { key: KEY })))).toBe(true);
    }
  });

  it('changed identity fields of a descriptor fail authentication', async () => {
    for (const at of [0, 3, 5, 8, 12, 16, 20, 24]) {
      const list = sections();
      const d = list[1]!.descriptor.slice();
      d[at]! ^= at === 5 ? 1 : 0x01;
      list[1] = { descriptor: d, sealed: list[1]!.sealed };
      const error = await failure(() => decodeEncrypted(specWrite(spec.header, list, spec.tocDescriptor, RAW, nonce), { key: KEY }));
      expect(isPackError(error), `descriptor byte ${at}: ${String(error)}`).toBe(true);
    }
  });

  it('a truncated or extended ciphertext fails authentication', async () => {
    for (const change of [-1, -16, 1]) {
      const list = sections();
      const s = list[2]!;
      const sealed = change < 0 ? s.sealed.subarray(0, s.sealed.length + change) : new Uint8Array([...s.sealed, 0]);
      list[2] = { descriptor: s.descriptor, sealed };
      const error = await failure(() => decodeEncrypted(specWrite(spec.header, list, spec.tocDescriptor, RAW, nonce), { key: KEY }));
      expect(isPackError(error), `${change}: ${String(error)}`).toBe(true);
    }
    // At the AEAD level: one byte short, or shorter than the tag.
    const s = spec.sections[2]!;
    const aad = specAad(spec.header, 2, s.descriptor);
    expect(specOpen(RAW, s.descriptor.subarray(44, 56), s.sealed, aad)).not.toBeNull();
    for (const backend of BACKENDS) {
      expect(await backend.open(RAW, s.descriptor.subarray(44, 56), s.sealed.subarray(1), aad)).toBeNull();
      expect(await backend.open(RAW, s.descriptor.subarray(44, 56), s.sealed.subarray(0, 10), aad)).toBeNull();
    }
  });

  it('every cut of the file is rejected', async () => {
    for (let length = 0; length < encrypted.length; length++) {
      const error = await failure(() => decodeEncryptedSync(encrypted.subarray(0, length), { key: KEY }));
      expect(isPackError(error), `cut at ${length}: ${String(error)}`).toBe(true);
    }
  });
});

describe('rotateKey', () => {
  it('re-encrypts under a new key without decompressing any section', async () => {
    const plain = smallSnapshot(12, { codec: rleCodec });
    const encrypted = await encryptSnapshot(plain, KEY, { digest: true });
    const next = EncryptionKey.generate();
    rleCalls.decompress = 0;
    const rotated = await rotateKey(encrypted, KEY, next);
    expect(rleCalls.decompress).toBe(0);
    expect(encryptionInfo(rotated)).toMatchObject({ fingerprint: next.fingerprint, digest: true });
    expect(encryptionInfo(rotated)!.fileId).not.toBe(encryptionInfo(encrypted)!.fileId);
    expect(same(await decryptSnapshot(rotated, next), await decryptSnapshot(encrypted, KEY))).toBe(true);
    await expectPackError(() => decodeEncrypted(rotated, { key: KEY }), 'WrongKey');
    expect(await decodeEncrypted(rotated, { key: next, codecs })).toEqual(decodeSnapshot(plain, { codecs }));
  });

  it('moves between passphrases and keys, and is the same on every backend', async () => {
    const plain = smallSnapshot();
    const derived = await deriveKey('old phrase', { scrypt: FAST });
    const byPassphrase = await encryptSnapshot(plain, derived);
    const toKey = await rotateKey(byPassphrase, { passphrase: 'old phrase' }, KEY, { random: seededRandom(3) });
    expect(encryptionInfo(toKey)!.kdf).toBeUndefined();
    for (const backend of SYNC_BACKENDS) expect(same(rotateKeySync(byPassphrase, derived, KEY, { random: seededRandom(3), backend }), toKey)).toBe(true);
    expect(same(await rotateKey(byPassphrase, derived, KEY, { random: seededRandom(3), backend: webCryptoBackend }), toKey)).toBe(true);
    const newPhrase = await deriveKey('new phrase', { scrypt: FAST });
    const back = await rotateKey(toKey, KEY, newPhrase);
    expect(same(await decryptSnapshot(back, { passphrase: 'new phrase' }), plain)).toBe(true);
  });
});

describe('sanity of the test helpers', () => {
  it('specFingerprint matches EncryptionKey.fingerprint', () => {
    expect(Buffer.from(specFingerprint(RAW)).toString('hex')).toBe(KEY.fingerprint);
    expect(createHmac('sha256', RAW).update('tx2-pack key fingerprint v1').digest('hex').slice(0, 16)).toBe(KEY.fingerprint);
  });

  it('the trailer of an encrypted file without digest has flags 0', async () => {
    const spec = specRead(await encryptSnapshot(smallSnapshot(), KEY), RAW);
    expect(spec.trailerFlags & TrailerFlags.PayloadDigest).toBe(0);
  });
});
