// The committed vectors (test/vectors/**), checked in a real browser: the files are fetched from
// the test server as a web page would fetch a save, then decoded, hashed and re-encoded there. The
// Node suites (vectors.test.ts, spec-vectors.test.ts) check the same files and also rebuild them.
import { describe, expect, it } from 'vitest';
import { applyDelta, decodeDelta, decodeSnapshot, encodeSnapshot, hashHex, sha256, snapshotHash, toHex, toWorldSnapshot } from '../src/index.js';
import { type Json, toJsonable } from './helpers/jsonable.js';
import { packErrorOfSync } from '../../../test-support/pack-errors.js';

// Vite's `import.meta.glob` (the package's typecheck does not load vite's client types).
declare global {
  interface ImportMeta {
    glob<T>(pattern: string, options: { query: string; import: string; eager: true }): Record<string, T>;
  }
}

const files = import.meta.glob<string>('./vectors/**/*.tx2pack', { query: '?url', import: 'default', eager: true });
// Fetched and parsed like the binaries: some expected files hold keys (such as __proto__) that a JSON
// module import would not keep.
const expectedFiles = import.meta.glob<string>('./vectors/**/*.expected.json', { query: '?url', import: 'default', eager: true });

const bytesOf = async (path: string): Promise<Uint8Array> => {
  const url = files[path];
  if (url === undefined) throw new Error(`no vector file ${path}`);
  return new Uint8Array(await (await fetch(url)).arrayBuffer());
};

/** The PackError code `run` throws. */
const codeOf = (run: () => unknown): string => packErrorOfSync(run).code;

const expectations: Record<string, Record<string, Json>> = Object.fromEntries(
  await Promise.all(Object.entries(expectedFiles).map(async ([path, url]) => [path, JSON.parse(await (await fetch(url)).text()) as Record<string, Json>] as const)),
);
const cases = Object.keys(expectations)
  .map((path) => ({ path, file: path.replace(/\.expected\.json$/, '.tx2pack'), expected: expectations[path]! }))
  // The step-delta vector records a delta summary, checked by the Node suite only.
  .filter((c) => c.expected.packed !== undefined || c.expected.refused !== undefined || c.expected.targetHash !== undefined);

describe('committed vectors in the browser', () => {
  it('finds every vector the Node suites check', () => {
    expect(cases.length).toBeGreaterThanOrEqual(28);
  });

  it.each(cases.map((c) => [c.path.replace('./vectors/', ''), c] as const))('%s', async (_name, { path, file, expected }) => {
    const bytes = await bytesOf(file);
    if (typeof expected.sha256 === 'string') expect(toHex(sha256(bytes))).toBe(expected.sha256);
    if (typeof expected.byteLength === 'number') expect(bytes.length).toBe(expected.byteLength);
    const dir = path.slice(0, path.lastIndexOf('/') + 1);
    if (typeof expected.refused === 'string') {
      if (typeof expected.base === 'string') {
        const base = decodeSnapshot(await bytesOf(`${dir}${expected.base}.tx2pack`));
        const delta = decodeDelta(bytes);
        expect(codeOf(() => applyDelta(base, delta))).toBe(expected.refused);
      } else {
        expect(codeOf(() => decodeSnapshot(bytes))).toBe(expected.refused);
      }
      return;
    }
    if (typeof expected.targetHash === 'string') {
      const base = decodeSnapshot(await bytesOf(`${dir}${String(expected.base)}.tx2pack`));
      expect(hashHex(snapshotHash(base))).toBe(expected.baseHash);
      // A predicted delta (delta-lin) is applied with its reference snapshot.
      const reference = typeof expected.reference === 'string' ? decodeSnapshot(await bytesOf(`${dir}${expected.reference}.tx2pack`)) : undefined;
      const target = applyDelta(base, decodeDelta(bytes), reference === undefined ? {} : { reference });
      expect(hashHex(snapshotHash(target))).toBe(expected.targetHash);
      return;
    }
    const packed = decodeSnapshot(bytes);
    expect(toJsonable(packed)).toStrictEqual(expected.packed);
    expect(toJsonable(toWorldSnapshot(packed))).toStrictEqual(expected.world);
    if (typeof expected.snapshotHash === 'string') {
      expect(hashHex(snapshotHash(packed))).toBe(expected.snapshotHash);
      expect(toHex(encodeSnapshot(packed, { checksums: false })) === toHex(bytes)).toBe(expected.canonical);
    } else {
      // The older vectors are written with checksums: re-encoding reproduces them exactly.
      expect(toHex(encodeSnapshot(packed))).toBe(toHex(bytes));
    }
  });
});
