// Published test vectors, run against every path (node:crypto, WebCrypto, @noble):
//   NIST CAVP SHAVS SHA256ShortMsg / SHA256LongMsg (byte-oriented messages);
//   NIST CAVP GCMVS gcmEncryptExtIV256 / gcmDecrypt256, the 96-bit IV, 128-bit tag groups;
//   RFC 7914 scrypt vectors; RFC 4231 HMAC-SHA-256 vectors (the fingerprint's primitive).
// The files come from the Debian package python3-cryptography-vectors 38.0.4 (pyca/cryptography's
// copy of the NIST and RFC files); see test/vectors/README.md.
import { createHmac } from 'node:crypto';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { EncryptionKey, FINGERPRINT_LENGTH, keyFingerprint, sha256, sha256Sync } from '../src/index.js';
import { BACKENDS, nobleBackend, nodeBackend, SYNC_BACKENDS } from './helpers/backends.js';
import { hex, readVectors } from './helpers/rsp.js';

const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const shaVectors = [...readVectors('SHA256ShortMsg.rsp'), ...readVectors('SHA256LongMsg.rsp')].map((v) => ({
  bits: Number(v.Len),
  // Len = 0 is written as "Msg = 00": the message is the first Len/8 bytes.
  msg: hex(v.Msg).subarray(0, Number(v.Len) / 8),
  md: v.MD!,
}));
const gcmEncrypt = readVectors('gcmEncryptExtIV256-iv96-tag128.rsp');
const gcmDecrypt = readVectors('gcmDecrypt256-iv96-tag128.rsp');
const scryptVectors = readVectors('scrypt-rfc7914.txt');
const hmacVectors = readVectors('rfc-4231-sha256.txt');

describe('the vector files', () => {
  it('hold the expected number of cases', () => {
    expect(shaVectors.length).toBe(65 + 64);
    expect(gcmEncrypt.length).toBe(375);
    expect(gcmDecrypt.length).toBe(375);
    expect(gcmDecrypt.filter((v) => v.FAIL).length).toBeGreaterThan(100);
    expect(gcmEncrypt.every((v) => v.Keylen === '256' && v.IVlen === '96' && v.Taglen === '128')).toBe(true);
    expect(scryptVectors.length).toBe(4);
    expect(hmacVectors.length).toBeGreaterThanOrEqual(6);
  });
});

describe.each(BACKENDS.map((b) => [b.name, b] as const))('%s backend', (_name, backend) => {
  it('computes every NIST SHA-256 ShortMsg and LongMsg digest', async () => {
    for (const v of shaVectors) expect(toHex(await backend.sha256(v.msg)), `Len = ${v.bits}`).toBe(v.md);
  });

  it('matches every NIST AES-256-GCM encryption vector (96-bit IV, 128-bit tag)', async () => {
    for (const v of gcmEncrypt) {
      const sealed = await backend.seal(hex(v.Key), hex(v.IV), hex(v.PT), hex(v.AAD));
      expect(toHex(sealed), `Count = ${v.Count}, PTlen ${v.PTlen}, AADlen ${v.AADlen}`).toBe((v.CT ?? '') + v.Tag);
    }
  });

  it('opens every valid NIST AES-256-GCM decryption vector and rejects every FAIL one', async () => {
    for (const v of gcmDecrypt) {
      const sealed = new Uint8Array([...hex(v.CT), ...hex(v.Tag)]);
      const opened = await backend.open(hex(v.Key), hex(v.IV), sealed, hex(v.AAD));
      const what = `Count = ${v.Count}, PTlen ${v.PTlen}, AADlen ${v.AADlen}`;
      if (v.FAIL) expect(opened, what).toBeNull();
      else expect(opened && toHex(opened), what).toBe(v.PT ?? '');
    }
  });

  it('writes the result into `out` when given', async () => {
    const v = gcmEncrypt.find((e) => (e.PT ?? '').length > 0)!;
    const out = new Uint8Array(hex(v.PT).length + 16);
    const sealed = await backend.seal(hex(v.Key), hex(v.IV), hex(v.PT), hex(v.AAD), out);
    expect(sealed).toBe(out);
    expect(toHex(out)).toBe(v.CT! + v.Tag);
    const plain = new Uint8Array(out.length - 16);
    expect(await backend.open(hex(v.Key), hex(v.IV), out, hex(v.AAD), plain)).toBe(plain);
    expect(toHex(plain)).toBe(v.PT);
  });

  it('derives the RFC 7914 scrypt vectors (first 32 bytes: scrypt output is a PBKDF2 stream)', async () => {
    // Vector 3 (N = 2^20, 1 GiB) runs on node:crypto only: pure JavaScript takes minutes.
    const cases = backend === nodeBackend ? scryptVectors : scryptVectors.slice(0, 3);
    for (const v of cases) {
      const enc = new TextEncoder();
      const cost = { N: Number(v.N), r: Number(v.r), p: Number(v.p) };
      const key = await (backend.scryptAsync ?? backend.scrypt)(enc.encode(v.PASSWORD ?? ''), enc.encode(v.SALT ?? ''), cost);
      expect(toHex(key), `COUNT = ${v.COUNT}`).toBe(v.DERIVED_KEY!.slice(0, 64));
    }
  });
});

describe('the public digest functions', () => {
  it('sha256 and sha256Sync give the NIST digests on every path', async () => {
    for (const v of shaVectors.slice(0, 80)) {
      for (const backend of BACKENDS) expect(toHex(await sha256(v.msg, { backend }))).toBe(v.md);
      for (const backend of SYNC_BACKENDS) expect(toHex(sha256Sync(v.msg, { backend }))).toBe(v.md);
      expect(toHex(await sha256(v.msg))).toBe(v.md);
      expect(toHex(sha256Sync(v.msg))).toBe(v.md);
    }
  });

  it('hashes views into larger buffers (no copy, any offset)', async () => {
    const v = shaVectors.find((s) => s.bits === 8 * 55)!;
    const big = new Uint8Array(v.msg.length + 7);
    big.set(v.msg, 3);
    const view = big.subarray(3, 3 + v.msg.length);
    for (const backend of BACKENDS) expect(toHex(await backend.sha256(view))).toBe(v.md);
    expect(toHex(sha256Sync(Buffer.from(view)))).toBe(v.md);
  });
});

describe('the key fingerprint', () => {
  it("uses an HMAC-SHA-256 that passes RFC 4231's vectors (noble and node:crypto)", () => {
    for (const v of hmacVectors) {
      const key = hex(v.Key);
      const msg = hex(v.Msg);
      expect(toHex(hmac(nobleSha256, key, msg))).toBe(v.MD);
      expect(createHmac('sha256', key).update(msg).digest('hex')).toBe(v.MD);
    }
  });

  it('is the first 8 bytes of HMAC-SHA-256(key, "tx2-pack key fingerprint v1")', () => {
    const raw = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    const expected = createHmac('sha256', raw).update('tx2-pack key fingerprint v1').digest().subarray(0, FINGERPRINT_LENGTH);
    expect(toHex(keyFingerprint(raw))).toBe(toHex(expected));
    expect(EncryptionKey.fromBytes(raw).fingerprint).toBe(toHex(expected));
    // A fixed value, so that other implementations can check theirs.
    expect(EncryptionKey.fromBytes(raw).fingerprint).toBe('faa7505a9ae11b58');
  });

  it('is computed with @noble, independent of the backend', () => {
    expect(nobleBackend.name).toBe('noble');
  });
});
