import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Codec as SectionCodecLike,
  crc32,
  decodeSnapshot,
  DESCRIPTOR_SIZE,
  encodeSnapshot,
  FilterId,
  isPackError,
  readLayout,
  SectionKind,
  TOC_ENTRY_SIZE,
} from './helpers/format.js';
import { type Codec, CODEC_NAMES, createCodecRegistry, DEFAULT_PACK, loadCodec, packOptions, readOptions, type CodecRegistry } from '../src/index.js';
import { sampleSnapshot, snapshotBytesEqual } from './helpers/data.js';

let registry: CodecRegistry;
beforeAll(async () => {
  registry = await createCodecRegistry();
});

/** A codec that counts its decompress calls. */
function counting(codec: Codec): { codec: Codec; calls: () => number } {
  let calls = 0;
  return {
    codec: {
      ...codec,
      decompress: (stored, size) => {
        calls++;
        return codec.decompress(stored, size);
      },
      // The decoder prefers the zero-copy path when a codec has it.
      ...(codec.decompressWith === undefined
        ? {}
        : {
            decompressWith: <T>(stored: Uint8Array, size: number, take: (raw: Uint8Array) => T): T => {
              calls++;
              return codec.decompressWith!(stored, size, take);
            },
          }),
    },
    calls: () => calls,
  };
}

/** Rewrites the rawLength of section `index` in its frame and in the table of contents, fixing their CRCs. */
function patchRawLength(bytes: Uint8Array, index: number, rawLength: number): Uint8Array {
  const out = bytes.slice();
  const layout = readLayout(out);
  const tocPayload = layout.trailer.tocOffset + DESCRIPTOR_SIZE;
  const view = new DataView(out.buffer);
  for (const at of [layout.sections[index]!.offset, tocPayload + index * TOC_ENTRY_SIZE + 8]) {
    view.setUint32(at + 24, rawLength % 2 ** 32, true);
    view.setUint32(at + 28, Math.floor(rawLength / 2 ** 32), true);
    view.setUint32(at + 60, crc32(out.subarray(at, at + 60)), true);
  }
  return out;
}

describe('encodeSnapshot / decodeSnapshot with every codec', () => {
  it.each(CODEC_NAMES)('%s: round-trips with auto filters, with none, and records the filters', async (name) => {
    const packed = sampleSnapshot();
    for (const filter of ['auto', 'none', 'shuffle', 'delta'] as const) {
      const bytes = encodeSnapshot(packed, await packOptions({ codec: name, filter }));
      expect(snapshotBytesEqual(decodeSnapshot(bytes, { codecs: registry.codecs, filters: registry.filters }), packed)).toBe(true);
      const sections = readLayout(bytes).sections.map((s) => s.descriptor);
      if (name !== 'none' && filter === 'auto') {
        const f32 = sections.find((d) => d.kind === SectionKind.Column && d.owner === 0)!;
        expect([f32.filter, f32.filterParam]).toEqual([FilterId.ByteShuffle, 4]);
        const set = sections.find((d) => d.kind === SectionKind.EntitySet)!;
        expect([set.filter, set.filterParam]).toEqual([FilterId.Delta, 4]);
        const u8 = sections.find((d) => d.kind === SectionKind.Column && d.owner === 1 && d.field === 2)!;
        expect(u8.filter).toBe(FilterId.None);
      }
      if (filter === 'none' || name === 'none') expect(sections.every((d) => d.filter === FilterId.None)).toBe(true);
    }
  });

  it('filters make the reference-like float columns smaller with zstd', async () => {
    const packed = sampleSnapshot(20_000);
    const plain = encodeSnapshot(packed, await packOptions({ codec: 'zstd', level: 3, filter: 'none' }));
    const filtered = encodeSnapshot(packed, await packOptions({ codec: 'zstd', level: 3 }));
    expect(filtered.length).toBeLessThan(plain.length);
  });
});

