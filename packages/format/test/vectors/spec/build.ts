// Builds the spec vectors of this directory (see README.md): canonical files written by the
// encoder with checksums off, and hand-made variants (chunked columns, explicit sets, other
// MessagePack forms, refused files) assembled with the byte-level helpers of
// ../../helpers/container.ts. Every builder is deterministic: the tests compare its output
// with the committed bytes.
import { Encoder } from '@msgpack/msgpack';
import { fileURLToPath } from 'node:url';
import {
  decodeBlob,
  diff,
  encodeBlob,
  encodeDelta,
  encodeSnapshot,
  type PackedSnapshot,
  SectionKind,
  type SnapshotDelta,
} from '../../../src/index.js';
import { assemble, parse, type RawFile, type RawSection } from '../../helpers/container.js';

export const SPEC_DIR = fileURLToPath(new URL('.', import.meta.url));

/** What a vector is and what a reader must make of it. */
export interface SpecVector {
  description: string;
  /** `snapshot`: decode with a snapshot reader; `delta`: a delta container applied to `base`. */
  kind: 'snapshot' | 'delta';
  build: () => Uint8Array;
  /** The error code a reader must refuse it with (absent: it must be read). */
  refused?: string;
  /** For an accepted non-canonical snapshot: the canonical vector of the same snapshot (same content hash). */
  sameAs?: string;
  /** For a delta: the vectors of its base and target snapshots. */
  base?: string;
  target?: string;
  /** For a delta with predicted fields: the vector of its reference snapshot. */
  reference?: string;
}

const canonical = (packed: PackedSnapshot): Uint8Array => encodeSnapshot(packed, { checksums: false });
const u32 = (...ids: number[]): Uint32Array => Uint32Array.from(ids);
const world = (fields: Partial<PackedSnapshot>): PackedSnapshot => ({
  timestamp: 1700000000000,
  version: 'spec/1',
  worldTime: 1.5,
  schemaVersion: 2,
  metadata: {},
  entities: new Uint32Array(0),
  components: [],
  ...fields,
});

// ---------------------------------------------------------------------------------------------
// Snapshots

function emptyWorld(): PackedSnapshot {
  return world({ timestamp: 0, version: '', worldTime: 0, schemaVersion: 0 });
}

/** Components with no rows (fixed, string, bytes, blobs), a component without fields, an entity without components. */
function emptyComponents(): PackedSnapshot {
  return world({
    entities: u32(10, 11, 12, 40),
    components: [
      { id: 'Tag', layout: 'columns', entityIds: u32(11, 12), fields: [] },
      {
        id: 'Empty',
        layout: 'columns',
        entityIds: new Uint32Array(0),
        fields: [
          { name: 'v', type: 'f64', values: new Float64Array(0) },
          { name: 's', type: 'string', values: [] },
          { name: 'b', type: 'bytes', values: [] },
        ],
      },
      { id: 'NoRows', layout: 'blobs', entityIds: new Uint32Array(0), blobs: [] },
      { id: 'Pos', layout: 'columns', entityIds: u32(40, 10), fields: [{ name: 'x', type: 'i32', values: Int32Array.from([-1, 7]) }] },
    ],
  });
}

/** A range world set shared by a component, an explicit set, a range set of another component. */
function setsAndColumns(): PackedSnapshot {
  const ids = Uint32Array.from({ length: 10 }, (_, i) => i);
  return world({
    metadata: { level: 'one' },
    entities: ids,
    components: [
      {
        id: 'Position',
        layout: 'columns',
        entityIds: ids,
        fields: [
          { name: 'x', type: 'f32', values: Float32Array.from({ length: 10 }, (_, i) => i * 1.5) },
          { name: 'y', type: 'f32', values: Float32Array.from({ length: 10 }, (_, i) => -i) },
        ],
      },
      { id: 'Name', layout: 'columns', entityIds: u32(3, 1, 4), fields: [{ name: 'n', type: 'string', values: ['three', '', '\ufefffour'] }] },
      { id: 'Data', layout: 'blobs', entityIds: u32(2, 3, 4, 5), blobs: [encodeBlob({ hp: 3 }), encodeBlob([1, 'two']), encodeBlob(null), encodeBlob(new Map([[1, 2]]))] },
    ],
  });
}

function entityMetadata(): PackedSnapshot {
  return world({
    entities: u32(1, 2, 3),
    components: [{ id: 'C', layout: 'columns', entityIds: u32(1, 2, 3), fields: [{ name: 'v', type: 'u8', values: Uint8Array.from([1, 2, 3]) }] }],
    entityMetadata: new Map([
      [3, { created: 1700000000000, modified: 1.5, tags: ['boss', 'é'] }],
      [1, {}],
      [2, { tags: [] }],
    ]),
  });
}

