// The typed-array API: createPackedSnapshot, getComponent/getColumn, gather/scatter, zero-copy decode.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createPackedSnapshot,
  decodeSnapshot,
  encodeSnapshot,
  fromWorldSnapshot,
  gather,
  getColumn,
  getComponent,
  isPackError,
  scatter,
  type ColumnInput,
  type FieldType,
  type PackedSnapshot,
} from '../src/index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isPackError(error) ? error.code : `not a PackError: ${String(error)}`;
  }
  return undefined;
}

describe('createPackedSnapshot', () => {
  const inferred: [string, ColumnInput, FieldType][] = [
    ['Int8Array', new Int8Array(2), 'i8'],
    ['Int16Array', new Int16Array(2), 'i16'],
    ['Int32Array', new Int32Array(2), 'i32'],
    ['BigInt64Array', new BigInt64Array(2), 'i64'],
    ['Uint8Array', new Uint8Array(2), 'u8'],
    ['Uint16Array', new Uint16Array(2), 'u16'],
    ['Uint32Array', new Uint32Array(2), 'u32'],
    ['BigUint64Array', new BigUint64Array(2), 'u64'],
    ['Float32Array', new Float32Array(2), 'f32'],
    ['Float64Array', new Float64Array(2), 'f64'],
    ['string[]', ['a', 'b'], 'string'],
    ['Uint8Array[]', [new Uint8Array(1), new Uint8Array(0)], 'bytes'],
  ];

  it.each(inferred)('infers %s as %s', (_, values, type) => {
    const p = createPackedSnapshot({ entities: [1, 2], components: [{ id: 'C', fields: { v: values } }] });
    const c = p.components[0]!;
    expect(c.layout).toBe('columns');
    if (c.layout === 'columns') {
      expect(c.fields).toStrictEqual([{ name: 'v', type, values }]);
      expect(c.fields[0]!.values).toBe(values); // no copy
    }
    expect(decodeSnapshot(encodeSnapshot(p))).toStrictEqual(p);
  });

  it('takes bool (and any other type) from `types`, and an empty array is a string column unless told', () => {
    const p = createPackedSnapshot({
      entities: [1, 2],
      components: [
        { id: 'A', fields: { on: Uint8Array.from([1, 0]), none: [] as string[] }, types: { on: 'bool' } },
        { id: 'B', entityIds: new Uint32Array(0), fields: { raw: [] as Uint8Array[] }, types: { raw: 'bytes' } },
      ],
    });
    expect(p.components.map((c) => (c.layout === 'columns' ? c.fields.map((f) => f.type) : []))).toStrictEqual([['bool', 'string'], ['bytes']]);
  });

  it('fills defaults and shares the entity array with components that do not name their rows', () => {
    const before = Date.now();
    const p = createPackedSnapshot({ entities: [7, 3], components: [{ id: 'A', fields: {} }] });
    expect(p.entities).toStrictEqual(Uint32Array.from([7, 3]));
    expect(p.components[0]!.entityIds).toBe(p.entities);
    expect(p).toMatchObject({ version: '', worldTime: 0, schemaVersion: 0, metadata: {} });
    expect(p.timestamp).toBeGreaterThanOrEqual(before);
    expect(p.timestamp).toBeLessThanOrEqual(Date.now());
    expect('entityMetadata' in p).toBe(false);
    const ids = Uint32Array.from([1]);
    expect(createPackedSnapshot({ entities: ids }).entities).toBe(ids);
  });

  it('rejects a field whose values say nothing (null[], objects) with InvalidInput', () => {
    expect(codeOf(() => createPackedSnapshot({ entities: [1], components: [{ id: 'A', fields: { v: [null] as unknown as ColumnInput } }] }))).toBe('InvalidInput');
    expect(codeOf(() => createPackedSnapshot({ entities: [1], components: [{ id: 'A', fields: { v: [{}] as unknown as ColumnInput } }] }))).toBe('InvalidInput');
  });

  // Regression test for a bug the suite found (fixed in src).
  it('a field named "toString" keeps its inferred type when `types` names other fields', () => {
    const p = createPackedSnapshot({
      entities: [1],
      components: [{ id: 'A', fields: { toString: Float32Array.from([1]), on: Uint8Array.from([1]) }, types: { on: 'bool' } }],
    });
    expect(getColumn(p, 'A', 'toString', 'f32')).toStrictEqual(Float32Array.from([1]));
    expect(decodeSnapshot(encodeSnapshot(p))).toStrictEqual(p);
  });
});

