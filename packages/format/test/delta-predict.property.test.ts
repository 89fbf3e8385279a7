// Predicted temporal deltas (docs/format.md §13.3–13.4, the "lin" encoding): over random
// worlds that move (x_{k+1} = fround(x_k + v)) or jump, with NaN payloads, -0, subnormals and
// infinities in the reference, the base and the target, and with references that do or do
// not match (other entities, other order, no such component), diff with a reference then
// applyDelta / invertDelta rebuild each side bit for bit, in memory and through the container.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDelta, type Column, decodeDelta, diff, encodeDelta, invertDelta, type PackedSnapshot, snapshotHash, snapshotsEqual, type SnapshotDelta } from '../src/index.js';

const SEED = 0x15_0003;
const RUNS = 150;

const SPECIAL32 = [0x7fc00001, 0xffc00abc, 0x7f800001, 0x80000000, 0, 1, 0x807fffff, 0x7f800000, 0xff800000, 0x7f7fffff, 0xff7fffff];
const SPECIAL64 = [0x7ff8000000000001n, 0xfff00000000abcden, 0x8000000000000000n, 0n, 1n, 0x800fffffffffffffn, 0x7ff0000000000000n, 0xfff0000000000000n, 0x7fefffffffffffffn];

/** A world's three states (reference, base, target) of one component, and whether the reference matches its rows. */
interface Case {
  reference: PackedSnapshot;
  base: PackedSnapshot;
  next: PackedSnapshot;
  scale: number;
}

/** Overwrites the bits of a few rows of a float column with special values (NaN payloads, ±0, subnormals, ±∞). */
function special(values: Float32Array | Float64Array, picks: number[]): void {
  if (values.length === 0) return;
  for (const pick of picks) {
    const row = (pick >>> 4) % values.length;
    if (values instanceof Float32Array) new Uint32Array(values.buffer)[row] = SPECIAL32[pick % SPECIAL32.length]!;
    else new BigUint64Array(values.buffer)[row] = SPECIAL64[pick % SPECIAL64.length]!;
  }
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    n: fc.integer({ min: 1, max: 120 }),
    seed: fc.nat(),
    moving: fc.boolean(),
    d: fc.integer({ min: 1, max: 40 }),
    fractionalScale: fc.boolean(),
    picks: fc.array(fc.array(fc.nat(), { maxLength: 5 }), { minLength: 6, maxLength: 6 }),
    // 0: the reference matches; 1: other entity order; 2: an entity fewer; 3: no such component; 4: x is f64 in the reference.
    mismatch: fc.constantFrom(0, 0, 0, 1, 2, 3, 4),
    // Rows of the base that the target loses (a row change: nothing may be predicted there).
    leave: fc.array(fc.nat(), { maxLength: 2 }),
  })
  .map(({ n, seed, moving, d, fractionalScale, picks, mismatch, leave }): Case => {
    let s = seed | 1;
    const rand = () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 2 ** 32;
    };
    const ids = Uint32Array.from({ length: n }, (_, i) => 2 * i + 1);
    const x0 = Float32Array.from({ length: n }, () => (rand() - 0.5) * 2000);
    const vx = Float32Array.from({ length: n }, () => Math.fround((rand() - 0.5) * 10));
    const y0 = Float64Array.from({ length: n }, () => (rand() - 0.5) * 1e6);
    const vy = Float64Array.from({ length: n }, () => (rand() - 0.5) * 3);
    const step = (x: Float32Array, y: Float64Array, ticks: number): [Float32Array, Float64Array] => {
      if (!moving) return [x.map(() => (rand() - 0.5) * 2000), y.map(() => (rand() - 0.5) * 1e6)];
      const nx = x.slice();
      const ny = y.slice();
      for (let t = 0; t < ticks; t++) {
        for (let i = 0; i < n; i++) {
          nx[i] = Math.fround(nx[i]! + vx[i]!);
          ny[i] = ny[i]! + vy[i]!;
        }
      }
      return [nx, ny];
    };
    const [x1, y1] = step(x0, y0, 1);
    const [x2, y2] = step(x1, y1, d);
    for (const [k, x] of [x0, x1, x2].entries()) special(x, picks[k]!);
    for (const [k, y] of [y0, y1, y2].entries()) special(y, picks[k + 3]!);
    const hp = (k: number) => Int32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 100 - k : 100));
    const body = (rows: Uint32Array, x: Float32Array | Float64Array, y: Float64Array, h: Int32Array) => ({
      id: 'Body',
      layout: 'columns' as const,
      entityIds: rows,
      fields: [
        { name: 'x', type: x instanceof Float32Array ? 'f32' : 'f64', values: x } as Column,
        { name: 'y', type: 'f64', values: y } as Column,
        { name: 'hp', type: 'i32', values: h } as Column,
      ],
    });
    const world = (t: number, components: PackedSnapshot['components']): PackedSnapshot => ({
      timestamp: t,
      worldTime: t,
      version: 'lin',
      schemaVersion: 1,
      metadata: {},
      entities: Uint32Array.from({ length: 2 * n + 2 }, (_, i) => i),
      components,
    });
    let refRows = ids;
    let rx: Float32Array | Float64Array = x0;
    let ry = y0;
    if (mismatch === 1 && n > 1) {
      refRows = ids.slice().reverse();
      rx = x0.slice().reverse();
      ry = y0.slice().reverse();
    } else if (mismatch === 2) {
      refRows = ids.slice(1);
      rx = x0.slice(1);
      ry = y0.slice(1);
    } else if (mismatch === 4) rx = Float64Array.from(x0);
    const reference = world(0, mismatch === 3 ? [] : [body(refRows, rx, ry, hp(0))]);
    const gone = new Set(leave.map((k) => k % n));
    const keep = [...ids.keys()].filter((i) => !gone.has(i));
    const pickRows = <T extends Float32Array | Float64Array | Int32Array>(a: T): T => a.filter((_, i) => !gone.has(i)) as T;
    // Copy kept rows through their bits (filter would read NaNs out as numbers).
    const keepBits = <T extends Float32Array | Float64Array>(a: T): T => {
      const out = new (a.constructor as new (n: number) => T)(keep.length);
      const w = a.BYTES_PER_ELEMENT;
      const src = new Uint8Array(a.buffer);
      const dst = new Uint8Array(out.buffer);
      for (const [r, i] of keep.entries()) dst.set(src.subarray(i * w, i * w + w), r * w);
      return out;
    };
    const nextRows = Uint32Array.from(keep.map((i) => ids[i]!));
    return {
      reference,
      base: world(1, [body(ids, x1, y1, hp(1))]),
      next: world(2, [body(nextRows, keepBits(x2), keepBits(y2), pickRows(hp(2)))]),
      scale: fractionalScale ? (d - 1) / 3 : d - 1,
    };
  });

