// Resource limits every read route enforces before allocating or working: each case is a
// crafted file whose sizes are honest-looking (checksums valid) but ask for too much.
import { describe, expect, it } from 'vitest';
import {
  type ByteSource,
  createPackedSnapshot,
  decodeBlob,
  decodeSnapshot,
  encodeBlob,
  encodeSnapshot,
  isPackError,
  type PackedSnapshot,
  readManifestFrom,
  readSnapshot,
  type SectionCodec,
  SectionKind,
} from '../src/index.js';
import { assemble, findSection, parse, type RawFile, view } from './helpers/container.js';

/** A codec that must never run: the limits come first. */
function neverCodec(): { codec: SectionCodec; calls: () => number } {
  let calls = 0;
  return {
    codec: {
      id: 2,
      name: 'zstd',
      compress: (raw) => raw,
      decompress: () => {
        calls++;
        throw new Error('decompress must not run');
      },
    },
    calls: () => calls,
  };
}

function world(components: number, rows = 4): PackedSnapshot {
  const entities = Uint32Array.from({ length: rows }, (_, i) => i);
  return createPackedSnapshot({
    entities,
    components: Array.from({ length: components }, (_, c) => ({ id: `C${c}`, entityIds: entities, fields: { v: new Float32Array(rows) } })),
  });
}

/** Declares every column section of `file` compressed to `rawLength` bytes (payloads unchanged). */
function inflateColumns(file: RawFile, rawLength: number): void {
  for (const s of file.sections) {
    if (s.descriptor.kind !== SectionKind.Column) continue;
    s.fixLengths = false;
    s.descriptor.codec = 2;
    s.descriptor.storedLength = BigInt(s.payload.length);
    s.descriptor.rawLength = BigInt(rawLength);
  }
}

function expectLimit(run: () => unknown, limit: string): void {
  try {
    run();
    expect.unreachable('expected a LimitExceeded PackError');
  } catch (error) {
    expect(isPackError(error, 'LimitExceeded'), String(error)).toBe(true);
    expect((error as { details: Record<string, unknown> }).details.limit).toBe(limit);
  }
}

async function expectLimitAsync(run: () => Promise<unknown>, limit: string): Promise<void> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isPackError(error, 'LimitExceeded'), String(error)).toBe(true);
  expect((error as { details: Record<string, unknown> }).details.limit).toBe(limit);
}

/** A source that counts what is read from it. */
function countingSource(bytes: Uint8Array): ByteSource & { read_: number } {
  const source = {
    size: bytes.length,
    read_: 0,
    async read(offset: number, length: number) {
      source.read_ += length;
      return bytes.slice(offset, offset + length);
    },
  };
  return source;
}

describe('total decoded size (maxDecodedSize)', () => {
  // Three columns that each declare 500 MB: every section is under the 1 GiB section limit,
  // the file is a few hundred bytes, and together they would decode to 1.5 GB.
  const file = parse(encodeSnapshot(world(3)));
  inflateColumns(file, 500_000_000);
  const bytes = assemble(file);

  it('refuses a small file whose honest sizes add up past the default, before any codec runs', async () => {
    expect(bytes.length).toBeLessThan(2048);
    const spy = neverCodec();
    expectLimit(() => decodeSnapshot(bytes, { codecs: () => spy.codec }), 'maxDecodedSize');
    await expectLimitAsync(() => readSnapshot(bytes, { codecs: () => spy.codec }), 'maxDecodedSize');
    expect(spy.calls()).toBe(0);
  });

  it('names the numbers in details, and a raised limit lets the read proceed to the codec', () => {
    const spy = neverCodec();
    try {
      decodeSnapshot(bytes, { codecs: () => spy.codec });
    } catch (error) {
      expect((error as { details: Record<string, unknown> }).details).toMatchObject({ limit: 'maxDecodedSize', max: 2 ** 30 });
      expect((error as { details: { value: number } }).details.value).toBeGreaterThan(1_500_000_000);
    }
    expect(() => decodeSnapshot(bytes, { codecs: () => spy.codec, maxDecodedSize: 2 ** 32 })).toThrow();
    expect(spy.calls()).toBe(1);
  });

  it('counts only what a partial read decodes', () => {
    const spy = neverCodec();
    // One 500 MB column is under the limit: the read goes on to decompress it (and the spy refuses).
    expect(() => decodeSnapshot(bytes, { codecs: () => spy.codec, components: ['C1'] })).toThrow(/could not be decompressed|decompress must not run/);
    expect(spy.calls()).toBe(1);
    expectLimit(() => decodeSnapshot(bytes, { codecs: () => spy.codec, components: ['C1'], maxDecodedSize: 100_000_000 }), 'maxDecodedSize');
  });

  it('counts the ids range sets create: a tiny file declaring billions of entities', async () => {
    const f = parse(encodeSnapshot(world(1)));
    const m = decodeBlob(f.sections[0]!.payload) as Record<string, unknown>;
    m.sets = [[0, 4_000_000_000]];
    m.components = [['C0', 0, 0, []]];
    f.sections = [{ ...f.sections[0]!, payload: encodeBlob(m) }];
    view(f.header).setUint32(24, 4_000_000_000 >>> 0, true);
    const crafted = assemble(f);
    expect(crafted.length).toBeLessThan(1024);
    expectLimit(() => decodeSnapshot(crafted), 'maxDecodedSize');
    // Partial reads take the same path and the same limits.
    await expectLimitAsync(() => readSnapshot(countingSource(crafted), { components: ['C0'] }), 'maxDecodedSize');
    // Under a raised total, the range budget still refuses what the input cannot vouch for.
    expectLimit(() => decodeSnapshot(crafted, { maxDecodedSize: 2 ** 40 }), 'maxRangeIds');
  });
});

