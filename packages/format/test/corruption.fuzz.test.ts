// Damaged and hostile input: every failure must be a PackError, quickly, without large allocations.
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBlob, decodeSnapshot, encodeBlob, encodeSnapshot, isPackError, SectionKind, toWorldSnapshot, type PackedSnapshot, type PackErrorCode } from '../src/index.js';
import { assemble, findSection, parse, patchDescriptorAt, patchHeader, patchTrailer, type RawFile, uncoveredBytes, view } from './helpers/container.js';
import { FIXTURES } from './helpers/fixtures.js';
import { toJsonable } from './helpers/jsonable.js';

// ---------------------------------------------------------------------------------------------
// Helpers

let gc: (() => void) | undefined;
try {
  v8.setFlagsFromString('--expose-gc');
  gc = vm.runInNewContext('gc') as () => void;
} catch {
  gc = undefined;
}

const MB = 1024 * 1024;
const MEMORY_LIMIT = 64 * MB;

interface Outcome {
  error: unknown;
  result: unknown;
  ms: number;
  arrayBuffers: number;
  heap: number;
}

/** Runs `fn`, reporting its error or result, its time and how much memory it left allocated. */
function measure(fn: () => unknown): Outcome {
  gc?.();
  const before = process.memoryUsage();
  const start = performance.now();
  let error: unknown;
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - start;
  const after = process.memoryUsage();
  return { error, result, ms, arrayBuffers: after.arrayBuffers - before.arrayBuffers, heap: after.heapUsed - before.heapUsed };
}

/** Fails unless `error` is a PackError (reporting what else it was). */
function expectPackErrorValue(error: unknown, what: string): void {
  if (!isPackError(error)) {
    throw new Error(`${what}: expected a PackError, got ${error === undefined ? 'no error' : String((error as Error)?.stack ?? error)}`);
  }
}

const FUZZED = ['columns-all-types', 'blobs-and-metadata', 'empty-world'] as const;
const encoded = (name: string): Uint8Array => encodeSnapshot(FIXTURES[name]!());
const exact = (p: PackedSnapshot): string => JSON.stringify(toJsonable(p));

type Classification = 'error' | 'equal' | 'different';

/** Decodes `bytes`: a PackError, the original content, or (only acceptable without checksums) something else. */
function classify(bytes: Uint8Array, original: string, verifyChecksums: boolean): { kind: Classification; ms: number } {
  const start = performance.now();
  let decoded: PackedSnapshot;
  try {
    decoded = decodeSnapshot(bytes, { verifyChecksums });
  } catch (error) {
    expectPackErrorValue(error, 'decodeSnapshot');
    return { kind: 'error', ms: performance.now() - start };
  }
  const ms = performance.now() - start;
  if (exact(decoded) === original) return { kind: 'equal', ms };
  // A changed but decodable snapshot must still convert to a world or fail with a PackError.
  try {
    toWorldSnapshot(decoded);
  } catch (error) {
    expectPackErrorValue(error, 'toWorldSnapshot after a flip');
  }
  return { kind: 'different', ms };
}

// ---------------------------------------------------------------------------------------------

describe('the byte-level helpers', () => {
  it.each(Object.keys(FIXTURES))('parse + assemble reproduces %s byte for byte', (name) => {
    const bytes = encoded(name);
    expect(Buffer.from(assemble(parse(bytes))).equals(Buffer.from(bytes))).toBe(true);
  });

  it('a manifest re-encoded unchanged decodes to the same snapshot', () => {
    const bytes = encoded('columns-all-types');
    const file = parse(bytes);
    file.sections[0]!.payload = encodeBlob(decodeBlob(file.sections[0]!.payload));
    expect(exact(decodeSnapshot(assemble(file)))).toBe(exact(decodeSnapshot(bytes)));
  });

  it('the memory guard sees a large allocation (it is not vacuous)', () => {
    const outcome = measure(() => new Uint8Array(96 * MB).fill(1));
    // Other buffers may be freed meanwhile: allow a little slack below the 96 MB allocated.
    expect(outcome.arrayBuffers).toBeGreaterThanOrEqual(90 * MB);
    expect(gc, 'global.gc could not be enabled: memory growth is measured without a collection first').toBeTypeOf('function');
  });

  it('only the zero padding after payloads is not covered by a checksum', () => {
    const bytes = encoded('columns-all-types');
    const padding = uncoveredBytes(bytes);
    expect(padding.size).toBeGreaterThan(0);
    for (const at of padding) expect(bytes[at]).toBe(0);
  });
});