describe('packOptions / readOptions', () => {
  it('packOptions() is the documented default: zstd level 1, auto filters', async () => {
    const options = await packOptions();
    expect([options.codec.name, options.level, DEFAULT_PACK.filter]).toEqual([DEFAULT_PACK.codec, DEFAULT_PACK.level, 'auto']);
    expect(options.filter).toBeTypeOf('function');
    expect(options.checksums).toBeUndefined();
  });

  it('takes names, presets, a loaded codec, and checksums', async () => {
    expect((await packOptions({ codec: 'zstd' })).level).toBe(3);
    expect((await packOptions({ codec: 'zstd', level: 'best' })).level).toBe(19);
    expect((await packOptions({ codec: 'lz4', level: 'fast' })).level).toBe(1);
    const lz4 = await loadCodec('lz4');
    expect((await packOptions({ codec: lz4 })).codec).toBe(lz4);
    expect((await packOptions({ checksums: false })).checksums).toBe(false);
    expect((await packOptions({ filter: 'none' })).filter).toBeUndefined();
    await expect(packOptions({ codec: 'brotli' as never })).rejects.toThrow(/unknown codec "brotli"/);
    await expect(packOptions({ codec: 'zstd', level: 23 })).rejects.toMatchObject({ code: 'InvalidInput', details: { codec: 'zstd', level: 23 } });
    await expect(packOptions({ codec: 'zstd', level: 'fastest' as never })).rejects.toMatchObject({ code: 'InvalidInput', details: { codec: 'zstd', level: 'fastest' } });
    await expect(packOptions({ filter: 'zip' as never })).rejects.toMatchObject({ code: 'InvalidInput', details: { filter: 'zip' } });
    await expect(packOptions({ checksums: 'yes' as never })).rejects.toMatchObject({ code: 'InvalidInput', details: { option: 'checksums' } });
    await expect(packOptions(null as never)).rejects.toMatchObject({ code: 'InvalidInput' });
    await expect(readOptions(null as never)).rejects.toMatchObject({ code: 'InvalidInput' });
    await expect(readOptions({ bytes: 'abc' as never })).rejects.toMatchObject({ code: 'InvalidInput' });
  });

  it('readOptions({ bytes }) loads only the codecs the snapshot uses', async () => {
    const bytes = encodeSnapshot(sampleSnapshot(), await packOptions({ codec: 'lz4' }));
    const options = await readOptions({ bytes, verifyChecksums: true });
    expect(options.codecs!(1)?.name).toBe('lz4');
    expect(options.codecs!(2)).toBeUndefined();
    expect(options.verifyChecksums).toBe(true);
    expect(snapshotBytesEqual(decodeSnapshot(bytes, options), sampleSnapshot())).toBe(true);
    const all = await readOptions();
    expect(all.codecs!(2)?.name).toBe('zstd');
  });

  it('loadCodec takes ids too, shares instances, and names the valid choices on errors', async () => {
    expect(await loadCodec(2)).toBe(await loadCodec('zstd'));
    await expect(loadCodec(9)).rejects.toThrow(/unknown codec id 9/);
    expect(registry.get('gzip')?.id).toBe(4);
    expect(registry.get(3)?.name).toBe('deflate');
  });
});

describe('partial reads', () => {
  it('decompress only the sections of the wanted components', async () => {
    const packed = sampleSnapshot();
    for (const name of ['zstd', 'lz4', 'gzip'] as const) {
      const { codec, calls } = counting(await loadCodec(name));
      const bytes = encodeSnapshot(packed, { ...(await packOptions({ codec: name })), codec });
      const compressed = readLayout(bytes)
        .sections.filter((s) => s.descriptor.codec !== 0)
        .map((s) => s.descriptor);
      decodeSnapshot(bytes, { codecs: () => codec, filters: registry.filters });
      expect(calls()).toBe(compressed.length);

      const before = calls();
      const partial = decodeSnapshot(bytes, { codecs: () => codec, filters: registry.filters, components: ['Position'] });
      expect(partial.components.map((c) => c.id)).toEqual(['Position']);
      // The manifest, the entity list (set 0) and Position's column: nothing of Stats or Tag.
      const needed = compressed.filter(
        (d) => d.kind === SectionKind.Manifest || (d.kind === SectionKind.EntitySet && d.owner === 0) || (d.kind === SectionKind.Column && d.owner === 0),
      );
      expect(calls() - before).toBe(needed.length);
      expect(needed.length).toBeLessThan(compressed.length);
    }
  });
});

