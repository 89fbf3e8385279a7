// NaN bits (docs/format.md section 8 "NaN bits", 2, 13.1): engines do not keep the bits of a NaN
// held in a JavaScript number (V8 sets the quiet bit of a signalling NaN when optimised code or a
// store into an array of doubles handles it; Chromium 156 stores any NaN in an object field as
// 7FF8 0000 0000 0000), so those bits depend on the engine and its state. Writers write every NaN
// they take from a number as that one NaN; columns and typed arrays are copied as bytes and keep
// every bit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../src/bytes.js';
import { createPackedSnapshot, decodeBlob, decodeSnapshot, encodeBlob, encodeSnapshot, type PackedSnapshot, snapshotHash, toHex } from '../src/index.js';
import { contentHash } from './spec-reader/canonical.js';
import { readSnapshot } from './spec-reader/snapshot.js';

const scratch = new DataView(new ArrayBuffer(8));

/** The number with these 64 bits (read through a DataView, which keeps them). */
function f64(bits: bigint): number {
  scratch.setBigUint64(0, bits);
  return scratch.getFloat64(0);
}

/** A signalling NaN: exponent all ones, quiet bit clear, payload 1. */
const S_NAN = 0x7ff0_0000_0000_0001n;
/** A quiet NaN with a payload. */
const Q_NAN = 0x7ff8_0000_0000_0001n;
/** JavaScript's own NaN: what writers write for every NaN value. */
const NAN = '7ff8000000000000';

/** The array [sNaN, 1.5] as MessagePack: two float 64 values. */
const SNAN_ARRAY = fromHex('92cb7ff0000000000001cb3ff8000000000000');

/** Decodes and re-encodes blobs enough times for V8 to optimise the paths and learn array kinds. */
function warmUp(): void {
  for (let i = 0; i < 20_000; i++) {
    // Arrays mixing strings and numbers turn the decoder's array allocation sites generic: a
    // double decoded into such an array keeps its signalling bit, where it was quietened cold.
    decodeBlob(encodeBlob(['x', i, { a: [i + 0.5, 'y'], n: f64(S_NAN + BigInt(i % 5)) }]));
    decodeBlob(encodeBlob([i + 0.5, i * 1.5, f64(S_NAN)]));
  }
}

const hexOf = (bits: bigint): string => bits.toString(16).padStart(16, '0');

/** The 8 bytes after the first float 64 marker (`cb`) of `bytes`, as hex. */
function firstFloat64(bytes: Uint8Array): string {
  const at = bytes.indexOf(0xcb);
  return toHex(bytes.subarray(at + 1, at + 9));
}

function world(fields: Partial<PackedSnapshot> & { metadata?: Record<string, unknown> }): PackedSnapshot {
  return createPackedSnapshot({ timestamp: 1, version: 'v', entities: new Uint32Array(), components: [], ...fields } as never);
}

