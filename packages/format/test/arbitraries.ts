// fast-check arbitraries for tx2-pack worlds: `WorldSnapshot` objects (the tx2 ECS shape) and
// `PackedSnapshot`s built with createPackedSnapshot covering every field type.
import fc from 'fast-check';
import {
  createPackedSnapshot,
  type ComponentInput,
  type ColumnsComponentInput,
  type EntityMetadata,
  type FieldType,
  type PackedSnapshot,
  type WorldComponent,
  type WorldEntity,
  type WorldSnapshot,
} from '../src/index.js';

// ---------------------------------------------------------------------------------------------
// Scalars

/** Any double, with the special values (NaN, -0, ±Infinity, extremes) over-represented. */
export const numberArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.integer() },
  {
    weight: 2,
    arbitrary: fc.constantFrom(NaN, -0, 0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MAX_VALUE, 2 ** 53, -(2 ** 53) - 2, 0.1, 2 ** 32),
  },
);

/** Well-formed strings: ASCII, any code point (astral included), grapheme clusters, and a few fixed ones. */
export const stringArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 10, unit: 'grapheme-ascii' }),
  fc.string({ maxLength: 10, unit: 'binary' }),
  fc.string({ maxLength: 6, unit: 'grapheme' }),
  fc.constantFrom('', '😀', '𝄞 clef', 'é', 'e\u0301', '\u0000', '\uFFFF', '日本語', 'a'.repeat(60), '🚀'.repeat(30)),
);

/**
 * Object keys: tricky fixed names and random strings. Never "__proto__" (documented as
 * unsupported) nor "constructor": vitest's toStrictEqual compares `a.constructor` to tell
 * classes apart, so an own "constructor" key holding an object breaks the comparison itself
 * (the library keeps such keys; an example test checks it without toStrictEqual).
 */
export const keyArb: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom('x', 'y', 'z', 'value', 'name', '', '0', '1', '10', '-1', 'toString', 'hasOwnProperty', 'valueOf', 'length', '😀'),
    fc.string({ maxLength: 6, unit: 'grapheme' }),
  )
  .filter((k) => k !== '__proto__' && k !== 'constructor');

export const bytesArb: fc.Arbitrary<Uint8Array> = fc.uint8Array({ maxLength: 12 });

/** A u32 entity id: small, anywhere, or at the edges of the range. */
export const entityIdArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 64 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff) },
);

/**
 * Unique entity ids: sparse and unsorted, a contiguous run (which the encoder stores as a range,
 * including runs that end exactly at 2^32-1), or a shuffled run.
 */
export function entityIdsArb(maxLength = 10): fc.Arbitrary<number[]> {
  const sparse = fc.uniqueArray(entityIdArb, { maxLength });
  const run = fc
    .record({
      start: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0xffffffff - 12, max: 0xffffffff })),
      count: fc.integer({ min: 0, max: maxLength }),
    })
    .map(({ start, count }) => Array.from({ length: Math.min(count, 0x100000000 - start) }, (_, i) => start + i));
  const shuffled = run.chain((ids) => fc.shuffledSubarray(ids, { minLength: ids.length, maxLength: ids.length }));
  return fc.oneof(sparse, run, shuffled);
}

// ---------------------------------------------------------------------------------------------
// Values that must go through blobs

const TYPED_ARRAY_CLASSES = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
] as const;

/** Any typed array from random bytes (so every bit pattern, NaN payloads included), sometimes a view at an offset. */
export const typedArrayArb: fc.Arbitrary<ArrayBufferView> = fc
  .record({ cls: fc.nat({ max: TYPED_ARRAY_CLASSES.length - 1 }), bytes: fc.uint8Array({ maxLength: 24 }), pad: fc.nat({ max: 2 }) })
  .map(({ cls, bytes, pad }) => {
    const Ctor = TYPED_ARRAY_CLASSES[cls]!;
    const w = Ctor.BYTES_PER_ELEMENT;
    const n = Math.floor(bytes.length / w);
    const buffer = new ArrayBuffer((n + pad + 1) * w);
    new Uint8Array(buffer, pad * w, n * w).set(bytes.subarray(0, n * w));
    return new Ctor(buffer, pad * w, n);
  });

export const dateArb: fc.Arbitrary<Date> = fc.oneof(
  fc.date(), // may be an invalid Date
  fc.constant(null).map(() => new Date(NaN)),
  fc.integer({ min: -1e13, max: 1e13 }).map((t) => new Date(t)),
);