describe('getComponent and getColumn', () => {
  const packed = (): PackedSnapshot => {
    const p = fromWorldSnapshot({
      timestamp: 0,
      version: '',
      entities: [
        { id: 1, components: [{ id: 'Loot', data: [1, 2] }] },
        { id: 2, components: [] },
      ],
    });
    const x = Float32Array.from([1, 2]);
    p.components.push({ id: 'Pos', layout: 'columns', entityIds: p.entities, fields: [{ name: 'x', type: 'f32', values: x }] });
    return p;
  };

  it('getComponent finds a component by id, or undefined', () => {
    const p = packed();
    expect(getComponent(p, 'Pos')?.layout).toBe('columns');
    expect(getComponent(p, 'Loot')?.layout).toBe('blobs');
    expect(getComponent(p, 'Nope')).toBeUndefined();
  });

  it('getColumn returns the typed array itself', () => {
    const p = packed();
    const c = p.components[1]!;
    expect(getColumn(p, 'Pos', 'x', 'f32')).toBe(c.layout === 'columns' ? c.fields[0]!.values : undefined);
  });

  it.each([
    ['a wrong type', 'Pos', 'x', 'f64', /f32, not f64/],
    ['a missing component', 'Nope', 'x', 'f32', /no component "Nope"/],
    ['a missing field', 'Pos', 'y', 'f32', /no field "y" \(it has: x\)/],
    ['a blob component', 'Loot', 'x', 'f32', /stored as blobs/],
  ] as const)('throws SchemaMismatch for %s', (_, component, field, type, message) => {
    let error: unknown;
    try {
      getColumn(packed(), component, field, type);
    } catch (e) {
      error = e;
    }
    expect(isPackError(error, 'SchemaMismatch')).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('works on decoded snapshots', () => {
    const p = createPackedSnapshot({ entities: [4, 2], components: [{ id: 'H', fields: { hp: Int32Array.from([-5, 9]) } }] });
    expect(getColumn(decodeSnapshot(encodeSnapshot(p)), 'H', 'hp', 'i32')).toStrictEqual(Int32Array.from([-5, 9]));
  });
});

describe('gather and scatter', () => {
  const STORE = 1000;

  it('gather then scatter round-trips a sparse store (f32, i32, u8)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat({ max: STORE - 1 }), { maxLength: 50 }), fc.array(fc.float(), { minLength: STORE, maxLength: STORE }), (ids, data) => {
        const entityIds = Uint32Array.from(ids);
        for (const store of [Float32Array.from(data), Int32Array.from(data, (v) => (Number.isFinite(v) ? Math.trunc(v) : 0)), Uint8Array.from(data, (v) => v & 0xff)]) {
          const column = gather(store, entityIds);
          expect(column.constructor).toBe(store.constructor);
          expect(column.length).toBe(ids.length);
          ids.forEach((id, i) => {
            expect(Object.is(column[i], store[id])).toBe(true);
          });
          const target = new (store.constructor as Float32ArrayConstructor)(STORE);
          scatter(column as Float32Array, entityIds, target);
          for (let id = 0; id < STORE; id++) expect(Object.is(target[id], ids.includes(id) ? store[id] : 0)).toBe(true);
        }
      }),
      { seed: 20261203, numRuns: 50 },
    );
  });

  it('round-trips a sparse store through encode and decode', () => {
    const store = new Float32Array(100).map((_, i) => i * 0.5);
    const live = Uint32Array.from([90, 3, 42, 7]);
    const p = createPackedSnapshot({ entities: live, components: [{ id: 'P', fields: { x: gather(store, live) } }] });
    const decoded = decodeSnapshot(encodeSnapshot(p));
    const restored = new Float32Array(100);
    scatter(getColumn(decoded, 'P', 'x', 'f32'), decoded.components[0]!.entityIds, restored);
    for (const id of live) expect(restored[id]).toBe(store[id]);
    expect(restored.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0)).toBe(live.filter((id) => store[id] !== 0).length);
  });

  it('works for bigint columns', () => {
    const store = BigInt64Array.from([5n, -6n, 7n]);
    const ids = Uint32Array.from([2, 0]);
    expect(gather(store, ids)).toStrictEqual(BigInt64Array.from([7n, 5n]));
    const target = new BigInt64Array(3);
    scatter(BigInt64Array.from([1n, 2n]), ids, target);
    expect(target).toStrictEqual(BigInt64Array.from([2n, 0n, 1n]));
  });

  it('scatter rejects a length mismatch and ids outside the target with InvalidInput', () => {
    expect(codeOf(() => scatter(new Float32Array(2), Uint32Array.from([1]), new Float32Array(4)))).toBe('InvalidInput');
    expect(codeOf(() => scatter(new Float32Array(1), Uint32Array.from([4]), new Float32Array(4)))).toBe('InvalidInput');
  });

  // Regression test for a bug the suite found (fixed in src).
  it('gather rejects ids outside the source with InvalidInput', () => {
    expect(codeOf(() => gather(new Float32Array(4), Uint32Array.from([4])))).toBe('InvalidInput');
    expect(codeOf(() => gather(new BigInt64Array(4), Uint32Array.from([9])))).toBe('InvalidInput');
  });
});

