// Content-addressed section payloads. A store file may hold a "pooled" container: the
// container with its large section payloads cut out, plus a table naming each cut payload by
// its SHA-256. The payloads live once each as `<sha256>.tx2section` objects of the backend,
// so sections with the same bytes (a static component saved by many checkpoints) cost their
// size once. Loading reassembles the original container byte for byte.
import {
  CipherId,
  DESCRIPTOR_SIZE,
  fromHex,
  HeaderFlags,
  isSha256Hex,
  PackError,
  readDescriptor,
  readHeader,
  readLayout,
  readTrailer,
  type SectionEntry,
  sha256 as sha256Of,
  TOC_ENTRY_SIZE,
  TRAILER_SIZE,
  toHex,
} from '@tx2/pack-format';
import type { StorageBackend } from './backend.js';

/** First bytes of a pooled store file: `TX2PREF\0`. */
export const POOLED_MAGIC = new Uint8Array([0x54, 0x58, 0x32, 0x50, 0x52, 0x45, 0x46, 0x00]);
/** Suffix of section objects: `<64 hex digits>.tx2section`. */
export const SECTION_SUFFIX = '.tx2section';
/** Default smallest payload moved to the pool (smaller ones stay inline: an object costs a file). */
export const DEFAULT_POOL_MIN_BYTES = 4096;

const POOLED_VERSION = 1;
const PREFIX_SIZE = 24;
const REF_SIZE = 48;

/** Options of section deduplication. */
export interface SectionPoolOptions {
  /** Section payloads of at least this many stored bytes are pooled (default 4096). */
  minBytes?: number;
}

/** One pooled payload: where it goes in the container, its length and its SHA-256 (hex). */
export interface SectionRef {
  offset: number;
  length: number;
  sha256: string;
}

/** A container split into its inline part and its pooled payloads. */
export interface PooledContainer {
  /** The store file: prefix, reference table and the container without the pooled payloads. */
  file: Uint8Array;
  /** The pooled payloads, to be stored as objects before `file`. */
  objects: { sha256: string; bytes: Uint8Array }[];
}

/** The backend key of the section object with hash `sha256`; refuses anything but 64 lowercase hex digits. */
export function sectionKey(sha256: string): string {
  if (!isSha256Hex(sha256)) throw new PackError('InvalidFormat', `invalid section hash ${JSON.stringify(sha256).slice(0, 80)}: a pooled file was modified outside the store`);
  return `${sha256}${SECTION_SUFFIX}`;
}

/** The hash named by a section object key, or undefined when `key` is not one. */
export function sectionHashOf(key: string): string | undefined {
  if (!key.endsWith(SECTION_SUFFIX)) return undefined;
  const hash = key.slice(0, -SECTION_SUFFIX.length);
  return isSha256Hex(hash) ? hash : undefined;
}

/** True when `bytes` starts like a pooled store file. */
export function isPooled(bytes: Uint8Array): boolean {
  if (bytes.length < POOLED_MAGIC.length) return false;
  for (let i = 0; i < POOLED_MAGIC.length; i++) if (bytes[i] !== POOLED_MAGIC[i]) return false;
  return true;
}

/** True when a plain (unencrypted) container: only those can share payloads across files. */
export function canPool(container: Uint8Array): boolean {
  const header = readHeader(container);
  return header.cipher === CipherId.None && (header.flags & HeaderFlags.Encrypted) === 0;
}

/**
 * Splits `container` into a pooled file and the payloads of at least `minBytes` stored bytes.
 * Encrypted containers are not split (their sealed payloads are bound to the file and never repeat).
 * `written`: the container was just made by a writer (its table of contents is trusted).
 */