function predictedFields(delta: SnapshotDelta): string[] {
  return delta.components.flatMap((c) => (c.change === 'patched' ? c.fields.filter((f) => f.predicted === true).map((f) => f.name) : []));
}

function expectRoundTrips({ reference, base, next, scale }: Case, predict: 'always' | 'auto'): SnapshotDelta {
  const delta = diff(base, next, { reference: { snapshot: reference, scale }, predict });
  const options = { reference: reference };
  expect(delta.reference === undefined).toBe(predictedFields(delta).length === 0);
  expect(snapshotsEqual(applyDelta(base, delta, options), next)).toBe(true);
  const decoded = decodeDelta(encodeDelta(delta));
  expect(decoded.reference).toEqual(delta.reference);
  expect(predictedFields(decoded)).toEqual(predictedFields(delta));
  expect(snapshotsEqual(applyDelta(base, decoded, options), next)).toBe(true);
  expect(snapshotsEqual(applyDelta(base, decodeDelta(encodeDelta(delta, { checksums: false }), { copy: true }), { ...options, verify: false }), next)).toBe(true);
  const back = invertDelta(base, delta, options);
  expect(back.reference).toBeUndefined();
  expect(snapshotsEqual(applyDelta(next, back), base)).toBe(true);
  return delta;
}