export const bigintArb: fc.Arbitrary<bigint> = fc.oneof(fc.bigInt(), fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }), fc.constantFrom(0n, -1n, 2n ** 64n));

const primitiveArb: fc.Arbitrary<unknown> = fc.oneof(numberArb, stringArb, fc.boolean(), fc.constant(null), fc.constant(undefined), bigintArb);

const mapKeyArb: fc.Arbitrary<unknown> = fc.oneof(stringArb, numberArb, fc.boolean(), fc.constant(null), fc.constant(undefined), fc.bigInt({ min: -1000n, max: 1000n }));

/**
 * Keys of blob and metadata objects: those of {@link keyArb} plus any UTF-16 string, lone
 * surrogates included (written as ext 8 keys), short and over 200 UTF-8 bytes.
 */
export const objectKeyArb: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 3, arbitrary: keyArb },
    { weight: 2, arbitrary: fc.string({ maxLength: 6, unit: 'binary' }) },
    { weight: 1, arbitrary: fc.constantFrom('\ud800', 'a\udc00b', '\udc00\ud800', `${'k'.repeat(250)}\ud83d`, '\ud83d\ude00') },
  )
  .filter((k) => k !== '__proto__' && k !== 'constructor');

/** A plain object (Object.prototype, own enumerable string keys) built from unique keys. */
export function plainObjectArb(value: fc.Arbitrary<unknown>, maxKeys = 4): fc.Arbitrary<Record<string, unknown>> {
  return fc.uniqueArray(fc.tuple(objectKeyArb, value), { selector: (e) => e[0], maxLength: maxKeys }).map((entries) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) out[k] = v;
    return out;
  });
}

/** Structured-clone-like data: nested objects, arrays, Map, Set, Date, bigint, typed arrays, ArrayBuffer, undefined, null. */
export const richValueArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    primitiveArb,
    typedArrayArb,
    bytesArb,
    bytesArb.map((b) => b.slice().buffer),
    dateArb,
    fc.array(tie('value'), { maxLength: 4 }),
    plainObjectArb(tie('value')),
    fc.array(fc.tuple(mapKeyArb, tie('value')), { maxLength: 3 }).map((entries) => new Map(entries)),
    fc.array(fc.oneof(mapKeyArb, tie('value')), { maxLength: 4 }).map((items) => new Set(items)),
  ),
})).value;

// ---------------------------------------------------------------------------------------------
// Worlds

type ValueKind = 'number' | 'string' | 'boolean' | 'bytes';
const valueKindArb: fc.Arbitrary<ValueKind> = fc.constantFrom('number', 'string', 'boolean', 'bytes');

function valueOfKind(kind: ValueKind): fc.Arbitrary<unknown> {
  switch (kind) {
    case 'number':
      return numberArb;
    case 'string':
      return stringArb;
    case 'boolean':
      return fc.boolean();
    case 'bytes':
      return bytesArb;
  }
}

/** How one component's data is generated across the entities that have it. */
export type ComponentShape =
  /** Same keys in the same order and one value kind per key: becomes columns. */
  | { id: string; kind: 'columns'; fields: [string, ValueKind][] }
  /** Same keys, but any kind per entity, keys sometimes missing, or non-objects: becomes blobs. */
  | { id: string; kind: 'mixed'; fields: [string, ValueKind][] }
  /** Arbitrary structured data: blobs. */
  | { id: string; kind: 'rich' };

const componentIdArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('Position', 'Velocity', 'Name', 'Tag', 'Inventory', 'Health', ''),
  fc.string({ maxLength: 8, unit: 'grapheme' }),
);

const fieldsArb = fc.uniqueArray(fc.tuple(keyArb, valueKindArb), { selector: (e) => e[0], maxLength: 5 });

export const componentShapeArb: fc.Arbitrary<ComponentShape> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ id: componentIdArb, kind: fc.constant('columns' as const), fields: fieldsArb }) },
  { weight: 1, arbitrary: fc.record({ id: componentIdArb, kind: fc.constant('mixed' as const), fields: fieldsArb }) },
  { weight: 1, arbitrary: fc.record({ id: componentIdArb, kind: fc.constant('rich' as const) }) },
);