describe.each(FUZZED)('truncated %s', (name) => {
  it('every prefix (length 0 .. n-1) is a PackError', () => {
    const bytes = encoded(name);
    const codes = new Map<string, number>();
    for (let length = 0; length < bytes.length; length++) {
      let error: unknown;
      try {
        decodeSnapshot(bytes.slice(0, length));
      } catch (e) {
        error = e;
      }
      expectPackErrorValue(error, `prefix of ${length} bytes`);
      const code = (error as { code: string }).code;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    // Cut files read as "not a snapshot" (inside the magic) or as incomplete.
    expect([...codes.keys()].sort()).toStrictEqual(['InvalidFormat', 'Truncated']);
    expect(codes.get('InvalidFormat')).toBe(8);
  });

  it('a prefix padded back to full length with junk is a PackError', () => {
    const bytes = encoded(name);
    for (let length = 0; length < bytes.length; length += length < bytes.length - 80 ? 7 : 1) {
      const padded = new Uint8Array(bytes.length).fill(0xa5);
      padded.set(bytes.subarray(0, length));
      let error: unknown;
      try {
        decodeSnapshot(padded);
      } catch (e) {
        error = e;
      }
      expectPackErrorValue(error, `prefix of ${length} bytes, padded`);
    }
  });
});

describe.each(FUZZED)('bit flips in %s', (name) => {
  const bytes = encoded(name);
  const original = exact(decodeSnapshot(bytes));
  const padding = uncoveredBytes(bytes);

  it('verifyChecksums: true — flipping any single byte is a PackError (padding is checked to be zero)', () => {
    const counts = { error: 0, equal: 0, different: 0 };
    for (let at = 0; at < bytes.length; at++) {
      const damaged = bytes.slice();
      damaged[at]! ^= 0xff;
      const { kind } = classify(damaged, original, true);
      counts[kind]++;
      expect(kind, `flip at ${at}${padding.has(at) ? ' (padding)' : ''} was not detected`).toBe('error');
    }
    expect(counts.error).toBe(bytes.length);
  });

  it('verifyChecksums: false — flipping any single byte never throws anything but a PackError', () => {
    const counts = { error: 0, equal: 0, different: 0 };
    for (let at = 0; at < bytes.length; at++) {
      const damaged = bytes.slice();
      damaged[at]! ^= 0xff;
      const { kind } = classify(damaged, original, false);
      counts[kind]++;
      if (padding.has(at)) expect(kind, `padding flip at ${at}`).toBe('error');
    }
    // Payload bytes are no longer checked, so some flips decode to other values.
    expect(counts.error + counts.equal + counts.different).toBe(bytes.length);
  });

  it('random flips of 1 to 3 bits: a PackError, or (padding only, or unchecked payloads) a decoded snapshot', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat({ max: bytes.length * 8 - 1 }), { minLength: 1, maxLength: 3 }), fc.boolean(), (bits, verify) => {
        const damaged = bytes.slice();
        for (const bit of bits) damaged[bit >> 3]! ^= 1 << (bit & 7);
        const { kind } = classify(damaged, original, verify);
        const onlyPadding = bits.every((bit) => padding.has(bit >> 3));
        if (verify || onlyPadding) expect(kind).toBe('error');
      }),
      { seed: 20261203, numRuns: 300 },
    );
  });
});

describe('what a reader must tolerate (docs/format.md, compatibility policy)', () => {
  it.each([7, 15, 16, 999])('skips a section of unknown kind %i anywhere in the file', (kind) => {
    for (const name of ['columns-all-types', 'blobs-and-metadata']) {
      const bytes = encoded(name);
      const file = parse(bytes);
      const extra = { ...file.sections[0]!, descriptor: { ...file.sections[0]!.descriptor, kind, owner: 0xffffffff }, payload: Uint8Array.from([1, 2, 3]) };
      file.sections.splice(1, 0, extra);
      file.sections.push({ ...extra, payload: new Uint8Array(0) });
      expect(exact(decodeSnapshot(assemble(file)))).toBe(exact(decodeSnapshot(bytes)));
    }
  });

  it('ignores unknown manifest keys and accepts integers where the writer wrote float64', () => {
    const bytes = encoded('columns-all-types');
    const file = parse(bytes);
    const m = manifestOf(file);
    m.addedInALaterRevision = { anything: [1, 2, 3] };
    setManifest(file, m); // encodeBlob writes integral numbers as MessagePack ints
    expect(exact(decodeSnapshot(assemble(file)))).toBe(exact(decodeSnapshot(bytes)));
  });
});

// ---------------------------------------------------------------------------------------------
// Structural attacks: each rewrites a field and recomputes the checksums over it, so the
// decoder's own bounds and consistency checks are what must reject it.

const U32_MAX = 0xffffffff;
const BIG = 2n ** 40n;

function mutate(name: string, edit: (file: RawFile) => void, options?: Parameters<typeof assemble>[1]): Uint8Array {
  const file = parse(encoded(name));
  edit(file);
  return assemble(file, options);
}

function manifestOf(file: RawFile): Record<string, unknown> {
  return decodeBlob(file.sections[0]!.payload) as Record<string, unknown>;
}

