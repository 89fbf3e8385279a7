// The bytes under a typed array, without copying: a leaf module so that every file can use it.

/** A Uint8Array over exactly the bytes of `view` (no copy). */
export function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
