// A toy run-length codec: (count, byte) pairs. Enough to exercise the codec hooks end to end.
import { CodecId, type SectionCodec } from '../../src/index.js';

/** Run-length coding under the LZ4 codec id, named "rle". */
export const rle: SectionCodec = {
  id: CodecId.Lz4,
  name: 'rle',
  compress(raw) {
    const out: number[] = [];
    for (let i = 0; i < raw.length; ) {
      let n = 1;
      while (i + n < raw.length && raw[i + n] === raw[i] && n < 255) n++;
      out.push(n, raw[i]!);
      i += n;
    }
    return Uint8Array.from(out);
  },
  decompress(stored, rawLength) {
    const out = new Uint8Array(rawLength);
    let at = 0;
    for (let i = 0; i + 1 < stored.length; i += 2) {
      if (at + stored[i]! > rawLength) throw new Error('overflow');
      out.fill(stored[i + 1]!, at, at + stored[i]!);
      at += stored[i]!;
    }
    return out;
  },
};
