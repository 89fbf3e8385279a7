// Pooling a container: a container its writer just made is split by its table of contents,
// any other after a check of every frame; both give the same pooled file and objects.
import { encodeSnapshot, isPackError } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { splitContainer } from '../src/section-pool.js';
import { makeWorld } from './helpers/world.js';

describe('splitContainer', () => {
  it('splits a just-written container by its table of contents exactly as by its checked layout', () => {
    for (const n of [10, 2000, 20_000]) {
      const container = encodeSnapshot(makeWorld(n, n));
      for (const minBytes of [1, 64, 4096, 1 << 20]) {
        const checked = splitContainer(container, minBytes);
        const written = splitContainer(container, minBytes, { written: true });
        expect(written).toEqual(checked);
        if (minBytes > container.length) expect(written).toBeUndefined();
      }
    }
  });

  it('a container with no section to pool is stored whole, and a damaged one with one is still refused', () => {
    const small = encodeSnapshot(makeWorld(10, 1));
    expect(splitContainer(small, 4096)).toBeUndefined();
    const large = encodeSnapshot(makeWorld(20_000, 2));
    expect(splitContainer(large, 4096)).toBeDefined();
    // A frame's descriptor changed (its table of contents entry no longer matches it).
    const damaged = large.slice();
    damaged[128 + 1] = (damaged[128 + 1] ?? 0) ^ 0xff;
    let error: unknown;
    try {
      splitContainer(damaged, 4096);
    } catch (e) {
      error = e;
    }
    expect(isPackError(error)).toBe(true);
  });
});