export function splitContainer(container: Uint8Array, minBytes: number, options: { written?: boolean } = {}): PooledContainer | undefined {
  if (!canPool(container)) return undefined;
  const listed = tocSections(container);
  if (listed !== undefined && !listed.some((s) => s.descriptor.storedLength >= minBytes)) return undefined;
  const refs: SectionRef[] = [];
  const objects: PooledContainer['objects'] = [];
  // A container this store's writer just made is split by its table of contents; any other
  // has every frame checked against it first (readLayout), so damage is reported, not pooled.
  const sections = options.written === true && listed !== undefined ? listed : readLayout(container).sections;
  for (const { offset, descriptor } of sections) {
    if (descriptor.storedLength < minBytes) continue;
    const start = offset + DESCRIPTOR_SIZE;
    const bytes = container.subarray(start, start + descriptor.storedLength);
    const hash = toHex(sha256Of(bytes));
    refs.push({ offset: start, length: bytes.length, sha256: hash });
    objects.push({ sha256: hash, bytes });
  }
  if (refs.length === 0) return undefined;
  const pooledBytes = refs.reduce((n, r) => n + r.length, 0);
  const tableEnd = PREFIX_SIZE + refs.length * REF_SIZE;
  const file = new Uint8Array(tableEnd + container.length - pooledBytes);
  const view = new DataView(file.buffer);
  file.set(POOLED_MAGIC, 0);
  view.setUint32(8, POOLED_VERSION, true);
  view.setUint32(12, refs.length, true);
  view.setBigUint64(16, BigInt(container.length), true);
  let at = tableEnd;
  let from = 0;
  refs.forEach((ref, i) => {
    const entry = PREFIX_SIZE + i * REF_SIZE;
    view.setBigUint64(entry, BigInt(ref.offset), true);
    view.setBigUint64(entry + 8, BigInt(ref.length), true);
    file.set(fromHex(ref.sha256), entry + 16);
    file.set(container.subarray(from, ref.offset), at);
    at += ref.offset - from;
    from = ref.offset + ref.length;
  });
  file.set(container.subarray(from), at);
  return { file, objects };
}

/**
 * The sections a plain container's table of contents lists (offset of each frame and its
 * descriptor), or undefined when it cannot be read (the full layout read then names the damage).
 * A small delta lists no section to pool: it is stored whole without reading every frame.
 */
function tocSections(container: Uint8Array): SectionEntry[] | undefined {
  try {
    const trailer = readTrailer(container);
    const toc = trailer.tocOffset + DESCRIPTOR_SIZE;
    if (toc + trailer.sectionCount * TOC_ENTRY_SIZE > container.length - TRAILER_SIZE) return undefined;
    const view = new DataView(container.buffer, container.byteOffset, container.byteLength);
    const out: SectionEntry[] = [];
    for (let i = 0; i < trailer.sectionCount; i++) {
      const at = toc + i * TOC_ENTRY_SIZE;
      const offset = Number(view.getBigUint64(at, true));
      const descriptor = readDescriptor(container, at + 8);
      if (offset + DESCRIPTOR_SIZE + descriptor.storedLength > container.length) return undefined;
      out.push({ offset, descriptor });
    }
    return out;
  } catch {
    return undefined;
  }
}

function damaged(what: string, why: string): never {
  throw new PackError('InvalidFormat', `the pooled file of ${what} is damaged (${why}): it was modified outside the store; delete it or restore it`);
}

/** How many bytes of a pooled file hold its prefix and reference table (read from its first 24 bytes). */
export function pooledTableSize(prefix: Uint8Array, what: string): number {
  if (prefix.length < PREFIX_SIZE || !isPooled(prefix)) damaged(what, 'no pooled-file prefix');
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const version = view.getUint32(8, true);
  if (version !== POOLED_VERSION) {
    throw new PackError('VersionMismatch', `the pooled file of ${what} has version ${version}; this reader knows ${POOLED_VERSION}: upgrade @tx2/pack-store`);
  }
  return PREFIX_SIZE + view.getUint32(12, true) * REF_SIZE;
}

/** The references of a pooled file (`bytes` holds at least its table), checked for order and bounds. */
export function readRefs(bytes: Uint8Array, what: string): { containerLength: number; refs: SectionRef[] } {
  const tableEnd = pooledTableSize(bytes, what);
  if (bytes.length < tableEnd) damaged(what, 'its reference table is cut short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Sizes past 2^53 cannot be exact numbers (nor real files): refused before any arithmetic on them.
  const u64 = (at: number): number => {
    const value = view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) damaged(what, `it declares a size of ${value} bytes`);
    return Number(value);
  };
  const containerLength = u64(16);
  const refs: SectionRef[] = [];
  let end = 0;
  for (let at = PREFIX_SIZE; at < tableEnd; at += REF_SIZE) {
    const offset = u64(at);
    const length = u64(at + 8);
    if (offset < end || offset + length > containerLength) damaged(what, 'its references overlap or run past the container');
    refs.push({ offset, length, sha256: toHex(bytes.subarray(at + 16, at + 48)) });
    end = offset + length;
  }
  return { containerLength, refs };
}

/** Objects a join asks the backend for at once: enough to overlap latencies, few enough to bound the bytes in flight. */
const JOIN_WINDOW = 4;

/** Runs `task` over `items`, at most JOIN_WINDOW at a time, in order of start; the first failure is thrown once all started tasks settle. */
async function inWindows<T>(items: readonly T[], task: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += JOIN_WINDOW) {
    const settled = await Promise.allSettled(items.slice(i, i + JOIN_WINDOW).map(task));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }
}

