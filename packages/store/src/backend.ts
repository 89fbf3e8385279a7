/** Releases a lock taken with {@link StorageBackend.lock}. */
export type ReleaseLock = () => Promise<void>;

/**
 * Where a store keeps its files: a flat namespace of keys (file names such as
 * `slot1.tx2pack`) holding bytes. Keys are validated by the store before they get here.
 */
export interface StorageBackend {
  /** A short name for messages, such as "fs:/saves" or "memory". */
  readonly name: string;
  /** The bytes stored under `key`, or undefined when there are none. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Stores `bytes` under `key` atomically: a reader sees the old bytes or the new ones, never a mix, even after a crash. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** Stores the concatenation of `pieces` under `key`, atomically like `put`; optional, lets large saves stream. */
  putStream?(key: string, pieces: AsyncIterable<Uint8Array>): Promise<void>;
  /** Removes `key`; true when it existed. */
  delete(key: string): Promise<boolean>;
  /** Every key, in no particular order (temporary and lock files excluded). */
  list(): Promise<string[]>;
  /** True when `key` exists. */
  has(key: string): Promise<boolean>;
  /** Reads `length` bytes of `key` from `offset` (shorter at the end); optional, for partial reads. */
  readRange?(key: string, offset: number, length: number): Promise<Uint8Array | undefined>;
  /** The size of `key` in bytes, or undefined when it does not exist; optional, with readRange. */
  size?(key: string): Promise<number | undefined>;
  /** Takes the store's write lock (shared by every process using the backend), waiting up to `timeoutMs`. */
  lock(timeoutMs: number): Promise<ReleaseLock>;
}
