// Loading of the embedded WebAssembly modules and the scratch memory the codecs share.

/** The exports every embedded module has (wasi-libc's allocator and the linear memory). */
export interface WasmBase {
  readonly memory: WebAssembly.Memory;
  malloc(size: number): number;
  free(pointer: number): void;
  _initialize?: () => void;
}

/** Decodes base64 without Node.js APIs. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Compiles and instantiates an embedded module (asynchronously, as browsers require for large modules). */
export async function instantiate<T extends WasmBase>(base64: string): Promise<T> {
  const module = await WebAssembly.compile(decodeBase64(base64));
  const instance = await WebAssembly.instantiate(module, {});
  const exports = instance.exports as unknown as T;
  exports._initialize?.();
  return exports;
}

/**
 * A growable block of WebAssembly memory reused across calls, so that compressing a
 * section allocates nothing inside the module once it has seen the largest section.
 */
export class Scratch {
  #pointer = 0;
  #capacity = 0;

  /** Creates an empty scratch block in the memory of `wasm`. */
  constructor(private readonly wasm: WasmBase) {}

  /** Returns a pointer to at least `size` bytes (contents undefined). */
  reserve(size: number): number {
    if (size > this.#capacity) {
      if (this.#pointer !== 0) this.wasm.free(this.#pointer);
      this.#pointer = 0;
      this.#capacity = 0;
      // Capacities go up in powers of two: sections whose sizes creep up by a few bytes would
      // otherwise free and allocate a new block each time, and module memory never shrinks.
      // The spare tail is never written, so it costs address space, not resident memory.
      let capacity = Math.max(2 ** Math.ceil(Math.log2(size)), 64 * 1024);
      let pointer = this.wasm.malloc(capacity);
      if (pointer === 0 && capacity > size) pointer = this.wasm.malloc((capacity = size)); // near the 4 GiB limit
      // Every caller runs inside `guarded`, which reports this as the codec's PackError.
      if (pointer === 0) throw new Error(`could not allocate ${capacity} bytes of WebAssembly memory (a section over 2 GiB?)`);
      this.#pointer = pointer;
      this.#capacity = capacity;
    }
    return this.#pointer;
  }

  /** Copies `bytes` in and returns their pointer. */
  write(bytes: Uint8Array): number {
    const pointer = this.reserve(bytes.length);
    new Uint8Array(this.wasm.memory.buffer, pointer, bytes.length).set(bytes);
    return pointer;
  }

  /** Releases the block. */
  dispose(): void {
    if (this.#pointer !== 0) this.wasm.free(this.#pointer);
    this.#pointer = 0;
    this.#capacity = 0;
  }
}

/** Copies `length` bytes at `pointer` out of the module's memory into a new array. */
export function copyOut(wasm: WasmBase, pointer: number, length: number): Uint8Array {
  return new Uint8Array(wasm.memory.buffer, pointer, length).slice();
}

/** Reads a 32-bit unsigned value (a `size_t` in wasm32) from module memory. */
export function readU32(wasm: WasmBase, pointer: number): number {
  return new DataView(wasm.memory.buffer).getUint32(pointer, true);
}

/** Writes a 32-bit unsigned value (a `size_t` in wasm32) into module memory. */
export function writeU32(wasm: WasmBase, pointer: number, value: number): void {
  new DataView(wasm.memory.buffer).setUint32(pointer, value, true);
}

/** Reads a NUL-terminated C string from module memory. */
export function readCString(wasm: WasmBase, pointer: number): string {
  const bytes = new Uint8Array(wasm.memory.buffer);
  let end = pointer;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(pointer, end));
}