describe('predicted ("lin") deltas round-trip bit for bit', () => {
  it("with 'always' and 'auto', over moving and jumping worlds, special values, matching and mismatched references", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const delta = expectRoundTrips(c, 'always');
        const body = c.reference.components[0];
        const sameRows = body !== undefined && body.entityIds.join() === c.base.components[0]!.entityIds.join();
        const patch = delta.components[0]!;
        const rowsChange = patch.change === 'patched' && patch.rows !== undefined;
        // 'always' predicts every f32/f64 field stored whole wherever the reference allows, and nothing else.
        for (const name of predictedFields(delta)) expect(['x', 'y']).toContain(name);
        if (!sameRows || rowsChange) expect(predictedFields(delta)).toEqual([]);
        else if (patch.change === 'patched') {
          // Where the reference has the rows and a field of the same name and type, every f32/f64 field stored whole is predicted.
          const referenceTypes = new Map((body as { fields: { name: string; type: string }[] }).fields.map((f) => [f.name, f.type]));
          const expected = patch.fields.filter((f) => f.rows === undefined && (f.type === 'f32' || f.type === 'f64') && referenceTypes.get(f.name) === f.type).map((f) => f.name);
          expect(predictedFields(delta)).toEqual(expected);
        }
        expectRoundTrips(c, 'auto');
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it("'auto' predicts a steadily moving world, where the prediction's XOR has far fewer nonzero bytes than the plain XOR", () => {
    const n = 2000;
    const ids = Uint32Array.from({ length: n }, (_, i) => i);
    let s = 7;
    const rand = () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 2 ** 32;
    };
    const v = Float32Array.from({ length: n }, () => Math.fround((rand() - 0.5) / 6));
    const x0 = Float32Array.from({ length: n }, () => (rand() - 0.5) * 2000);
    const tick = (x: Float32Array) => x.map((value, i) => Math.fround(value + v[i]!));
    const x1 = tick(x0);
    let x = x1;
    for (let t = 0; t < 7; t++) x = tick(x);
    const world = (values: Float32Array, t: number): PackedSnapshot => ({
      timestamp: t,
      worldTime: t,
      version: 'v',
      schemaVersion: 1,
      metadata: {},
      entities: ids,
      components: [{ id: 'P', layout: 'columns', entityIds: ids, fields: [{ name: 'x', type: 'f32', values }] }],
    });
    const delta = diff(world(x1, 1), world(x, 8), { reference: { snapshot: world(x0, 0), scale: 7 } });
    expect(predictedFields(delta)).toEqual(['x']);
    const plain = diff(world(x1, 1), world(x, 8), { reference: { snapshot: world(x0, 0), scale: 7 }, predict: 'never' });
    expect(plain.reference).toBeUndefined();
    const nonzero = (d: SnapshotDelta) => new Uint8Array((d.components[0] as { fields: { values: Float32Array }[] }).fields[0]!.values.buffer).filter((byte) => byte !== 0).length;
    expect(nonzero(plain)).toBeGreaterThan(2 * n);
    expect(nonzero(delta)).toBeLessThan(nonzero(plain) / 4);
    // Scale 0 predicts the base itself: the plain XOR is as good and needs no reference.
    const still = diff(world(x1, 1), world(x, 8), { reference: { snapshot: world(x0, 0), scale: 0 } });
    expect(still.reference).toBeUndefined();
    expect((still.components[0] as { fields: { xor?: true }[] }).fields[0]!.xor).toBe(true);
    // Unrelated values: nothing is predicted, so the delta needs no reference.
    const jump = world(
      x.map(() => rand()),
      8,
    );
    expect(diff(world(x1, 1), jump, { reference: { snapshot: world(x0, 0), scale: 7 } }).reference).toBeUndefined();
  });
});

