// Whole-section decompression (decompress / decompressWith of zstd and LZ4) passes the stored
// bytes through a 128 KiB window of module memory: payloads smaller and larger than the window,
// frames that start or end on its edges, and payloads cut or corrupted past the first window.
import { describe, expect, it } from 'vitest';
import { type Codec, CodecError, loadCodec } from '../src/index.js';
import { Scratch, type WasmBase } from '../src/wasm/instance.js';
import { compressibleBytes, mixedBytes, randomBytes, sameBytes } from './helpers/data.js';

const WINDOW = 128 * 1024;

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** A skippable frame of exactly `total` bytes (8 of header): the same layout for zstd and LZ4. */
const skippable = (total: number): Uint8Array => {
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x184d2a50, true);
  view.setUint32(4, total - 8, true);
  return out;
};

/** The codec's result through both whole-section routes. */
const decodeBoth = (codec: Codec, stored: Uint8Array, size: number): Uint8Array[] => [
  codec.decompress(stored, size),
  codec.decompressWith?.(stored, size, (raw) => raw.slice()) ?? codec.decompress(stored, size),
];

describe.each(['zstd', 'lz4'] as const)('%s: whole sections through a bounded input window', (name) => {
  it('round-trips payloads stored in less than, about, and many times the window', async () => {
    const codec = await loadCodec(name);
    for (const raw of [mixedBytes(1000), randomBytes(WINDOW - 40, 3), randomBytes(WINDOW + 40, 4), randomBytes(3 * WINDOW + 7, 5), mixedBytes(2_000_000)]) {
      const stored = codec.compress(raw);
      for (const out of decodeBoth(codec, stored, raw.length)) expect(sameBytes(out, raw)).toBe(true);
    }
  });

  it('decodes a data frame that starts exactly on, just before and just after a window edge', async () => {
    const codec = await loadCodec(name);
    const raw = mixedBytes(300_000);
    const frame = codec.compress(raw);
    for (const lead of [WINDOW - 1, WINDOW, WINDOW + 1, 2 * WINDOW]) {
      const stored = concat(skippable(lead), frame);
      for (const out of decodeBoth(codec, stored, raw.length)) expect(sameBytes(out, raw)).toBe(true);
    }
  });

  it('decodes two frames whose boundary falls on a window edge', async () => {
    const codec = await loadCodec(name);
    const a = randomBytes(WINDOW + 5000, 8);
    const b = compressibleBytes(400_000);
    const first = codec.compress(a);
    // Pad the first frame with a skippable frame so that the second starts at exactly 2 windows.
    const stored = concat(first, skippable(2 * WINDOW - first.length), codec.compress(b));
    for (const out of decodeBoth(codec, stored, a.length + b.length)) expect(sameBytes(out, concat(a, b))).toBe(true);
  });

  it('refuses a payload cut short on, before or after a window edge, with a Decompression CodecError', async () => {
    const codec = await loadCodec(name);
    const raw = randomBytes(3 * WINDOW, 9);
    const stored = codec.compress(raw);
    expect(stored.length).toBeGreaterThan(2 * WINDOW + 1);
    for (const cut of [WINDOW - 1, WINDOW, WINDOW + 1, 2 * WINDOW, stored.length - 1]) {
      for (const attempt of [() => codec.decompress(stored.subarray(0, cut), raw.length), () => codec.decompressWith?.(stored.subarray(0, cut), raw.length, (v) => v.slice())]) {
        expect(attempt).toThrow(CodecError);
        try {
          attempt();
        } catch (error) {
          expect((error as CodecError).code).toBe('Decompression');
        }
      }
    }
  });

  it('refuses garbage after the frame in a later window, and frames that decode to more or less than expected', async () => {
    const codec = await loadCodec(name);
    const raw = randomBytes(2 * WINDOW, 10);
    const stored = codec.compress(raw);
    const garbage = concat(
      stored,
      Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff),
    );
    expect(() => codec.decompress(garbage, raw.length)).toThrow(CodecError);
    for (const size of [raw.length - 1, raw.length + 1]) {
      try {
        codec.decompress(stored, size);
        expect.unreachable('a wrong expected size must be refused');
      } catch (error) {
        expect(error).toBeInstanceOf(CodecError);
        expect((error as CodecError).code).toBe('Decompression');
        // Too small is caught from the declared content size, before anything is decoded.
        if (size > raw.length) expect((error as CodecError).details.expectedSize).toBe(size);
      }
    }
  });

  it('refuses bytes corrupted past the first window with a typed error or decodes them to the expected size (never another error)', async () => {
    const codec = await loadCodec(name);
    const raw = mixedBytes(1_000_000);
    const stored = codec.compress(raw);
    for (let k = 0; k < 40; k++) {
      const bad = stored.slice();
      const at = WINDOW + ((k * 7919) % (bad.length - WINDOW));
      bad[at] = bad[at]! ^ (1 << (k % 8));
      try {
        expect(codec.decompress(bad, raw.length).length).toBe(raw.length);
      } catch (error) {
        expect(error).toBeInstanceOf(CodecError);
        expect((error as CodecError).code).toBe('Decompression');
      }
    }
    // The codec still works afterwards: no state left over from the failures.
    expect(sameBytes(codec.decompress(stored, raw.length), raw)).toBe(true);
  });
});

describe('Scratch', () => {
  /** A stand-in module that hands out addresses and counts its calls. */
  const fakeModule = (): WasmBase & { mallocs: number[] } => {
    let top = 1024;
    const mallocs: number[] = [];
    return {
      memory: new WebAssembly.Memory({ initial: 1 }),
      mallocs,
      malloc(size: number) {
        mallocs.push(size);
        top += size;
        return top - size;
      },
      free() {},
    };
  };

  it('grows in powers of two, so that sizes creeping up a few bytes at a time reuse one block', () => {
    const wasm = fakeModule();
    const scratch = new Scratch(wasm);
    const first = scratch.reserve(3_365_987);
    for (const size of [3_366_054, 3_365_933, 3_400_000, 4_000_000]) expect(scratch.reserve(size)).toBe(first);
    expect(wasm.mallocs).toEqual([4 * 1024 * 1024]);
    scratch.reserve(5_000_000);
    expect(wasm.mallocs).toEqual([4 * 1024 * 1024, 8 * 1024 * 1024]);
  });

  it('falls back to the exact size when the power of two does not fit', () => {
    const wasm = fakeModule();
    const malloc = wasm.malloc;
    wasm.malloc = (size: number) => (size > 3_000_000 ? 0 : malloc(size));
    expect(new Scratch(wasm).reserve(2_500_000)).not.toBe(0);
    expect(wasm.mallocs).toEqual([2_500_000]);
  });
});
