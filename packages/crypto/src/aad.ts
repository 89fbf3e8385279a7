// The associated data of every AES-256-GCM seal: the header as written, the section's ordinal and
// the descriptor fields that do not depend on the ciphertext. So a changed header byte, a moved
// section, or a section taken from another file (whose header holds another random file id)
// fails authentication. Nonces are 96 random bits per seal.

/** Header bytes bound into every seal: 0-123, everything but the header CRC. */
export const AAD_HEADER_BYTES = 124;
/** Descriptor bytes bound: 0-31 (kind, codec, filter, cipher, flags, filterParam, owner, field, rowStart, rowCount, rawLength). */
export const AAD_DESCRIPTOR_BYTES = 32;
/** Length of a section's associated data: 124 header bytes, a u32 ordinal, 32 descriptor bytes. */
export const AAD_LENGTH = AAD_HEADER_BYTES + 4 + AAD_DESCRIPTOR_BYTES;

/**
 * The associated data of the section at `ordinal` (0-based file order; the table of contents
 * has ordinal = number of other sections): header[0..124) ‖ u32le(ordinal) ‖ descriptor[0..32).
 */
export function sectionAad(header: Uint8Array, ordinal: number, descriptor: Uint8Array): Uint8Array {
  const aad = new Uint8Array(AAD_LENGTH);
  aad.set(header.subarray(0, AAD_HEADER_BYTES), 0);
  new DataView(aad.buffer).setUint32(AAD_HEADER_BYTES, ordinal >>> 0, true);
  aad.set(descriptor.subarray(0, AAD_DESCRIPTOR_BYTES), AAD_HEADER_BYTES + 4);
  return aad;
}
