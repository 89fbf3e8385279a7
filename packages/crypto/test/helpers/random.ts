// A seeded random source, so that nonces and file ids repeat from run to run and every backend
// can be fed the same ones. Tests only: real encryption needs crypto.getRandomValues.
import type { RandomSource } from '../../src/index.js';

/** A deterministic RandomSource (mulberry32) seeded with `seed`. */
export function seededRandom(seed: number): RandomSource {
  let a = seed | 0;
  return (out) => {
    for (let i = 0; i < out.length; i++) {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      out[i] = (t ^ (t >>> 14)) >>> 24;
    }
  };
}
