import { promises as fs } from 'node:fs';
import { codecNameOf, createCodecRegistry } from '@tx2/pack-codecs';
import { filterById } from '@tx2/pack-codecs';
import { type DecryptionKeyInput, decodeEncrypted, decryptSnapshot, deriveKeyForSnapshot, encryptionInfo, type PassphraseKey } from '@tx2/pack-crypto';
import { CipherId, type DecodeOptions, decodeDelta, decodeSnapshot, HeaderFlags, readHeader, type SnapshotDelta } from '@tx2/pack-format';
import { PackError, type PackedSnapshot } from '@tx2/pack-format';
import { ioError } from './errors.js';
import { readComponentIds, readPartialContainer, readStructure } from './partial.js';
import { spoolToTempFile } from './spool.js';
import { type ByteSource, bytesSource, fileSource } from './source.js';

/** Files larger than this are decoded component by component (32 MiB). */
const LOW_MEMORY_THRESHOLD = 32 << 20;

/** The settings a {@link SnapshotReader} holds. */
export interface ReaderSettings {
  /** Decode only these components; the others are not read from the file. */
  components?: readonly string[];
  /** Verify section CRC-32s (default true). */
  checksums?: boolean;
  /** Largest decoded section accepted, checked before allocating (default 2 GiB). */
  maxSectionSize?: number;
  /** The key of encrypted snapshots (plain snapshots are read without it). */
  key?: DecryptionKeyInput;
  /** Sources larger than this many bytes are decoded one component at a time (default 32 MiB). */
  componentWiseAbove?: number;
}

async function codecsFor(ids: Iterable<number>): Promise<Pick<DecodeOptions, 'codecs' | 'filters'>> {
  // Ids this version does not know are left out: decodeSnapshot then names them in its error.
  const names = [...ids].filter((id) => {
    try {
      codecNameOf(id);
      return true;
    } catch {
      return false;
    }
  });
  const registry = await createCodecRegistry(names);
  return { codecs: registry.codecs, filters: filterById };
}

/**
 * Reads tx2-pack snapshots. Immutable: every `with*` method returns a new reader. No
 * codec option is needed: the file names the codec of each section.
 */
export class SnapshotReader {
  readonly settings: Readonly<ReaderSettings>;
  /** Keys derived from the passphrase, by salt and cost: a chain of deltas from one writer runs scrypt once. */
  readonly #derived = new Map<string, Promise<PassphraseKey>>();

  /** A reader with `settings` (prefer `SnapshotReader.create()` and the `with*` methods). */
  constructor(settings: ReaderSettings = {}) {
    this.settings = Object.freeze({ ...settings });
  }

  /** A reader with the default settings. */
  static create(): SnapshotReader {
    return new SnapshotReader();
  }

  /** Returns a reader that loads only `components` (all when undefined), reading only their sections. */
  withComponents(components: readonly string[] | undefined): SnapshotReader {
    const next: ReaderSettings = { ...this.settings };
    if (components === undefined) delete next.components;
    else next.components = [...components];
    return new SnapshotReader(next);
  }

  /** Returns a reader that verifies (true) or skips (false) section CRC-32s. */
  withChecksums(verify: boolean): SnapshotReader {
    return new SnapshotReader({ ...this.settings, checksums: verify });
  }

  /** Returns a reader refusing sections that decode to more than `bytes`. */
  withMaxSectionSize(bytes: number): SnapshotReader {
    return new SnapshotReader({ ...this.settings, maxSectionSize: bytes });
  }

  /** Returns a reader that decodes sources larger than `bytes` one component at a time (never the whole file in memory). */
  withComponentWiseAbove(bytes: number): SnapshotReader {
    if (!Number.isInteger(bytes) || bytes < 0) throw new PackError('InvalidInput', `the size must be a non-negative integer, got ${bytes}`);
    return new SnapshotReader({ ...this.settings, componentWiseAbove: bytes });
  }

  /** Returns a reader that opens encrypted snapshots with `key` (an EncryptionKey or a PassphraseKey). */
  withKey(key: DecryptionKeyInput): SnapshotReader {
    return new SnapshotReader({ ...this.settings, key });
  }

  /** Returns a reader that opens encrypted snapshots with a passphrase (the file holds the salt and scrypt cost). */
  withPassphrase(passphrase: string): SnapshotReader {
    if (typeof passphrase !== 'string' || passphrase.length === 0) throw new PackError('InvalidInput', 'the passphrase must be a non-empty string');
    return new SnapshotReader({ ...this.settings, key: { passphrase } });
  }

  async #decodeEncrypted(bytes: Uint8Array): Promise<PackedSnapshot> {
    // The codecs are only known once decrypted: load them all (they load lazily and are cached).
    const options = { ...this.#decodeOptions(await codecsFor([1, 2, 3, 4])) } as Parameters<typeof decodeEncrypted>[1] & object;
    if (this.settings.key !== undefined) options.key = this.settings.key;
    return decodeEncrypted(bytes, options);
  }