function objectOf(fields: readonly (readonly [string, fc.Arbitrary<unknown>])[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(...fields.map(([, arb]) => arb)).map((values) => {
    const out: Record<string, unknown> = {};
    fields.forEach(([key], i) => {
      out[key] = values[i];
    });
    return out;
  });
}

/** Data for one entity's instance of a component of `shape`. */
export function componentDataArb(shape: ComponentShape): fc.Arbitrary<unknown> {
  switch (shape.kind) {
    case 'columns':
      return objectOf(shape.fields.map(([k, kind]) => [k, valueOfKind(kind)] as const));
    case 'mixed':
      return fc.oneof(
        // same keys, any column-friendly kind per entity (mixed types across entities)
        objectOf(shape.fields.map(([k]) => [k, fc.oneof(numberArb, stringArb, fc.boolean(), bytesArb)] as const)),
        // missing keys
        fc.subarray(shape.fields).chain((kept) => objectOf(kept.map(([k, kind]) => [k, valueOfKind(kind)] as const))),
        // null / undefined / blob values inside a columnar-looking object
        objectOf(shape.fields.map(([k]) => [k, fc.oneof(fc.constant(null), fc.constant(undefined), richValueArb)] as const)),
        primitiveArb,
        richValueArb,
      );
    case 'rich':
      return richValueArb;
  }
}

function entityArb(id: number, shapes: ComponentShape[]): fc.Arbitrary<WorldEntity> {
  // Either the world's component order (a subarray keeps it) or any order.
  const chosen = shapes.length === 0 ? fc.constant<ComponentShape[]>([]) : fc.oneof(fc.subarray(shapes), fc.shuffledSubarray(shapes));
  return chosen.chain((sel) =>
    fc.tuple(...sel.map(componentDataArb)).map((data): WorldEntity => ({ id, components: sel.map((s, i): WorldComponent => ({ id: s.id, data: data[i] })) })),
  );
}

export interface WorldArbOptions {
  maxEntities?: number;
  maxComponents?: number;
}

/**
 * `WorldSnapshot`s with unique u32 ids (sparse, huge, unsorted), random component sets per
 * entity (none at all, any order), columnar-friendly and blob-only data.
 */
export function worldArb(options: WorldArbOptions = {}): fc.Arbitrary<WorldSnapshot> {
  return fc
    .record({
      ids: entityIdsArb(options.maxEntities ?? 10),
      shapes: fc.uniqueArray(componentShapeArb, { selector: (s) => s.id, maxLength: options.maxComponents ?? 5 }),
      timestamp: numberArb,
      version: stringArb,
    })
    .chain(({ ids, shapes, timestamp, version }) => fc.tuple(...ids.map((id) => entityArb(id, shapes))).map((entities): WorldSnapshot => ({ entities, timestamp, version })));
}

// ---------------------------------------------------------------------------------------------
// Packed snapshots

export const ALL_FIELD_TYPES: readonly FieldType[] = ['bool', 'i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64', 'f32', 'f64', 'string', 'bytes'];

/** The typed array of each numeric field type. */
export const NUMERIC_ARRAYS = {
  bool: Uint8Array,
  i8: Int8Array,
  i16: Int16Array,
  i32: Int32Array,
  i64: BigInt64Array,
  u8: Uint8Array,
  u16: Uint16Array,
  u32: Uint32Array,
  u64: BigUint64Array,
  f32: Float32Array,
  f64: Float64Array,
} as const;

type Numeric = keyof typeof NUMERIC_ARRAYS;

/** `n` values of `type`: numeric ones from random bytes (every bit pattern) or special floats, sometimes as a view at an offset. */
export function columnValuesArb(type: FieldType, n: number): fc.Arbitrary<ColumnsComponentInput['fields'][string]> {
  if (type === 'string') return fc.array(stringArb, { minLength: n, maxLength: n });
  if (type === 'bytes') return fc.array(bytesArb, { minLength: n, maxLength: n });
  const Ctor = NUMERIC_ARRAYS[type as Numeric];
  const w = Ctor.BYTES_PER_ELEMENT;
  const fromBytes = fc.record({ bytes: fc.uint8Array({ minLength: n * w, maxLength: n * w }), pad: fc.nat({ max: 3 }) }).map(({ bytes, pad }) => {
    const buffer = new ArrayBuffer((n + pad) * w);
    const target = new Uint8Array(buffer, pad * w, n * w);
    target.set(bytes);
    if (type === 'bool') for (let i = 0; i < n; i++) target[i]! &= 1;
    return new Ctor(buffer, pad * w, n);
  });
  if (type === 'f32')
    return fc.oneof(
      fromBytes,
      fc.array(fc.float(), { minLength: n, maxLength: n }).map((a) => Float32Array.from(a)),
    );
  if (type === 'f64')
    return fc.oneof(
      fromBytes,
      fc.array(numberArb, { minLength: n, maxLength: n }).map((a) => Float64Array.from(a)),
    );
  return fromBytes;
}

export const entityMetadataArb: fc.Arbitrary<EntityMetadata> = fc
  .record({ created: numberArb, modified: numberArb, tags: fc.array(stringArb, { maxLength: 3 }) }, { requiredKeys: [], noNullPrototype: true })
  .map((m) => ({ ...m }));

/** World-level metadata: any blob-encodable values. */
export const metadataArb: fc.Arbitrary<Record<string, unknown>> = plainObjectArb(richValueArb, 4);

interface ComponentPlan {
  id: string;
  /** 'all': no entityIds (the snapshot's list); otherwise an explicit subset in any order. */
  rows: 'all' | number[];
  fields: [string, FieldType][];
}

function componentPlanArb(entities: number[]): fc.Arbitrary<ComponentPlan> {
  return fc.record({
    id: componentIdArb,
    rows: fc.oneof(fc.constant('all' as const), fc.shuffledSubarray(entities), fc.subarray(entities), fc.constant([] as number[])),
    fields: fc.uniqueArray(fc.tuple(keyArb, fc.constantFrom(...ALL_FIELD_TYPES)), { selector: (e) => e[0], maxLength: 6 }),
  });
}

function componentInputArb(plan: ComponentPlan, entityCount: number): fc.Arbitrary<ComponentInput> {
  const n = plan.rows === 'all' ? entityCount : plan.rows.length;
  return fc.tuple(...plan.fields.map(([, type]) => columnValuesArb(type, n))).map((values) => {
    const fields: ColumnsComponentInput['fields'] = {};
    // Null prototype: createPackedSnapshot reads `types[name]` without an own-property check, so a
    // plain object would hand it Object.prototype.toString for a field named "toString" (a src bug,
    // covered by a failing test in columns.test.ts).
    const types: Partial<Record<string, FieldType>> = Object.create(null) as Partial<Record<string, FieldType>>;
    plan.fields.forEach(([name, type], i) => {
      fields[name] = values[i]!;
      // bool and bytes cannot be told from the array class (an empty Uint8Array[] looks like string[]).
      if (type === 'bool' || type === 'bytes') types[name] = type;
    });
    const input: ComponentInput = { id: plan.id, fields, types };
    if (plan.rows !== 'all') input.entityIds = Uint32Array.from(plan.rows);
    return input;
  });
}

export interface PackedArbOptions {
  maxEntities?: number;
  maxComponents?: number;
}

/**
 * PackedSnapshots built with createPackedSnapshot, covering every field type, components with
 * 0 rows and with a subset of the entities, metadata objects and entityMetadata maps.
 */
export function packedArb(options: PackedArbOptions = {}): fc.Arbitrary<PackedSnapshot> {
  return fc
    .record({
      entities: entityIdsArb(options.maxEntities ?? 10),
      timestamp: numberArb,
      worldTime: numberArb,
      schemaVersion: numberArb,
      version: stringArb,
      metadata: metadataArb,
    })
    .chain((base) =>
      fc
        .record({
          components: fc
            .uniqueArray(componentPlanArb(base.entities), { selector: (c) => c.id, maxLength: options.maxComponents ?? 4 })
            .chain((plans) => fc.tuple(...plans.map((p) => componentInputArb(p, base.entities.length)))),
          entityMetadata: fc.option(
            fc.array(fc.tuple(base.entities.length > 0 ? fc.constantFrom(...base.entities) : entityIdArb, entityMetadataArb), {
              minLength: 1,
              maxLength: 4,
            }),
          ),
        })
        .map(({ components, entityMetadata }) =>
          createPackedSnapshot({
            ...base,
            components,
            // An empty map is written as "no metadata": only generate absent or non-empty.
            ...(entityMetadata === null ? {} : { entityMetadata: new Map(entityMetadata) }),
          }),
        ),
    );
}

/** Packed snapshots holding exactly one column of every field type (plus the random rest). */
export function everyTypePackedArb(): fc.Arbitrary<PackedSnapshot> {
  return entityIdsArb(8).chain((entities) =>
    fc.tuple(...ALL_FIELD_TYPES.map((t) => columnValuesArb(t, entities.length))).map((values) =>
      createPackedSnapshot({
        timestamp: 1,
        entities,
        components: [
          {
            id: 'Every',
            fields: Object.fromEntries(ALL_FIELD_TYPES.map((t, i) => [t, values[i]!])),
            types: { bool: 'bool', bytes: 'bytes' },
          },
        ],
      }),
    ),
  );
}
