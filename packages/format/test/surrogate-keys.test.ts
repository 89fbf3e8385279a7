// Object keys holding a lone UTF-16 surrogate, which UTF-8 cannot hold, are written as ext 8
// map keys (their UTF-16 code units), as string values with lone surrogates are: they come back
// exactly from blobs, world metadata and entity metadata, and the content hash tells them
// apart from the U+FFFD a lossy writer would have put in their place.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPackedSnapshot, decodeBlob, decodeSnapshot, type EntityMetadata, encodeBlob, encodeSnapshot, snapshotHash } from '../src/index.js';
import { objectKeyArb, richValueArb } from './arbitraries.js';
import { toHex } from '../src/bytes.js';

const LONG = `${'k'.repeat(250)}\ud800`;

describe('object keys with a lone surrogate', () => {
  it('are written as ext 8 map keys, in the shortest form', () => {
    // fixmap 1, fixext 4 type 8 ("a", U+D800 as u16 LE), positive fixint 1
    expect(toHex(encodeBlob({ 'a\ud800': 1 }))).toBe('81d608610000d801');
    // a key of 251 UTF-16 units: ext 8 with 502 bytes of data is ext 16 (c8 01f6 08)
    expect(toHex(encodeBlob({ [LONG]: 1 }).subarray(0, 6))).toBe('81c801f6086b');
    // well-formed keys are unchanged: plain str keys
    expect(toHex(encodeBlob({ a: 1 }))).toBe('81a16101');
  });

  it('come back exactly, short and long, nested, in Map values and Set members, in key order', () => {
    const keys = ['a\ud800', '\udc00', '\udc00\ud800', LONG, 'plain', '10', '2'];
    const inner = Object.fromEntries(keys.map((k, i) => [k, i]));
    const value = { ...inner, nested: { [LONG]: inner }, map: new Map<unknown, unknown>([['\ud800', inner]]), set: new Set([inner]) };
    const back = decodeBlob(encodeBlob(value)) as typeof value;
    expect(back).toStrictEqual(value);
    expect(Object.keys(back)).toStrictEqual(Object.keys(value));
    expect(Object.keys(back.nested[LONG] as object)).toStrictEqual(Object.keys(inner));
  });

  it('written by older writers as invalid UTF-8 (ED A0 80) are refused: strings must be well-formed UTF-8 (InvalidFormat)', () => {
    expect(() => decodeBlob(Uint8Array.from([0x81, 0xa4, 0x61, 0xed, 0xa0, 0x80, 1]))).toThrow(expect.objectContaining({ code: 'InvalidFormat' }));
  });

  it('refuse the key __proto__ written as ext 8 (InvalidFormat)', () => {
    const bytes = [0x81, 0xc7, 18, 8, ...[...'__proto__'].flatMap((c) => [c.charCodeAt(0), 0]), 1];
    expect(() => decodeBlob(Uint8Array.from(bytes))).toThrow(expect.objectContaining({ code: 'InvalidFormat' }));
  });

  it('survive world and entity metadata, and the content hash is not that of U+FFFD', () => {
    const world = createPackedSnapshot({
      entities: [1],
      timestamp: 1,
      metadata: { [LONG]: 1, 'x\udfff': { '\ud83d': true } },
      entityMetadata: new Map([[1, { tags: ['t'], 'e\ud800': 'v' } as EntityMetadata]]),
    });
    const back = decodeSnapshot(encodeSnapshot(world));
    expect(back.metadata).toStrictEqual(world.metadata);
    expect(back.entityMetadata).toStrictEqual(world.entityMetadata);
    expect(toHex(snapshotHash(back))).toBe(toHex(snapshotHash(world)));
    const replaced = createPackedSnapshot({
      entities: [1],
      timestamp: 1,
      metadata: { [LONG.replace('\ud800', '\ufffd')]: 1, 'x\udfff': { '\ud83d': true } },
      entityMetadata: new Map([[1, { tags: ['t'], 'e\ud800': 'v' } as EntityMetadata]]),
    });
    expect(toHex(snapshotHash(replaced))).not.toBe(toHex(snapshotHash(world)));
  });

  it('round-trips any object keys (full Unicode and lone surrogates) through encodeBlob', () => {
    const objectArb = fc.uniqueArray(fc.tuple(objectKeyArb, richValueArb), { selector: (e) => e[0], maxLength: 6 }).map((e) => Object.fromEntries(e));
    fc.assert(
      fc.property(objectArb, (value) => {
        const back = decodeBlob(encodeBlob(value)) as Record<string, unknown>;
        expect(back).toStrictEqual(value);
        expect(Object.keys(back)).toStrictEqual(Object.keys(value));
        // The encoding is a function of the value: re-encoding the decoded value gives the same bytes.
        expect(toHex(encodeBlob(back))).toBe(toHex(encodeBlob(value)));
      }),
      { seed: 20261203, numRuns: 300 },
    );
  });
});
