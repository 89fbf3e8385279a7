// A reserved MessagePack extension type (docs/format.md section 8) read from a file is content:
// re-encoding gives back the same type and bytes, so the content hash of a snapshot holding one
// is the hash of the file's own bytes.
import { ExtData } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { createPackedSnapshot, decodeBlob, decodeSnapshot, encodeBlob, encodeSnapshot, snapshotHash, toHex } from '../src/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('reserved extension types', () => {
  // [input, re-encoding]: the same type and data, in the shortest ext form (section 8 "Forms").
  for (const [bytes, again] of [
    ['d43861', 'd43861'],
    ['c70438ffffffff', 'd638ffffffff'],
    ['92d5400102c0', '92d5400102c0'],
    ['81a178d4f001', '81a178d4f001'],
  ] as const) {
    it(`${bytes} decodes to an opaque value and re-encodes as ${again}`, () => {
      expect(hex(encodeBlob(decodeBlob(Buffer.from(bytes, 'hex'))))).toBe(again);
    });
  }

  it('keeps the type and bytes', () => {
    const value = decodeBlob(Buffer.from('d43861', 'hex')) as ExtData;
    expect(value).toBeInstanceOf(ExtData);
    expect(value.type).toBe(56);
    expect([...(value.data as Uint8Array)]).toEqual([0x61]);
  });

  it('survives a snapshot round trip in world metadata with an unchanged content hash', () => {
    const metadata = { odd: decodeBlob(Buffer.from('d43861', 'hex')) };
    const packed = createPackedSnapshot({ timestamp: 0, version: 'v', entities: new Uint32Array(), components: [], metadata } as never);
    const again = decodeSnapshot(encodeSnapshot(packed));
    expect(toHex(snapshotHash(again))).toBe(toHex(snapshotHash(packed)));
    expect(hex(encodeBlob(again.metadata))).toBe('81a36f6464d43861');
  });
});
