// A toy run-length codec, so that tests can encrypt compressed sections without @tx2/pack-codecs
// (a higher-numbered sibling tier built separately): [count, byte] pairs, count 1-255.
import type { SectionCodec } from '@tx2/pack-format';

/** Counts calls, to prove that a transform never decompresses. */
export const rleCalls = { compress: 0, decompress: 0 };

export const rleCodec: SectionCodec = {
  id: 4, // borrows the gzip id: the format only records it
  name: 'test-rle',
  compress(raw) {
    rleCalls.compress++;
    const out: number[] = [];
    for (let i = 0; i < raw.length; ) {
      let n = 1;
      while (n < 255 && i + n < raw.length && raw[i + n] === raw[i]) n++;
      out.push(n, raw[i]!);
      i += n;
    }
    return Uint8Array.from(out);
  },
  decompress(stored, rawLength) {
    rleCalls.decompress++;
    const out = new Uint8Array(rawLength);
    let at = 0;
    for (let i = 0; i + 1 < stored.length; i += 2) {
      if (at + stored[i]! > rawLength) throw new Error('rle: output too long');
      out.fill(stored[i + 1]!, at, at + stored[i]!);
      at += stored[i]!;
    }
    if (at !== rawLength) throw new Error('rle: output too short');
    return out;
  },
};