function componentOrder(): PackedSnapshot {
  return world({
    entities: u32(1, 2),
    components: [
      { id: 'A', layout: 'columns', entityIds: u32(1, 2), fields: [{ name: 'v', type: 'u8', values: Uint8Array.from([1, 2]) }] },
      { id: 'B', layout: 'columns', entityIds: u32(2), fields: [{ name: 'w', type: 'u16', values: Uint16Array.from([500]) }] },
    ],
    componentOrder: new Map([[2, ['B', 'A']]]),
  });
}

/** Metadata whose keys JavaScript reorders (integer-like keys first). */
function metadataWorld(): PackedSnapshot {
  return world({
    metadata: { b: 1, 2: 'x', a: 1.5, long: 'y'.repeat(40) },
    entities: u32(1, 2),
    components: [{ id: 'C', layout: 'columns', entityIds: u32(1, 2), fields: [{ name: 'v', type: 'u8', values: Uint8Array.from([1, 2]) }] }],
  });
}

const F32 = (...bits: number[]): Float32Array => new Float32Array(Uint32Array.from(bits).buffer);

/** Every MessagePack form and extension the blob encoding uses, in world metadata and in blobs. */
function blobForms(): PackedSnapshot {
  const values: unknown[] = [
    [0, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1],
    [-1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 53) + 1],
    [-0, 0.5, -1.5, 2 ** 53, -(2 ** 53), Infinity, -Infinity, NaN, 1e300],
    [null, true, false, undefined, [, 1]],
    ['', 'a'.repeat(31), 'b'.repeat(32), 'c'.repeat(256), 'é', '😀', 'lone \ud800', '\udc00'],
    [Uint8Array.from([1, 2]), new Uint8Array(0), new Uint8Array(256)],
    [10n, -255n, 0n, 2n ** 64n],
    [new Date(0), new Date(-1.5), new Date(NaN)],
    [new Map<unknown, unknown>([[1, 'a'], ['k', { deep: [new Set([1])] }], [{}, null]]), new Set(['x', 2, undefined]), new Map()],
    [
      Int8Array.from([-1]),
      Uint8ClampedArray.from([255]),
      Int16Array.from([-2]),
      Uint16Array.from([3]),
      Int32Array.from([-4]),
      Uint32Array.from([5]),
      F32(0x7fc00001, 0x80000000),
      Float64Array.from([1.25]),
      BigInt64Array.from([-6n]),
      BigUint64Array.from([7n]),
      new ArrayBuffer(3),
    ],
    Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i])),
    Array.from({ length: 16 }, (_, i) => i),
  ];
  return world({
    metadata: { forms: values, 10: 'ten', z: 'zed', 1: 'one' },
    entities: Uint32Array.from({ length: values.length }, (_, i) => i),
    components: [{ id: 'Forms', layout: 'blobs', entityIds: Uint32Array.from({ length: values.length }, (_, i) => i), blobs: values.map((v) => encodeBlob(v)) }],
  });
}

/** The same value twice in a blob component: once in the canonical MessagePack forms, once in longer ones. */
/** Object keys with lone surrogates (short, long, nested, inside a Map's value): each key is written as ext 8. */
function surrogateKeys(): PackedSnapshot {
  const long = `${'k'.repeat(250)}\udc00`;
  const values: unknown[] = [{ 'a\ud800': 1 }, { [long]: { '\udc00\ud800': 'v', plain: 2 } }, new Map([[1, { '\ud83d': null }]])];
  return world({
    metadata: { 'lone \ud800': 'x', [long]: [1], ok: { '\udfff': true } },
    entities: u32(1, 2, 3),
    components: [{ id: 'Keys', layout: 'blobs', entityIds: u32(1, 2, 3), blobs: values.map((v) => encodeBlob(v)) }],
  });
}

function blobBytes(): PackedSnapshot {
  // {k: 1, f: 1.5, s: "a"} as map 16, uint 64, float 32 and str 8.
  const long = Uint8Array.from([0xde, 0x00, 0x03, 0xa1, 0x6b, 0xcf, 0, 0, 0, 0, 0, 0, 0, 1, 0xa1, 0x66, 0xca, 0x3f, 0xc0, 0, 0, 0xa1, 0x73, 0xd9, 0x01, 0x61]);
  return world({
    entities: u32(1, 2),
    components: [{ id: 'B', layout: 'blobs', entityIds: u32(1, 2), blobs: [encodeBlob({ k: 1, f: 1.5, s: 'a' }), long] }],
  });
}

// ---------------------------------------------------------------------------------------------
// Hand-made variants

/** The raw manifest of a parsed file, as a plain object (its `metadata` stays a bin). */
function manifestOf(file: RawFile): Record<string, unknown> {
  return decodeBlob(file.sections[0]!.payload) as Record<string, unknown>;
}

/** Writes a manifest object as the canonical writer does (every number a float 64). */
const asFloats = (m: Record<string, unknown>): Uint8Array => new Encoder({ forceIntegerToFloat: true }).encode(m);

