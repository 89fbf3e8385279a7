import { createHash } from 'node:crypto';
import { decodeSnapshot, isPackError, readLayout, readTrailer, SectionKind, TrailerFlags } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { addDigest, addDigestSync, decodeVerified, decodeVerifiedSync, verifyDigest, verifyDigestSync } from '../src/index.js';
import { BACKENDS, SYNC_BACKENDS } from './helpers/backends.js';
import { smallPacked, smallSnapshot } from './helpers/snapshots.js';

const sha = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('SHA-256 payload digests', () => {
  it('addDigest writes SHA-256(every byte before the trailer) into the trailer, in place', async () => {
    const bytes = smallSnapshot();
    const before = bytes.slice();
    const result = await addDigest(bytes);
    expect(result).toBe(bytes);
    const trailer = readTrailer(bytes);
    expect(trailer.flags & TrailerFlags.PayloadDigest).toBe(TrailerFlags.PayloadDigest);
    expect(trailer.digest).toEqual(sha(bytes.subarray(0, bytes.length - 64)));
    // Only the trailer changed, and the snapshot still decodes.
    expect(bytes.subarray(0, bytes.length - 64)).toEqual(before.subarray(0, before.length - 64));
    expect(decodeSnapshot(bytes)).toEqual(decodeSnapshot(before));
  });

  it('is byte-identical on every backend, sync and async', async () => {
    const reference = addDigestSync(smallSnapshot());
    for (const backend of BACKENDS) expect(await addDigest(smallSnapshot(), { backend })).toEqual(reference);
    for (const backend of SYNC_BACKENDS) expect(addDigestSync(smallSnapshot(), { backend })).toEqual(reference);
  });

  it('verifyDigest: true when it matches, false when absent, ChecksumMismatch when it differs', async () => {
    const plain = smallSnapshot();
    expect(await verifyDigest(plain)).toBe(false);
    expect(verifyDigestSync(plain)).toBe(false);
    const error = await rejection(verifyDigest(plain, { required: true }));
    expect(isPackError(error, 'ChecksumMismatch')).toBe(true);
    expect((error as Error).message).toMatch(/no SHA-256 digest/);
    const withDigest = addDigestSync(smallSnapshot());
    for (const backend of BACKENDS) expect(await verifyDigest(withDigest, { backend })).toBe(true);
    for (const backend of SYNC_BACKENDS) expect(verifyDigestSync(withDigest, { backend })).toBe(true);
  });

  it('detects every single-byte change before the trailer', async () => {
    const bytes = addDigestSync(smallSnapshot(3, { checksums: false }));
    for (let i = 0; i < bytes.length - 64; i++) {
      bytes[i]! ^= 0x20;
      let error: unknown;
      try {
        verifyDigestSync(bytes);
      } catch (e) {
        error = e;
      }
      bytes[i]! ^= 0x20;
      expect(isPackError(error), `byte ${i}`).toBe(true);
    }
  });

  it('decodeVerified checks the digest, then decodes', async () => {
    const bytes = addDigestSync(smallSnapshot(4, { checksums: false }));
    expect(await decodeVerified(bytes)).toEqual(decodeSnapshot(bytes));
    expect(decodeVerifiedSync(bytes, { components: ['Health'] }).components.map((c) => c.id)).toEqual(['Health']);
    // A change the format's own checks miss (no payload CRCs): a column value.
    const changed = bytes.slice();
    const column = readLayout(bytes).sections.find((s) => s.descriptor.kind === SectionKind.Column)!;
    changed[column.offset + 64]! ^= 1;
    expect(() => decodeSnapshot(changed)).not.toThrow();
    expect(isPackError(await rejection(decodeVerified(changed)), 'ChecksumMismatch')).toBe(true);
    expect(() => decodeVerifiedSync(changed)).toThrow(/SHA-256 digest of the snapshot does not match/);
    expect(isPackError(await rejection(decodeVerified(smallSnapshot(), { required: true })), 'ChecksumMismatch')).toBe(true);
    expect(await decodeVerified(smallSnapshot())).toEqual(decodeSnapshot(smallSnapshot()));
  });

  it('refuses what is not a snapshot', async () => {
    expect(isPackError(await rejection(addDigest(new Uint8Array(5))), 'InvalidFormat')).toBe(true);
    expect(isPackError(await rejection(addDigest('x' as never)), 'InvalidInput')).toBe(true);
    expect(() => addDigestSync(smallSnapshot().subarray(0, 300))).toThrow(/trailer/);
    expect(smallPacked().entities.length).toBe(5);
  });
});
