import { PackError } from '@tx2/pack-format';

// How IndexedDBBackend lays out a value. The `files` store maps each key to its record: a
// Manifest (this layout) or a Blob (values written before it, still read as they are). A value
// of up to INLINE_MAX bytes lives in its manifest; a larger one is cut into chunks of `chunk`
// bytes in the `chunks` store under [key, generation, index]. A new value gets a new generation,
// and its manifest replaces the old one in one transaction that also deletes the old generation's
// chunks, so a reader (one transaction) sees one whole value. A streamed write notes its
// generation in the `pending` store while its chunks exist without a manifest; whatever is left
// there belongs to a write that failed or whose tab closed, and is removed later.

/** The object store of manifests (and of old one-Blob values), one record per key. */
export const FILES = 'files';
/** The object store of chunks, keyed [key, generation, index]. */
export const CHUNKS = 'chunks';
/** The object store of streamed writes in progress, keyed [key, generation]. */
export const PENDING = 'pending';

/** Values up to this size are stored in their manifest (one record, no chunk). */
export const INLINE_MAX = 64 * 1024;
/** The chunk size of new values: a partial read loads at most two chunks more than it needs. */
export const CHUNK_SIZE = 256 * 1024;
/** A chunked value's manifest repeats its first bytes: small reads at the start (headers) need no chunk. */
export const HEAD_BYTES = 4096;
/** A streamed write commits its chunks in transactions of about this many bytes. */
export const FLUSH_BYTES = 4 * 1024 * 1024;

/** The record of a value in the `files` store. */
export interface Manifest {
  /** Layout version, for later changes. */
  readonly v: 1;
  /** The value's size in bytes. */
  readonly size: number;
  /** The bytes of a value stored inline, or absent when it is chunked. */
  readonly data?: Uint8Array;
  /** The generation of its chunks (chunked values). */
  readonly gen?: string;
  /** The size of every chunk but the last (chunked values). */
  readonly chunk?: number;
  /** The first HEAD_BYTES bytes of a chunked value (or fewer, when absent or shorter), also in its chunk 0. */
  readonly head?: Uint8Array;
}

/** A new, unique generation tag. */
export function newGeneration(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(9));
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** The key range of every chunk of `key` in generation `gen` (or of chunks `first` to `last`). */
export function chunkRange(key: string, gen: string, first = 0, last = Number.MAX_SAFE_INTEGER): IDBKeyRange {
  return IDBKeyRange.bound([key, gen, first], [key, gen, last]);
}

/** What a `files` record holds: a manifest, an old-layout Blob, or nothing; anything else is damage. */
export function readRecord(record: unknown, key: string, backend: string): Manifest | Blob | undefined {
  if (record === undefined || record instanceof Blob) return record;
  const m = record as Partial<Manifest> | null;
  if (typeof m === 'object' && m !== null && m.v === 1 && Number.isSafeInteger(m.size) && (m.size as number) >= 0) {
    if (m.data instanceof Uint8Array && m.data.length === m.size) return m as Manifest;
    const head = m.head === undefined || (m.head instanceof Uint8Array && m.head.length <= (m.size as number));
    if (typeof m.gen === 'string' && Number.isSafeInteger(m.chunk) && (m.chunk as number) > 0 && head) return m as Manifest;
  }
  throw new PackError('Io', `the record of ${JSON.stringify(key)} in ${backend} is not one this version writes or reads: it is damaged, or from a newer version of tx2-pack`, {
    details: { path: key, backend },
  });
}

/**
 * Joins the chunks `first`.. of a chunked value read for bytes [start, end) of the value; throws
 * PackError('Io') when a chunk is missing or of the wrong size (damaged storage).
 */
export function joinChunks(chunks: readonly unknown[], m: Manifest, first: number, start: number, end: number, key: string, backend: string): Uint8Array {
  const chunk = m.chunk as number;
  const only = chunks[0];
  // The whole of a one-chunk range: the chunk as read, no copy.
  if (chunks.length === 1 && only instanceof Uint8Array && start === first * chunk && end - start === only.length && only.length === Math.min(chunk, m.size - start)) return only;
  const out = new Uint8Array(end - start);
  let at = 0;
  for (let i = 0; at < out.length; i++) {
    const piece = chunks[i];
    const index = first + i;
    const expected = Math.min(chunk, m.size - index * chunk);
    if (!(piece instanceof Uint8Array) || piece.length !== expected) {
      throw new PackError('Io', `chunk ${index} of ${JSON.stringify(key)} in ${backend} is missing or damaged: the value cannot be read`, {
        details: { path: key, backend },
      });
    }
    const from = Math.max(0, start - index * chunk);
    const to = Math.min(piece.length, end - index * chunk);
    out.set(piece.subarray(from, to), at);
    at += to - from;
  }
  return out;
}
