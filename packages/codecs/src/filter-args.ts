// Argument checks shared by the column filters. Called directly, a bad argument is the
// caller's (InvalidInput); called by the encoder or decoder through a SectionFilter, a bad
// width comes from a section descriptor, so the error carries the pipeline's code instead.
import { PackError, type PackErrorCode } from '@tx2/pack-format';
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
  if (output.length !== input.length) fail(`${operation} output holds ${output.length} bytes, the input ${input.length}: give an output of the input's length`, { inputLength: input.length, outputLength: output.length });
}
