// Entity list values (docs/format.md 4.1, refs kind 1): k ids as 4k bytes, each a u32 little-endian.

/** The ids of an entity-list value. */
export function decodeEntityIds(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.length / 4 }, (_, i) => view.getUint32(4 * i, true));
}