describe('section and manifest sizes', () => {
  it('maxSectionSize holds for the table of contents, the manifest and data sections, on whole and partial reads', async () => {
    const bytes = encodeSnapshot(world(2, 1000));
    expectLimit(() => decodeSnapshot(bytes, { maxSectionSize: 100 }), 'maxSectionSize');
    await expectLimitAsync(() => readSnapshot(bytes, { maxSectionSize: 100, components: ['C0'] }), 'maxSectionSize');
    await expectLimitAsync(() => readManifestFrom(bytes, { maxSectionSize: 100 }), 'maxSectionSize');
    // A limit between the small sections and the 4000-byte columns: the column is refused.
    expectLimit(() => decodeSnapshot(bytes, { maxSectionSize: 3000 }), 'maxSectionSize');
  });

  it('a manifest declaring a huge decoded size is refused before its codec runs (maxManifestSize)', async () => {
    const file = parse(encodeSnapshot(world(1)));
    const manifest = file.sections[findSection(file, SectionKind.Manifest)]!;
    manifest.fixLengths = false;
    manifest.descriptor.codec = 2;
    manifest.descriptor.storedLength = BigInt(manifest.payload.length);
    manifest.descriptor.rawLength = 900_000_000n;
    const bytes = assemble(file);
    const spy = neverCodec();
    expectLimit(() => decodeSnapshot(bytes, { codecs: () => spy.codec }), 'maxManifestSize');
    await expectLimitAsync(() => readManifestFrom(bytes, { codecs: () => spy.codec }), 'maxManifestSize');
    await expectLimitAsync(() => readSnapshot(bytes, { codecs: () => spy.codec, components: [] }), 'maxManifestSize');
    expect(spy.calls()).toBe(0);
  });
});

describe('partial reads fetch only what they decode', () => {
  it('reads the structure, the manifest and one component, not the rest of the file', async () => {
    const packed = world(8, 20_000);
    const bytes = encodeSnapshot(packed);
    const source = countingSource(bytes);
    const partial = await readSnapshot(source, { components: ['C3'] });
    expect(partial.components.map((c) => c.id)).toEqual(['C3']);
    expect(partial.components[0]).toEqual(decodeSnapshot(bytes).components[3]);
    // One of eight 80 kB columns, plus header, trailer, table of contents and manifest.
    expect(source.read_).toBeLessThan(bytes.length / 4);
  });

  it('a whole read from an asynchronous source equals decodeSnapshot', async () => {
    const bytes = encodeSnapshot(world(3, 100));
    expect(await readSnapshot(countingSource(bytes))).toEqual(decodeSnapshot(bytes));
  });

  it('decodeSnapshot refuses asynchronous hooks with a PackError naming readSnapshot', () => {
    const bytes = encodeSnapshot(world(1));
    const file = parse(bytes);
    const column = file.sections[findSection(file, SectionKind.Column)]!;
    column.descriptor.codec = 2;
    const compressed = assemble(file);
    try {
      decodeSnapshot(compressed, { codecs: () => Promise.resolve(undefined) });
      expect.unreachable();
    } catch (error) {
      expect(isPackError(error, 'InvalidInput')).toBe(true);
      expect(String(error)).toMatch(/readSnapshot/);
    }
  });
});
