// Corruption fuzzing of predicted ("lin") field changes: every prefix and every flipped byte
// of a delta container holding them is a PackError or (checksums off, when the flip does not
// change what the delta means) the exact target; malformed descriptions (reference without
// "lin", "lin" without reference, bad scale, "lin" where it is not allowed) are InvalidFormat,
// never a raw error or a wrong snapshot.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeContainer } from '../src/decode.js';
import { encodeContainer } from '../src/encode.js';
import { ContainerKind } from '../src/layout.js';
import { applyDelta, createPackedSnapshot, decodeDelta, diff, encodeDelta, isPackError, type PackedSnapshot, snapshotsEqual } from '../src/index.js';

const SEED = 0x15_0004;

/** Three ticks of a small moving world: Body.x/y (f32) and Body.t (f64) move at constant rates, Body.n (u16) jumps; Name is unchanged. */
function ticks(): PackedSnapshot[] {
  const ids = Array.from({ length: 24 }, (_, i) => i + 1);
  const make = (tick: number) =>
    createPackedSnapshot({
      entities: ids,
      timestamp: 1000 + tick,
      components: [
        {
          id: 'Body',
          entityIds: Uint32Array.from(ids),
          fields: {
            x: Float32Array.from(ids, (i) => i * 3.25 + (tick * i) / 60),
            y: Float32Array.from(ids, (i) => -i * 0.5 - tick / 30),
            t: Float64Array.from(ids, (i) => i / 7 + tick * 1e-3 * i),
            n: Uint16Array.from(ids, (i) => i * 100 + tick * 7),
          },
        },
        { id: 'Name', entityIds: Uint32Array.from(ids), fields: { s: ids.map((i) => `e${i}`) } },
      ],
    });
  return [make(0), make(1), make(5)];
}

const [r, a, b] = ticks() as [PackedSnapshot, PackedSnapshot, PackedSnapshot];
const delta = diff(a, b, { reference: { snapshot: r, scale: 4 }, predict: 'always' });
const bytes = encodeDelta(delta);

/** Decodes and applies with the reference; 'ok' when it rebuilt the target, the error code of a PackError; anything else fails the test. */
function attempt(input: Uint8Array, verifyChecksums: boolean, verify = true): string {
  try {
    const rebuilt = applyDelta(a, decodeDelta(input, { verifyChecksums }), { verify, reference: r });
    if (verify) expect(snapshotsEqual(rebuilt, b)).toBe(true);
    return 'ok';
  } catch (error) {
    if (isPackError(error)) return error.code;
    throw error;
  }
}

describe('corrupt containers of predicted deltas', () => {
  it('the intact container holds "lin" field changes and applies', () => {
    const decoded = decodeDelta(bytes);
    const body = decoded.components[0]!;
    expect(body.change === 'patched' && body.fields.filter((f) => f.predicted === true).map((f) => f.name)).toEqual(['x', 'y', 't']);
    expect(decoded.reference?.scale).toBe(4);
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

describe('malformed predicted field changes are InvalidFormat', () => {
  /** The delta container with its description edited by `edit`. */
  function withDescription(edit: (description: Record<string, unknown>) => void, source = bytes): Uint8Array {
    const carrier = decodeContainer(source, { copy: true }, ContainerKind.Delta);
    edit(carrier.metadata);
    return encodeContainer(carrier, {}, ContainerKind.Delta);
  }
  const patchOf = (d: Record<string, unknown>) => (d.components as unknown[][])[0]![2] as { fields: unknown[][]; rows?: unknown; added?: unknown };
  const fieldsOf = (d: Record<string, unknown>) => patchOf(d).fields;

  it.each([
    ['"lin" in a description of version 2', (d: Record<string, unknown>) => (d.delta = 2)],
    ['"lin" without a reference', (d: Record<string, unknown>) => delete d.reference],
    ['"lin" without a scale', (d: Record<string, unknown>) => delete d.scale],
    ['a scale that is NaN', (d: Record<string, unknown>) => (d.scale = Number.NaN)],
    ['a scale that is -Infinity', (d: Record<string, unknown>) => (d.scale = Number.NEGATIVE_INFINITY)],
    ['a scale that is a string', (d: Record<string, unknown>) => (d.scale = '4')],
    ['a reference of 16 bytes', (d: Record<string, unknown>) => (d.reference = new Uint8Array(16))],
    ['a reference that is not bytes', (d: Record<string, unknown>) => (d.reference = 'R')],
    [
      'a reference without "lin"',
      (d: Record<string, unknown>) => {
        for (const f of fieldsOf(d)) if (f[3] === 'lin') f.pop();
      },
    ],
    ['"lin" on a u16 field', (d: Record<string, unknown>) => fieldsOf(d)[3]!.push('lin')],
    ['"lin" over listed rows', (d: Record<string, unknown>) => (fieldsOf(d)[0]![2] = false)],
  ])('decoding refuses %s', (_, edit) => {
    expect(() => decodeDelta(withDescription(edit))).toThrowError(expect.objectContaining({ code: 'InvalidFormat' }));
  });

  it('decoding refuses "lin" in a patch with a row change or added rows', () => {
    // A delta where Body both moves and loses an entity, made predicted by hand in its description.
    const fewer = {
      ...b,
      components: b.components.map((c) =>
        c.layout === 'columns' ? { ...c, entityIds: c.entityIds.slice(1), fields: c.fields.map((f) => ({ ...f, values: (f.values as Float32Array).slice(1) })) } : c,
      ),
    };
    const rowsDelta = encodeDelta(diff(a, fewer as PackedSnapshot, { xor: 'always' }));
    const edited = withDescription((d) => {
      d.delta = 3;
      d.reference = new Uint8Array(32);
      d.scale = 1;
      const field = fieldsOf(d).find((f) => f[0] === 'x')!;
      field[3] = 'lin';
      expect(patchOf(d).rows).toBeDefined();
    }, rowsDelta);
    expect(() => decodeDelta(edited)).toThrowError(expect.objectContaining({ code: 'InvalidFormat' }));
  });

  it('a description of version 4 is VersionMismatch', () => {
    expect(() => decodeDelta(withDescription((d) => (d.delta = 4)))).toThrowError(expect.objectContaining({ code: 'VersionMismatch' }));
  });

  it('another scale or reference hash decodes, and applying it is ChecksumMismatch or DeltaBaseMismatch (never a wrong target)', () => {
    const scaled = decodeDelta(withDescription((d) => (d.scale = 3)));
    expect(() => applyDelta(a, scaled, { reference: r })).toThrowError(expect.objectContaining({ code: 'ChecksumMismatch' }));
    const renamed = decodeDelta(withDescription((d) => (d.reference = new Uint8Array(32).fill(1))));
    expect(() => applyDelta(a, renamed, { reference: r })).toThrowError(
      expect.objectContaining({ code: 'DeltaBaseMismatch', details: expect.objectContaining({ which: 'reference' }) }),
    );
    // Unverified, the hash is not looked at: the same target.
    expect(snapshotsEqual(applyDelta(a, renamed, { reference: r, verify: false }), b)).toBe(true);
  });
});