  #decodeOptions(codecs: Pick<DecodeOptions, 'codecs' | 'filters'>): DecodeOptions {
    const options: DecodeOptions = { ...codecs };
    if (this.settings.components !== undefined) options.components = this.settings.components;
    if (this.settings.checksums !== undefined) options.verifyChecksums = this.settings.checksums;
    if (this.settings.maxSectionSize !== undefined) options.maxSectionSize = this.settings.maxSectionSize;
    return options;
  }

  /** Decodes a snapshot held in memory. */
  async readFromBytes(bytes: Uint8Array): Promise<PackedSnapshot> {
    if (isEncrypted(bytes)) return this.#decodeEncrypted(bytes);
    const structure = await readStructure(bytesSource(bytes));
    return decodeSnapshot(bytes, this.#decodeOptions(await codecsFor(structure.codecs)));
  }

  /** Decodes a delta container (decrypting it first when it is encrypted; the key comes from `withKey` / `withPassphrase`). */
  async readDeltaFromBytes(bytes: Uint8Array): Promise<SnapshotDelta> {
    let plain = bytes;
    if (isEncrypted(bytes)) {
      if (this.settings.key === undefined) throw new PackError('Decryption', 'this delta is encrypted: give the reader its key (withKey / withPassphrase)');
      plain = await decryptSnapshot(bytes, await this.#deltaKey(bytes, this.settings.key));
    }
    const structure = await readStructure(bytesSource(plain));
    const { components: _, ...options } = this.#decodeOptions(await codecsFor(structure.codecs));
    return decodeDelta(plain, options);
  }

  /** The key for an encrypted delta: a passphrase is derived once per salt and cost, then reused. */
  async #deltaKey(bytes: Uint8Array, key: DecryptionKeyInput): Promise<DecryptionKeyInput> {
    if (!(typeof key === 'object' && key !== null && 'passphrase' in key && typeof key.passphrase === 'string')) return key;
    const kdf = encryptionInfo(bytes)?.kdf;
    if (kdf === undefined) return key; // a raw-key file: decryptSnapshot reports that a passphrase does not open it
    const id = `${Buffer.from(kdf.salt).toString('hex')}:${kdf.N}:${kdf.r}:${kdf.p}`;
    let derived = this.#derived.get(id);
    if (derived === undefined) {
      derived = deriveKeyForSnapshot(bytes, key.passphrase);
      this.#derived.set(id, derived);
      derived.catch(() => this.#derived.delete(id));
    }
    return derived;
  }

  /**
   * Decodes a snapshot from a random-access source. With `withComponents`, reads only the
   * header, trailer, table of contents, manifest, needed entity sets, the components'
   * sections and the entity metadata (decrypting only those, for encrypted files); sources
   * above the component-wise threshold are decoded one component at a time; otherwise reads
   * the whole source.
   */
  async readFromSource(source: ByteSource): Promise<PackedSnapshot> {
    const structure = await readStructure(source, this.settings.key);
    const threshold = this.settings.componentWiseAbove ?? LOW_MEMORY_THRESHOLD;
    // Small encrypted files are decrypted whole; larger ones, and partial reads, section by section.
    if (structure.encrypted && this.settings.components === undefined && source.size <= threshold) return this.#decodeEncrypted(await source.read(0, source.size));
    const codecs = await codecsFor(structure.codecs);
    if (this.settings.components !== undefined) {
      const partial = await readPartialContainer(source, structure, this.settings.components, codecs.codecs!);
      if (partial !== undefined) return decodeSnapshot(partial, this.#decodeOptions(codecs));
    } else if (source.size > threshold) {
      // Large files are decoded one component at a time, so the whole file is never in memory.
      const ids = await readComponentIds(source, structure, codecs.codecs!);
      const base = await readPartialContainer(source, structure, [], codecs.codecs!);
      if (base !== undefined) {
        const options = this.#decodeOptions(codecs);
        const out = decodeSnapshot(base, { ...options, components: [] });
        for (const id of ids) {
          const part = await readPartialContainer(source, structure, [id], codecs.codecs!, false);
          if (part === undefined) break;
          const component = decodeSnapshot(part, { ...options, components: [id] }).components[0]!;
          // Each partial decode materialises its entity sets anew: share equal ones, as a whole decode does.
          const shared = [out.entities, ...out.components.map((c) => c.entityIds)].find((ids) => sameIds(ids, component.entityIds));
          if (shared !== undefined) component.entityIds = shared;
          out.components.push(component);
        }
        if (out.components.length === ids.length) return out;
      }
    }
    if (structure.encrypted) return this.#decodeEncrypted(await source.read(0, source.size));
    return decodeSnapshot(await source.read(0, source.size), this.#decodeOptions(codecs));
  }

  /**
   * Decodes a snapshot from a Node.js Readable, a web ReadableStream or any async iterable
   * of bytes. The stream is spooled to a temporary file (removed afterwards) and decoded
   * from there component by component, so the whole file is never held in memory.
   */
  async readFromStream(stream: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): Promise<PackedSnapshot> {
    const spooled = await spoolToTempFile(stream);
    try {
      return await this.readFromFile(spooled.file);
    } finally {
      await spooled.remove();
    }
  }

  /** Decodes the snapshot in `file` (partially, with `withComponents`); PackError 'SnapshotNotFound' when it does not exist. */
  async readFromFile(file: string): Promise<PackedSnapshot> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new PackError('SnapshotNotFound', `no snapshot file at ${file}: check the path`, { details: { path: file } });
      }
      throw ioError('open', file, error);
    }
    try {
      return await this.readFromSource(await fileSource(handle, file));
    } finally {
      await handle.close().catch(() => {});
    }
  }
}

function sameIds(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when the header of `bytes` says the container is encrypted (decodeEncrypted then checks it). */
function isEncrypted(bytes: Uint8Array): boolean {
  const h = readHeader(bytes);
  return (h.flags & HeaderFlags.Encrypted) !== 0 || h.cipher !== CipherId.None;
}
