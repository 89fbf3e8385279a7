// The WebAssembly SHA-256 and CRC-32 of browser builds (hash-wasm): several times faster than
// the JavaScript loops. Its own chunk, imported on first use, so the WebAssembly stays lazily loaded.
import { createCRC32, createSHA256, type IHasher } from 'hash-wasm';

/** One instance of each hasher; they are reset (init) before every use. */
export interface WasmHashers {
  sha256: IHasher;
  crc32: IHasher;
}

/** Compiles and instantiates both hashers. */
export async function loadWasmHashers(): Promise<WasmHashers> {
  const [sha256, crc32] = await Promise.all([createSHA256(), createCRC32()]);
  return { sha256, crc32 };
}