function setManifest(file: RawFile, manifest: unknown, counts?: { components?: number; entities?: number; sets?: number }): void {
  file.sections[0]!.payload = encodeBlob(manifest);
  const v = view(file.header);
  if (counts?.components !== undefined) v.setUint32(20, counts.components, true);
  if (counts?.entities !== undefined) v.setUint32(24, counts.entities, true);
  if (counts?.sets !== undefined) v.setUint32(28, counts.sets, true);
}

/** A variable-length payload with the given offsets (u32 LE) followed by `data`. */
function varPayload(offsets: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(offsets.length * 4 + data.length);
  const v = view(out);
  offsets.forEach((o, i) => {
    v.setUint32(i * 4, o >>> 0, true);
  });
  out.set(data, offsets.length * 4);
  return out;
}

/** A var payload holding `values` with correct offsets. */
function varOf(values: Uint8Array[]): Uint8Array {
  const offsets = [0];
  for (const v of values) offsets.push(offsets[offsets.length - 1]! + v.length);
  const data = new Uint8Array(offsets[offsets.length - 1]!);
  let at = 0;
  for (const v of values) {
    data.set(v, at);
    at += v.length;
  }
  return varPayload(offsets, data);
}

const u32be = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
/** MessagePack: an array32 / map32 / str32 / bin32 header declaring `n` items or bytes, with nothing after it. */
const msgpackArray32 = (n: number): Uint8Array => Uint8Array.from([0xdd, ...u32be(n), 0xc0]);
const msgpackMap32 = (n: number): Uint8Array => Uint8Array.from([0xdf, ...u32be(n), 0xc0, 0xc0]);
const msgpackStr32 = (n: number): Uint8Array => Uint8Array.from([0xdb, ...u32be(n), 0x61]);
const msgpackBin32 = (n: number): Uint8Array => Uint8Array.from([0xc6, ...u32be(n), 0x00]);

/** MessagePack of `depth` Sets nested through one-element arrays: ext(Set, [ext(Set, [ ... [] ])]), 7 bytes a level. */
function nestedSets(depth: number): Uint8Array {
  const out = new Uint8Array(7 * depth);
  let at = 0;
  for (let level = depth; level >= 1; level--) {
    out.set([0xc9, ...u32be(1 + 7 * (level - 1)), 4], at); // ext32 of the inner bytes, type 4 = Set
    at += 6;
    out[at++] = level > 1 ? 0x91 : 0x90; // [ next level ] or []
  }
  return out;
}

/**
 * Makes the world metadata of the manifest the raw MessagePack `value`, whichever way the
 * manifest holds it: as a nested blob (bin) or inline.
 */
function setRawMetadata(file: RawFile, value: Uint8Array): void {
  const m = manifestOf(file);
  if (m.metadata instanceof Uint8Array) {
    m.metadata = value;
    setManifest(file, m);
    return;
  }
  const marker = 'metadata-placeholder-0123456789';
  m.metadata = marker;
  const plain = encodeBlob(m);
  const needle = Uint8Array.from([0xa0 | marker.length, ...new TextEncoder().encode(marker)]);
  const at = Buffer.from(plain).indexOf(Buffer.from(needle));
  if (at < 0) throw new Error('placeholder not found');
  const payload = new Uint8Array(plain.length - needle.length + value.length);
  payload.set(plain.subarray(0, at));
  payload.set(value, at);
  payload.set(plain.subarray(at + needle.length), at + value.length);
  file.sections[0]!.payload = payload;
}

interface Attack {
  name: string;
  bytes: () => Uint8Array;
  /** Expected code(s); any PackError is accepted when absent. */
  code?: PackErrorCode | PackErrorCode[];
  /** 'world': the bytes are a valid container with hostile blob content, so decodeSnapshot may succeed and toWorldSnapshot must fail. */
  stage?: 'decode' | 'world';
}

const C = 'columns-all-types';
const B = 'blobs-and-metadata';
const E = 'empty-world';
const col = (file: RawFile, field: number, owner = 0): number => findSection(file, SectionKind.Column, owner, field);

