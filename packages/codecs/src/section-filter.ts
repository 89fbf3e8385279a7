// What the column filters (shuffle, delta) share: their SectionFilter objects and argument
// checks. Called directly, a bad argument is the caller's (InvalidInput); called by the
// encoder or decoder through a SectionFilter, a bad width comes from a section descriptor, so
// the error carries the pipeline's code instead.
import { PackError, type PackErrorCode, type SectionFilter } from '@tx2/pack-format';
import { describe } from './codec.js';

/** Throws a PackError with `code` and `details.filter` unless `src` and `dst` are byte arrays of one length and `width` is 1..65535. */
export function checkFilterArgs(filter: 'shuffle' | 'delta', operation: string, src: unknown, width: number, dst: unknown, code: PackErrorCode): void {
  const fail = (message: string, details: Record<string, unknown> = {}): never => {
    throw new PackError(code, message, { details: { filter, ...details } });
  };
  if (!(src instanceof Uint8Array)) fail(`${operation}: the input must be a Uint8Array, got ${describe(src)}`);
  if (!Number.isInteger(width) || width < 1 || width > 0xffff) {
    fail(`${filter} width must be an integer from 1 to 65535, got ${String(width)}${code === 'InvalidInput' ? '' : ': the section descriptor is corrupt'}`, { width });
  }
  if (!(dst instanceof Uint8Array)) fail(`${operation}: the output must be a Uint8Array, got ${describe(dst)}`);
  const input = src as Uint8Array;
  const output = dst as Uint8Array;
  if (output.length !== input.length)
    fail(`${operation} output holds ${output.length} bytes, the input ${input.length}: give an output of the input's length`, {
      inputLength: input.length,
      outputLength: output.length,
    });
}

/** A filter's two directions: `(src, width, dst) => dst`, checked by their callers. */
type Into = (src: Uint8Array, width: number, dst: Uint8Array) => Uint8Array;

/**
 * The SectionFilter of a filter: `encode`/`decode` give a new output per call, `encodeInto`/
 * `decodeInto` write into the caller's (such as a codec's memory); arguments are checked with
 * the code of the encoder (Compression) or the decoder (Decompression) that calls them.
 */
export function sectionFilter(id: number, filter: 'shuffle' | 'delta', [forward, inverse]: [string, string], encodeInto: Into, decodeInto: Into): SectionFilter {
  return Object.freeze({
    id,
    name: filter,
    encode(raw: Uint8Array, width: number): Uint8Array {
      checkFilterArgs(filter, forward, raw, width, raw, 'Compression');
      return encodeInto(raw, width, new Uint8Array(raw.length));
    },
    decode(filtered: Uint8Array, width: number): Uint8Array {
      checkFilterArgs(filter, inverse, filtered, width, filtered, 'Decompression');
      return decodeInto(filtered, width, new Uint8Array(filtered.length));
    },
    encodeInto(raw: Uint8Array, width: number, dst: Uint8Array): void {
      checkFilterArgs(filter, forward, raw, width, dst, 'Compression');
      encodeInto(raw, width, dst);
    },
    decodeInto(filtered: Uint8Array, width: number, dst: Uint8Array): void {
      checkFilterArgs(filter, inverse, filtered, width, dst, 'Decompression');
      decodeInto(filtered, width, dst);
    },
  });
}