describe('NaNs written from JavaScript numbers get the quiet bit', () => {
  // The reproduction: the same bytes, decoded and encoded again, gave 7ff8…01 cold and
  // 7ff0…01 once the decoder had seen mixed arrays (Node 20), before writers wrote one NaN.
  it('a blob holding a signalling NaN re-encodes to the same bytes before and after warm-up', () => {
    const cold = toHex(encodeBlob(decodeBlob(SNAN_ARRAY)));
    warmUp();
    const warm = toHex(encodeBlob(decodeBlob(SNAN_ARRAY)));
    expect(cold).toBe(`92cb${NAN}cb3ff8000000000000`);
    expect(warm).toBe(cold);
  });

  it('encodeBlob writes any NaN in an object, array, Map, Set and Date as 7ff8000000000000', () => {
    expect(firstFloat64(encodeBlob({ v: f64(S_NAN) }))).toBe(NAN);
    expect(firstFloat64(encodeBlob({ v: f64(0xfff0_0000_0000_0abcn) }))).toBe(NAN);
    expect(firstFloat64(encodeBlob({ v: f64(Q_NAN) }))).toBe(NAN);
    expect(firstFloat64(encodeBlob(['s', f64(S_NAN)]))).toBe(NAN);
    expect(firstFloat64(encodeBlob(new Map([['k', f64(S_NAN)]])))).toBe(NAN);
    expect(firstFloat64(encodeBlob(new Set([f64(S_NAN)])))).toBe(NAN);
    // An invalid Date holds a NaN: written little-endian, quiet whatever the engine holds.
    const date = encodeBlob(new Date(f64(S_NAN)));
    expect(toHex(date.subarray(2))).toBe('000000000000f87f');
  });

  it('property: any NaN in a value (any sign, payload, quiet or not) is written as 7ff8000000000000, in metadata too', () => {
    const nanBits = fc
      .tuple(fc.bigInt({ min: 1n, max: 2n ** 52n - 1n }), fc.boolean())
      .map(([fraction, negative]) => (negative ? 0xfff0_0000_0000_0000n : 0x7ff0_0000_0000_0000n) | fraction);
    fc.assert(
      fc.property(nanBits, (bits) => {
        const expected = NAN;
        expect(firstFloat64(encodeBlob({ v: f64(bits) }))).toBe(expected);
        expect(firstFloat64(encodeBlob(['s', f64(bits)]))).toBe(expected);
        expect(firstFloat64(encodeBlob(decodeBlob(fromHex(`92cb${hexOf(bits)}cb3ff8000000000000`))))).toBe(expected);
        expect(toHex(snapshotHash(world({ metadata: { v: f64(bits) } })))).toBe(toHex(snapshotHash(world({ metadata: { v: f64(BigInt(`0x${expected}`)) } }))));
      }),
      { seed: 20261203, numRuns: 300 },
    );
  });

  it('the NaN arithmetic gives is written as before, and other numbers as they are', () => {
    expect(firstFloat64(encodeBlob({ v: 0 / 0 }))).toBe(NAN);
    expect(firstFloat64(encodeBlob({ v: -Infinity }))).toBe('fff0000000000000');
    expect(firstFloat64(encodeBlob({ v: 1.5 }))).toBe('3ff8000000000000');
  });

  it('readers read any NaN bits, float 32 too; re-encoded, each is 7ff8000000000000', () => {
    const read = decodeBlob(fromHex(`81a176cb${hexOf(S_NAN)}`)) as { v: number };
    expect(Number.isNaN(read.v)).toBe(true);
    expect(firstFloat64(encodeBlob(read))).toBe(NAN);
    const single = decodeBlob(fromHex('81a176ca7f800001')) as { v: number };
    expect(Number.isNaN(single.v)).toBe(true);
    expect(firstFloat64(encodeBlob(single))).toBe(NAN);
  });

  it('typed arrays inside blobs keep a signalling NaN bit for bit (their bytes are copied)', () => {
    const f32 = new Float32Array(new Uint32Array([0x7f800001, 0xff800123]).buffer);
    const f64s = new Float64Array(new BigUint64Array([S_NAN, 0xfff0_0000_0000_0abcn]).buffer);
    warmUp();
    const back = decodeBlob(encodeBlob({ f32, f64s })) as { f32: Float32Array; f64s: Float64Array };
    expect([...new Uint32Array(back.f32.buffer)]).toEqual([0x7f800001, 0xff800123]);
    expect([...new BigUint64Array(back.f64s.buffer)]).toEqual([S_NAN, 0xfff0_0000_0000_0abcn]);
  });
});