describe('predicted deltas: options and errors', () => {
  const ids = Uint32Array.from([1, 2, 3, 4]);
  const world = (x: number[], t: number, components = true): PackedSnapshot => ({
    timestamp: t,
    worldTime: t,
    version: 'v',
    schemaVersion: 1,
    metadata: {},
    entities: ids,
    components: components ? [{ id: 'P', layout: 'columns', entityIds: ids, fields: [{ name: 'x', type: 'f32', values: Float32Array.from(x) }] }] : [],
  });
  const r = world([0, 1, 2, 3], 0);
  const b = world([1, 2, 3, 4], 1);
  const t = world([3, 4, 5, 6], 3);
  const delta = diff(b, t, { reference: { snapshot: r, scale: 2 }, predict: 'always' });

  it('a predicted delta names its reference; a delta that predicts nothing has none', () => {
    expect(delta.reference).toEqual({ hash: snapshotHash(r), scale: 2 });
    expect(predictedFields(delta)).toEqual(['x']);
    // The prediction is exact: every XOR is 0.
    expect([...new Uint32Array((delta.components[0] as { fields: { values: Float32Array }[] }).fields[0]!.values.buffer)]).toEqual([0, 0, 0, 0]);
    expect(diff(b, t, { reference: { snapshot: r, scale: 2 }, predict: 'never' }).reference).toBeUndefined();
    expect(diff(b, t, { reference: { snapshot: world([], 0, false), scale: 2 }, predict: 'always' }).reference).toBeUndefined();
    expect(diff(b, t, { reference: { snapshot: r, scale: 2, hash: new Uint8Array(32).fill(7) }, predict: 'always' }).reference!.hash).toEqual(new Uint8Array(32).fill(7));
  });

  it('applying without the reference is InvalidInput naming it; with another reference DeltaBaseMismatch', () => {
    expect(() => applyDelta(b, delta)).toThrow(expect.objectContaining({ code: 'InvalidInput', details: { missing: 'reference', expected: toHex(snapshotHash(r)) } }));
    expect(() => applyDelta(b, delta, { reference: b })).toThrow(
      expect.objectContaining({ code: 'DeltaBaseMismatch', details: { which: 'reference', expected: toHex(snapshotHash(r)), actual: toHex(snapshotHash(b)) } }),
    );
    expect(() => applyDelta(b, delta, { reference: r, referenceHash: snapshotHash(b) })).toThrow(expect.objectContaining({ code: 'DeltaBaseMismatch' }));
    expect(snapshotsEqual(applyDelta(b, delta, { reference: r, referenceHash: snapshotHash(r) }), t)).toBe(true);
    // Unverified, a reference with other rows or no such field is InvalidFormat (never a wrong result or a TypeError).
    expect(() => applyDelta(b, delta, { reference: world([], 0, false), verify: false })).toThrow(expect.objectContaining({ code: 'InvalidFormat' }));
    const otherRows = { ...r, components: [{ ...r.components[0]!, entityIds: Uint32Array.from([4, 3, 2, 1]) }] };
    expect(() => applyDelta(b, delta, { reference: otherRows as PackedSnapshot, verify: false })).toThrow(expect.objectContaining({ code: 'InvalidFormat' }));
    const otherType = { ...r, components: [{ ...r.components[0]!, fields: [{ name: 'x', type: 'f64', values: new Float64Array(4) }] }] };
    expect(() => applyDelta(b, delta, { reference: otherType as PackedSnapshot, verify: false })).toThrow(expect.objectContaining({ code: 'InvalidFormat' }));
  });

  it('refuses malformed in-memory predicted deltas with InvalidFormat', () => {
    const edit = (change: (d: SnapshotDelta & { components: { fields: Record<string, unknown>[] }[] }) => void): SnapshotDelta => {
      const copy = structuredClone(delta) as SnapshotDelta & { components: { fields: Record<string, unknown>[] }[] };
      change(copy);
      return copy;
    };
    const cases: SnapshotDelta[] = [
      edit((d) => delete d.reference),
      edit((d) => delete d.components[0]!.fields[0]!.predicted),
      edit((d) => (d.reference!.scale = Number.NaN)),
      edit((d) => (d.reference!.scale = Number.POSITIVE_INFINITY)),
      edit((d) => (d.reference!.hash = new Uint8Array(31))),
      edit((d) => (d.components[0]!.fields[0]!.xor = true)),
      edit((d) => (d.components[0]!.fields[0]!.rows = Uint32Array.from([0, 1, 2, 3]))),
      edit((d) => (d.components[0]!.fields[0]!.predicted = 1)),
      edit((d) => ((d.components[0] as unknown as Record<string, unknown>).rows = { ids })),
    ];
    for (const bad of cases) {
      expect(() => applyDelta(b, bad, { reference: r })).toThrow(expect.objectContaining({ code: 'InvalidFormat' }));
      expect(() => applyDelta(b, bad, { reference: r, verify: false })).toThrow(expect.objectContaining({ code: 'InvalidFormat' }));
    }
    const i32 = world([1, 2, 3, 4], 1);
    const asInt = { ...i32, components: [{ ...i32.components[0]!, fields: [{ name: 'x', type: 'i32', values: Int32Array.from([1, 2, 3, 4]) }] }] } as PackedSnapshot;
    const intDelta = edit((d) => {
      d.components[0]!.fields[0]!.type = 'i32';
      d.components[0]!.fields[0]!.values = new Int32Array(4);
    });
    expect(() => applyDelta(asInt, intDelta, { reference: r, verify: false })).toThrow(expect.objectContaining({ code: 'InvalidFormat' }));
    expect(() => encodeDelta(cases[0]!)).toThrow(expect.objectContaining({ code: 'InvalidFormat' }));
    expect(() => encodeDelta(cases[2]!)).toThrow(expect.objectContaining({ code: 'InvalidFormat' }));
  });

  it('refuses bad options with InvalidInput', () => {
    for (const reference of [null, {}, { snapshot: r }, { snapshot: r, scale: Number.NaN }, { snapshot: r, scale: 1, hash: new Uint8Array(3) }]) {
      expect(() => diff(b, t, { reference: reference as never })).toThrow(expect.objectContaining({ code: 'InvalidInput' }));
    }
    expect(() => diff(b, t, { reference: { snapshot: r, scale: 1 }, predict: 'maybe' as never })).toThrow(expect.objectContaining({ code: 'InvalidInput' }));
    expect(() => applyDelta(b, delta, { reference: 5 as never })).toThrow(expect.objectContaining({ code: 'InvalidInput' }));
  });
});

function toHex(bytes: Uint8Array): string {
  return [...bytes].map((x) => x.toString(16).padStart(2, '0')).join('');
}