const attacks: Attack[] = [
  // --- trailer
  { name: 'trailer: section count 2^32-1', bytes: () => patchTrailer(encoded(C), (v) => v.setUint32(8, U32_MAX, true)), code: 'InvalidFormat' },
  { name: 'trailer: section count 0', bytes: () => patchTrailer(encoded(C), (v) => v.setUint32(8, 0, true)), code: 'InvalidFormat' },
  { name: 'trailer: section count + 1', bytes: () => patchTrailer(encoded(C), (v) => v.setUint32(8, v.getUint32(8, true) + 1, true)), code: 'InvalidFormat' },
  { name: 'trailer: TOC offset 2^40', bytes: () => patchTrailer(encoded(C), (v) => v.setBigUint64(0, BIG, true)), code: 'InvalidFormat' },
  { name: 'trailer: TOC offset 2^63 (past 2^53)', bytes: () => patchTrailer(encoded(C), (v) => v.setBigUint64(0, 2n ** 63n, true)), code: 'InvalidFormat' },
  { name: 'trailer: TOC offset 0', bytes: () => patchTrailer(encoded(C), (v) => v.setBigUint64(0, 0n, true)), code: 'InvalidFormat' },
  { name: 'trailer: TOC offset at the manifest descriptor', bytes: () => patchTrailer(encoded(C), (v) => v.setBigUint64(0, 128n, true)), code: 'InvalidFormat' },
  { name: 'trailer: TOC offset misaligned', bytes: () => patchTrailer(encoded(C), (v) => v.setBigUint64(0, v.getBigUint64(0, true) + 4n, true)), code: 'InvalidFormat' },
  { name: 'trailer: TOC offset inside the trailer', bytes: () => patchTrailer(encoded(C), (v) => v.setBigUint64(0, BigInt(encoded(C).length - 64), true)), code: 'InvalidFormat' },

  // --- the table of contents' own descriptor
  ...(
    [
      ['TOC descriptor: stored and raw length 2^40', (d) => (d.storedLength = d.rawLength = BIG), ['InvalidFormat', 'Truncated']],
      ['TOC descriptor: stored length 2^53 + 1 (not a safe integer)', (d) => (d.storedLength = 2n ** 53n + 1n), 'InvalidFormat'],
      ['TOC descriptor: raw length one entry short', (d) => (d.rawLength = d.storedLength = d.storedLength - 72n), ['InvalidFormat', 'ChecksumMismatch']],
      ['TOC descriptor: compressed', (d) => (d.codec = 2), 'InvalidFormat'],
      ['TOC descriptor: kind Column', (d) => (d.kind = SectionKind.Column), 'InvalidFormat'],
    ] as [string, (d: ReturnType<typeof parse>['toc']['descriptor']) => void, PackErrorCode | PackErrorCode[]][]
  ).map(
    ([name, edit, code]): Attack => ({
      name,
      bytes: () => {
        const bytes = encoded(C);
        return patchDescriptorAt(bytes, Number(parse(bytes).trailer.tocOffset), edit);
      },
      code,
    }),
  ),

  // --- table of contents entries (the in-file descriptor and its TOC copy rewritten together unless said)
  { name: 'TOC entry: offset 2^40', bytes: () => mutate(C, () => {}, { tocEntryOffset: (i, at) => (i === 2 ? BIG : BigInt(at)) }), code: 'InvalidFormat' },
  { name: 'TOC entry: offset 2^60', bytes: () => mutate(C, () => {}, { tocEntryOffset: (i, at) => (i === 1 ? 2n ** 60n : BigInt(at)) }), code: 'InvalidFormat' },
  { name: 'TOC entry: two offsets swapped', bytes: () => mutate(C, () => {}, { tocEntryOffset: (i, at) => BigInt(i === 1 ? at + 64 : at) }), code: 'InvalidFormat' },
  {
    name: 'TOC entry: copy differs from the in-file descriptor (both CRCs valid)',
    bytes: () => mutate(C, () => {}, { tocEntryDescriptor: (i, d) => (i === 3 ? { ...d, rowCount: d.rowCount + 1 } : d) }),
    // The chunk bookkeeping may notice the wrong row count before the frame is read.
    code: ['ChecksumMismatch', 'InvalidFormat'],
  },
  {
    name: 'section: stored length 2^40',
    bytes: () =>
      mutate(C, (f) => {
        const s = f.sections[col(f, 9)]!;
        s.fixLengths = false;
        s.descriptor.storedLength = s.descriptor.rawLength = BIG;
      }),
    code: 'InvalidFormat',
  },
  {
    name: 'section: stored length one frame too long',
    bytes: () =>
      mutate(C, (f) => {
        const s = f.sections[col(f, 1)]!;
        s.fixLengths = false;
        s.descriptor.storedLength = s.descriptor.rawLength = BigInt(s.payload.length + 8);
      }),
    code: 'InvalidFormat',
  },
  {
    name: 'section: the last section runs past the end of the file',
    bytes: () =>
      mutate(C, (f) => {
        const s = f.sections[f.sections.length - 1]!;
        s.fixLengths = false;
        s.descriptor.storedLength = s.descriptor.rawLength = BigInt(s.payload.length + 100000);
      }),
    code: 'InvalidFormat',
  },
  {
    name: 'section: raw length 2^40 (over maxSectionSize)',
    bytes: () =>
      mutate(C, (f) => {
        const s = f.sections[col(f, 9)]!;
        s.fixLengths = false;
        s.descriptor.storedLength = BigInt(s.payload.length);
        s.descriptor.rawLength = BIG;
      }),
    code: 'LimitExceeded',
  },
  {
    name: 'section: raw length 2^31 - 1 but stored raw',
    bytes: () =>
      mutate(C, (f) => {
        const s = f.sections[col(f, 9)]!;
        s.fixLengths = false;
        s.descriptor.storedLength = BigInt(s.payload.length);
        s.descriptor.rawLength = 2n ** 31n - 1n;
      }),
    code: ['LimitExceeded', 'InvalidFormat'],
  },
  {
    name: 'section: compressed with zstd (no codec given), raw length 2^31',
    bytes: () =>
      mutate(C, (f) => {
        const s = f.sections[col(f, 9)]!;
        s.fixLengths = false;
        s.descriptor.storedLength = BigInt(s.payload.length);
        s.descriptor.rawLength = 2n ** 31n;
        s.descriptor.codec = 2;
      }),
    code: 'LimitExceeded',
  },
  { name: 'section: column rowCount 3 billion', bytes: () => mutate(C, (f) => (f.sections[col(f, 10)]!.descriptor.rowCount = 3e9)), code: 'InvalidFormat' },
  { name: 'section: column rowCount 2^32-1', bytes: () => mutate(C, (f) => (f.sections[col(f, 11)]!.descriptor.rowCount = U32_MAX)), code: 'InvalidFormat' },
  {
    name: 'section: entity set rowCount 4 billion',
    bytes: () => mutate(C, (f) => (f.sections[findSection(f, SectionKind.EntitySet)]!.descriptor.rowCount = 4e9)),
    code: 'InvalidFormat',
  },
  { name: 'section: column rowStart 5 (a gap)', bytes: () => mutate(C, (f) => (f.sections[col(f, 3)]!.descriptor.rowStart = 5)), code: 'InvalidFormat' },
  { name: 'section: column owner 2^32-2', bytes: () => mutate(C, (f) => (f.sections[col(f, 3)]!.descriptor.owner = U32_MAX - 1)), code: 'InvalidFormat' },
  { name: 'section: column field 999', bytes: () => mutate(C, (f) => (f.sections[col(f, 3)]!.descriptor.field = 999)), code: 'InvalidFormat' },
  { name: 'section: encrypted column', bytes: () => mutate(C, (f) => (f.sections[col(f, 3)]!.descriptor.cipher = 1)), code: 'Decryption' },
  { name: 'section: filtered column (no filters given)', bytes: () => mutate(C, (f) => (f.sections[col(f, 3)]!.descriptor.filter = 1)), code: 'Decompression' },
  { name: 'section: a column of unknown kind 99', bytes: () => mutate(C, (f) => (f.sections[col(f, 3)]!.descriptor.kind = 99)), code: 'InvalidFormat' },
  {
    name: 'section: a blob section marked as a column',
    bytes: () => mutate(B, (f) => (f.sections[findSection(f, SectionKind.Blobs)]!.descriptor.kind = SectionKind.Column)),
    code: 'InvalidFormat',
  },
  {
    name: 'section: a second manifest',
    bytes: () => mutate(C, (f) => f.sections.push({ ...f.sections[0]!, descriptor: { ...f.sections[0]!.descriptor } })),
    code: 'InvalidFormat',
  },
  { name: 'section: a second TOC inside', bytes: () => mutate(C, (f) => f.sections.push({ ...f.toc, payload: new Uint8Array(0) })), code: 'InvalidFormat' },
  { name: 'section: the same column twice', bytes: () => mutate(C, (f) => f.sections.push(f.sections[col(f, 3)]!)), code: 'InvalidFormat' },
  { name: 'section: the manifest not first', bytes: () => mutate(C, (f) => f.sections.push(f.sections.shift()!)), code: 'InvalidFormat' },
  { name: 'section: no sections at all', bytes: () => mutate(C, (f) => (f.sections = [])), code: 'InvalidFormat' },
  {
    name: 'section: entity set owner 2^32-1',
    bytes: () => mutate(C, (f) => (f.sections[findSection(f, SectionKind.EntitySet)]!.descriptor.owner = U32_MAX)),
    code: 'InvalidFormat',
  },
  { name: 'section: entity set missing', bytes: () => mutate(C, (f) => f.sections.splice(findSection(f, SectionKind.EntitySet), 1)), code: 'InvalidFormat' },
  { name: 'section: two entity metadata sections', bytes: () => mutate(B, (f) => f.sections.push(f.sections[findSection(f, SectionKind.EntityMetadata)]!)), code: 'InvalidFormat' },
  {
    name: 'section: an f32 column of 3 bytes',
    bytes: () => mutate(C, (f) => (f.sections[col(f, 9)]!.payload = Uint8Array.from([1, 2, 3]))),
    code: 'InvalidFormat',
  },
  {
    name: 'section: an entity set of 6 bytes',
    bytes: () => mutate(C, (f) => (f.sections[findSection(f, SectionKind.EntitySet)]!.payload = new Uint8Array(6))),
    code: 'InvalidFormat',
  },

  // --- header
  { name: 'header: component count + 1', bytes: () => patchHeader(encoded(C), (v) => v.setUint32(20, v.getUint32(20, true) + 1, true)), code: 'InvalidFormat' },
  { name: 'header: entity count 2^32-1', bytes: () => patchHeader(encoded(C), (v) => v.setUint32(24, U32_MAX, true)), code: 'InvalidFormat' },
  { name: 'header: entity set count 2^32-1', bytes: () => patchHeader(encoded(C), (v) => v.setUint32(28, U32_MAX, true)), code: 'InvalidFormat' },
  { name: 'header: a delta container', bytes: () => patchHeader(encoded(C), (_, b) => (b[16] = 1)), code: 'InvalidFormat' },
  { name: 'header: unknown container kind', bytes: () => patchHeader(encoded(C), (_, b) => (b[16] = 9)), code: 'InvalidFormat' },
  { name: 'header: encrypted flag', bytes: () => patchHeader(encoded(C), (v) => v.setUint32(12, v.getUint32(12, true) | 2, true)), code: 'Decryption' },
  { name: 'header: cipher set', bytes: () => patchHeader(encoded(C), (_, b) => (b[18] = 1)), code: 'Decryption' },
  { name: 'header: header size 64', bytes: () => patchHeader(encoded(C), (v) => v.setUint16(10, 64, true)), code: 'InvalidFormat' },

  // --- manifest (MessagePack re-encoded with encodeBlob, header counts kept consistent)
  {
    name: 'manifest: the entity list as a range of 2^32-1 ids',
    bytes: () =>
      mutate(E, (f) => {
        const m = manifestOf(f);
        m.sets = [[0, U32_MAX]];
        setManifest(f, m, { entities: U32_MAX });
      }),
    code: 'LimitExceeded',
  },
  {
    name: 'manifest: a component over a range of 4 billion ids',
    bytes: () =>
      mutate(E, (f) => {
        const m = manifestOf(f);
        m.sets = [[0], [1, 4e9]];
        m.components = [['Tag', 1, 0, []]];
        setManifest(f, m, { components: 1, sets: 2 });
      }),
    code: 'LimitExceeded',
  },
  {
    name: 'manifest: a range that wraps past 2^32',
    bytes: () =>
      mutate(E, (f) => {
        const m = manifestOf(f);
        m.sets = [[0], [U32_MAX, 2]];
        m.components = [['Tag', 1, 0, []]];
        setManifest(f, m, { components: 1, sets: 2 });
      }),
    code: 'InvalidFormat',
  },
  {
    name: 'manifest: an explicit set of 4 billion ids without a section',
    bytes: () =>
      mutate(E, (f) => {
        const m = manifestOf(f);
        m.sets = [[0], [4e9]];
        m.components = [['Tag', 1, 0, []]];
        setManifest(f, m, { components: 1, sets: 2 });
      }),
    code: 'InvalidFormat',
  },
  {
    name: 'manifest: the entity set listed with a count of 4 billion',
    bytes: () =>
      mutate(C, (f) => {
        const m = manifestOf(f);
        (m.sets as unknown[][])[0] = [4e9];
        setManifest(f, m);
      }),
    code: 'InvalidFormat',
  },
  ...(
    [
      ['a component naming entity set 999', (m) => ((m.components as unknown[][])[0]![1] = 999)],
      ['a field of type code 99', (m) => (((m.components as unknown[][])[0]![3] as unknown[][])[0]![1] = 99)],
      ['a component of layout 7', (m) => ((m.components as unknown[][])[0]![2] = 7)],
      ['a component id that is a number', (m) => ((m.components as unknown[][])[0]![0] = 5)],
      ['two components with one id', (m) => ((m.components as unknown[][])[1]![0] = (m.components as unknown[][])[0]![0])],
      ['two fields with one name', (m) => (((m.components as unknown[][])[0]![3] as unknown[][])[1]![0] = 'flag')],
      ['an order entry naming component 999', (m) => (m.order = [[3, [0, 999]]])],
      ['an order entry for entity -1', (m) => (m.order = [[-1, [0]]])],
      ['the entity list naming set 999', (m) => (m.entities = 999)],
      ['a schema version that is a string', (m) => (m.schemaVersion = 'v2')],
      ['metadata that is an array', (m) => (m.metadata = [1])],
      ['sets that are a map', (m) => (m.sets = { 0: [1] })],
      ['a set count of 1.5', (m) => ((m.sets as unknown[][])[0] = [1.5])],
      ['a component set index of 0.5', (m) => ((m.components as unknown[][])[0]![1] = 0.5)],
      ['a type code given as a string', (m) => (((m.components as unknown[][])[0]![3] as unknown[][])[0]![1] = '1')],
    ] as [string, (m: Record<string, unknown>) => void][]
  ).map(
    ([name, edit]): Attack => ({
      name: `manifest: ${name}`,
      bytes: () =>
        mutate(C, (f) => {
          const m = manifestOf(f);
          edit(m);
          setManifest(f, m);
        }),
      code: 'InvalidFormat',
    }),
  ),
  { name: 'manifest: an array instead of a map', bytes: () => mutate(C, (f) => setManifest(f, [1, 2, 3])), code: 'InvalidFormat' },
  { name: 'manifest: array32 declaring 2^32-1 items', bytes: () => mutate(C, (f) => (f.sections[0]!.payload = msgpackArray32(U32_MAX))), code: 'InvalidFormat' },
  { name: 'manifest: map32 declaring 2^32-1 entries', bytes: () => mutate(C, (f) => (f.sections[0]!.payload = msgpackMap32(U32_MAX))), code: 'InvalidFormat' },
  { name: 'manifest: str32 declaring 4 GiB', bytes: () => mutate(C, (f) => (f.sections[0]!.payload = msgpackStr32(U32_MAX))), code: 'InvalidFormat' },
  { name: 'manifest: bin32 declaring 4 GiB', bytes: () => mutate(C, (f) => (f.sections[0]!.payload = msgpackBin32(U32_MAX))), code: 'InvalidFormat' },
  { name: 'manifest: empty', bytes: () => mutate(C, (f) => (f.sections[0]!.payload = new Uint8Array(0))), code: 'InvalidFormat' },
  {
    name: 'manifest: metadata nesting 20000 Sets (deep recursion)',
    bytes: () => mutate(C, (f) => setRawMetadata(f, Uint8Array.from([0x81, 0xa4, 0x64, 0x65, 0x65, 0x70, ...nestedSets(20000)]))), // { deep: Set(...) }
    code: 'InvalidFormat',
  },
  {
    name: 'manifest: metadata declaring a map of 2^32-1 entries',
    bytes: () => mutate(C, (f) => setRawMetadata(f, msgpackMap32(U32_MAX))),
    code: 'InvalidFormat',
  },

  // --- variable-length payloads (string, bytes, blob offsets)
  {
    name: 'strings: offsets out of order',
    bytes: () => mutate(C, (f) => (f.sections[col(f, 11)]!.payload = varPayload([0, 5, 2, 9, 9, 10], new Uint8Array(10).fill(0x61)))),
    code: 'InvalidFormat',
  },
  {
    name: 'strings: an offset of 2^32-1 in the middle',
    bytes: () => mutate(C, (f) => (f.sections[col(f, 11)]!.payload = varPayload([0, 1, U32_MAX, 3, 4, 10], new Uint8Array(10).fill(0x61)))),
    code: 'InvalidFormat',
  },
  {
    name: 'strings: the last offset past the end',
    bytes: () => mutate(C, (f) => (f.sections[col(f, 11)]!.payload = varPayload([0, 1, 2, 3, 4, 11], new Uint8Array(10).fill(0x61)))),
    code: 'InvalidFormat',
  },
  {
    name: 'strings: the first offset not 0',
    bytes: () => mutate(C, (f) => (f.sections[col(f, 11)]!.payload = varPayload([1, 1, 2, 3, 4, 10], new Uint8Array(10).fill(0x61)))),
    code: 'InvalidFormat',
  },
  {
    name: 'strings: shorter than its offsets',
    bytes: () => mutate(C, (f) => (f.sections[col(f, 11)]!.payload = varPayload([0, 0], new Uint8Array(0)))),
    code: 'InvalidFormat',
  },
  {
    name: 'strings: invalid UTF-8',
    bytes: () =>
      mutate(
        C,
        (f) =>
          (f.sections[col(f, 11)]!.payload = varOf([Uint8Array.from([0xc3, 0x28]), new Uint8Array(0), Uint8Array.from([0xff]), new Uint8Array(0), new Uint8Array(30).fill(0xe2)])),
      ),
    code: 'InvalidFormat',
  },
  {
    name: 'bytes: offsets out of order',
    bytes: () => mutate(C, (f) => (f.sections[col(f, 12)]!.payload = varPayload([0, 3, 1, 4, 4, 4], new Uint8Array(4)))),
    code: 'InvalidFormat',
  },
  {
    name: 'blobs: offsets past the end',
    bytes: () => mutate(B, (f) => (f.sections[findSection(f, SectionKind.Blobs)]!.payload = varPayload([0, 2, 1000, 1001], new Uint8Array(3)))),
    code: 'InvalidFormat',
  },
  {
    name: 'blobs: a blob declaring an array of 2^32-1 items',
    bytes: () => mutate(B, (f) => (f.sections[findSection(f, SectionKind.Blobs)]!.payload = varOf([msgpackArray32(U32_MAX), msgpackArray32(U32_MAX), msgpackArray32(U32_MAX)]))),
    code: 'InvalidFormat',
    stage: 'world',
  },
  {
    name: 'blobs: a blob declaring a 4 GiB string and a 4 GiB bin',
    bytes: () => mutate(B, (f) => (f.sections[findSection(f, SectionKind.Blobs)]!.payload = varOf([msgpackStr32(U32_MAX), msgpackBin32(U32_MAX), msgpackMap32(U32_MAX)]))),
    code: 'InvalidFormat',
    stage: 'world',
  },
  {
    name: 'blobs: 20000 nested Sets (deep recursion)',
    bytes: () => mutate(B, (f) => (f.sections[findSection(f, SectionKind.Blobs)]!.payload = varOf([nestedSets(20000), Uint8Array.from([0xc0]), Uint8Array.from([0xc0])]))),
    code: 'InvalidFormat',
    stage: 'world',
  },
  {
    name: 'blobs: malformed ext payloads (bigint, Date, typed array, Map)',
    bytes: () =>
      mutate(B, (f) => {
        const ext = (type: number, data: number[]): Uint8Array => Uint8Array.from([0xc7, data.length, type, ...data]);
        f.sections[findSection(f, SectionKind.Blobs)]!.payload = varOf([
          ext(2, [0x7a, 0x7a]), // bigint "zz"
          ext(5, [1, 2, 3]), // Date of 3 bytes
          ext(6, [99, 0, 0]), // typed array kind 99
        ]);
      }),
    code: 'InvalidFormat',
    stage: 'world',
  },
  {
    name: 'entity metadata: map32 declaring 2^32-1 entries',
    bytes: () => mutate(B, (f) => (f.sections[findSection(f, SectionKind.EntityMetadata)]!.payload = msgpackMap32(U32_MAX))),
    code: 'InvalidFormat',
  },
  {
    name: 'entity metadata: not a list',
    bytes: () => mutate(B, (f) => (f.sections[findSection(f, SectionKind.EntityMetadata)]!.payload = encodeBlob({ 42: {} }))),
    code: 'InvalidFormat',
  },
  {
    name: 'entity metadata: an entry that is not [id, object]',
    bytes: () => mutate(B, (f) => (f.sections[findSection(f, SectionKind.EntityMetadata)]!.payload = encodeBlob([[42, 'x']]))),
    code: 'InvalidFormat',
  },
];

