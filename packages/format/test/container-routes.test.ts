// The container routes of the format tier agree: the streamed writer and the in-memory one,
// the synchronous and asynchronous readers, the sealing hooks, and the frame-level tools.
import { describe, expect, it } from 'vitest';
import {
  type ByteSource,
  bytesSource,
  CipherId,
  ContainerWriter,
  createPackedSnapshot,
  DESCRIPTOR_SIZE,
  decodeSnapshot,
  encodeBlob,
  encodeSnapshot,
  encodeSnapshotStream,
  fromHex,
  HeaderFlags,
  headerBytes,
  isPackError,
  joinPieces,
  type OpenerFactory,
  type PackedSnapshot,
  readDescriptor,
  readFrames,
  readFramesFrom,
  readHeader,
  readLayout,
  readLayoutFrom,
  readManifest,
  readManifestAt,
  readManifestFrom,
  readSnapshot,
  readTrailer,
  type SealerFactory,
  scanSections,
  setTrailerDigest,
  snapshotHash,
  toHex,
  writeDescriptor,
  writeHeader,
} from '../src/index.js';
import { rle } from './helpers/toy-codec.js';

function world(rows = 50): PackedSnapshot {
  const ids = Uint32Array.from({ length: rows }, (_, i) => 10 + i * 3);
  const packed = createPackedSnapshot({
    entities: ids,
    metadata: { level: 'swamp', seed: 7 },
    components: [
      { id: 'Position', entityIds: ids, fields: { x: Float32Array.from(ids, (v) => v / 2), y: new Float64Array(rows).fill(-0) } },
      {
        id: 'Name',
        entityIds: ids,
        fields: { name: Array.from(ids, (v) => (v % 2 ? `\ufeffunit ${v}` : `élan ${v}`)), tag: Array.from(ids, (v) => Uint8Array.of(v % 256, 1, 2)) },
      },
    ],
  });
  packed.components.push({ id: 'Inventory', layout: 'blobs', entityIds: ids, blobs: Array.from(ids, (v) => encodeBlob({ gold: v, items: ['rope', v] })) });
  packed.entityMetadata = new Map([[ids[0]!, { tags: ['hero'] }]]);
  return packed;
}

async function joined(pieces: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const all: Uint8Array[] = [];
  for await (const piece of pieces) all.push(piece.slice());
  return joinPieces(all);
}

/** An asynchronous source over `bytes` that copies every read, as a file does. */
function fileLike(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: async (offset, length) => bytes.slice(offset, offset + length) };
}

// A toy cipher (XOR with 0x5a plus a 16-byte "tag" of zeros), to exercise the sealing hooks
// the crypto tier plugs in: the sealed header says Encrypted, every frame names cipher 1.
const TAG = 16;
const xor = (bytes: Uint8Array): Uint8Array => bytes.map((b) => b ^ 0x5a);
const sealer: SealerFactory = (plainHeader) => {
  const h = readHeader(plainHeader);
  const header = new Uint8Array(128);
  writeHeader(header, 0, { ...h, flags: h.flags | HeaderFlags.Encrypted, cipher: CipherId.Aes256Gcm });
  return {
    header,
    seal(_ordinal, descriptor, payload) {
      const d = readDescriptor(descriptor, 0);
      const sealed = new Uint8Array(payload.length + TAG);
      sealed.set(xor(payload));
      const out = new Uint8Array(DESCRIPTOR_SIZE);
      writeDescriptor(out, 0, { ...d, cipher: CipherId.Aes256Gcm, storedLength: sealed.length, payloadCrc: 0, flags: 0 });
      return { descriptor: out, payload: sealed };
    },
  };
};
const opener: OpenerFactory = async (header) => {
  const h = readHeader(header);
  return {
    plainHeader: headerBytes({ ...h, flags: h.flags & ~HeaderFlags.Encrypted, cipher: CipherId.None }),
    async open(_ordinal, descriptor, sealed) {
      const d = readDescriptor(descriptor, 0);
      const payload = xor(sealed.subarray(0, sealed.length - TAG));
      const out = new Uint8Array(DESCRIPTOR_SIZE);
      writeDescriptor(out, 0, { ...d, cipher: CipherId.None, storedLength: payload.length });
      return { descriptor: out, payload };
    },
  };
};

describe('the streamed writer and the in-memory writer', () => {
  it('give the same bytes for a world smaller than a chunk, with and without checksums and compression', async () => {
    const packed = world();
    for (const options of [{}, { checksums: false }, { codec: rle }, { codec: rle, checksums: false }]) {
      expect(await joined(encodeSnapshotStream(packed, options))).toEqual(encodeSnapshot(packed, options));
    }
  });

  it('cut columns, strings, bytes and blobs into chunks that decode to the same content', async () => {
    const packed = world(400);
    for (const chunkBytes of [64, 100, 1000]) {
      const bytes = await joined(encodeSnapshotStream(packed, { chunkBytes, codec: rle }));
      const chunked = scanSections(bytes).sections.filter((s) => s.descriptor.rowStart > 0);
      expect(chunked.length).toBeGreaterThan(0);
      expect(snapshotHash(decodeSnapshot(bytes, { codecs: () => rle }))).toEqual(snapshotHash(packed));
      expect(snapshotHash(await readSnapshot(fileLike(bytes), { codecs: async () => rle }))).toEqual(snapshotHash(packed));
    }
  });

  it('refuses bad input before the first piece, as encodeSnapshot does', async () => {
    const bad = world();
    bad.version = 'v\ud800';
    const pieces = encodeSnapshotStream(bad);
    await expect(pieces.next()).rejects.toMatchObject({ code: 'InvalidInput' });
    expect(() => encodeSnapshot(bad)).toThrow(/lone UTF-16 surrogates/);
    await expect(encodeSnapshotStream(world(), { chunkBytes: 3 }).next()).rejects.toMatchObject({ code: 'InvalidInput' });
  });
});

