// A toy run-length codec: (count, byte) pairs. Enough to exercise the codec hooks end to end.
import { CodecId, FilterId, type SectionCodec, type SectionFilter } from '../../src/index.js';

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

/**
 * `rle` with the zero-copy hooks: input and frames live in one reused scratch buffer that is
 * poisoned after every call, so a writer or reader that kept a borrowed view would read garbage.
 */
export function lendingRle(): SectionCodec & { calls: { compressWith: number; decompressWith: number } } {
  let scratch = new Uint8Array(16);
  const room = (n: number): Uint8Array => {
    if (scratch.length < n) scratch = new Uint8Array(n);
    return scratch;
  };
  const calls = { compressWith: 0, decompressWith: 0 };
  return {
    ...rle,
    calls,
    compressWith(length, fill, take, level) {
      calls.compressWith++;
      const input = room(length).subarray(0, length);
      fill(input);
      const frame = rle.compress(input.slice(), level);
      room(frame.length).set(frame);
      try {
        return take(scratch.subarray(0, frame.length));
      } finally {
        scratch.fill(0xee);
      }
    },
    decompressWith(stored, rawLength, take) {
      calls.decompressWith++;
      const raw = rle.decompress(stored, rawLength);
      room(raw.length).set(raw);
      try {
        return take(scratch.subarray(0, raw.length));
      } finally {
        scratch.fill(0xee);
      }
    },
  };
}

/** A toy filter (id 1, like byte-shuffle): every byte XORed with 0x5a (runs stay runs, so rle still shrinks them). */
export function xorFilter(withInto: boolean): SectionFilter {
  const run = (src: Uint8Array, _width: number, dst: Uint8Array): void => {
    if (src.length !== dst.length) throw new Error('length mismatch');
    for (let i = 0; i < src.length; i++) dst[i] = src[i]! ^ 0x5a;
  };
  const base: SectionFilter = {
    id: FilterId.ByteShuffle,
    name: 'xor',
    encode: (raw, width) => {
      const out = new Uint8Array(raw.length);
      run(raw, width, out);
      return out;
    },
    decode: (filtered, width) => {
      const out = new Uint8Array(filtered.length);
      run(filtered, width, out);
      return out;
    },
  };
  return withInto ? { ...base, encodeInto: run, decodeInto: run } : base;
}