describe('zero-copy decode', () => {
  const snapshot = (): PackedSnapshot =>
    createPackedSnapshot({
      timestamp: 1,
      entities: [10, 3, 7],
      components: [
        { id: 'P', fields: { x: Float32Array.from([1, 2, 3]), id: BigInt64Array.from([1n, 2n, 3n]), raw: [Uint8Array.from([1]), new Uint8Array(0), Uint8Array.from([2, 3])] } },
      ],
    });

  it('numeric columns are views over the input bytes when not copying', () => {
    const bytes = encodeSnapshot(snapshot());
    const decoded = decodeSnapshot(bytes);
    const x = getColumn(decoded, 'P', 'x', 'f32');
    const id = getColumn(decoded, 'P', 'id', 'i64');
    expect(x.buffer).toBe(bytes.buffer);
    expect(id.buffer).toBe(bytes.buffer);
    expect(x.byteOffset % 4).toBe(0);
    expect(id.byteOffset % 8).toBe(0);
    // A view: writing through it writes the file bytes.
    const at = x.byteOffset;
    x[0] = 42;
    expect(new Float32Array(bytes.buffer, at, 1)[0]).toBe(42);
    // bytes columns are views too
    expect(getColumn(decoded, 'P', 'raw', 'bytes')[2]!.buffer).toBe(bytes.buffer);
  });

  it('copy: true gives columns of their own', () => {
    const bytes = encodeSnapshot(snapshot());
    const decoded = decodeSnapshot(bytes, { copy: true });
    expect(getColumn(decoded, 'P', 'x', 'f32').buffer).not.toBe(bytes.buffer);
    expect(getColumn(decoded, 'P', 'id', 'i64').buffer).not.toBe(bytes.buffer);
    expect(getColumn(decoded, 'P', 'raw', 'bytes')[2]!.buffer).not.toBe(bytes.buffer);
    bytes.fill(0);
    expect(getColumn(decoded, 'P', 'x', 'f32')).toStrictEqual(Float32Array.from([1, 2, 3]));
  });

  it('an unaligned input is copied into aligned columns with the right values', () => {
    const bytes = encodeSnapshot(snapshot());
    const host = new Uint8Array(bytes.length + 1);
    host.set(bytes, 1);
    const decoded = decodeSnapshot(host.subarray(1));
    const x = getColumn(decoded, 'P', 'x', 'f32');
    expect(x).toStrictEqual(Float32Array.from([1, 2, 3]));
    expect(x.buffer).not.toBe(host.buffer);
    expect(getColumn(decoded, 'P', 'id', 'i64')).toStrictEqual(BigInt64Array.from([1n, 2n, 3n]));
  });
});
