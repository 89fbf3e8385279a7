// fast-check arbitraries for the crypto tests: packed snapshots covering every field type,
// partial entity sets, world and entity metadata; and object worlds with blob components.
import { type ColumnsComponentInput, createPackedSnapshot, type ComponentInput, type FieldType, type PackedSnapshot, type WorldSnapshot } from '@tx2/pack-format';
import fc from 'fast-check';

const TYPES: readonly FieldType[] = ['bool', 'i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64', 'f32', 'f64', 'string', 'bytes'];

function valuesArb(type: FieldType, n: number): fc.Arbitrary<ColumnsComponentInput['fields'][string]> {
  const ints = (min: number, max: number) => fc.array(fc.integer({ min, max }), { minLength: n, maxLength: n });
  switch (type) {
    case 'bool':
      return ints(0, 1).map((v) => Uint8Array.from(v));
    case 'i8':
      return ints(-128, 127).map((v) => Int8Array.from(v));
    case 'i16':
      return ints(-32768, 32767).map((v) => Int16Array.from(v));
    case 'i32':
      return ints(-(2 ** 31), 2 ** 31 - 1).map((v) => Int32Array.from(v));
    case 'i64':
      return fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { minLength: n, maxLength: n }).map((v) => BigInt64Array.from(v));
    case 'u8':
      return ints(0, 255).map((v) => Uint8Array.from(v));
    case 'u16':
      return ints(0, 65535).map((v) => Uint16Array.from(v));
    case 'u32':
      return fc.array(fc.nat({ max: 2 ** 32 - 1 }), { minLength: n, maxLength: n }).map((v) => Uint32Array.from(v));
    case 'u64':
      return fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { minLength: n, maxLength: n }).map((v) => BigUint64Array.from(v));
    case 'f32':
      return fc.array(fc.float(), { minLength: n, maxLength: n }).map((v) => Float32Array.from(v));
    case 'f64':
      return fc.array(fc.double(), { minLength: n, maxLength: n }).map((v) => Float64Array.from(v));
    case 'string':
      return fc.array(fc.string({ maxLength: 12, unit: 'grapheme' }), { minLength: n, maxLength: n });
    case 'bytes':
      return fc.array(fc.uint8Array({ maxLength: 12 }), { minLength: n, maxLength: n });
  }
}

const componentArb = (id: string, entities: number[]): fc.Arbitrary<ComponentInput> =>
  fc
    .record({
      rows: fc.subarray(entities),
      types: fc.uniqueArray(fc.constantFrom(...TYPES), { minLength: 1, maxLength: 4 }),
    })
    .chain(({ rows, types }) =>
      fc.tuple(...types.map((t) => valuesArb(t, rows.length))).map(
        (values): ComponentInput => ({
          id,
          entityIds: Uint32Array.from(rows),
          fields: Object.fromEntries(types.map((t, i) => [`f_${t}`, values[i]!])),
          types: Object.fromEntries(types.filter((t) => t === 'bool' || t === 'bytes').map((t) => [`f_${t}`, t])),
        }),
      ),
    );

/** Packed snapshots: up to `maxEntities` unique u32 ids (runs and sparse), up to 4 components of any field types. */
export function packedArb(maxEntities = 12): fc.Arbitrary<PackedSnapshot> {
  const ids = fc.oneof(
    fc.uniqueArray(fc.nat({ max: 2 ** 32 - 1 }), { maxLength: maxEntities }),
    fc.record({ start: fc.nat({ max: 1000 }), count: fc.nat({ max: maxEntities }) }).map(({ start, count }) => Array.from({ length: count }, (_, i) => start + i)),
  );
  return ids.chain((entities) =>
    fc
      .record({
        names: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 4 }),
        timestamp: fc.double(),
        worldTime: fc.double(),
        version: fc.string({ maxLength: 8 }),
        metadata: fc.dictionary(
          fc.string({ maxLength: 4 }).filter((k) => k !== '__proto__'),
          fc.oneof(fc.string(), fc.double(), fc.boolean()),
        ),
        tagged: fc.subarray(entities, { maxLength: Math.min(3, entities.length) }),
      })
      .chain((base) =>
        fc.tuple(...base.names.map((name) => componentArb(name, entities))).map((components) =>
          createPackedSnapshot({
            entities,
            components,
            timestamp: base.timestamp,
            worldTime: base.worldTime,
            version: base.version,
            metadata: base.metadata,
            ...(base.tagged.length > 0 ? { entityMetadata: new Map(base.tagged.map((id) => [id, { created: id, tags: ['t'] }])) } : {}),
          }),
        ),
      ),
  );
}

/** Object worlds whose components need blobs (nested objects, Maps, Dates, mixed types) or fit columns. */
export function worldArb(): fc.Arbitrary<WorldSnapshot> {
  const data = fc.oneof(
    fc.record({ x: fc.double(), y: fc.double() }),
    fc.record({ name: fc.string(), tags: fc.array(fc.string(), { maxLength: 3 }) }),
    fc.record({ items: fc.array(fc.tuple(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 3 }).map((e) => new Map(e)), when: fc.date({ noInvalidDate: true }) }),
    fc.record({ any: fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.bigInt()) }),
  );
  return fc.uniqueArray(fc.nat({ max: 2 ** 32 - 1 }), { maxLength: 8 }).chain((ids) =>
    fc.tuple(...ids.map(() => fc.uniqueArray(fc.tuple(fc.constantFrom('A', 'B', 'C', 'D'), data), { selector: ([id]) => id, maxLength: 3 }))).map((perEntity) => ({
      entities: ids.map((id, i) => ({ id, components: perEntity[i]!.map(([cid, d]) => ({ id: cid, data: d })) })),
      timestamp: 1,
      version: '1',
    })),
  );
}