/**
 * Rebuilds the container of the pooled `file`, reading each payload from the backend and
 * checking its SHA-256. `what` names the snapshot in errors.
 */
export async function joinContainer(file: Uint8Array, backend: StorageBackend, what: string): Promise<Uint8Array> {
  const { containerLength, refs } = readRefs(file, what);
  const tableEnd = PREFIX_SIZE + refs.length * REF_SIZE;
  const pooledBytes = refs.reduce((n, r) => n + r.length, 0);
  if (file.length - tableEnd !== containerLength - pooledBytes) damaged(what, 'its inline bytes do not add up to the container size');
  const missing = (key: string, ref: SectionRef): never => {
    throw new PackError('SnapshotNotFound', `section object ${key} of ${what} is missing (it was deleted outside the store): ${what} cannot be rebuilt; delete it`, {
      details: { object: key, sha256: ref.sha256 },
    });
  };
  const mismatch = (key: string, ref: SectionRef): never => {
    throw new PackError('ChecksumMismatch', `section object ${key} of ${what} does not match its SHA-256: the object is damaged (every snapshot sharing it is affected)`, {
      details: { object: key, sha256: ref.sha256 },
    });
  };
  // The container size comes from the file: allocate it only once every object is known to
  // hold the bytes its reference declares (sizes first; a backend without size() is read first).
  // Objects are asked for a few at a time: each is a file or a database request, and one after
  // the other their latencies add up.
  const fetched = new Map<string, Uint8Array>();
  await inWindows(refs, async (ref) => {
    const key = sectionKey(ref.sha256);
    let size: number | undefined;
    if (backend.size !== undefined) {
      size = await backend.size(key);
    } else {
      const bytes = await backend.get(key);
      if (bytes !== undefined) fetched.set(key, bytes);
      size = bytes?.length;
    }
    if (size === undefined) missing(key, ref);
    if (size !== ref.length) mismatch(key, ref);
  });
  const out = new Uint8Array(containerLength);
  await inWindows(refs, async (ref) => {
    const key = sectionKey(ref.sha256);
    const bytes = fetched.get(key) ?? (await backend.get(key)) ?? missing(key, ref);
    fetched.delete(key);
    if (bytes.length !== ref.length || toHex(sha256Of(bytes)) !== ref.sha256) mismatch(key, ref);
    out.set(bytes, ref.offset);
  });
  // The inline bytes between and around the objects.
  let from = tableEnd;
  let at = 0;
  for (const ref of refs) {
    const inline = ref.offset - at;
    out.set(file.subarray(from, from + inline), at);
    from += inline;
    at = ref.offset + ref.length;
  }
  out.set(file.subarray(from), at);
  return out;
}

/** The section hashes a stored file references (none for a plain container), reading only its table when the backend allows. */
export async function referencedSections(backend: StorageBackend, key: string): Promise<string[]> {
  let head: Uint8Array | undefined;
  const ranged = backend.readRange !== undefined;
  head = ranged ? await backend.readRange!(key, 0, PREFIX_SIZE) : await backend.get(key);
  if (head === undefined || !isPooled(head)) return [];
  const tableEnd = pooledTableSize(head, key);
  // The table size comes from the file: never read (allocate) more than the file holds.
  const size = backend.size === undefined ? undefined : await backend.size(key);
  if (size !== undefined && tableEnd > size) damaged(key, 'its reference table is cut short');
  if (ranged) head = await backend.readRange!(key, 0, tableEnd);
  if (head === undefined) return [];
  return readRefs(head, key).refs.map((r) => r.sha256);
}

/**
 * Deletes section objects no stored file references. Run under the store's write lock: every
 * writer puts objects before the file naming them and holds the lock throughout, so an object
 * is unreferenced here only when no file (listed or orphaned) needs it. A crash part-way
 * leaves unreferenced objects, which the next collection removes. Returns the deleted hashes.
 */
export async function collectGarbage(backend: StorageBackend, snapshotSuffix: string): Promise<string[]> {
  const keys = await backend.list();
  const objects = keys.map(sectionHashOf).filter((h): h is string => h !== undefined);
  if (objects.length === 0) return [];
  const referenced = new Set<string>();
  for (const key of keys) {
    if (!key.endsWith(snapshotSuffix)) continue;
    // A file that cannot be read keeps everything: never delete what might be referenced.
    try {
      for (const hash of await referencedSections(backend, key)) referenced.add(hash);
    } catch {
      return [];
    }
  }
  const deleted: string[] = [];
  for (const hash of objects) {
    if (referenced.has(hash)) continue;
    await backend.delete(sectionKey(hash));
    deleted.push(hash);
  }
  return deleted;
}
