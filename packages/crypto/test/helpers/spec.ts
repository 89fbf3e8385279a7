// An independent implementation of the encrypted container, written from docs/format.md
// ("Encryption and digests") with node:crypto only: it checks that the library writes what the
// document says, and lets tests forge files that a key holder could build (to show that
// authentication, not only the structure checks, rejects moved or swapped sections).
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { crc32 } from '@tx2/pack-format';

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);
const u64 = (b: Uint8Array, at: number) => u32(b, at) + u32(b, at + 4) * 2 ** 32;
const setU32 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(at, v >>> 0, true);
const setU64 = (b: Uint8Array, at: number, v: number) => {
  setU32(b, at, v % 2 ** 32);
  setU32(b, at + 4, Math.floor(v / 2 ** 32));
};
const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** A section of an encrypted file: its descriptor (64 bytes, as in the file) and its stored payload (ciphertext ‖ tag). */
export interface SpecSection {
  descriptor: Uint8Array;
  sealed: Uint8Array;
}

/** header[0..124) ‖ u32le(ordinal) ‖ descriptor[0..32), as the document defines the associated data. */
export function specAad(header: Uint8Array, ordinal: number, descriptor: Uint8Array): Uint8Array {
  const aad = new Uint8Array(160);
  aad.set(header.subarray(0, 124));
  setU32(aad, 124, ordinal);
  aad.set(descriptor.subarray(0, 32), 128);
  return aad;
}

export function specSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad);
  return new Uint8Array(Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]));
}

/** Plaintext, or null when authentication fails. */
export function specOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
  try {
    const d = createDecipheriv('aes-256-gcm', key, nonce);
    d.setAAD(aad);
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    return new Uint8Array(Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]));
  } catch {
    return null;
  }
}

/** The fingerprint of a raw key: HMAC-SHA-256(key, "tx2-pack key fingerprint v1")[0..8). */
export function specFingerprint(key: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update('tx2-pack key fingerprint v1').digest().subarray(0, 8));
}

/** Reads an encrypted file by the document: header, sections (with their plaintexts) and the TOC descriptor. */
export function specRead(file: Uint8Array, key: Uint8Array) {
  const header = file.slice(0, 128);
  const trailerAt = file.length - 64;
  const tocOffset = u64(file, trailerAt);
  const count = u32(file, trailerAt + 8);
  const tocDescriptor = file.slice(tocOffset, tocOffset + 64);
  const tocSealed = file.slice(tocOffset + 64, tocOffset + 64 + u64(tocDescriptor, 32));
  const toc = specOpen(key, tocDescriptor.subarray(44, 56), tocSealed, specAad(header, count, tocDescriptor));
  if (toc === null) throw new Error('spec: the TOC does not authenticate');
  const sections = Array.from({ length: count }, (_, i) => {
    const offset = u64(toc, i * 72);
    const descriptor = toc.slice(i * 72 + 8, i * 72 + 72);
    const sealed = file.slice(offset + 64, offset + 64 + u64(descriptor, 32));
    const plaintext = specOpen(key, descriptor.subarray(44, 56), sealed, specAad(header, i, descriptor));
    return { offset, descriptor, sealed, plaintext };
  });
  return { header, tocDescriptor, sections, trailerFlags: u32(file, trailerAt + 12), digest: file.slice(trailerAt + 16, trailerAt + 48) };
}

/**
 * Builds an encrypted file from a header (its CRC is recomputed), sections as given (their
 * descriptors' storedLength and CRCs are fixed up, payloads kept), and a TOC sealed with `key`.
 */
export function specWrite(header: Uint8Array, sections: SpecSection[], tocDescriptor: Uint8Array, key: Uint8Array, tocNonce: Uint8Array): Uint8Array {
  const offsets: number[] = [];
  let at = 128;
  for (const s of sections) {
    offsets.push(at);
    at = align8(at + 64 + s.sealed.length);
  }
  const tocOffset = at;
  const tocRaw = sections.length * 72;
  const total = align8(tocOffset + 64 + tocRaw + 16) + 64;
  const out = new Uint8Array(total);
  out.set(header.subarray(0, 128));
  setU32(out, 124, crc32(out.subarray(0, 124)));
  const toc = new Uint8Array(tocRaw);
  sections.forEach((s, i) => {
    const d = s.descriptor.slice(0, 64);
    setU64(d, 32, s.sealed.length);
    if (d[5]! & 1) setU32(d, 40, crc32(s.sealed));
    setU32(d, 60, crc32(d.subarray(0, 60)));
    out.set(d, offsets[i]!);
    out.set(s.sealed, offsets[i]! + 64);
    setU64(toc, i * 72, offsets[i]!);
    toc.set(d, i * 72 + 8);
  });
  const td = tocDescriptor.slice(0, 64);
  setU32(td, 20, sections.length);
  setU64(td, 24, tocRaw);
  setU64(td, 32, tocRaw + 16);
  td.set(tocNonce, 44);
  const sealedToc = specSeal(key, tocNonce, toc, specAad(out, sections.length, td));
  if (td[5]! & 1) setU32(td, 40, crc32(sealedToc));
  setU32(td, 60, crc32(td.subarray(0, 60)));
  out.set(td, tocOffset);
  out.set(sealedToc, tocOffset + 64);
  const t = total - 64;
  setU64(out, t, tocOffset);
  setU32(out, t + 8, sections.length);
  setU32(out, t + 52, crc32(out.subarray(t, t + 52)));
  out.set([0x54, 0x58, 0x32, 0x50, 0x45, 0x4e, 0x44, 0x00], t + 56);
  return out;
}
