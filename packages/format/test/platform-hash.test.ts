// The browser build's hashing: WebAssembly (hash-wasm, after preparePlatform) and JavaScript
// (@noble/hashes, the slicing-by-8 CRC-32) give the same digests; the content hash of a snapshot
// is remembered by content only, and its async form agrees. Runs in Node and in Chromium.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, referenceWorld16 } from './helpers/fixtures.js';
import { createPackedSnapshot, hashHex, snapshotHash, snapshotHashAsync, toHex } from '../src/index.js';
import type { PackedSnapshot } from '../src/index.js';
import { crc32, preparePlatform, sha256, sha256Async, wasmHashing } from '../src/platform.browser.js';
import { jsCrc32 } from '../src/platform.crc32-js.js';

const SEED = 0x7e57;

/** `n` deterministic pseudo-random bytes. */
function bytesOf(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A world of `n` entities whose Position.x is the only thing tests change. */
function world(n: number): PackedSnapshot {
  return createPackedSnapshot({
    timestamp: 1,
    version: 'hash-test',
    entities: Uint32Array.from({ length: n }, (_, i) => i + 1),
    components: [{ id: 'Position', fields: { x: Float32Array.from({ length: n }, (_, i) => i * 0.5), y: new Float32Array(n) } }],
  });
}

/** The Position.x values of a `world`, to change in place. */
const xOf = (w: PackedSnapshot): Float32Array => (w.components[0] as unknown as { fields: { values: Float32Array }[] }).fields[0]!.values;

describe('browser build: WebAssembly and JavaScript hashing agree', () => {
  beforeAll(async () => {
    await preparePlatform();
  });

  it('preparePlatform loads the WebAssembly (so the tests below compare it), and resolves again at once', async () => {
    expect(wasmHashing()).toBe(true);
    await expect(preparePlatform()).resolves.toBeUndefined();
  });

  it('SHA-256 known answers (FIPS 180-2), below and above the WebAssembly threshold', () => {
    expect(toHex(sha256(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(sha256(new Uint8Array(1_000_000).fill(0x61)))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('SHA-256 and CRC-32 equal @noble/hashes and the JavaScript CRC-32 on every length 0..1100 and at odd offsets', () => {
    const pool = bytesOf(1100 + 8, SEED);
    for (let length = 0; length <= 1100; length += 7) {
      const bytes = pool.subarray(length % 8, (length % 8) + length);
      expect(sha256(bytes)).toEqual(nobleSha256(bytes));
      expect(crc32(bytes)).toBe(jsCrc32(bytes));
    }
  });

  it('SHA-256 and CRC-32 agree on random inputs (fast-check, fixed seed), continued CRC-32 too', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.uint8Array({ maxLength: 600 }), (a, b) => {
        expect(sha256(a)).toEqual(nobleSha256(a));
        expect(crc32(a)).toBe(jsCrc32(a));
        expect(crc32(b, crc32(a))).toBe(jsCrc32(b, jsCrc32(a)));
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('CRC-32 is unsigned and agrees on a few MB', () => {
    const big = bytesOf(3 * 1024 * 1024 + 5, SEED + 1);
    const crc = crc32(big.subarray(3));
    expect(crc >>> 0).toBe(crc);
    expect(crc).toBe(jsCrc32(big.subarray(3)));
  });

  it('sha256Async gives the same digest as sha256', async () => {
    for (const n of [0, 3, 255, 256, 70_000]) {
      const bytes = bytesOf(n, n + 1);
      expect(await sha256Async(bytes)).toEqual(nobleSha256(bytes));
    }
  });
});

describe('snapshotHash remembers digests by content', () => {
  it('a snapshot changed in place gets a new hash; changed back, its old one', () => {
    const w = world(20_000);
    const before = hashHex(snapshotHash(w));
    const x = xOf(w);
    x[12_345] = 42.5;
    const changed = hashHex(snapshotHash(w));
    expect(changed).not.toBe(before);
    expect(changed).toBe(hashHex(snapshotHash(structuredClone(w))));
    x[12_345] = 12_345 * 0.5;
    expect(hashHex(snapshotHash(w))).toBe(before);
  });

  it('the caller owns the returned digest: changing it does not change the next answer', () => {
    const w = world(1000);
    const first = snapshotHash(w);
    const keep = hashHex(first);
    first.fill(0);
    expect(hashHex(snapshotHash(w))).toBe(keep);
  });

  it('cycling through more snapshots than it keeps still gives each its own hash', () => {
    const worlds = [0, 1, 2, 3, 4].map((k) => {
      const w = world(500);
      xOf(w)[0] = k;
      return w;
    });
    const first = worlds.map((w) => hashHex(snapshotHash(w)));
    expect(new Set(first).size).toBe(5);
    for (let round = 0; round < 3; round++) for (const [i, w] of worlds.entries()) expect(hashHex(snapshotHash(w))).toBe(first[i]);
  });

  it('remember: false gives the same hash, for snapshots remembered or not, changed in place or not', () => {
    const worlds = [0, 1, 2].map((k) => {
      const w = world(2000);
      xOf(w)[0] = k;
      return w;
    });
    const remembered = worlds.map((w) => hashHex(snapshotHash(w)));
    expect(worlds.map((w) => hashHex(snapshotHash(w, { remember: false })))).toEqual(remembered);
    const w = worlds[0]!;
    xOf(w)[7] = -1;
    const changed = hashHex(snapshotHash(w, { remember: false }));
    expect(changed).not.toBe(remembered[0]);
    expect(hashHex(snapshotHash(w))).toBe(changed);
    xOf(w)[7] = 7 * 0.5;
    expect(hashHex(snapshotHash(w, { remember: false }))).toBe(remembered[0]);
    for (const [i, v] of worlds.entries()) expect(hashHex(snapshotHash(v))).toBe(remembered[i]);
  });

  it('snapshotHashAsync equals snapshotHash for every fixture, also when called concurrently', async () => {
    const all = [...Object.values(FIXTURES).map((f) => f()), referenceWorld16(), world(3000)];
    const sync = all.map((p) => hashHex(snapshotHash(p)));
    const concurrent = await Promise.all(all.map((p) => snapshotHashAsync(p)));
    expect(concurrent.map(hashHex)).toEqual(sync);
    for (const [i, p] of all.entries()) expect(hashHex(await snapshotHashAsync(p))).toBe(sync[i]);
  });
});
