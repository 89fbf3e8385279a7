// fast-check arbitraries for packed snapshots holding everything encodeSnapshot accepts that
// JSON has trouble with: every column type, NaNs with random bit patterns (f32 and f64 columns,
// signalling ones too), -0, bool bytes other than 0 and 1, components without rows, rows out of
// entity order, each entity's own component order, blobs with Maps keyed by objects, bigints,
// typed arrays, undefined and NaN payloads, blobs whose bytes hold a signalling NaN, world and
// entity metadata. NaNs held in JavaScript values are quiet (payloads kept): an engine may quieten a
// signalling one at any time, and writers write every NaN value as one NaN (docs/format.md 8), so
// only bytes carry signalling NaNs.
import { encodeBlob, encodeSnapshot, type Column, type EntityMetadata, type FieldType, type PackedComponent, type PackedSnapshot } from '@tx2/pack-format';
import fc from 'fast-check';

const scratch = new DataView(new ArrayBuffer(8));

/** A number with exactly these 64 bits (NaN payloads included). */
function fromBits(bits: bigint): number {
  scratch.setBigUint64(0, bits);
  return scratch.getFloat64(0);
}

/** The quiet bit of a float 64 NaN (the top bit of the fraction). */
const QUIET = 2n ** 51n;

/** Doubles, quiet NaNs with random payloads and -0 weighted in. */
export const anyDouble: fc.Arbitrary<number> = fc.oneof(
  fc.double(),
  fc.constantFrom(-0, 0, Number.NaN, Infinity, -Infinity),
  fc
    .bigInt({ min: 0n, max: QUIET - 1n })
    .chain((payload) => fc.boolean().map((negative) => fromBits((negative ? 0xfff0_0000_0000_0000n : 0x7ff0_0000_0000_0000n) | QUIET | payload))),
);

/** Well-formed, odd or lone-surrogate strings. */
const anyString = fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('', '$tx2', '__proto__', 'a\ud800b', '0', 'constructor'));

/** Blob values: anything MessagePack with the format's extensions holds, plus Maps with object keys and NaN payloads. */
const blobValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.anything({
      withBigInt: true,
      withMap: true,
      withSet: true,
      withDate: true,
      withTypedArray: true,
      withSparseArray: true,
      maxDepth: 2,
      values: [anyDouble, anyString, fc.boolean(), fc.constant(null), fc.constant(undefined), fc.bigInt()],
    }),
    fc.tuple(tie('value'), tie('value')).map(
      ([k, v]) =>
        new Map<unknown, unknown>([
          [{ key: k, toString: 1 }, v],
          [[k], v],
        ]),
    ),
    fc.tuple(anyDouble, anyDouble).map(([a, b]) => ({ a, list: [a, b], nested: { b } })),
    fc.constantFrom(new Float32Array([fromBits(0x7ff4_0000_0000_0abcn)]), new BigInt64Array([-(2n ** 63n)]), new Uint8Array([0, 255]), -0, undefined),
  ),
})).value;

function encodableBlob(value: unknown): Uint8Array {
  try {
    return encodeBlob(value);
  } catch {
    return encodeBlob(null);
  }
}

/**
 * Blob bytes holding a signalling NaN (any sign and payload with the quiet bit clear) in an object,
 * an array or a Map: crafted, since encodeBlob writes every NaN quiet.
 */
const signallingNaNBlob: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.bigInt({ min: 1n, max: QUIET - 1n }), fc.boolean(), fc.constantFrom<unknown>({ v: 1.5 }, [1.5, 'x'], [1.5, 2.5], new Map([['k', 1.5]])))
  .map(([payload, negative, template]) => {
    const bytes = encodeBlob(template);
    // The first float 64 of each template is its 1.5 (no byte before it is cb).
    const at = bytes.indexOf(0xcb);
    new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(at + 1, (negative ? 0xfff0_0000_0000_0000n : 0x7ff0_0000_0000_0000n) | payload);
    return bytes;
  });

const FIELD_TYPES: FieldType[] = ['bool', 'i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64', 'f32', 'f64', 'string', 'bytes'];

