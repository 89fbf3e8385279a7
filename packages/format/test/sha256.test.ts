// Both builds' SHA-256, one-shot and incremental, agree with the standard test vectors and
// with each other however the input is cut into pieces.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSha256, sha256, toHex } from '../src/index.js';
import { createSha256 as browserCreate, sha256 as browserSha256, preparePlatform as prepareBrowser, wasmHashing } from '../src/platform.browser.js';
import { createSha256 as nodeCreate, sha256 as nodeSha256 } from '../src/platform.node.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('sha256', () => {
  it.each([
    ['node', nodeSha256, nodeCreate],
    ['browser', browserSha256, browserCreate],
  ] as const)('%s: FIPS 180-2 vectors, one-shot and incremental', (_, oneShot, create) => {
    expect(toHex(oneShot(text('abc')))).toBe(ABC);
    expect(toHex(oneShot(new Uint8Array(0)))).toBe(EMPTY);
    const hasher = create();
    hasher.update(text('a'));
    hasher.update(new Uint8Array(0));
    hasher.update(text('bc'));
    expect(toHex(hasher.digest())).toBe(ABC);
    expect(toHex(create().digest())).toBe(EMPTY);
  });

  it('the package exports the platform build', () => {
    expect(createSha256).toBe(nodeCreate);
    expect(sha256).toBe(nodeSha256);
  });

  it('incremental equals one-shot for any cut of the input, in both builds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300), { maxLength: 5 }), (bytes, cuts) => {
        const points = [0, ...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length];
        const node = nodeCreate();
        const browser = browserCreate();
        for (let i = 1; i < points.length; i++) {
          node.update(bytes.subarray(points[i - 1], points[i]));
          browser.update(bytes.subarray(points[i - 1], points[i]));
        }
        const expected = toHex(nodeSha256(bytes));
        expect(toHex(node.digest())).toBe(expected);
        expect(toHex(browser.digest())).toBe(expected);
      }),
      { seed: 1313, numRuns: 200 },
    );
  });

  it('browser build with WebAssembly: incremental hashes sharing the one hasher, interleaved with one-shot hashes, stay right', async () => {
    await prepareBrowser();
    expect(wasmHashing()).toBe(true);
    const a = browserCreate();
    const b = browserCreate();
    const x = new Uint8Array(5000).map((_, i) => (i * 7) & 255);
    const y = new Uint8Array(3000).map((_, i) => (i * 13 + 1) & 255);
    a.update(x.subarray(0, 1000));
    b.update(y.subarray(0, 2999));
    expect(toHex(browserSha256(y))).toBe(toHex(nodeSha256(y)));
    a.update(x.subarray(1000));
    b.update(y.subarray(2999));
    expect(toHex(a.digest())).toBe(toHex(nodeSha256(x)));
    expect(toHex(b.digest())).toBe(toHex(nodeSha256(y)));
    const empty = browserCreate();
    expect(toHex(empty.digest())).toBe(EMPTY);
  });
});
