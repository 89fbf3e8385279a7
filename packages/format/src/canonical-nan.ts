// JavaScript engines do not keep the bits of a NaN held in a number: V8 sets the quiet bit of a
// signalling NaN once optimised code or an array of doubles handles it, and newer V8 (Chromium
// 156) stores every NaN in an object field as the one NaN 7FF8 0000 0000 0000. So writers write
// every NaN they take from a number as that NaN (docs/format.md 8, "NaN bits"): the bytes written,
// and content hashes, then depend neither on the engine nor on its state.

/** `n` itself, or for any NaN JavaScript's own NaN, written as 7FF8 0000 0000 0000 (docs/format.md 8). */
export function canonicalNaN(n: number): number {
  return Number.isNaN(n) ? Number.NaN : n;
}