/** A variable-length payload holding `values`. */
function varPayload(values: Uint8Array[]): Uint8Array {
  const head = 4 * (values.length + 1);
  const out = new Uint8Array(head + values.reduce((n, v) => n + v.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  values.forEach((v, i) => {
    out.set(v, head + at);
    at += v.length;
    view.setUint32(4 * (i + 1), at, true);
  });
  return out;
}

/** The values of a variable-length payload of `count` rows. */
function varValues(payload: Uint8Array, count: number): Uint8Array[] {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const head = 4 * (count + 1);
  return Array.from({ length: count }, (_, i) => payload.slice(head + view.getUint32(4 * i, true), head + view.getUint32(4 * (i + 1), true)));
}

function sectionOf(file: RawFile, kind: number, owner: number, field?: number): RawSection {
  const s = file.sections.find((x) => x.descriptor.kind === kind && x.descriptor.owner === owner && (field === undefined || x.descriptor.field === field));
  if (s === undefined) throw new Error(`no section ${kind}/${owner}/${field}`);
  return s;
}

/** A chunk of `section` holding rows [start, end), with the given payload. */
function chunk(section: RawSection, start: number, end: number, payload: Uint8Array): RawSection {
  return { offset: 0, descriptor: { ...section.descriptor, rowStart: start, rowCount: end - start }, payload };
}

/** setsAndColumns with Position.x in three chunks (one empty) interleaved with Position.y, Name.n and the blobs in two. */
function chunkedColumns(gap = false): Uint8Array {
  const file = parse(canonical(setsAndColumns()));
  const x = sectionOf(file, SectionKind.Column, 0, 0);
  const y = sectionOf(file, SectionKind.Column, 0, 1);
  const n = sectionOf(file, SectionKind.Column, 1, 0);
  const blobs = sectionOf(file, SectionKind.Blobs, 2);
  const names = varValues(n.payload, 3);
  const data = varValues(blobs.payload, 4);
  const xs = gap
    ? [chunk(x, 0, 3, x.payload.subarray(0, 12)), chunk(x, 4, 10, x.payload.subarray(16, 40))]
    : [chunk(x, 0, 3, x.payload.subarray(0, 12)), chunk(x, 3, 3, new Uint8Array(0)), chunk(x, 3, 10, x.payload.subarray(12, 40))];
  file.sections = [
    file.sections[0]!,
    ...file.sections.filter((s) => s.descriptor.kind === SectionKind.EntitySet),
    xs[0]!,
    y,
    ...xs.slice(1),
    chunk(n, 0, 1, varPayload(names.slice(0, 1))),
    chunk(n, 1, 3, varPayload(names.slice(1))),
    chunk(blobs, 0, 1, varPayload(data.slice(0, 1))),
    chunk(blobs, 1, 4, varPayload(data.slice(1))),
  ];
  return assemble(file);
}

/** setsAndColumns with the world set 0..9 written as an explicit list and its EntitySet section. */
function explicitSet(): Uint8Array {
  const file = parse(canonical(setsAndColumns()));
  const m = manifestOf(file);
  (m.sets as unknown[])[0] = [10];
  file.sections[0]!.payload = asFloats(m);
  const ids = new Uint8Array(Uint32Array.from({ length: 10 }, (_, i) => i).buffer);
  const setSection: RawSection = { offset: 0, descriptor: { ...sectionOf(file, SectionKind.EntitySet, 1).descriptor, owner: 0, rowCount: 10 }, payload: ids };
  file.sections.splice(1, 0, setSection);
  return assemble(file);
}

/** metadataWorld with a manifest in other MessagePack forms: ints, keys reordered, no `order`, an unknown key, and metadata in longer forms and another key order. */
function manifestForms(): Uint8Array {
  const file = parse(canonical(metadataWorld()));
  const m = manifestOf(file);
  // {b: uint 32 1, "2": str 8 "x", a: float 32 1.5, long: str 16 "y" × 40}: keys not in JavaScript order.
  const metadata = Uint8Array.from([
    0x84, 0xa1, 0x62, 0xce, 0, 0, 0, 1, 0xa1, 0x32, 0xd9, 0x01, 0x78, 0xa1, 0x61, 0xca, 0x3f, 0xc0, 0, 0,
    0xa4, 0x6c, 0x6f, 0x6e, 0x67, 0xda, 0x00, 0x28, ...new Uint8Array(40).fill(0x79),
  ]);
  const reordered = { later: { a: [1, 2] }, components: m.components, sets: m.sets, entities: m.entities, metadata, schemaVersion: m.schemaVersion, version: m.version };
  file.sections[0]!.payload = new Encoder().encode(reordered);
  return assemble(file);
}

/** metadataWorld whose manifest omits `order` (otherwise canonical). */
function manifestWithoutOrder(): Uint8Array {
  const file = parse(canonical(metadataWorld()));
  const m = manifestOf(file);
  delete m.order;
  file.sections[0]!.payload = asFloats(m);
  return assemble(file);
}

function manifestWithoutSets(): Uint8Array {
  const file = parse(canonical(metadataWorld()));
  const m = manifestOf(file);
  delete m.sets;
  file.sections[0]!.payload = asFloats(m);
  return assemble(file);
}

/** setsAndColumns with the explicit set of Name split over two EntitySet sections. */
function entitySetTwice(): Uint8Array {
  const file = parse(canonical(setsAndColumns()));
  const i = file.sections.findIndex((s) => s.descriptor.kind === SectionKind.EntitySet);
  const s = file.sections[i]!;
  file.sections.splice(i, 1, chunk(s, 0, 2, s.payload.subarray(0, 8)), chunk(s, 2, 3, s.payload.subarray(8)));
  return assemble(file);
}

/** A canonical file with one padding byte set. */
function nonZeroPadding(): Uint8Array {
  const bytes = canonical(metadataWorld()).slice();
  const file = parse(bytes);
  const s = file.sections.find((x) => x.payload.length % 8 !== 0)!;
  bytes[s.offset + 64 + s.payload.length] = 1;
  return bytes;
}

/** setsAndColumns with a string holding an encoded surrogate (ED A0 80), which is not UTF-8. */
function invalidUtf8(): Uint8Array {
  const file = parse(canonical(setsAndColumns()));
  const n = sectionOf(file, SectionKind.Column, 1, 0);
  n.payload = varPayload([Uint8Array.from([0x61]), Uint8Array.from([0xed, 0xa0, 0x80]), new Uint8Array(0)]);
  return assemble(file);
}

// ---------------------------------------------------------------------------------------------
// Deltas

function orderBase(): PackedSnapshot {
  const base = componentOrder();
  delete base.componentOrder;
  return base;
}

/** The base 16 ms later, with entity 2's components in the order B, A. */
function orderTarget(): PackedSnapshot {
  const target = componentOrder();
  target.timestamp += 16;
  return target;
}

function fieldlessBase(): PackedSnapshot {
  const ids = Uint32Array.from({ length: 8 }, (_, i) => i + 1);
  return world({
    entities: ids,
    components: [
      { id: 'Pos', layout: 'columns', entityIds: ids, fields: [{ name: 'x', type: 'f32', values: Float32Array.from(ids, (i) => i / 2) }] },
      { id: 'Tag', layout: 'columns', entityIds: u32(1, 2, 3, 4, 5), fields: [] },
    ],
  });
}

/** Entity 7 gains the field-less Tag; entity 2 loses it. */
function fieldlessTarget(): PackedSnapshot {
  const target = fieldlessBase();
  target.components[1] = { id: 'Tag', layout: 'columns', entityIds: u32(1, 3, 4, 5, 7), fields: [] };
  return target;
}

/** The diff of fieldlessBase -> fieldlessTarget: Tag must be a patch adding rows. */
function fieldlessDelta(): SnapshotDelta {
  const delta = diff(fieldlessBase(), fieldlessTarget());
  const tag = delta.components[1]!;
  if (tag.change !== 'patched' || tag.added === undefined) throw new Error('the Tag change should be a patch with added rows');
  return delta;
}

/** The same delta without the added rows of Tag: applying it must fail. */
function fieldlessWithoutAdded(): Uint8Array {
  const delta = fieldlessDelta();
  const tag = delta.components[1]!;
  if (tag.change === 'patched') delete tag.added;
  return encodeDelta(delta);
}

/** Float bits as a value (NaN payloads survive: the array is written through its bits). */
function f32Bits(...bits: number[]): Float32Array {
  return new Float32Array(Uint32Array.from(bits).buffer);
}

function f64Bits(...bits: bigint[]): Float64Array {
  return new Float64Array(BigUint64Array.from(bits).buffer);
}

/** Entities 1..6 with f32 positions (a NaN with a payload, -0, a subnormal among them), an f64 clock and an i16 counter. */
function xorBase(): PackedSnapshot {
  const ids = u32(1, 2, 3, 4, 5, 6);
  return world({
    entities: u32(1, 2, 3, 4, 5, 6, 7),
    components: [
      {
        id: 'Body',
        layout: 'columns',
        entityIds: ids,
        fields: [
          { name: 'x', type: 'f32', values: f32Bits(0x42c80000, 0x7fc00001, 0x80000000, 0x00000001, 0xc1200000, 0x3f800000) },
          { name: 't', type: 'f64', values: f64Bits(0x3ff0000000000000n, 0x4000000000000000n, 0x7ff8000000000abcn, 0x8000000000000000n, 0n, 0x000fffffffffffffn) },
          { name: 'n', type: 'i16', values: Int16Array.from([0, 1, -1, 300, -300, 32767]) },
        ],
      },
    ],
  });
}

/** Every value of Body moved a little (its bits too: NaN payload 1 -> 3, -0 -> 0, subnormal 1 -> 2); entity 3 left, entity 7 joined. */
function xorTarget(): PackedSnapshot {
  const ids = u32(1, 2, 4, 5, 6, 7);
  return world({
    entities: u32(1, 2, 3, 4, 5, 6, 7),
    timestamp: 1700000000016,
    worldTime: 2.5,
    components: [
      {
        id: 'Body',
        layout: 'columns',
        entityIds: ids,
        fields: [
          { name: 'x', type: 'f32', values: f32Bits(0x42c80010, 0x7fc00003, 0x00000002, 0xc1200100, 0x3f800001, 0x41000000) },
          { name: 't', type: 'f64', values: f64Bits(0x3ff0000000000001n, 0x4000000000000100n, 0x8000000000000001n, 1n, 0x000ffffffffffff0n, 0x4010000000000000n) },
          { name: 'n', type: 'i16', values: Int16Array.from([1, 2, 301, -299, 32766, 5]) },
        ],
      },
    ],
  });
}

/** The temporal delta of xorBase -> xorTarget: every field of Body stored as the XOR of its bits. */
function xorDelta(): SnapshotDelta {
  const delta = diff(xorBase(), xorTarget(), { xor: 'always' });
  const body = delta.components[0]!;
  if (body.change !== 'patched' || body.fields.length !== 3 || !body.fields.every((f) => f.xor === true)) throw new Error('every field of Body should be a temporal delta');
  return delta;
}

/** xorDelta with Body.x given as a temporal delta of listed rows (all of them): only whole fields may be. */
function xorOfRows(): Uint8Array {
  const delta = xorDelta();
  const body = delta.components[0]!;
  if (body.change === 'patched') body.fields[0]!.rows = u32(0, 1, 2, 3, 4, 5);
  return encodeDelta(delta);
}

// Predicted deltas (13.3 "lin", 13.4 step 2.4): reference R, base B, target T of one component,
// scale 1.5, with rows chosen to pin down the arithmetic: binary64 then one rounding to f32
// (ties to even, also among subnormals), NaN predictions keeping the base's bits, -0, overflow.
const LIN_SCALE = 1.5;
const LIN_IDS = u32(1, 2, 3, 4, 5, 6, 7);

/** Body of R, B or T, with unchanged Tag blobs beside it. */
function linWorld(t: number, x: Float32Array, y: Float64Array, n: Int16Array): PackedSnapshot {
  return world({
    entities: u32(1, 2, 3, 4, 5, 6, 7, 8),
    timestamp: 1700000000000 + 16 * t,
    worldTime: t,
    components: [
      {
        id: 'Body',
        layout: 'columns',
        entityIds: LIN_IDS,
        fields: [
          { name: 'x', type: 'f32', values: x },
          { name: 'y', type: 'f64', values: y },
          { name: 'n', type: 'i16', values: n },
        ],
      },
      { id: 'Tag', layout: 'blobs', entityIds: u32(2, 8), blobs: [Uint8Array.of(0x90), Uint8Array.of(0xc0)] },
    ],
  });
}

/** R (tick 0). Row by row, x: 100; 1; +0; 2^127; 1; NaN (payload 1); 2^-149. y: 1; +inf; +0; 1; 1e308; 0.1; 2^-1074. */
function linReference(): PackedSnapshot {
  return linWorld(
    0,
    f32Bits(0x42c80000, 0x3f800000, 0x00000000, 0x7f000000, 0x3f800000, 0x7fc00001, 0x00000001),
    f64Bits(0x3ff0000000000000n, 0x7ff0000000000000n, 0n, 0x3ff0000000000000n, 0x7fe1ccf385ebc8a0n, 0x3fb999999999999an, 1n),
    Int16Array.from([0, 0, 0, 0, 0, 0, 0]),
  );
}

/**
 * B (tick 1). x: 101; 1 + 2^-23 (prediction 1 + 1.5 × 2^-23 ties to even: 1 + 2^-22); -0 (-0 − 0 = -0,
 * × 1.5 = -0, -0 + -0 = -0); 1.5 × 2^127 (prediction 2.25 × 2^127 overflows to +inf); a NaN with
 * payload 5 (prediction NaN: B's bits); 10 (R's NaN: B's bits); 2 × 2^-149 (prediction 3.5 ×
 * 2^-149 ties to even: 4 × 2^-149). y: 2; +inf (inf − inf: B's bits); -0; a NaN with payload
 * 0xabc; 1.5e308 (prediction overflows to +inf); 0.2; 4 × 2^-1074.
 */
function linBase(): PackedSnapshot {
  return linWorld(
    1,
    f32Bits(0x42ca0000, 0x3f800001, 0x80000000, 0x7f400000, 0x7fc00005, 0x41200000, 0x00000002),
    f64Bits(0x4000000000000000n, 0x7ff0000000000000n, 0x8000000000000000n, 0x7ff8000000000abcn, 0x7feab36d48e1acf0n, 0x3fc999999999999an, 4n),
    Int16Array.from([1, 1, 1, 1, 1, 1, 1]),
  );
}

/** T (tick 2.5): most values exactly as predicted (XOR 0), some a bit off; n changed in 4 rows of 7 (stored whole, as values). */
function linTarget(): PackedSnapshot {
  return linWorld(
    2.5,
    f32Bits(0x42cd0000, 0x3f800003, 0x80000000, 0x7f800000, 0x7fc00007, 0x41280000, 0x00000004),
    f64Bits(0x400c000000000000n, 0x7ff0000000000000n, 0n, 0x7ff8000000000abdn, 0x7ff0000000000000n, 0x3fd6666666666666n, 9n),
    Int16Array.from([2, 3, 1, 4, 1, 5, 1]),
  );
}

/** The predicted delta of linBase -> linTarget with reference linReference: x and y are "lin", n values. */
function linDelta(): SnapshotDelta {
  const delta = diff(linBase(), linTarget(), { reference: { snapshot: linReference(), scale: LIN_SCALE }, predict: 'always', xor: 'never' });
  const body = delta.components[0]!;
  if (body.change !== 'patched' || body.fields.map((f) => `${f.name}:${f.predicted === true}`).join() !== 'x:true,y:true,n:false') {
    throw new Error('x and y of Body should be predicted, n not');
  }
  return delta;
}

// ---------------------------------------------------------------------------------------------
// Entity references, single-value components and resources (sections 4.1, 4.2)

const NULL = 0xffffffff;
const list = (...ids: number[]): Uint8Array => {
  const out = new Uint8Array(ids.length * 4);
  ids.forEach((id, i) => new DataView(out.buffer).setUint32(i * 4, id, true));
  return out;
};

/** References (one null, one dangling), an entity-list single value, a single-value i16, and four resources. */
function refsAndValues(): PackedSnapshot {
  return world({
    entities: u32(1, 2, 3, 5),
    components: [
      {
        id: 'Follow',
        layout: 'columns',
        entityIds: u32(1, 2, 3),
        fields: [
          { name: 'target', type: 'u32', values: u32(2, NULL, 9), ref: 'entity' },
          { name: 'speed', type: 'f32', values: Float32Array.from([0.5, 1, 2]) },
        ],
      },
      { id: 'Children', layout: 'columns', entityIds: u32(1, 5), singleValue: true, fields: [{ name: '', type: 'bytes', values: [list(2, 3), list()], ref: 'entities' }] },
      { id: 'Hp', layout: 'columns', entityIds: u32(1, 2, 3, 5), singleValue: true, fields: [{ name: '', type: 'i16', values: Int16Array.from([10, -1, 300, 0]) }] },
    ],
    resources: [
      {
        id: 'rng',
        layout: 'columns',
        fields: [
          { name: 'state', type: 'u64', values: BigUint64Array.of(0x0123456789abcdefn) },
          { name: 'calls', type: 'u32', values: u32(7) },
        ],
      },
      { id: 'player', layout: 'columns', singleValue: true, fields: [{ name: '', type: 'u32', values: u32(5), ref: 'entity' }] },
      { id: 'title', layout: 'columns', singleValue: true, fields: [{ name: '', type: 'string', values: ['Level 1'] }] },
      { id: 'config', layout: 'blobs', blobs: [encodeBlob({ difficulty: 'hard' })] },
    ],
  });
}

/** refsAndValues with an edit to its manifest. */
function editRefsManifest(edit: (m: Record<string, unknown>) => void): Uint8Array {
  const file = parse(canonical(refsAndValues()));
  const m = manifestOf(file);
  edit(m);
  file.sections[0]!.payload = asFloats(m);
  return assemble(file);
}

const attrsOf = (m: Record<string, unknown>) => m.attrs as [number, Record<string, unknown>][];

/** The next tick of refsAndValues: Follow of entity 3 now targets 5, the rng advanced, title removed. */
function refsTarget(): PackedSnapshot {
  const target = refsAndValues();
  target.timestamp += 16;
  const follow = target.components[0]!;
  if (follow.layout === 'columns') follow.fields[0] = { name: 'target', type: 'u32', values: u32(2, NULL, 5), ref: 'entity' };
  const rng = target.resources![0]!;
  if (rng.layout === 'columns') rng.fields = [
    { name: 'state', type: 'u64', values: BigUint64Array.of(0x0fedcba987654321n) },
    { name: 'calls', type: 'u32', values: u32(8) },
  ];
  target.resources!.splice(2, 1);
  return target;
}

// ---------------------------------------------------------------------------------------------

/** Every spec vector by file name (without `.tx2pack`). */
export const SPEC_VECTORS: Record<string, SpecVector> = {
  'canonical-empty-world': { kind: 'snapshot', description: 'no entities, no components: the world set is the empty list [0] with an EntitySet section of no bytes', build: () => canonical(emptyWorld()) },
  'canonical-empty-components': {
    kind: 'snapshot',
    description: 'components with no rows (f64, string, bytes fields; blobs), a component without fields, an entity without components, an explicit set',
    build: () => canonical(emptyComponents()),
  },
  'canonical-sets-and-columns': {
    kind: 'snapshot',
    description: 'a range world set shared by a component, an explicit set, a range set, string (leading U+FEFF) and blob columns',
    build: () => canonical(setsAndColumns()),
  },
  'chunked-columns': {
    kind: 'snapshot',
    description: 'canonical-sets-and-columns with Position.x in 3 chunks (one of 0 rows) interleaved with Position.y, Name.n and the blobs in 2 chunks each',
    build: () => chunkedColumns(),
    sameAs: 'canonical-sets-and-columns',
  },
  'explicit-set': {
    kind: 'snapshot',
    description: 'canonical-sets-and-columns with the world set 0..9 stored as an explicit list [10] and an EntitySet section instead of the range [0, 10]',
    build: explicitSet,
    sameAs: 'canonical-sets-and-columns',
  },
  'canonical-entity-metadata': {
    kind: 'snapshot',
    description: 'entity metadata for 3 entities, not in id order (rowCount 3), with an empty map and an empty tag list',
    build: () => canonical(entityMetadata()),
  },
  'canonical-component-order': { kind: 'snapshot', description: 'entity 2 lists its components as B, A: the manifest order [[2, [1, 0]]]', build: () => canonical(componentOrder()) },
  'canonical-metadata': { kind: 'snapshot', description: 'world metadata {b, "2", a, long}, which JavaScript orders "2", b, a, long', build: () => canonical(metadataWorld()) },
  'manifest-forms': {
    kind: 'snapshot',
    description: 'canonical-metadata with a manifest of integers instead of float 64, keys in another order, an unknown key, no `order` key, and metadata in longer forms and another key order',
    build: manifestForms,
    sameAs: 'canonical-metadata',
  },
  'manifest-without-order': { kind: 'snapshot', description: 'canonical-metadata whose manifest omits the optional `order` key', build: manifestWithoutOrder, sameAs: 'canonical-metadata' },
  'canonical-blob-forms': {
    kind: 'snapshot',
    description: 'every MessagePack form and extension type of section 8, in world metadata and as blobs',
    build: () => canonical(blobForms()),
  },
  'canonical-surrogate-keys': {
    kind: 'snapshot',
    description: 'object keys with a lone surrogate (short, over 200 UTF-16 units, nested, inside a Map) in world metadata and blobs, each written as an ext 8 map key',
    build: () => canonical(surrogateKeys()),
  },
  'canonical-blob-bytes': {
    kind: 'snapshot',
    description: 'a blob component whose two rows hold the same value, in the canonical forms and in longer ones: blob bytes are data, so both are kept',
    build: () => canonical(blobBytes()),
  },
  'delta-order.base': { kind: 'snapshot', description: 'the base of delta-order', build: () => canonical(orderBase()) },
  'delta-order.target': { kind: 'snapshot', description: 'the target of delta-order', build: () => canonical(orderTarget()) },
  'delta-order': {
    kind: 'delta',
    description: 'a delta whose target gains a component order: the description key `order` holds [[2, ["B", "A"]]], component ids',
    build: () => encodeDelta(diff(orderBase(), orderTarget())),
    base: 'delta-order.base',
    target: 'delta-order.target',
  },
  'delta-fieldless-added.base': { kind: 'snapshot', description: 'the base of delta-fieldless-added', build: () => canonical(fieldlessBase()) },
  'delta-fieldless-added.target': { kind: 'snapshot', description: 'the target of delta-fieldless-added', build: () => canonical(fieldlessTarget()) },
  'delta-fieldless-added': {
    kind: 'delta',
    description: 'the field-less component Tag is patched: entity 2 leaves, entity 7 joins; its added rows are a payload component with no fields and the empty id list',
    build: () => encodeDelta(fieldlessDelta()),
    base: 'delta-fieldless-added.base',
    target: 'delta-fieldless-added.target',
  },
  'refused-delta-fieldless-no-added': {
    kind: 'delta',
    description: 'delta-fieldless-added without the `added` payload of Tag: applying it is InvalidFormat (with or without hash checks)',
    build: fieldlessWithoutAdded,
    base: 'delta-fieldless-added.base',
    refused: 'InvalidFormat',
  },
  'canonical-refs-and-values': {
    kind: 'snapshot',
    description: 'manifest attrs: an entity reference (2, null 0xFFFFFFFF, dangling 9), a single-value entity list, a single-value i16; resources with u64/u32 columns, a single-value reference, a single-value string and a blob',
    build: () => canonical(refsAndValues()),
  },
  'attrs-unknown-key': {
    kind: 'snapshot',
    description: 'canonical-refs-and-values whose first attrs map has an extra key `future` that readers ignore',
    build: () => editRefsManifest((m) => (attrsOf(m)[0]![1].future = 1)),
    sameAs: 'canonical-refs-and-values',
  },
  'delta-resources.base': { kind: 'snapshot', description: 'the base of delta-resources (canonical-refs-and-values)', build: () => canonical(refsAndValues()) },
  'delta-resources.target': { kind: 'snapshot', description: 'the target of delta-resources', build: () => canonical(refsTarget()) },
  'delta-resources': {
    kind: 'delta',
    description: 'a reference value changed (a row patch of a u32 field marked as a reference), resources changed: description `resources: true` and the whole target list in the manifest',
    build: () => encodeDelta(diff(refsAndValues(), refsTarget()), { checksums: false }),
    base: 'delta-resources.base',
    target: 'delta-resources.target',
  },
  'refused-ref-wrong-type': {
    kind: 'snapshot',
    description: 'attrs mark the f32 field speed of Follow as an entity reference',
    build: () => editRefsManifest((m) => (attrsOf(m)[0]![1].refs = [[1, 0]])),
    refused: 'InvalidFormat',
  },
  'refused-single-value-two-fields': {
    kind: 'snapshot',
    description: 'attrs mark Follow, which has two fields, single-value',
    build: () => editRefsManifest((m) => (attrsOf(m)[0]![1].value = true)),
    refused: 'InvalidFormat',
  },
  'refused-entity-list-partial': {
    kind: 'snapshot',
    description: 'the first entity list of Children holds 7 bytes, not whole u32 ids',
    build: () => {
      const file = parse(canonical(refsAndValues()));
      sectionOf(file, SectionKind.Column, 1, 0).payload = varPayload([list(2, 3).subarray(0, 7), list()]);
      return assemble(file);
    },
    refused: 'InvalidFormat',
  },
  'refused-resource-value-width': {
    kind: 'snapshot',
    description: 'the u32 value of resource rng field calls is stored in 3 bytes',
    build: () => editRefsManifest((m) => ((m.resources as unknown[][])[0]![3] as Uint8Array[]).splice(1, 1, Uint8Array.of(7, 0, 0))),
    refused: 'InvalidFormat',
  },
  'delta-xor.base': { kind: 'snapshot', description: 'the base of delta-xor', build: () => canonical(xorBase()) },
  'delta-xor.target': { kind: 'snapshot', description: 'the target of delta-xor', build: () => canonical(xorTarget()) },
  'delta-xor': {
    kind: 'delta',
    description:
      'temporal deltas (description version 2): f32, f64 and i16 fields of Body stored as [name, k, true, "xor"], the XOR of the bits of each target row with its base row (NaN payload, -0, subnormals); entity 3 leaves Body and entity 7 joins, so its added row holds the new value and the XOR 0',
    build: () => encodeDelta(xorDelta()),
    base: 'delta-xor.base',
    target: 'delta-xor.target',
  },
  'refused-delta-xor-rows': {
    kind: 'delta',
    description: 'delta-xor with Body.x as [name, k, false, "xor"] over the listed rows 0..5: a temporal delta must cover the whole column, so applying it is InvalidFormat',
    build: xorOfRows,
    base: 'delta-xor.base',
    refused: 'InvalidFormat',
  },
  'delta-lin.reference': { kind: 'snapshot', description: 'the reference of delta-lin', build: () => canonical(linReference()) },
  'delta-lin.base': { kind: 'snapshot', description: 'the base of delta-lin', build: () => canonical(linBase()) },
  'delta-lin.target': { kind: 'snapshot', description: 'the target of delta-lin', build: () => canonical(linTarget()) },
  'delta-lin': {
    kind: 'delta',
    description:
      'predicted deltas (description version 3, reference and scale 1.5): the f32 x and f64 y of Body stored as [name, k, true, "lin"], the XOR of each new value with its prediction base + 1.5 × (base − reference): ties to even in f32 (normal and subnormal), NaN predictions keeping the base bits (a NaN in the base, in the reference, inf − inf), -0, overflow to +inf in f32 and f64; the i16 n stored whole as values',
    build: () => encodeDelta(linDelta()),
    base: 'delta-lin.base',
    target: 'delta-lin.target',
    reference: 'delta-lin.reference',
  },
  'refused-column-gap': { kind: 'snapshot', description: 'Position.x in chunks of rows 0..2 and 4..9: row 3 is missing', build: () => chunkedColumns(true), refused: 'InvalidFormat' },
  'refused-entity-set-chunked': { kind: 'snapshot', description: 'the explicit set of Name split over two EntitySet sections: entity sets are never chunked', build: entitySetTwice, refused: 'InvalidFormat' },
  'refused-manifest-without-sets': { kind: 'snapshot', description: 'a manifest without the required key `sets`', build: manifestWithoutSets, refused: 'InvalidFormat' },
  'refused-nonzero-padding': { kind: 'snapshot', description: 'canonical-metadata with one padding byte set to 1', build: nonZeroPadding, refused: 'InvalidFormat' },
  'refused-invalid-utf8': { kind: 'snapshot', description: 'a string value ED A0 80 (an encoded surrogate), which is not UTF-8', build: invalidUtf8, refused: 'InvalidFormat' },
};
