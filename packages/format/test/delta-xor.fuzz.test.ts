// Corruption fuzzing of temporal (XOR) field changes: every prefix and every flipped byte of
// a delta container holding them is a PackError or (checksums off, when the flip does not
// change what the delta means) the exact target; malformed descriptions and in-memory deltas
// that misuse "xor" are InvalidFormat, never a raw error or a wrong snapshot.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeContainer } from '../src/decode.js';
import { encodeContainer } from '../src/encode.js';
import { ContainerKind } from '../src/layout.js';
import {
  applyDelta,
  type Column,
  createPackedSnapshot,
  decodeDelta,
  diff,
  encodeDelta,
  isPackError,
  type PackedSnapshot,
  type SnapshotDelta,
  snapshotsEqual,
} from '../src/index.js';

const SEED = 0x15_0003;

/** A small moving world: Body.x/y (f32) and Body.t (f64) all move, Body.n (u16) moves, entity 9 leaves and 31 joins. */
function pair(): { a: PackedSnapshot; b: PackedSnapshot } {
  const ids = Array.from({ length: 24 }, (_, i) => i + 1);
  const make = (list: number[], shift: number) =>
    createPackedSnapshot({
      entities: list,
      timestamp: 1000 + shift,
      components: [
        {
          id: 'Body',
          entityIds: Uint32Array.from(list),
          fields: {
            x: Float32Array.from(list, (i) => i * 3.25 + shift / 60),
            y: Float32Array.from(list, (i) => -i * 0.5 - shift / 30),
            t: Float64Array.from(list, (i) => i / 7 + shift * 1e-9),
            n: Uint16Array.from(list, (i) => i * 100 + shift),
          },
        },
        { id: 'Name', entityIds: Uint32Array.from(list), fields: { s: list.map((i) => `e${i}`) } },
      ],
    });
  return { a: make(ids, 0), b: make([...ids.filter((i) => i !== 9), 31], 1) };
}

const { a, b } = pair();
const delta = diff(a, b, { xor: 'always' });
const bytes = encodeDelta(delta);

/** Decodes and applies; 'ok' when it rebuilt the target, the error code of a PackError; anything else fails the test. */
function attempt(input: Uint8Array, verifyChecksums: boolean, verify = true): string {
  try {
    const rebuilt = applyDelta(a, decodeDelta(input, { verifyChecksums }), { verify });
    if (verify) expect(snapshotsEqual(rebuilt, b)).toBe(true);
    return 'ok';
  } catch (error) {
    if (isPackError(error)) return error.code;
    throw error;
  }
}

describe('corrupt containers of temporal deltas', () => {
  it('the intact container holds XOR field changes and applies', () => {
    const body = decodeDelta(bytes).components[0]!;
    expect(body.change === 'patched' && body.fields.filter((f) => f.xor === true).map((f) => f.name)).toEqual(['x', 'y', 't', 'n']);
    expect(attempt(bytes, true)).toBe('ok');
  });

  it('every prefix is a PackError', () => {
    for (let n = 0; n < bytes.length; n++) expect(attempt(bytes.slice(0, n), true)).not.toBe('ok');
  });

  it('with checksums, flipping any byte is detected', () => {
    for (let i = 0; i < bytes.length; i++) {
      const copy = bytes.slice();
      copy[i]! ^= 0x5a;
      expect(attempt(copy, true), `byte ${i}`).not.toBe('ok');
    }
  });

  it('without checksums, random byte edits give a PackError or the exact target (hashes checked), and only PackErrors unchecked', () => {
    const plain = encodeDelta(delta, { checksums: false });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
        const copy = plain.slice();
        for (const [at, x] of edits) copy[at % copy.length]! ^= x;
        attempt(copy, false);
        attempt(copy, false, false);
      }),
      { numRuns: 1500, seed: SEED },
    );
  });
});

