import { codecsOnDemand, filterById } from '@tx2/pack-codecs';
import { createSectionOpener, type DecryptionKeyInput, deriveKeyForSnapshot, type PassphraseKey } from '@tx2/pack-crypto';
import {
  type ByteSource,
  type DecodeOptions,
  isPackError,
  type OpenerFactory,
  PackError,
  type PackedSnapshot,
  readDelta,
  readSnapshot,
  type SnapshotDelta,
} from '@tx2/pack-format';
import { type ByteStream, collectStream } from './byte-stream.js';

/** The settings a {@link SnapshotReader} holds. */
export interface ReaderSettings {
  /** Decode only these components; the others are not read from the file. */
  components?: readonly string[];
  /** Verify section CRC-32s (default true). */
  verifyChecksums?: boolean;
  /** @deprecated Use `verifyChecksums`. */
  checksums?: boolean;
  /** Largest decoded section accepted, checked before reading it (default 1 GiB). */
  maxSectionSize?: number;
  /** Largest total a read may decode to, checked before decoding (default 1 GiB). */
  maxDecodedSize?: number;
  /** The key of encrypted snapshots (plain snapshots are read without it). */
  key?: DecryptionKeyInput;
  /** @deprecated Has no effect: every read is section by section, fetching one component's sections at a time. */
  componentWiseAbove?: number;
}

/**
 * Reads tx2-pack snapshots. Immutable: every `with*` method returns a new reader. No
 * codec option is needed: the file names the codec of each section.
 */
export class SnapshotReader {
  readonly settings: Readonly<ReaderSettings>;
  /** Keys derived from the passphrase, by salt and cost: a chain of deltas from one writer runs scrypt once. */
  readonly #derived: Promise<PassphraseKey>[] = [];

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
  withVerifyChecksums(verify: boolean): SnapshotReader {
    const { checksums: _, ...rest } = this.settings;
    return new SnapshotReader({ ...rest, verifyChecksums: verify });
  }

  /** @deprecated Use {@link SnapshotReader.withVerifyChecksums}. */
  withChecksums(verify: boolean): SnapshotReader {
    return this.withVerifyChecksums(verify);
  }

  /** Returns a reader refusing sections that decode to more than `bytes`. */
  withMaxSectionSize(bytes: number): SnapshotReader {
    return new SnapshotReader({ ...this.settings, maxSectionSize: bytes });
  }

  /** @deprecated Has no effect: every read fetches one component's sections at a time. */
  withComponentWiseAbove(bytes: number): SnapshotReader {
    // Kept for compatibility: reads are always section by section now.
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

  /** Returns a reader refusing reads that decode to more than `bytes` in total. */
  withMaxDecodedSize(bytes: number): SnapshotReader {
    return new SnapshotReader({ ...this.settings, maxDecodedSize: bytes });
  }

  /** The options of the format reader: codecs load on demand, sealed sections open with the key. */
  #decodeOptions(): DecodeOptions {
    const options: DecodeOptions = { codecs: codecsOnDemand, filters: filterById, opener: this.#opener };
    if (this.settings.components !== undefined) options.components = this.settings.components;
    const verify = this.settings.verifyChecksums ?? this.settings.checksums;
    if (verify !== undefined) options.verifyChecksums = verify;
    if (this.settings.maxSectionSize !== undefined) options.maxSectionSize = this.settings.maxSectionSize;
    if (this.settings.maxDecodedSize !== undefined) options.maxDecodedSize = this.settings.maxDecodedSize;
    return options;
  }

  /** Opens encrypted containers; a passphrase is derived once per salt and cost, then reused. */
  readonly #opener: OpenerFactory = async (header) => {
    const key = this.settings.key;
    if (key === undefined) throw new PackError('Decryption', 'this snapshot is encrypted: give the reader its key (withKey / withPassphrase)');
    if (!(typeof key === 'object' && key !== null && 'passphrase' in key && typeof key.passphrase === 'string')) return createSectionOpener(header, key);
    // A chain of deltas from one writer shares a salt: try the keys derived so far before running scrypt again.
    for (const derived of this.#derived) {
      try {
        return await createSectionOpener(header, await derived);
      } catch (error) {
        if (!isPackError(error, 'WrongKey')) throw error;
      }
    }
    const derived = deriveKeyForSnapshot(header, key.passphrase);
    this.#derived.push(derived);
    derived.catch(() => this.#derived.splice(this.#derived.indexOf(derived), 1));
    return createSectionOpener(header, await derived);
  };

  /** Decodes a snapshot held in memory (decrypting it with the reader's key when it is encrypted). */
  async decode(bytes: Uint8Array): Promise<PackedSnapshot> {
    return readSnapshot(bytes, this.#decodeOptions());
  }

  /** Decodes a delta container (decrypting it first when it is encrypted; the key comes from `withKey` / `withPassphrase`). */
  async decodeDelta(bytes: Uint8Array): Promise<SnapshotDelta> {
    const { components: _, ...options } = this.#decodeOptions();
    return readDelta(bytes, options);
  }

  /** @deprecated Use {@link SnapshotReader.decode}: bytes in memory, not I/O. */
  readFromBytes(bytes: Uint8Array): Promise<PackedSnapshot> {
    return this.decode(bytes);
  }

  /** @deprecated Use {@link SnapshotReader.decodeDelta}. */
  readDeltaFromBytes(bytes: Uint8Array): Promise<SnapshotDelta> {
    return this.decodeDelta(bytes);
  }

  /**
   * Decodes a snapshot from a random-access source, fetching only what it decodes: header,
   * trailer, table of contents, manifest, then one component's sections at a time (only the
   * asked ones with `withComponents`), opening sealed sections one by one.
   */
  async readFromSource(source: ByteSource): Promise<PackedSnapshot> {
    return readSnapshot(source, this.#decodeOptions());
  }

  /**
   * Decodes a snapshot from a web ReadableStream, a Node.js Readable or any async iterable
   * of bytes, collected in memory first (every platform). Under Node, `readSnapshotStream`
   * of `@tx2/pack-store/node` spools to a temporary file instead, for streams too large to hold.
   */
  async decodeStream(stream: ByteStream): Promise<PackedSnapshot> {
    return this.decode(await collectStream(stream));
  }
}
