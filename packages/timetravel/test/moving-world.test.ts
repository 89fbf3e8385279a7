// A world where every entity moves every frame, recorded with a compressing codec: frames are
// kept as compressed temporal (XOR) deltas when smaller than their value patches, every frame
// reads back bit for bit (forwards, backwards, at random), and a delta that cannot fit its run
// is not computed.
import { CodecId, type PackedSnapshot, type SectionCodec, snapshotsEqual } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { TimeTravel } from '../src/index.js';

/** Run-length coding of (count, byte) pairs under the zstd id: shrinks the zero planes of a shuffled XOR, not random bytes. */
const rle: SectionCodec = {
  id: CodecId.Zstd,
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
      out.fill(stored[i + 1]!, at, at + stored[i]!);
      at += stored[i]!;
    }
    return out;
  },
};

/** Byte-shuffle (filter id 1), so that the XOR's zero bytes form runs. */
const shuffle = {
  id: 1,
  name: 'shuffle',
  encode(raw: Uint8Array, width: number) {
    const n = Math.floor(raw.length / width);
    const out = raw.slice();
    for (let i = 0; i < n; i++) for (let k = 0; k < width; k++) out[k * n + i] = raw[i * width + k]!;
    return out;
  },
  decode(filtered: Uint8Array, width: number) {
    const n = Math.floor(filtered.length / width);
    const out = filtered.slice();
    for (let i = 0; i < n; i++) for (let k = 0; k < width; k++) out[i * width + k] = filtered[k * n + i]!;
    return out;
  },
};

const encode = { codec: rle, filter: () => shuffle };
const decode = { codecs: (id: number) => (id === CodecId.Zstd ? rle : undefined), filters: (id: number) => (id === 1 ? shuffle : undefined) };

/** `n` entities whose f32 x moves by its velocity each frame (every value changes, slowly), and whose f64 clock ticks. */
function movingWorld(n: number): { at: (frame: number) => PackedSnapshot } {
  let s = 7;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const x0 = Float32Array.from({ length: n }, () => 500 + 400 * rand());
  const v = Float32Array.from({ length: n }, () => -10 + 20 * rand());
  const ids = Uint32Array.from({ length: n }, (_, i) => i + 1);
  return {
    at: (frame) => ({
      timestamp: 1000 + frame,
      worldTime: frame,
      version: 'm',
      schemaVersion: 1,
      metadata: {},
      entities: ids,
      components: [
        {
          id: 'Body',
          layout: 'columns',
          entityIds: ids,
          fields: [
            { name: 'x', type: 'f32', values: x0.map((x, i) => Math.fround(x + (frame * v[i]!) / 60)) },
            { name: 'v', type: 'f32', values: v },
            { name: 'clock', type: 'f64', values: Float64Array.from(ids, (id) => frame * 0.016 + id) },
          ],
        },
      ],
    }),
  };
}

describe('a world where everything moves', () => {
  const frames = 24;
  const world = movingWorld(3000);

  it('keeps frames as compressed temporal deltas, smaller than value patches, and reads every frame back exactly', () => {
    const tt = new TimeTravel({ encode, decode, keyframes: { fullEvery: 12, maxDeltaRatio: Infinity } });
    for (let f = 0; f < frames; f++) tt.record(f, world.at(f));
    const usage = tt.memoryUsage();
    expect(usage.keyframes).toBe(2);
    // A value patch would hold x and clock whole: 3000 × 12 bytes a frame.
    expect(usage.deltaBytes / usage.deltas).toBeLessThan(3000 * 12 * 0.8);
    // Backwards (each from its keyframe), then at scattered times, then forwards.
    for (let f = frames - 1; f >= 0; f--) expect(snapshotsEqual(tt.seekToTime(f)!.snapshot, world.at(f))).toBe(true);
    for (const f of [5, 17, 0, 23, 11, 12, 6]) expect(snapshotsEqual(tt.seekToTime(f)!.snapshot, world.at(f))).toBe(true);
    for (let f = 0; f < frames; f++) expect(snapshotsEqual(tt.seekToTime(f)!.snapshot, world.at(f))).toBe(true);
    // Bytes of a delta frame are a full encoding of its snapshot.
    expect(snapshotsEqual(tt.decode(tt.entries()[7]!.bytes), world.at(7))).toBe(true);
  });

  it('without a codec, frames stay value patches (compression would not pay)', () => {
    const tt = new TimeTravel({ keyframes: { fullEvery: 12, maxDeltaRatio: Infinity } });
    for (let f = 0; f < 4; f++) tt.record(f, world.at(f));
    expect(tt.memoryUsage().deltaBytes / 3).toBeGreaterThanOrEqual(3000 * 12);
    for (let f = 0; f < 4; f++) expect(snapshotsEqual(tt.seekToTime(f)!.snapshot, world.at(f))).toBe(true);
  });

  it('a frame whose delta would not fit its run is made a keyframe, and every frame still reads back', () => {
    // A delta is about half a keyframe here: a ratio of 0.3 never fits one, so after the first try frames are keyframes.
    const tt = new TimeTravel({ encode, decode, keyframes: { fullEvery: 4, maxDeltaRatio: 0.3 } });
    for (let f = 0; f < 12; f++) tt.record(f, world.at(f));
    expect(tt.memoryUsage()).toMatchObject({ keyframes: 12, deltas: 0 });
    for (let f = 0; f < 12; f++) expect(snapshotsEqual(tt.seekToTime(f)!.snapshot, world.at(f))).toBe(true);
  });
});