describe('content hashes of snapshots whose values hold a signalling NaN', () => {
  it('world and entity metadata hash as if every NaN were the one NaN, before and after warm-up', () => {
    const signalling = world({ metadata: { nan: f64(S_NAN), list: ['a', f64(S_NAN)] }, entityMetadata: new Map([[0, { created: f64(S_NAN) }]]) });
    const quiet = world({ metadata: { nan: Number.NaN, list: ['a', Number.NaN] }, entityMetadata: new Map([[0, { created: Number.NaN }]]) });
    const cold = toHex(snapshotHash(signalling));
    warmUp();
    expect(toHex(snapshotHash(signalling))).toBe(cold);
    expect(cold).toBe(toHex(snapshotHash(quiet)));
    const again = decodeSnapshot(encodeSnapshot(signalling));
    expect(toHex(snapshotHash(again))).toBe(cold);
  });

  it('schemaVersion, timestamp and worldTime write any NaN as 7ff8000000000000', () => {
    const packed = world({ timestamp: f64(S_NAN), worldTime: f64(0xfff0_0000_0000_0002n), schemaVersion: f64(S_NAN) });
    const bytes = encodeSnapshot(packed);
    const header = new DataView(bytes.buffer, bytes.byteOffset);
    expect(header.getBigUint64(32, true)).toBe(0x7ff8_0000_0000_0000n);
    expect(header.getBigUint64(40, true)).toBe(0x7ff8_0000_0000_0000n);
    expect(toHex(bytes)).toContain(`cb${NAN}`);
    expect(toHex(bytes)).not.toContain(`cb${hexOf(S_NAN)}`);
    expect(toHex(snapshotHash(packed))).toBe(toHex(snapshotHash(world({ timestamp: Number.NaN, worldTime: Number.NaN, schemaVersion: Number.NaN }))));
  });

  it('the independent spec reader (written from docs/format.md) computes the same hash for signalling NaNs in values', () => {
    const fields = { timestamp: f64(S_NAN), worldTime: f64(S_NAN), schemaVersion: f64(0xfff0_0000_0000_0003n) };
    const packed = world({ ...fields, metadata: { nan: f64(S_NAN), when: new Date(Number.NaN) } });
    const spec = readSnapshot(encodeSnapshot(world({})));
    Object.assign(spec, fields, { metadata: { nan: f64(S_NAN), when: new Date(Number.NaN) } });
    expect(toHex(contentHash(spec))).toBe(toHex(snapshotHash(packed)));
  });
});

describe('columns keep NaN bits exactly', () => {
  it('a signalling NaN in an f32 and an f64 column survives encode, decode and the content hash bit for bit after warm-up', () => {
    const f32Bits = [0x7f800001, 0xff800123, 0x7fc00000];
    const f64Bits = [S_NAN, 0xfff0_0000_0000_0abcn, 0x8000_0000_0000_0000n];
    const make = (a: number[], b: bigint[]): PackedSnapshot =>
      createPackedSnapshot({
        entities: new Uint32Array([1, 2, 3]),
        timestamp: 1,
        version: 'v',
        components: [{ id: 'Floats', fields: { a: new Float32Array(new Uint32Array(a).buffer), b: new Float64Array(new BigUint64Array(b).buffer) } }],
      });
    const packed = make(f32Bits, f64Bits);
    warmUp();
    const hash = toHex(snapshotHash(packed));
    const back = decodeSnapshot(encodeSnapshot(packed));
    const columns = back.components[0]!.layout === 'columns' ? back.components[0]!.fields : [];
    expect([...new Uint32Array((columns[0]!.values as Float32Array).slice().buffer)]).toEqual(f32Bits);
    expect([...new BigUint64Array((columns[1]!.values as Float64Array).slice().buffer)]).toEqual(f64Bits);
    expect(toHex(snapshotHash(back))).toBe(hash);
    // The hash sees the column's own bits: quietened columns hash differently.
    const quietened = make([0x7fc00001, 0xffc00123, 0x7fc00000], [Q_NAN, 0xfff8_0000_0000_0abcn, 0x8000_0000_0000_0000n]);
    expect(toHex(snapshotHash(quietened))).not.toBe(hash);
  });
});