describe('structural attacks with valid checksums', () => {
  it.each(attacks.map((a) => [a.name, a] as const))('%s', (_, attack) => {
    const bytes = attack.bytes();
    const outcome = measure(() => {
      const decoded = decodeSnapshot(bytes);
      if (attack.stage !== 'world') return decoded;
      return toWorldSnapshot(decoded);
    });
    expectPackErrorValue(outcome.error, attack.name);
    if (process.env.DEBUG_ATTACKS)
      console.log('ATTACK', attack.name, '=>', (outcome.error as Error).message.slice(0, 140), Math.round(outcome.ms), 'ms', Math.round(outcome.arrayBuffers / 1024), 'KiB');
    if (attack.code !== undefined) {
      const codes = Array.isArray(attack.code) ? attack.code : [attack.code];
      expect(codes, (outcome.error as Error).message).toContain((outcome.error as { code: string }).code);
    }
    expect(outcome.arrayBuffers).toBeLessThan(MEMORY_LIMIT);
    expect(outcome.heap).toBeLessThan(MEMORY_LIMIT);
    // and the decoder is still fine afterwards
    expect(exact(decodeSnapshot(encoded(B)))).toBe(exact(decodeSnapshot(encoded(B))));
  });

  it('blob-content attacks get past decodeSnapshot (blobs are opaque) but not toWorldSnapshot', () => {
    for (const attack of attacks.filter((a) => a.stage === 'world')) {
      expect(() => decodeSnapshot(attack.bytes())).not.toThrow();
    }
  });

  // Regression test for a bug the suite found (fixed in src).
  it('many components over distinct large range sets neither succeed nor allocate hugely', () => {
    const K = 256;
    const build = (count: number): Uint8Array =>
      mutate(E, (f) => {
        const m = manifestOf(f);
        m.sets = [[0], ...Array.from({ length: K }, (_, i) => [i * 1000000, count])];
        m.components = Array.from({ length: K }, (_, i) => [`c${i}`, i + 1, 0, []]);
        setManifest(f, m, { components: K, sets: K + 1 });
      });
    const length = build(100000).length; // counts >= 65536 all take 5 bytes in MessagePack
    const bytes = build(8 * length + 65536);
    expect(bytes.length).toBe(length);
    const outcome = measure(() => decodeSnapshot(bytes));
    expect(outcome.arrayBuffers).toBeLessThan(MEMORY_LIMIT);
    expectPackErrorValue(outcome.error, 'range-set amplification');
  });
});