describe('hostile and damaged input through decodeSnapshot', () => {
  it('a declared raw size over maxSectionSize is refused before the codec is called', async () => {
    const { codec, calls } = counting(await loadCodec('zstd'));
    const bytes = encodeSnapshot(sampleSnapshot(), { ...(await packOptions()), codec });
    let error: unknown;
    try {
      decodeSnapshot(bytes, { codecs: () => codec, filters: registry.filters, maxSectionSize: 100 });
    } catch (e) {
      error = e;
    }
    expect(isPackError(error, 'LimitExceeded')).toBe(true);
    expect(calls()).toBe(0);
  });

  it.each(['zstd', 'lz4', 'deflate', 'gzip'] as const)('%s: a section claiming another raw size is a PackError naming it or its codec', async (name) => {
    const bytes = encodeSnapshot(sampleSnapshot(), await packOptions({ codec: name, checksums: false }));
    const sections = readLayout(bytes).sections;
    const index = sections.findIndex((s) => s.descriptor.kind === SectionKind.Column && s.descriptor.codec !== 0);
    const raw = sections[index]!.descriptor.rawLength;
    for (const claimed of [raw - 1, raw + 1, raw * 1000, 2 ** 31 - 8, 2 ** 40]) {
      let error: unknown;
      try {
        decodeSnapshot(patchRawLength(bytes, index, claimed), { codecs: registry.codecs, filters: registry.filters });
      } catch (e) {
        error = e;
      }
      expect(isPackError(error), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/field "\w+" of component "\w+"|section|maxDecodedSize/);
    }
  });

  it.each(['zstd', 'lz4', 'deflate', 'gzip'] as const)('%s fuzz: damaged payloads decode or fail with a PackError naming the section or the codec', async (name) => {
    const bytes = encodeSnapshot(sampleSnapshot(300), await packOptions({ codec: name, checksums: false }));
    const payloads = readLayout(bytes)
      .sections.filter((s) => s.descriptor.codec !== 0)
      .map((s) => ({ start: s.offset + DESCRIPTOR_SIZE, length: s.descriptor.storedLength }));
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }), (which, at, garbage) => {
        const target = payloads[which % payloads.length]!;
        const damaged = bytes.slice();
        damaged.set(garbage.subarray(0, Math.max(1, Math.min(garbage.length, target.length - (at % target.length)))), target.start + (at % target.length));
        try {
          decodeSnapshot(damaged, { codecs: registry.codecs, filters: registry.filters });
        } catch (error) {
          expect(isPackError(error), String(error)).toBe(true);
          if (isPackError(error, 'Decompression')) expect(error.message).toMatch(/manifest|entity set|field|blobs|metadata/);
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('a codec that is not loaded is named in the error', async () => {
    const bytes = encodeSnapshot(sampleSnapshot(), await packOptions({ codec: 'lz4' }));
    const zstdOnly = await createCodecRegistry(['zstd']);
    let error: unknown;
    try {
      decodeSnapshot(bytes, { codecs: zstdOnly.codecs, filters: zstdOnly.filters });
    } catch (e) {
      error = e;
    }
    expect(isPackError(error, 'Decompression')).toBe(true);
    expect((error as Error).message).toMatch(/lz4/);
  });
});

// Keeps the imported type in use for the typechecker (a Codec is a SectionCodec).
const _typecheck: SectionCodecLike | undefined = undefined as Codec | undefined;
void _typecheck;