describe('malformed temporal field changes are InvalidFormat', () => {
  /** The delta container with its description edited by `edit`. */
  function withDescription(edit: (description: Record<string, unknown>) => void): Uint8Array {
    const carrier = decodeContainer(bytes, { copy: true }, ContainerKind.Delta);
    edit(carrier.metadata);
    return encodeContainer(carrier, {}, ContainerKind.Delta);
  }
  const fieldsOf = (d: Record<string, unknown>) => ((d.components as unknown[][])[0]![2] as { fields: unknown[][] }).fields;

  it.each([
    ['an unknown encoding', (d: Record<string, unknown>) => (fieldsOf(d)[0]![3] = 'sub')],
    ['an encoding that is not a string', (d: Record<string, unknown>) => (fieldsOf(d)[0]![3] = 7)],
    ['a fifth element', (d: Record<string, unknown>) => fieldsOf(d)[0]!.push(true)],
    ['"xor" in a description of version 1', (d: Record<string, unknown>) => (d.delta = 1)],
  ])('decoding refuses %s', (_, edit) => {
    expect(() => decodeDelta(withDescription(edit))).toThrowError(expect.objectContaining({ code: 'InvalidFormat' }));
  });

  it('a description of version 4 is VersionMismatch', () => {
    expect(() => decodeDelta(withDescription((d) => (d.delta = 4)))).toThrowError(expect.objectContaining({ code: 'VersionMismatch' }));
  });

  it('applying refuses "xor" over listed rows (decoded from [name, k, false, "xor"])', () => {
    const decoded = decodeDelta(withDescription((d) => (fieldsOf(d)[0]![2] = false)));
    expect(() => applyDelta(a, decoded, { verify: false })).toThrowError(expect.objectContaining({ code: 'InvalidFormat' }));
  });

  /** The in-memory delta with its first field change of Body edited. */
  function edited(edit: (field: SnapshotDelta['components'][number] & { change: 'patched' }) => void): SnapshotDelta {
    const copy = diff(a, b, { xor: 'always' });
    edit(copy.components[0] as SnapshotDelta['components'][number] & { change: 'patched' });
    return copy;
  }

  it.each([
    [
      'xor on a string field',
      () => diff(a, b, { xor: 'always', wholeFieldRatio: 0 }),
      (d: SnapshotDelta) => {
        const name = d.components[1]!;
        if (name.change !== 'patched') throw new Error('Name should be patched');
        name.fields = [{ name: 's', type: 'string', values: (b.components[1] as { fields: Column[] }).fields[0]!.values, xor: true }];
      },
    ],
    [
      'xor that is not true',
      () => diff(a, b, { xor: 'always' }),
      (d: SnapshotDelta) => {
        const body = d.components[0]!;
        if (body.change === 'patched') (body.fields[0] as { xor: unknown }).xor = 1;
      },
    ],
    [
      'xor values of another length',
      () => diff(a, b, { xor: 'always' }),
      (d: SnapshotDelta) => {
        const body = d.components[0]!;
        if (body.change === 'patched') body.fields[0]!.values = new Float32Array(3);
      },
    ],
    [
      'xor values of another type',
      () => diff(a, b, { xor: 'always' }),
      (d: SnapshotDelta) => {
        const body = d.components[0]!;
        if (body.change === 'patched') body.fields[0]!.values = new Float64Array(24);
      },
    ],
  ])('applying an in-memory delta with %s is InvalidFormat', (_, make, edit) => {
    const d = make();
    edit(d);
    expect(() => applyDelta(a, d, { verify: false })).toThrowError(expect.objectContaining({ code: 'InvalidFormat' }));
    expect(() => applyDelta(a, d)).toThrowError(expect.objectContaining({ code: 'InvalidFormat' }));
  });

  it('xor over explicit rows in memory is InvalidFormat', () => {
    const d = edited((body) => {
      body.fields[0]!.rows = Uint32Array.from({ length: 24 }, (_, i) => i);
    });
    expect(() => applyDelta(a, d, { verify: false })).toThrowError(expect.objectContaining({ code: 'InvalidFormat' }));
  });
});
