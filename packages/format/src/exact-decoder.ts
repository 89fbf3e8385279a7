// @msgpack/msgpack (3.1.3, the latest) decodes strings of more than 200 bytes with a shared
// TextDecoder that drops a leading U+FEFF, so `"\ufeff" + long` came back one character short
// from blobs and the manifest. ExactDecoder decodes such strings again, keeping the U+FEFF.
// It also refuses strings that are not well-formed UTF-8, which the library decodes lossily.
// It wraps two methods the library does not export as API (`decodeUtf8String`, `clone`), and
// falls back to the library's behaviour if a later version renames them; the round-trip tests
// of long strings with a leading U+FEFF (test/strings.test.ts) then fail and say so.
import { Decoder } from '@msgpack/msgpack';

/** The library internals wrapped below (methods and fields of Decoder instances). */
interface Internals {
  decodeUtf8String(byteLength: number, headerOffset: number): string;
  clone(): Decoder;
  bytes: Uint8Array;
  pos: number;
}

const keepingBom = new TextDecoder('utf-8', { ignoreBOM: true });
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Refuses bytes that are not well-formed UTF-8 (docs/format.md 8): the library decodes them lossily. */
function checkUtf8(bytes: Uint8Array, start: number, end: number): void {
  let i = start;
  while (i < end && bytes[i]! < 0x80) i++;
  if (i === end) return;
  try {
    strictUtf8.decode(bytes.subarray(start, end));
  } catch {
    throw new Error(`the string at byte ${start} is not well-formed UTF-8`);
  }
}

/** A MessagePack decoder that keeps a leading U+FEFF in strings of any length. */
export class ExactDecoder extends Decoder {}

const base = Decoder.prototype as unknown as Internals;
const exact = ExactDecoder.prototype as unknown as Internals;
if (typeof base.decodeUtf8String === 'function' && typeof base.clone === 'function') {
  const decodeUtf8String = base.decodeUtf8String;
  const clone = base.clone;
  exact.decodeUtf8String = function (this: Internals, byteLength: number, headerOffset: number): string {
    const text = decodeUtf8String.call(this, byteLength, headerOffset);
    // The string's bytes end where the library left the position.
    const bytes = this.bytes;
    const end = this.pos;
    const start = end - byteLength;
    if (bytes instanceof Uint8Array) checkUtf8(bytes, start, end);
    if (byteLength >= 3 && bytes instanceof Uint8Array && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) {
      return keepingBom.decode(bytes.subarray(start, end));
    }
    return text;
  };
  // A re-entrant decode (a Map or Set extension decoded inside a blob) runs on a clone.
  exact.clone = function (this: Internals): Decoder {
    return Object.setPrototypeOf(clone.call(this), ExactDecoder.prototype) as Decoder;
  };
}
