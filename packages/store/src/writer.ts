import { type Codec, type CodecName, type FilterChoice, type LevelPreset, packOptions, type PackOptionsInput } from '@tx2/pack-codecs';
import { createSectionSealer, type DeriveKeyOptions, deriveKey, EncryptionKey, type EncryptionKeyInput, encryptSnapshot } from '@tx2/pack-crypto';
import { DEFAULT_CHUNK_BYTES, type EncodeOptions, encodeDelta, encodeSnapshot, encodeSnapshotStream, PackError, type PackedSnapshot, type SnapshotDelta } from '@tx2/pack-format';

/** A Node.js Writable as `writeToStream` uses it (structural: no dependency on Node's types). */
export interface NodeWritableLike {
  write(chunk: Uint8Array): boolean;
  once(event: 'drain' | 'error', listener: (error?: Error) => void): unknown;
  removeListener(event: 'drain' | 'error', listener: (error?: Error) => void): unknown;
}

/** The settings a {@link SnapshotWriter} holds. */
export interface WriterSettings {
  codec?: CodecName | Codec;
  level?: number | LevelPreset;
  filter?: FilterChoice;
  checksums?: boolean;
  /** Encrypt with this key (AES-256-GCM, see @tx2/pack-crypto). */
  key?: EncryptionKeyInput;
  /** Encrypt with a key derived from this passphrase (scrypt, once per writer). */
  passphrase?: { passphrase: string; scrypt?: DeriveKeyOptions['scrypt'] };
  /** Largest raw size of one column chunk when streaming (default 4 MiB). */
  chunkBytes?: number;
}

/**
 * Writes snapshots as tx2-pack containers. Immutable: every `with*` method returns a new
 * writer. Defaults are those of @tx2/pack-codecs `packOptions()` (Zstandard level 1,
 * automatic column filters, CRC-32 per section).
 */
export class SnapshotWriter {
  readonly settings: Readonly<WriterSettings>;
  #options: Promise<EncodeOptions> | undefined;
  #key: Promise<EncryptionKeyInput | undefined> | undefined;

  /** A writer with `settings` (prefer `SnapshotWriter.create()` and the `with*` methods). */
  constructor(settings: WriterSettings = {}) {
    this.settings = Object.freeze({ ...settings });
  }

  /** A writer with the default settings. */
  static create(): SnapshotWriter {
    return new SnapshotWriter();
  }

  /** Returns a writer compressing with `codec` ('none', 'lz4', 'zstd', 'deflate', 'gzip' or a loaded codec), optionally at `level`. */
  withCodec(codec: CodecName | Codec, level?: number | LevelPreset): SnapshotWriter {
    const next: WriterSettings = { ...this.settings, codec };
    if (level === undefined) delete next.level;
    else next.level = level;
    return new SnapshotWriter(next);
  }

  /** Returns a writer using compression `level` (a number or 'fast' / 'default' / 'best'). */
  withLevel(level: number | LevelPreset): SnapshotWriter {
    return new SnapshotWriter({ ...this.settings, level });
  }

  /** Returns a writer with column filters `filter` ('auto', 'none', 'shuffle', 'delta'). */
  withFilter(filter: FilterChoice): SnapshotWriter {
    return new SnapshotWriter({ ...this.settings, filter });
  }

  /** Returns a writer that stores (true) or omits (false) a CRC-32 per section. */
  withChecksums(enabled: boolean): SnapshotWriter {
    return new SnapshotWriter({ ...this.settings, checksums: enabled });
  }

  /** Returns a writer that encrypts with `key` (an EncryptionKey, or a PassphraseKey from deriveKey). */
  withKey(key: EncryptionKeyInput): SnapshotWriter {
    if (!(key instanceof EncryptionKey) && !(typeof key === 'object' && key !== null && key.key instanceof EncryptionKey)) {
      throw new PackError('InvalidInput', 'withKey expects an EncryptionKey (EncryptionKey.generate() / fromBytes()) or a PassphraseKey (deriveKey())');
    }
    const { passphrase: _, ...rest } = this.settings;
    return new SnapshotWriter({ ...rest, key });
  }

  /** Returns a writer that encrypts with a key derived from `passphrase` (scrypt; derived once per writer, new salt per writer). */
  withPassphrase(passphrase: string, scrypt?: DeriveKeyOptions['scrypt']): SnapshotWriter {
    if (typeof passphrase !== 'string' || passphrase.length === 0) throw new PackError('InvalidInput', 'the passphrase must be a non-empty string');
    const { key: _, ...rest } = this.settings;
    return new SnapshotWriter({ ...rest, passphrase: scrypt === undefined ? { passphrase } : { passphrase, scrypt } });
  }

  /** Returns a writer whose streamed files cut columns into chunks of at most `bytes` raw bytes. */
  withChunkSize(bytes: number): SnapshotWriter {
    if (!Number.isInteger(bytes) || bytes < 64) throw new PackError('InvalidInput', `the chunk size must be an integer of at least 64 bytes, got ${bytes}`);
    return new SnapshotWriter({ ...this.settings, chunkBytes: bytes });
  }

