// Writing a whole container into one output array without copying section payloads twice.
// @tx2/pack-format's ContainerWriter says where everything goes (it returns the pieces of the
// container in order); payloads that do not exist yet, because they are about to be sealed or
// opened, are laid out as stand-ins ("slots") of the right length, and the batched crypto
// operations then write straight into their place in the output.
import { fail } from './bytes.js';

/** The output array and where each slot landed in it (0 for empty slots, which are not laid out). */
export interface LaidOut {
  out: Uint8Array;
  offsets: number[];
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.length === b.length;

/**
 * Lays `pieces` end to end into `out` (or a new array of their total length): pieces matching
 * `slots` (in order) are left for later and their offsets returned; pieces already in place
 * (views of `out` at their own offset) are not copied; everything else is.
 */
export function layOut(pieces: readonly Uint8Array[], slots: readonly Uint8Array[], out?: Uint8Array): LaidOut {
  let total = 0;
  for (const p of pieces) total += p.length;
  if (out !== undefined && out.length !== total) fail('Encryption', `internal error: the container is ${total} bytes, its output ${out.length}`);
  const target = out ?? new Uint8Array(total);
  const offsets = slots.map(() => 0);
  let next = 0;
  const skipEmpty = () => {
    while (next < slots.length && slots[next]!.length === 0) next++;
  };
  skipEmpty();
  let at = 0;
  for (const piece of pieces) {
    if (next < slots.length && sameBytes(piece, slots[next]!)) {
      offsets[next++] = at;
      skipEmpty();
    } else if (piece.buffer !== target.buffer || piece.byteOffset !== target.byteOffset + at) {
      target.set(piece, at);
    }
    at += piece.length;
  }
  if (next !== slots.length) fail('Encryption', 'internal error: a section payload was not laid out');
  return { out: target, offsets };
}

/** Stand-ins for payloads not written yet: views of the right length over one scratch array (never read). */
export class Slots {
  #scratch = new Uint8Array(0);

  /** A new stand-in of `length` bytes. */
  take(length: number): Uint8Array {
    // Doubling: a run of growing sections allocates at most twice the largest.
    if (this.#scratch.length < length) this.#scratch = new Uint8Array(Math.max(length, 2 * this.#scratch.length));
    return this.#scratch.subarray(0, length);
  }
}