/** A column of `type` with `n` values (random bit patterns for floats, odd bytes for bools). */
function columnValues(type: FieldType, n: number): fc.Arbitrary<Column['values']> {
  const ints = (min: number, max: number) => fc.array(fc.integer({ min, max }), { minLength: n, maxLength: n });
  switch (type) {
    case 'bool':
      return fc
        .array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(0, 1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 255 }) }), { minLength: n, maxLength: n })
        .map((v) => Uint8Array.from(v));
    case 'i8':
      return ints(-128, 127).map((v) => Int8Array.from(v));
    case 'i16':
      return ints(-32768, 32767).map((v) => Int16Array.from(v));
    case 'i32':
      return ints(-(2 ** 31), 2 ** 31 - 1).map((v) => Int32Array.from(v));
    case 'u8':
      return ints(0, 255).map((v) => Uint8Array.from(v));
    case 'u16':
      return ints(0, 65535).map((v) => Uint16Array.from(v));
    case 'u32':
      return ints(0, 2 ** 32 - 1).map((v) => Uint32Array.from(v));
    case 'i64':
      return fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { minLength: n, maxLength: n }).map((v) => BigInt64Array.from(v));
    case 'u64':
      return fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { minLength: n, maxLength: n }).map((v) => BigUint64Array.from(v));
    case 'f32':
      // Raw bit patterns: every NaN payload, signalling ones included, and -0.
      return ints(0, 2 ** 32 - 1).map((v) => new Float32Array(Uint32Array.from(v).buffer));
    case 'f64':
      return fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { minLength: n, maxLength: n }).map((v) => new Float64Array(BigUint64Array.from(v).buffer));
    case 'string':
      return fc.array(anyString, { minLength: n, maxLength: n });
    case 'bytes':
      return fc.array(fc.uint8Array({ maxLength: 4 }), { minLength: n, maxLength: n });
  }
}

function componentArbitrary(id: string, entities: number[]): fc.Arbitrary<PackedComponent> {
  return fc.shuffledSubarray(entities).chain((rows) => {
    const entityIds = Uint32Array.from(rows);
    const blob = fc.oneof({ weight: 5, arbitrary: blobValue.map(encodableBlob) }, { weight: 1, arbitrary: signallingNaNBlob });
    const blobs = fc.array(blob, { minLength: rows.length, maxLength: rows.length }).map((list): PackedComponent => ({ id, layout: 'blobs', entityIds, blobs: list }));
    const columns = fc
      .uniqueArray(fc.tuple(fc.constantFrom('x', 'y', '1', '0', 'constructor', 'hp', 'é'), fc.constantFrom(...FIELD_TYPES)), { selector: ([name]) => name, maxLength: 4 })
      .chain((fields) => fc.tuple(...fields.map(([name, type]) => columnValues(type, rows.length).map((values) => ({ name, type, values }) as Column))))
      .map((fields): PackedComponent => ({ id, layout: 'columns', entityIds, fields }));
    return fc.oneof(columns, blobs);
  });
}

/** Packed snapshots that encodeSnapshot accepts, with everything JSON finds awkward. */
export const packedSnapshot: fc.Arbitrary<PackedSnapshot> = fc
  .record({
    entities: fc.uniqueArray(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 6 }),
    componentIds: fc.uniqueArray(fc.constantFrom('Position', 'Inventory', '1', '0', 'a b', 'é', 'Tag', '$tx2'), { maxLength: 4 }),
    timestamp: anyDouble,
    worldTime: anyDouble,
    schemaVersion: anyDouble,
    version: anyString,
    metadata: fc.dictionary(fc.constantFrom('level', 'seed', '0', '$tx2', 'nan'), blobValue, { maxKeys: 3 }),
  })
  .chain(({ entities, componentIds, ...rest }) =>
    fc.record({
      rest: fc.constant(rest),
      entities: fc.constant(entities),
      components: fc.tuple(...componentIds.map((id) => componentArbitrary(id, entities))),
      entityMetadata: fc.option(
        fc
          .subarray(entities)
          .chain((ids) =>
            fc.tuple(
              ...ids.map((id) =>
                fc
                  .record({ created: anyDouble, modified: anyDouble, tags: fc.array(anyString, { maxLength: 2 }) }, { requiredKeys: [] })
                  .map((m): [number, EntityMetadata] => [id, m]),
              ),
            ),
          ),
        { nil: undefined },
      ),
      shuffles: fc.array(fc.nat(), { minLength: entities.length, maxLength: entities.length }),
      reorder: fc.array(fc.nat(3), { minLength: entities.length, maxLength: entities.length }),
    }),
  )
  .map(({ rest, entities, components, entityMetadata, shuffles, reorder }) => {
    const packed: PackedSnapshot = { ...rest, entities: Uint32Array.from(entities), components };
    if (entityMetadata !== undefined) packed.entityMetadata = new Map(entityMetadata);
    // Some entities list their components in their own order (a permutation; sometimes the snapshot order, recorded anyway).
    const order = new Map<number, string[]>();
    entities.forEach((entity, i) => {
      if (reorder[i] !== 0) return;
      const own = components.filter((c) => c.entityIds.includes(entity)).map((c) => c.id);
      if (own.length < 2) return;
      const k = shuffles[i]! % own.length;
      order.set(entity, [...own.slice(k), ...own.slice(0, k)].reverse());
    });
    if (order.size > 0) packed.componentOrder = order;
    return packed;
  })
  .filter((packed) => {
    try {
      encodeSnapshot(packed);
      return true;
    } catch {
      return false;
    }
  });
