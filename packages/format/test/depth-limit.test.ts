// The MessagePack nesting-depth limit: blobs, world and entity metadata, and the manifest
// refuse input nested deeper than a reader accepts, before decoding it; writers refuse to
// write what readers would refuse.
import { describe, expect, it } from 'vitest';
import { Encoder } from '@msgpack/msgpack';
import { SectionKind } from '../src/layout.js';
import { nestsDeeperThan } from '../src/msgpack-depth.js';
import { createPackedSnapshot, decodeBlob, decodeManifest, decodeSnapshot, encodeBlob, encodeSnapshot, MAX_BLOB_DEPTH } from '../src/index.js';
import { assemble, findSection, parse } from './helpers/container.js';
import { expectPackError } from '../../../test-support/pack-errors.js';

/** An array nested `depth` levels deep around `inner`. */
function nestedArrays(depth: number, inner: unknown = 1): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function nestedMaps(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = new Map([['k', value]]);
  return value;
}

function nestedSets(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = new Set([value]);
  return value;
}

/** `depth` one-element fixarrays around a nil: the cheapest deep MessagePack. */
function deepArrayBytes(depth: number): Uint8Array {
  const out = new Uint8Array(depth + 1).fill(0x91);
  out[depth] = 0xc0;
  return out;
}

/** Ext `type` wrappers nested `depth` deep, each holding `prefix` then the next (ext32 headers). */
function deepExtBytes(depth: number, type: number, prefix: number[]): Uint8Array {
  const per = 6 + prefix.length;
  const total = depth * per + 1;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  for (let l = 0; l < depth; l++) {
    const at = l * per;
    out[at] = 0xc9;
    v.setUint32(at + 1, total - at - 6);
    out[at + 5] = type;
    out.set(prefix, at + 6);
  }
  out[total - 1] = 0x90;
  return out;
}

describe('blob nesting depth', () => {
  it('round-trips values nested exactly to the limit (arrays, objects, Maps, Sets)', () => {
    expect(MAX_BLOB_DEPTH).toBe(256);
    let object: unknown = 'leaf';
    for (let i = 0; i < MAX_BLOB_DEPTH; i++) object = { x: object };
    for (const value of [nestedArrays(MAX_BLOB_DEPTH), object, nestedMaps(MAX_BLOB_DEPTH), nestedSets(MAX_BLOB_DEPTH)]) {
      expect(decodeBlob(encodeBlob(value))).toStrictEqual(value);
    }
    // Empty containers at the limit hold nothing deeper.
    for (const value of [nestedArrays(MAX_BLOB_DEPTH - 1, []), nestedArrays(MAX_BLOB_DEPTH - 1, new Map()), nestedArrays(MAX_BLOB_DEPTH - 1, new Set())]) {
      expect(decodeBlob(encodeBlob(value))).toStrictEqual(value);
    }
  });

  it('refuses to write one level more, naming the limit', () => {
    for (const value of [nestedArrays(MAX_BLOB_DEPTH + 1), nestedMaps(MAX_BLOB_DEPTH + 1), nestedSets(MAX_BLOB_DEPTH + 1)]) {
      const details = expectPackError(() => encodeBlob(value), 'Serialization', /deeper than 256 levels/);
      expect(details).toMatchObject({ maxDepth: 256 });
    }
  });

  it('refuses crafted deep arrays before decoding, naming what and the limit', () => {
    const details = expectPackError(() => decodeBlob(deepArrayBytes(600), 'the blob of X'), 'InvalidFormat', /the blob of X nests deeper than 256 levels/);
    expect(details).toStrictEqual({ limit: 'maxDepth', maxDepth: 256 });
    // A megabyte of nesting is refused as fast as 600 levels (no decoding happens).
    expectPackError(() => decodeBlob(deepArrayBytes(1 << 20)), 'InvalidFormat', /nests deeper/);
    // Deep maps ({"": {"": …}}), map16/array32 headers.
    const maps = new Uint8Array(2 * 300 + 1);
    for (let i = 0; i < 300; i++) maps.set([0x81, 0xa0], 2 * i);
    maps[600] = 0xc0;
    expectPackError(() => decodeBlob(maps), 'InvalidFormat', /nests deeper/);
    const wide = new Uint8Array(5 * 300 + 1);
    for (let i = 0; i < 300; i++) wide.set([0xdd, 0, 0, 0, 1], 5 * i);
    wide[1500] = 0xc0;
    expectPackError(() => decodeBlob(wide), 'InvalidFormat', /nests deeper/);
  });

  it('refuses nested Map and Set extensions (each one a recursive decode) without exhausting the stack', () => {
    for (const depth of [300, 5000, 100_000]) {
      expectPackError(() => decodeBlob(deepExtBytes(depth, 4, [0x91])), 'InvalidFormat', /nests deeper than 256/);
      expectPackError(() => decodeBlob(deepExtBytes(depth, 3, [0x92, 0x00])), 'InvalidFormat', /nests deeper than 256/);
    }
    // A Set whose data is directly another Set (malformed) still counts a level each.
    expectPackError(() => decodeBlob(deepExtBytes(5000, 4, [])), 'InvalidFormat', /nests deeper than 256/);
  });

  it('counts Maps and Sets as one level, as the writer does', () => {
    expect(nestsDeeperThan(encodeBlob(nestedMaps(10)), 10, [3, 4])).toBe(false);
    expect(nestsDeeperThan(encodeBlob(nestedMaps(11)), 10, [3, 4])).toBe(true);
    expect(nestsDeeperThan(encodeBlob(nestedSets(10)), 10, [3, 4])).toBe(false);
    expect(nestsDeeperThan(encodeBlob(nestedSets(11)), 10, [3, 4])).toBe(true);
    // Other ext types are opaque: their data is skipped.
    expect(nestsDeeperThan(encodeBlob(nestedSets(200)), 0, [])).toBe(false);
    // Skipped payloads: strings, bin, other exts, numbers of every width do not count.
    const flat = encodeBlob([['x'.repeat(300), new Uint8Array(70_000), 2n ** 70n, new Float64Array(3), 1.5, -(2 ** 40), new Date(0)]]);
    expect(nestsDeeperThan(flat, 2, [3, 4])).toBe(false);
    expect(nestsDeeperThan(flat, 1, [3, 4])).toBe(true);
  });

  it('is raised or lowered with maxDepth', () => {
    const deep = encodeBlob(nestedArrays(200));
    expect(decodeBlob(deepArrayBytes(600), 'x', { maxDepth: 600 })).toStrictEqual(nestedArrays(600, null));
    expectPackError(() => decodeBlob(deep, 'x', { maxDepth: 199 }), 'InvalidFormat', /deeper than 199 levels/);
    expect(decodeBlob(deep, 'x', { maxDepth: 200 })).toStrictEqual(nestedArrays(200));
    expectPackError(() => decodeBlob(deep, 'x', { maxDepth: -1 }), 'InvalidInput', /maxDepth/);
    expectPackError(() => decodeBlob(deep, 'x', { maxDepth: Number.NaN }), 'InvalidInput', /maxDepth/);
  });

  it('refuses a non-Uint8Array with InvalidInput', () => {
    expectPackError(() => decodeBlob([1, 2] as unknown as Uint8Array), 'InvalidInput', /Uint8Array/);
    expectPackError(() => decodeBlob(undefined as unknown as Uint8Array), 'InvalidInput', /Uint8Array/);
  });
});

