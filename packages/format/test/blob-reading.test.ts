// What a reader makes of MessagePack values (docs/format.md section 8 **Reading**): a reserved
// extension type is content, re-encoded as that type and bytes (so the content hash of a snapshot
// holding one is that of the file's bytes); a str that is not well-formed UTF-8 is InvalidFormat.
import { ExtData } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { createPackedSnapshot, decodeBlob, decodeSnapshot, encodeBlob, encodeSnapshot, snapshotHash, toHex } from '../src/index.js';
import { fromHex } from '../src/bytes.js';

describe('reserved extension types', () => {
  // [input, re-encoding]: the same type and data, in the shortest ext form (section 8 "Forms").
  for (const [bytes, again] of [
    ['d43861', 'd43861'],
    ['c70438ffffffff', 'd638ffffffff'],
    ['92d5400102c0', '92d5400102c0'],
    ['81a178d4f001', '81a178d4f001'],
  ] as const) {
    it(`${bytes} decodes to an opaque value and re-encodes as ${again}`, () => {
      expect(toHex(encodeBlob(decodeBlob(fromHex(bytes))))).toBe(again);
    });
  }

  it('keeps the type and bytes', () => {
    const value = decodeBlob(fromHex('d43861')) as ExtData;
    expect(value).toBeInstanceOf(ExtData);
    expect(value.type).toBe(56);
    expect([...(value.data as Uint8Array)]).toEqual([0x61]);
  });

  it('survives a snapshot round trip in world metadata with an unchanged content hash', () => {
    const metadata = { odd: decodeBlob(fromHex('d43861')) };
    const packed = createPackedSnapshot({ timestamp: 0, version: 'v', entities: new Uint32Array(), components: [], metadata } as never);
    const again = decodeSnapshot(encodeSnapshot(packed));
    expect(toHex(snapshotHash(again))).toBe(toHex(snapshotHash(packed)));
    expect(toHex(encodeBlob(again.metadata))).toBe('81a36f6464d43861');
  });
});

describe('strings that are not well-formed UTF-8', () => {
  // [hex of a MessagePack str]: an encoded surrogate, a lone continuation byte, an overlong "/",
  // a truncated sequence, and one past 200 bytes (the library's other decoding path).
  for (const bytes of ['a3eda080', 'a180', 'a2c0af', 'a2e282', `d9ca${'61'.repeat(201)}ff`]) {
    it(`${bytes.slice(0, 16)} is InvalidFormat in a blob`, () => {
      expect(() => decodeBlob(fromHex(bytes))).toThrow(expect.objectContaining({ code: 'InvalidFormat' }));
    });
  }

  it('a malformed map key is InvalidFormat', () => {
    expect(() => decodeBlob(fromHex('81a2c328c0'))).toThrow(expect.objectContaining({ code: 'InvalidFormat' }));
  });

  it('well-formed strings still decode, a leading U+FEFF included', () => {
    expect(decodeBlob(fromHex('a3efbbbf'))).toBe('\ufeff');
    expect(decodeBlob(fromHex('81a2c3a9a2c3a9'))).toEqual({ é: 'é' });
  });
});