describe('sealing hooks', () => {
  it('a sealed stream reads back through an opener, whole and partially; without one it is a Decryption error', async () => {
    const packed = world(120);
    const sealed = await joined(encodeSnapshotStream(packed, { sealer, chunkBytes: 256 }));
    expect(readHeader(sealed).flags & HeaderFlags.Encrypted).toBeTruthy();
    expect(snapshotHash(await readSnapshot(fileLike(sealed), { opener }))).toEqual(snapshotHash(packed));
    const partial = await readSnapshot(sealed, { opener, components: ['Name'] });
    expect(partial.components.map((c) => c.id)).toEqual(['Name']);
    expect(partial.components[0]).toEqual(decodeSnapshot(encodeSnapshot(packed), { components: ['Name'] }).components[0]);
    await expect(readSnapshot(sealed)).rejects.toMatchObject({ code: 'Decryption' });
    expect(() => decodeSnapshot(sealed, { opener })).toThrow(/asynchronous/);
    const frames = await readFramesFrom(fileLike(sealed), { opener });
    expect(frames.frames.length).toBe(scanSections(sealed).sections.length - 1);
    expect((await readLayoutFrom(sealed, { opener })).sections.every((s) => s.descriptor.cipher === CipherId.None)).toBe(true);
  });
});

describe('frame-level tools', () => {
  it('readFrames gives every frame; laid out again with ContainerWriter they make the same container', () => {
    const bytes = encodeSnapshot(world());
    const { header, frames } = readFrames(bytes);
    const writer = new ContainerWriter();
    const pieces = [header];
    for (const frame of frames) pieces.push(...writer.frame(frame));
    pieces.push(...writer.finish(writer.tableOfContents(true)));
    expect(joinPieces(pieces)).toEqual(bytes);
    expect(() => writer.frame(frames[0]!)).toThrow(/already finished/);
  });

  it('readFrames checks payload CRCs unless told not to', () => {
    const bytes = encodeSnapshot(world());
    const last = readLayout(bytes).sections.at(-1)!;
    const damaged = bytes.slice();
    const at = last.offset + DESCRIPTOR_SIZE;
    damaged[at] = damaged[at]! ^ 1;
    expect(() => readFrames(damaged)).toThrow(expect.objectContaining({ code: 'ChecksumMismatch' }));
    expect(readFrames(damaged, { verifyChecksums: false }).frames.length).toBe(readLayout(bytes).sections.length);
  });

  it('setTrailerDigest sets and clears the digest in place', () => {
    const bytes = encodeSnapshot(world());
    const digest = Uint8Array.from({ length: 32 }, (_, i) => i);
    setTrailerDigest(bytes, digest);
    expect(readTrailer(bytes).digest).toEqual(digest);
    expect(readTrailer(bytes).flags & 1).toBe(1);
    setTrailerDigest(bytes, undefined);
    expect(readTrailer(bytes).flags & 1).toBe(0);
    expect(() => setTrailerDigest(bytes, new Uint8Array(3))).toThrow(expect.objectContaining({ code: 'InvalidInput' }));
    expect(decodeSnapshot(bytes).components.length).toBe(3);
  });

  it('manifests from bytes, from a source and from a scan of a file whose table of contents is damaged agree', async () => {
    const bytes = encodeSnapshot(world());
    const manifest = readManifest(bytes);
    expect(await readManifestFrom(fileLike(bytes))).toEqual(manifest);
    const cut = bytes.subarray(0, bytes.length - 100);
    expect(readManifestAt(cut, scanSections(cut).sections)).toEqual(manifest);
    expect(() => readManifestAt(cut, [])).toThrow(expect.objectContaining({ code: 'InvalidFormat' }));
  });

  it('byte sources refuse reads past their end, and hex helpers round-trip', () => {
    const source = bytesSource(Uint8Array.of(1, 2, 3));
    expect(() => source.read(2, 5)).toThrow(expect.objectContaining({ code: 'Truncated' }));
    expect(toHex(Uint8Array.of(0, 15, 255))).toBe('000fff');
    expect(fromHex('000FFF')).toEqual(Uint8Array.of(0, 15, 255));
    expect(() => fromHex('abc')).toThrow(expect.objectContaining({ code: 'InvalidInput' }));
    expect(isPackError(Object.assign(new Error('x'), {}))).toBe(false);
  });
});
