// Corruption fuzzing of the manifest's attrs and resources (docs/format.md 4.1, 4.2) and of
// deltas carrying resources: every damaged file is a PackError or decodes to a snapshot that
// converts, remaps and re-encodes without anything but PackErrors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Encoder } from '@msgpack/msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDelta, decodeBlob, decodeDelta, decodeSnapshot, encodeSnapshot, isPackError, type PackedSnapshot, remapEntities, toWorldSnapshot } from '../src/index.js';
import { assemble, parse } from './helpers/container.js';
import { SPEC_DIR } from './vectors/spec/build.js';

const SEED = 4114;
const load = (name: string): Uint8Array => {
  const file = readFileSync(join(SPEC_DIR, `${name}.tx2pack`));
  const bytes = new Uint8Array(file.length);
  bytes.set(file);
  return bytes;
};

/** Runs `fn`; anything thrown must be a PackError. */
function packErrorOr<T>(fn: () => T, what: string): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (!isPackError(error)) throw new Error(`${what}: expected a PackError, got ${String((error as Error)?.stack ?? error)}`);
    return undefined;
  }
}

/** Everything a program does with a decoded snapshot, each step a PackError at worst. */
function useDecoded(packed: PackedSnapshot, what: string): void {
  packErrorOr(() => toWorldSnapshot(packed), `${what}: toWorldSnapshot`);
  const remapped = packErrorOr(() => remapEntities(packed, (id) => id + 1), `${what}: remapEntities`);
  if (remapped !== undefined) packErrorOr(() => encodeSnapshot(remapped), `${what}: encoding the remapped snapshot`);
  packErrorOr(() => encodeSnapshot(packed), `${what}: encodeSnapshot`);
}

const snapshot = load('canonical-refs-and-values');

describe('damaged files with attrs and resources', () => {
  it('every prefix is a PackError', () => {
    for (let n = 0; n < snapshot.length; n++) {
      expect(packErrorOr(() => decodeSnapshot(snapshot.slice(0, n)), `prefix ${n}`)).toBeUndefined();
    }
  });

  it('flipping any byte (checksums off) is a PackError or a snapshot that still converts and remaps', () => {
    for (let at = 0; at < snapshot.length; at++) {
      const damaged = snapshot.slice();
      damaged[at]! ^= 0xff;
      const packed = packErrorOr(() => decodeSnapshot(damaged, { verifyChecksums: false }), `flip at ${at}`);
      if (packed !== undefined) useDecoded(packed, `flip at ${at}`);
    }
  });

  it('manifests with random values in attrs and resources are a PackError or a usable snapshot (property)', () => {
    const file = parse(snapshot);
    const manifest = decodeBlob(file.sections[0]!.payload) as Record<string, unknown>;
    const encoder = new Encoder({ forceIntegerToFloat: true });
    const leaf = fc.oneof(
      fc.integer({ min: -2, max: 20 }),
      fc.constantFrom(0xffffffff, 2 ** 32, 1.5, -0, true, false, null, 'x', ''),
      fc.uint8Array({ maxLength: 9 }),
      fc.constant({}),
    );
    const value = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 5 }), fc.dictionary(fc.constantFrom('value', 'refs', 'x'), tie('v'), { maxKeys: 3 })),
    })).v;
    // A path into attrs or resources, and a value to put there.
    const edit = fc.record({ key: fc.constantFrom('attrs', 'resources'), path: fc.array(fc.nat({ max: 5 }), { minLength: 0, maxLength: 4 }), value });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const m = structuredClone(manifest);
        for (const { key, path, value: v } of edits) {
          if (path.length === 0) {
            m[key] = v;
            continue;
          }
          let at: unknown = m[key];
          for (const step of path.slice(0, -1)) at = Array.isArray(at) ? at[step % Math.max(1, at.length)] : undefined;
          if (Array.isArray(at)) at[path.at(-1)! % (at.length + 1)] = v;
          else if (typeof at === 'object' && at !== null && !(at instanceof Uint8Array)) (at as Record<string, unknown>)[['value', 'refs', 'x'][path.at(-1)! % 3]!] = v;
        }
        const damaged = { ...file, sections: file.sections.map((s, i) => (i === 0 ? { ...s, payload: encoder.encode(m) } : s)) };
        const bytes = assemble(damaged);
        const packed = packErrorOr(() => decodeSnapshot(bytes), 'edited manifest');
        if (packed !== undefined) useDecoded(packed, 'edited manifest');
      }),
      { seed: SEED, numRuns: 400 },
    );
  });
});

describe('damaged deltas carrying resources', () => {
  const delta = load('delta-resources');
  const base = decodeSnapshot(load('delta-resources.base'));

  it('flipping any byte (checksums off) is a PackError, or a delta whose application is a PackError or a usable snapshot', () => {
    for (let at = 0; at < delta.length; at++) {
      const damaged = delta.slice();
      damaged[at]! ^= 0xff;
      const decoded = packErrorOr(() => decodeDelta(damaged, { verifyChecksums: false }), `flip at ${at}`);
      if (decoded === undefined) continue;
      const rebuilt = packErrorOr(() => applyDelta(base, decoded, { verify: false }), `applying flip at ${at}`);
      if (rebuilt !== undefined) useDecoded(rebuilt, `delta flip at ${at}`);
    }
  });
});