  /**
   * Encodes `snapshot` as a sequence of byte arrays (header, section frames, table of
   * contents, trailer), holding one column chunk at a time. Encrypted writers seal each
   * section as it is emitted (AES-256-GCM, the format of @tx2/pack-crypto's encryptSnapshot).
   */
  async *encodeStream(snapshot: PackedSnapshot): AsyncGenerator<Uint8Array> {
    const options = await this.encodeOptions();
    const key = await this.#encryptionKey();
    yield* encodeSnapshotStream(snapshot, {
      ...options,
      chunkBytes: this.settings.chunkBytes ?? DEFAULT_CHUNK_BYTES,
      ...(key === undefined ? {} : { sealer: (header: Uint8Array) => createSectionSealer(header, key) }),
    });
  }

  /** Writes `snapshot` to a Node.js Writable or a web WritableStream, section by section, respecting backpressure; does not end/close it. */
  async writeToStream(snapshot: PackedSnapshot, sink: NodeWritableLike | WritableStream<Uint8Array>): Promise<number> {
    let total = 0;
    if (typeof (sink as WritableStream).getWriter === 'function') {
      const writer = (sink as WritableStream<Uint8Array>).getWriter();
      try {
        for await (const piece of this.encodeStream(snapshot)) {
          await writer.ready;
          await writer.write(piece.slice());
          total += piece.length;
        }
      } finally {
        writer.releaseLock();
      }
      return total;
    }
    const node = sink as NodeWritableLike;
    for await (const piece of this.encodeStream(snapshot)) {
      total += piece.length;
      // Copy: pieces may be views into arrays the caller still owns (column data).
      if (!node.write(piece.slice()))
        await new Promise<void>((resolve, reject) => {
          const done = (error?: Error): void => {
            node.removeListener('drain', onDrain);
            node.removeListener('error', done);
            if (error) reject(error);
            else resolve();
          };
          const onDrain = (): void => done();
          node.once('drain', onDrain);
          node.once('error', done);
        });
    }
    return total;
  }

  /** A web ReadableStream of the encoded snapshot, produced section by section as it is read. */
  toWebStream(snapshot: PackedSnapshot): ReadableStream<Uint8Array> {
    const pieces = this.encodeStream(snapshot);
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await pieces.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value.slice());
      },
      async cancel() {
        await pieces.return(undefined);
      },
    });
  }

  #encryptionKey(): Promise<EncryptionKeyInput | undefined> {
    this.#key ??= (async () => {
      if (this.settings.key !== undefined) return this.settings.key;
      const p = this.settings.passphrase;
      if (p === undefined) return undefined;
      return deriveKey(p.passphrase, p.scrypt === undefined ? {} : { scrypt: p.scrypt });
    })().catch((error: unknown) => {
      this.#key = undefined;
      throw error;
    });
    return this.#key;
  }

  /** The encode options these settings resolve to (codecs are loaded once per writer). */
  encodeOptions(): Promise<EncodeOptions> {
    this.#options ??= packOptions(packInput(this.settings)).catch((error: unknown) => {
      this.#options = undefined;
      if (error instanceof PackError) throw error;
      throw new PackError('InvalidInput', `invalid writer settings: ${(error as Error).message}`, { cause: error });
    });
    return this.#options;
  }

  /** Encodes `snapshot` into a new byte array. */
  async encode(snapshot: PackedSnapshot): Promise<Uint8Array> {
    const bytes = encodeSnapshot(snapshot, await this.encodeOptions());
    const key = await this.#encryptionKey();
    return key === undefined ? bytes : encryptSnapshot(bytes, key);
  }

  /** Encodes a delta (from `diff` of @tx2/pack-format) as a delta container with these settings, encrypted when they say so. */
  async encodeDelta(delta: SnapshotDelta): Promise<Uint8Array> {
    const bytes = encodeDelta(delta, await this.encodeOptions());
    const key = await this.#encryptionKey();
    return key === undefined ? bytes : encryptSnapshot(bytes, key);
  }

  /** @deprecated Use {@link SnapshotWriter.encodeStream}: in-memory pieces, not I/O. */
  stream(snapshot: PackedSnapshot): AsyncGenerator<Uint8Array> {
    return this.encodeStream(snapshot);
  }

  /** @deprecated Use {@link SnapshotWriter.encode}: bytes in memory, not I/O. */
  writeToBytes(snapshot: PackedSnapshot): Promise<Uint8Array> {
    return this.encode(snapshot);
  }

  /** @deprecated Use {@link SnapshotWriter.encodeDelta}. */
  writeDeltaToBytes(delta: SnapshotDelta): Promise<Uint8Array> {
    return this.encodeDelta(delta);
  }

  /** True when this writer encrypts (a key or a passphrase is set). */
  get encrypts(): boolean {
    return this.settings.key !== undefined || this.settings.passphrase !== undefined;
  }
}

function packInput(settings: WriterSettings): PackOptionsInput {
  const out: PackOptionsInput = {};
  if (settings.codec !== undefined) out.codec = settings.codec;
  if (settings.level !== undefined) out.level = settings.level;
  if (settings.filter !== undefined) out.filter = settings.filter;
  if (settings.checksums !== undefined) out.checksums = settings.checksums;
  return out;
}
