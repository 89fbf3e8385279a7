// Temporal (XOR) deltas of numeric fields (docs/format.md §13.3): for every numeric type,
// values that moved a little or a lot (NaN payloads, -0, subnormals, infinities), with and
// without rows coming and going, diff -> applyDelta and invertDelta rebuild each side bit for
// bit, in memory and through the container; and 'auto' picks the XOR only where it pays.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NUMERIC_ARRAYS } from './arbitraries.js';
import { applyDelta, type Column, decodeDelta, diff, encodeDelta, type FieldType, invertDelta, type PackedSnapshot, snapshotsEqual } from '../src/index.js';

const SEED = 0x15_0002;
const RUNS = 200;
const NUMERIC: readonly FieldType[] = ['bool', 'i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64', 'f32', 'f64'];
const ARRAYS = NUMERIC_ARRAYS;
const WIDTH: Record<string, number> = Object.fromEntries(Object.entries(ARRAYS).map(([type, array]) => [type, array.BYTES_PER_ELEMENT]));

/** Bit patterns worth having: NaNs with payloads, ±0, subnormals, ±infinity, ±1. */
const SPECIAL32 = [0x7fc00001, 0xffc00abc, 0x7f800001, 0x80000000, 0, 1, 0x807fffff, 0x7f800000, 0xff800000, 0x3f800000, 0xbf800000];
const SPECIAL64 = [0x7ff8000000000001n, 0xfff00000000abcden, 0x8000000000000000n, 0n, 1n, 0x800fffffffffffffn, 0x7ff0000000000000n, 0x3ff0000000000000n];

/** A column of `type` whose bytes are `bytes` (bool: 0 or 1), with special float bit patterns mixed in. */
function column(type: FieldType, bytes: Uint8Array, specials: number[]): Column['values'] {
  const width = WIDTH[type]!;
  const n = Math.floor(bytes.length / width);
  const raw = bytes.slice(0, n * width);
  if (type === 'bool') for (let i = 0; i < n; i++) raw[i]! &= 1;
  const values = new ARRAYS[type as keyof typeof ARRAYS](raw.buffer, 0, n) as Column['values'];
  specials.forEach((pick, k) => {
    const row = (pick >>> 8) % Math.max(1, n);
    if (n === 0) return;
    if (type === 'f32') new Uint32Array(raw.buffer)[row] = SPECIAL32[pick % SPECIAL32.length]!;
    if (type === 'f64') new BigUint64Array(raw.buffer)[row] = SPECIAL64[(pick + k) % SPECIAL64.length]!;
  });
  return values;
}

/** `values` with each value's bits changed by a small XOR mask (or, for some rows, replaced by a special value). */
function moved(type: FieldType, values: Column['values'], masks: number[], specials: number[]): Column['values'] {
  const width = WIDTH[type]!;
  const v = values as unknown as ArrayBufferView;
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
  const n = bytes.length / width;
  for (let i = 0; i < n; i++) {
    const mask = masks[i % Math.max(1, masks.length)] ?? 0;
    bytes[i * width]! ^= mask & 0xff;
    if (width > 1) bytes[i * width + 1]! ^= (mask >>> 8) & 0x0f;
  }
  return column(type, bytes, specials);
}

interface Case {
  type: FieldType;
  base: PackedSnapshot;
  next: PackedSnapshot;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    type: fc.constantFrom(...NUMERIC),
    bytes: fc.uint8Array({ minLength: 8, maxLength: 400 }),
    masks: fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 8 }),
    specials: fc.array(fc.nat(), { maxLength: 6 }),
    specialsNext: fc.array(fc.nat(), { maxLength: 6 }),
    // Rows that leave and rows that join (by entity id), so the XOR is taken over matched rows and added rows.
    leave: fc.array(fc.nat(), { maxLength: 3 }),
    join: fc.nat({ max: 3 }),
  })
  .map(({ type, bytes, masks, specials, specialsNext, leave, join }) => {
    const baseValues = column(type, bytes, specials);
    const n = (baseValues as ArrayLike<unknown>).length;
    const ids = Uint32Array.from({ length: n }, (_, i) => i + 1);
    const gone = new Set(leave.map((k) => (k % Math.max(1, n)) + 1));
    const movedValues = moved(type, baseValues, masks, specialsNext);
    const keep: number[] = [];
    for (let i = 0; i < n; i++) if (!gone.has(i + 1)) keep.push(i);
    const nextIds = Uint32Array.from([...keep.map((i) => ids[i]!), ...Array.from({ length: join }, (_, k) => n + 1 + k)]);
    const Array_ = ARRAYS[type as keyof typeof ARRAYS];
    const nextValues = new Array_(nextIds.length);
    // Copy through bits so that NaN payloads of the moved values survive.
    const nb = new Uint8Array(nextValues.buffer);
    const mb = new Uint8Array((movedValues as unknown as ArrayBufferView).buffer);
    const w = WIDTH[type]!;
    for (let r = 0; r < keep.length; r++) nb.set(mb.subarray(keep[r]! * w, keep[r]! * w + w), r * w);
    for (let k = 0; k < join; k++) nb.fill(0x41 + k, (keep.length + k) * w, (keep.length + k + 1) * w);
    if (type === 'bool') for (let i = 0; i < nb.length; i++) nb[i]! &= 1;
    const all = Uint32Array.from(new Set([...ids, ...nextIds])).sort();
    const snapshot = (rows: Uint32Array, values: unknown, time: number): PackedSnapshot => ({
      timestamp: time,
      worldTime: time,
      version: 'xor',
      schemaVersion: 1,
      metadata: {},
      entities: all,
      components: [{ id: 'Body', layout: 'columns', entityIds: rows, fields: [{ name: 'v', type, values } as Column] }],
    });
    return { type, base: snapshot(ids, baseValues, 1), next: snapshot(nextIds, nextValues, 2) };
  });

