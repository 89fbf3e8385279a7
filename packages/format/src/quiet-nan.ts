// V8 sets the quiet bit of a signalling NaN whenever optimised code (or a store into an array
// of doubles) handles it, so the bits of such a NaN held in a JavaScript number depend on the
// JIT's state and on the history of the allocation site. Writers set the quiet bit themselves
// (docs/format.md 8), so the bytes written for a number, and so content hashes, never do.

const scratch = new DataView(new ArrayBuffer(8));

/** `n` itself, or for a NaN the NaN of the same sign and payload with the quiet bit set (docs/format.md 8). */
export function quietNaN(n: number): number {
  if (!Number.isNaN(n)) return n;
  scratch.setFloat64(0, n);
  // Big-endian: the quiet bit (the top bit of the fraction) is bit 3 of byte 1.
  scratch.setUint8(1, scratch.getUint8(1) | 0x08);
  return scratch.getFloat64(0);
}
