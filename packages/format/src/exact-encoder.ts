// @msgpack/msgpack (3.1.3) writes every map key as a str, encoding a lone UTF-16 surrogate as
// invalid UTF-8 (short keys) or U+FFFD (long keys): the key did not come back. ExactEncoder
// writes such a key as ext 8 (its UTF-16 code units), as blob values with lone surrogates
// already are; the library's decoder reads it back as the string key it was. encodeBlob uses
// it only for values that hold such a key (the override slows every string write). Values never
// reach `encodeString` with a lone surrogate (blob boxing turns them into ext 8 first), so
// only keys take the new path. Like ExactDecoder it wraps methods the library does not export
// as API (`encodeString`, `encodeExtension`, `clone`); if a later version renames them,
// `ENCODES_EXACT_KEYS` is false and the blob writer refuses such keys instead.
import { Encoder } from '@msgpack/msgpack';
import { isWellFormed } from './var-column.js';

/** The ext type of a string with a lone surrogate (format.md section 8). */
export const EXT_UTF16 = 8;

/** The UTF-16 code units of `text`, u16 little-endian: the data of ext 8. */
export function utf16Data(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < text.length; i++) view.setUint16(i * 2, text.charCodeAt(i), true);
  return out;
}

/** The library internals wrapped below (methods of Encoder instances). */
interface Internals {
  encodeString(text: string): void;
  encodeExtension(ext: { type: number; data: Uint8Array }): void;
  clone(): Encoder;
}

/** A MessagePack encoder that writes a map key holding a lone surrogate as ext 8 instead of malformed UTF-8. */
export class ExactEncoder extends Encoder {}

const base = Encoder.prototype as unknown as Internals;
const exact = ExactEncoder.prototype as unknown as Internals;

/** True when ExactEncoder keeps lone-surrogate keys (the library internals it wraps exist). */
export const ENCODES_EXACT_KEYS = typeof base.encodeString === 'function' && typeof base.encodeExtension === 'function' && typeof base.clone === 'function';

if (ENCODES_EXACT_KEYS) {
  const encodeString = base.encodeString;
  const clone = base.clone;
  exact.encodeString = function (this: Internals, text: string): void {
    if (isWellFormed(text)) encodeString.call(this, text);
    else this.encodeExtension({ type: EXT_UTF16, data: utf16Data(text) });
  };
  // A re-entrant encode (a Map or Set extension encoded inside a blob) runs on a clone.
  exact.clone = function (this: Internals): Encoder {
    return Object.setPrototypeOf(clone.call(this), ExactEncoder.prototype) as Encoder;
  };
}
