import { describe, expect, it } from 'vitest';
import { bytesOf, fromHex, isBytes, getU64, isSha256Hex, PackError, setU64, toHex } from '../src/index.js';

describe('byte helpers shared by every tier', () => {
  it('bytesOf views exactly the bytes of a typed array, without copying', () => {
    const backing = new Float32Array([1, 2, 3, 4]);
    const middle = backing.subarray(1, 3);
    const bytes = bytesOf(middle);
    expect(bytes.byteOffset).toBe(4);
    expect(bytes.length).toBe(8);
    bytes.fill(0);
    expect([...backing]).toEqual([1, 0, 0, 4]);
  });

  it('isBytes accepts Uint8Arrays only', () => {
    expect(isBytes(new Uint8Array(2))).toBe(true);
    for (const other of [[1, 2], new Uint16Array(2), new Uint8ClampedArray(2), new ArrayBuffer(2), null, 'ab']) expect(isBytes(other)).toBe(false);
  });

  // Node only: another realm made with node:vm.
  it.skipIf(typeof globalThis.process === 'undefined')('isBytes accepts a Uint8Array of another realm, where instanceof fails', async () => {
    const { runInNewContext } = await import('node:vm');
    const foreign = runInNewContext('new Uint8Array(2)');
    expect(foreign instanceof Uint8Array).toBe(false);
    expect(isBytes(foreign)).toBe(true);
  });

  it('isSha256Hex accepts only 64 lowercase hex digits', () => {
    const hash = 'ab'.repeat(32);
    expect(isSha256Hex(hash)).toBe(true);
    for (const bad of [hash.toUpperCase(), hash.slice(1), `${hash}0`, `${hash.slice(2)}zz`, '', 42, null, undefined, ['a']]) {
      expect(isSha256Hex(bad)).toBe(false);
    }
  });

  it('hex and u64 helpers round-trip and refuse what they cannot represent', () => {
    expect(toHex(fromHex('00ff10'))).toBe('00ff10');
    expect(() => fromHex('abc')).toThrow(PackError);
    const view = new DataView(new ArrayBuffer(8));
    setU64(view, 0, 2 ** 53 - 1);
    expect(getU64(view, 0)).toBe(2 ** 53 - 1);
    view.setUint32(4, 0x200000, true);
    expect(() => getU64(view, 0)).toThrow(PackError);
  });
});