function bodyOf(s: PackedSnapshot) {
  return s.components[0] as Extract<PackedSnapshot['components'][number], { layout: 'columns' }>;
}

function expectRoundTrips(base: PackedSnapshot, next: PackedSnapshot, xor: 'always' | 'auto'): void {
  const delta = diff(base, next, { xor, wholeFieldRatio: 0 });
  expect(snapshotsEqual(applyDelta(base, delta), next)).toBe(true);
  const viaContainer = decodeDelta(encodeDelta(delta));
  expect(snapshotsEqual(applyDelta(base, viaContainer), next)).toBe(true);
  expect(snapshotsEqual(applyDelta(base, decodeDelta(encodeDelta(delta, { checksums: false }), { copy: true }), { verify: false }), next)).toBe(true);
  const back = invertDelta(base, delta);
  expect(snapshotsEqual(applyDelta(next, back), base)).toBe(true);
  expect(snapshotsEqual(applyDelta(next, decodeDelta(encodeDelta(back))), base)).toBe(true);
}

describe('temporal (XOR) deltas round-trip bit for bit', () => {
  it('for every numeric type, moved values with NaN payloads, -0, subnormals, rows leaving and joining', () => {
    fc.assert(
      fc.property(caseArb, ({ base, next }) => {
        const delta = diff(base, next, { xor: 'always', wholeFieldRatio: 0 });
        const body = delta.components[0]!;
        if (body.change === 'patched' && body.fields.length > 0) expect(body.fields[0]!.xor).toBe(true);
        expectRoundTrips(base, next, 'always');
        expectRoundTrips(base, next, 'auto');
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('a delta whose XOR was applied to the wrong base never rebuilds a wrong snapshot silently', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), ({ base, next }, flip) => {
        const delta = diff(base, next, { xor: 'always', wholeFieldRatio: 0 });
        const values = bodyOf(base).fields[0]!.values as unknown as ArrayBufferView;
        if (values.byteLength === 0 || delta.components[0]!.change !== 'patched') return;
        const other = structuredClone(base);
        const bytes = new Uint8Array((bodyOf(other).fields[0]!.values as unknown as ArrayBufferView).buffer);
        bytes[flip % bytes.length]! ^= 1;
        if (snapshotsEqual(other, base)) return;
        expect(() => applyDelta(other, delta)).toThrow(expect.objectContaining({ code: 'DeltaBaseMismatch' }));
      }),
      { numRuns: RUNS / 4, seed: SEED + 1 },
    );
  });
});

describe("diff's xor option", () => {
  const n = 2000;
  const snapshot = (x: Float32Array, t: number): PackedSnapshot => ({
    timestamp: t,
    worldTime: t,
    version: 'v',
    schemaVersion: 1,
    metadata: {},
    entities: Uint32Array.from({ length: n }, (_, i) => i + 1),
    components: [{ id: 'P', layout: 'columns', entityIds: Uint32Array.from({ length: n }, (_, i) => i + 1), fields: [{ name: 'x', type: 'f32', values: x }] }],
  });
  let s = 1;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const x0 = Float32Array.from({ length: n }, () => -1000 + 2000 * rand());
  const fieldOf = (a: PackedSnapshot, b: PackedSnapshot, xor?: 'auto' | 'always' | 'never') => {
    const c = diff(a, b, xor === undefined ? {} : { xor }).components[0]!;
    if (c.change !== 'patched') throw new Error(`expected a patch, got ${c.change}`);
    return c.fields[0]!;
  };

  it("'auto' stores slowly moving floats as a temporal delta, and unrelated values as values", () => {
    const moved = x0.map((v, i) => v + ((i % 7) - 3) / 60);
    expect(fieldOf(snapshot(x0, 1), snapshot(moved, 2)).xor).toBe(true);
    const unrelated = x0.map(() => -1000 + 2000 * rand());
    const plain = fieldOf(snapshot(x0, 1), snapshot(unrelated, 2));
    expect(plain.xor).toBeUndefined();
    expect(plain.values).toBe(unrelated);
  });

  it("'never' keeps the values, 'always' stores the XOR; both rebuild the target", () => {
    const a = snapshot(x0, 1);
    const b = snapshot(
      x0.map(() => rand()),
      2,
    );
    expect(fieldOf(a, b, 'never').xor).toBeUndefined();
    expect(fieldOf(a, b, 'always').xor).toBe(true);
    for (const xor of ['never', 'always'] as const) expect(snapshotsEqual(applyDelta(a, diff(a, b, { xor })), b)).toBe(true);
  });

  it('refuses an unknown mode with InvalidInput', () => {
    expect(() => diff(snapshot(x0, 1), snapshot(x0, 2), { xor: 'sometimes' as 'auto' })).toThrow(expect.objectContaining({ code: 'InvalidInput' }));
  });
});
