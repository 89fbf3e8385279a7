import { describe, expect, it } from 'vitest';
import { bytesEqual } from '@tx2/pack-format';
import type { StorageBackend } from '../src/index.js';

/** The behaviour every StorageBackend must have; run once per backend. */
export function backendSuite(name: string, make: () => Promise<StorageBackend>): void {
  describe(`StorageBackend: ${name}`, () => {
    it('put then get returns the same bytes, and get of a missing key is undefined', async () => {
      const b = await make();
      expect(await b.get('a.bin')).toBeUndefined();
      await b.put('a.bin', new Uint8Array([1, 2, 3]));
      expect(Array.from((await b.get('a.bin'))!)).toEqual([1, 2, 3]);
      expect(await b.has('a.bin')).toBe(true);
      expect(await b.has('b.bin')).toBe(false);
    });

    it('put replaces the whole value', async () => {
      const b = await make();
      await b.put('k', new Uint8Array(1000).fill(7));
      await b.put('k', new Uint8Array([9]));
      expect(Array.from((await b.get('k'))!)).toEqual([9]);
    });

    it('stores a copy: later changes to the input do not leak in', async () => {
      const b = await make();
      const bytes = new Uint8Array([1, 2]);
      await b.put('k', bytes);
      bytes[0] = 99;
      expect((await b.get('k'))![0]).toBe(1);
    });

    it('handles empty and large values', async () => {
      const b = await make();
      await b.put('empty', new Uint8Array(0));
      expect((await b.get('empty'))!.length).toBe(0);
      const big = new Uint8Array(3 << 20);
      for (let i = 0; i < big.length; i += 4093) big[i] = i & 255;
      await b.put('big', big);
      expect(bytesEqual((await b.get('big'))!, big)).toBe(true);
    });

    it('list shows every key once, delete removes', async () => {
      const b = await make();
      await b.put('x', new Uint8Array([1]));
      await b.put('y', new Uint8Array([2]));
      await b.put('x', new Uint8Array([3]));
      expect((await b.list()).sort()).toEqual(['x', 'y']);
      expect(await b.delete('x')).toBe(true);
      expect(await b.delete('x')).toBe(false);
      expect(await b.list()).toEqual(['y']);
      expect(await b.get('x')).toBeUndefined();
    });

    it('readRange and size read parts of a value', async () => {
      const b = await make();
      await b.put('r', new Uint8Array([0, 1, 2, 3, 4, 5]));
      expect(await b.size?.('r')).toBe(6);
      expect(await b.size?.('missing')).toBeUndefined();
      if (b.readRange) {
        expect(Array.from((await b.readRange('r', 2, 3))!)).toEqual([2, 3, 4]);
        expect(Array.from((await b.readRange('r', 4, 10))!)).toEqual([4, 5]);
        expect(await b.readRange('missing', 0, 1)).toBeUndefined();
      }
    });

    it('the lock is exclusive, waits for release, and times out with PackError Io', async () => {
      const b = await make();
      const order: string[] = [];
      const release = await b.lock(1000);
      const second = b.lock(2000).then(async (r) => {
        order.push('second');
        await r();
      });
      await new Promise((resolve) => setTimeout(resolve, 30));
      order.push('first-release');
      await release();
      await second;
      expect(order).toEqual(['first-release', 'second']);
      const held = await b.lock(1000);
      await expect(b.lock(50)).rejects.toMatchObject({ name: 'PackError', code: 'Io' });
      await held();
      const again = await b.lock(1000);
      await again();
    });

    it('putStream stores the concatenated pieces', async () => {
      const b = await make();
      if (!b.putStream) return;
      async function* pieces(): AsyncGenerator<Uint8Array> {
        yield new Uint8Array([1, 2]);
        yield new Uint8Array(0);
        yield new Uint8Array([3]);
      }
      await b.putStream('s', pieces());
      expect(Array.from((await b.get('s'))!)).toEqual([1, 2, 3]);
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield new Uint8Array([9]);
        throw new Error('source failed');
      }
      await expect(b.putStream('s', failing())).rejects.toThrow();
      expect(Array.from((await b.get('s'))!)).toEqual([1, 2, 3]);
    });

    it('concurrent puts of one key leave one complete value', async () => {
      const b = await make();
      const values = Array.from({ length: 8 }, (_, i) => new Uint8Array(10000).fill(i + 1));
      await Promise.all(values.map((v) => b.put('race', v)));
      const got = (await b.get('race'))!;
      expect(got.length).toBe(10000);
      expect(got.every((v) => v === got[0])).toBe(true);
    });
  });
}
