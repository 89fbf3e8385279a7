// Browser versions of the byte loops that Node runs natively (platform.node.ts): WebAssembly
// (hash-wasm) once loaded, JavaScript until then and wherever WebAssembly is refused (a page's
// Content-Security-Policy); tests prove all of them agree.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { jsCrc32 } from './platform.crc32-js.js';
import type { WasmHashers } from './platform.wasm.js';

// Below this size a call into WebAssembly costs more than the JavaScript loop saves.
const WASM_FROM = 256;

let wasm: WasmHashers | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the WebAssembly SHA-256 and CRC-32, so that `sha256`, `crc32` and everything built on them
 * (encode, decode, `snapshotHash`, `diff`, `applyDelta`) go several times faster from then on. The
 * first large hash starts this by itself; await it at startup so no frame runs on the slower
 * JavaScript. Never rejects: without WebAssembly the JavaScript versions stay in use.
 */
export function preparePlatform(): Promise<void> {
  loading ??= import('./platform.wasm.js')
    .then(async (m) => {
      wasm = await m.loadWasmHashers();
    })
    .catch(() => {
      // No WebAssembly here (or it is forbidden): the JavaScript versions are correct, only slower.
    });
  return loading;
}

/** True once the WebAssembly hashers are loaded and in use. */
export function wasmHashing(): boolean {
  return wasm !== undefined;
}

/** The WebAssembly hashers when loaded and `bytes` is large enough to gain; otherwise starts loading them. */
function wasmFor(bytes: Uint8Array): WasmHashers | undefined {
  if (bytes.length < WASM_FROM) return undefined;
  if (wasm === undefined && loading === undefined) void preparePlatform();
  return wasm;
}

/** CRC-32 of `bytes`, continuing from `initial` (a previous result): WebAssembly once loaded, JavaScript until then. */
export function crc32(bytes: Uint8Array, initial = 0): number {
  // hash-wasm's CRC-32 starts from zero only: a continued one stays in JavaScript.
  const fast = initial === 0 ? wasmFor(bytes) : undefined;
  if (fast !== undefined) {
    const d = fast.crc32.init().update(bytes).digest('binary');
    return ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0;
  }
  return jsCrc32(bytes, initial);
}

/** True when both byte ranges are equal. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  // Compare 4 bytes at a time where both are aligned for it.
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0) {
    const words = n >>> 2;
    const wa = new Int32Array(a.buffer, a.byteOffset, words);
    const wb = new Int32Array(b.buffer, b.byteOffset, words);
    for (let i = 0; i < words; i++) if (wa[i] !== wb[i]) return false;
    for (let i = words * 4; i < n; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** SHA-256 of `bytes`: WebAssembly (hash-wasm) once loaded, @noble/hashes until then. */
export function sha256(bytes: Uint8Array): Uint8Array {
  const fast = wasmFor(bytes);
  return fast !== undefined ? fast.sha256.init().update(bytes).digest('binary') : nobleSha256(bytes);
}

/** SHA-256 of `bytes` off the main thread: WebCrypto where the page has it (secure contexts), else `sha256`. */
export async function sha256Async(bytes: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) return sha256(bytes);
  return new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/** A SHA-256 computed piece by piece (for bytes that are streamed, never held whole). */
export interface Sha256Hasher {
  /** Adds `bytes` to the hashed data. */
  update(bytes: Uint8Array): void;
  /** The SHA-256 of everything added (call once). */
  digest(): Uint8Array;
}

/** A new incremental SHA-256: WebAssembly (hash-wasm) when loaded at its creation, @noble/hashes otherwise. */
export function createSha256(): Sha256Hasher {
  if (wasm === undefined) {
    if (loading === undefined) void preparePlatform();
    const hash = nobleSha256.create();
    return { update: (bytes) => void hash.update(bytes), digest: () => hash.digest() };
  }
  // The one WebAssembly hasher is shared: this hash keeps its own state between pieces.
  const shared = wasm.sha256;
  let state = shared.init().save();
  return {
    update: (bytes) => {
      shared.load(state).update(bytes);
      state = shared.save();
    },
    digest: () => shared.load(state).digest('binary'),
  };
}

/** Which implementation this build uses ('javascript': the browser build, WebAssembly where it can). */
export const platformImplementation: string = 'javascript';