describe('depth limits in crafted files', () => {
  const world = createPackedSnapshot({
    entities: [1, 2],
    timestamp: 1,
    metadata: { level: 'x' },
    entityMetadata: new Map([[1, { tags: ['a'] }]]),
    components: [{ id: 'P', fields: { x: new Float32Array(2) } }],
  });
  const bytes = encodeSnapshot(world);

  /** The file with the payload of its first section of `kind` replaced. */
  function withPayload(kind: number, payload: Uint8Array): Uint8Array {
    const file = parse(bytes);
    file.sections[findSection(file, kind)]!.payload = payload;
    return assemble(file);
  }

  function manifestWith(edit: Record<string, unknown>): Uint8Array {
    return encodeDeep({
      version: '',
      schemaVersion: 0,
      metadata: encodeBlob({}),
      entities: 0,
      sets: [[1, 2]],
      components: [['P', 0, 0, [['x', 10]]]],
      order: [],
      ...edit,
    });
  }

  it('the crafted file is otherwise valid', () => {
    expect(decodeSnapshot(withPayload(SectionKind.Manifest, manifestWith({}))).components[0]!.id).toBe('P');
  });

  it('a manifest nested deeper than 16 levels is InvalidFormat, even in a key readers ignore', () => {
    // 568 bytes of nesting in an unknown key: ignored by readers, but still decoded.
    const hostile = withPayload(SectionKind.Manifest, manifestWith({ later: nestedArrays(560) }));
    expectPackError(() => decodeSnapshot(hostile), 'InvalidFormat', /the manifest nests deeper than 16 levels/);
    expectPackError(() => decodeSnapshot(withPayload(SectionKind.Manifest, manifestWith({ order: nestedArrays(20, []) }))), 'InvalidFormat', /nests deeper/);
    // Room for keys a later version may add.
    expect(() => decodeManifest(manifestWith({ later: nestedArrays(15) }))).not.toThrow();
  });

  it('world metadata and entity metadata nested deeper than the blob limit are InvalidFormat', () => {
    const deep = deepArrayBytes(100_000);
    expectPackError(() => decodeSnapshot(withPayload(SectionKind.Manifest, manifestWith({ metadata: deep }))), 'InvalidFormat', /the world metadata nests deeper than 256/);
    expectPackError(() => decodeSnapshot(withPayload(SectionKind.EntityMetadata, deep)), 'InvalidFormat', /the entity metadata section nests deeper than 256/);
  });

  it('decodeManifest takes a raised limit for the world metadata', () => {
    const manifest = manifestWith({ metadata: encodePlainBlob(nestedArrays(300)) });
    expectPackError(() => decodeManifest(manifest), 'InvalidFormat', /world metadata nests deeper/);
    expect(decodeManifest(manifest, { maxBlobDepth: 301 }).metadata).toStrictEqual({ deep: nestedArrays(299) });
  });
});

/** Plain MessagePack as the manifest writer makes it (numbers as float64), without its depth limit. */
function encodeDeep(value: unknown): Uint8Array {
  return new Encoder({ maxDepth: 100_000, forceIntegerToFloat: true }).encode(value);
}

/** Blob bytes of `{ deep: value[0] }` written past the writer's limit (by hand: encodeBlob refuses). */
function encodePlainBlob(value: unknown): Uint8Array {
  return encodeDeep({ deep: (value as unknown[])[0] });
}
