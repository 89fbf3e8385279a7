import { PackError } from './errors.js';
import { arrayFor } from './arrays.js';

// Variable-length columns (strings, bytes, blobs) are laid out as `count + 1`
// little-endian u32 offsets followed by the concatenated values:
//   [o0 = 0][o1]...[oN = dataLength][value 0 bytes][value 1 bytes]...

const utf8 = new TextEncoder();
// ignoreBOM: a leading U+FEFF is part of the value (docs/format.md §5.2), not a mark to drop.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Lays out UTF-8 strings as a variable-length section payload. */
export function encodeStringColumn(values: readonly string[]): Uint8Array {
  const n = values.length;
  let maxBytes = 0;
  for (let i = 0; i < n; i++) maxBytes += values[i]!.length * 3;
  // Three bytes a code unit is a cheap bound; past a gigabyte the exact size is worth a pass.
  if (maxBytes > 2 ** 30) maxBytes = utf8Length(values);
  checkSize(maxBytes);
  const head = 4 * (n + 1);
  const out = allocate(head + maxBytes);
  const offsets = new Uint32Array(out.buffer, 0, n + 1);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const s = values[i]!;
    // Short ASCII strings are the common case; encodeInto has a fixed cost per call.
    let ascii = s.length < 32;
    if (ascii) {
      for (let j = 0; j < s.length; j++) {
        const c = s.charCodeAt(j);
        if (c > 0x7f) {
          ascii = false;
          break;
        }
        out[head + pos + j] = c;
      }
    }
    if (ascii) pos += s.length;
    else {
      if (!isWellFormed(s)) {
        throw new PackError('InvalidInput', `string at row ${i} has a lone UTF-16 surrogate, which UTF-8 cannot keep: fix the string or store the field as bytes`);
      }
      pos += utf8.encodeInto(s, out.subarray(head + pos)).written;
    }
    offsets[i + 1] = pos;
  }
  checkSize(pos);
  return out.subarray(0, head + pos);
}

/** Lays out byte arrays as a variable-length section payload. */
export function encodeBytesColumn(values: readonly Uint8Array[]): Uint8Array {
  const n = values.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += values[i]!.length;
  checkSize(total);
  const head = 4 * (n + 1);
  const out = allocate(head + total);
  const offsets = new Uint32Array(out.buffer, 0, n + 1);
  let pos = head;
  for (let i = 0; i < n; i++) {
    out.set(values[i]!, pos);
    pos += values[i]!.length;
    offsets[i + 1] = pos - head;
  }
  return out;
}

/** True when `s` has no lone surrogate, so UTF-8 keeps it exactly. */
export function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** The UTF-8 length of the strings (a lone surrogate counted as the 3 bytes of U+FFFD). */
function utf8Length(values: readonly string[]): number {
  let total = 0;
  for (const s of values) {
    for (let j = 0; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c < 0x80) total += 1;
      else if (c < 0x800) total += 2;
      else if (c >= 0xd800 && c <= 0xdbff && j + 1 < s.length && (s.charCodeAt(j + 1) & 0xfc00) === 0xdc00) {
        total += 4;
        j++;
      } else total += 3;
    }
  }
  return total;
}

/** A new byte array for a column payload; a size the platform cannot allocate is a PackError. */
function allocate(bytes: number): Uint8Array {
  try {
    return new Uint8Array(bytes);
  } catch (error) {
    throw new PackError('InvalidInput', `a string, bytes or blob column needs ${bytes} bytes, more than this platform can allocate: split the component`, { cause: error });
  }
}

function checkSize(bytes: number): void {
  if (bytes > 0xffffffff) {
    throw new PackError('InvalidInput', 'a string, bytes or blob column holds more than 4 GiB: split the component');
  }
}

/** Reads and validates the offsets of a variable-length payload of `count` values. */
export function readOffsets(raw: Uint8Array, count: number, what: string): { offsets: Uint32Array; data: Uint8Array } {
  const head = 4 * (count + 1);
  if (raw.length < head) throw new PackError('InvalidFormat', `${what} is shorter than its ${count} offsets: the file is corrupt`);
  const offsets = raw.byteOffset % 4 === 0 ? new Uint32Array(raw.buffer, raw.byteOffset, count + 1) : new Uint32Array(raw.slice(0, head).buffer);
  const dataLength = raw.length - head;
  if (offsets[0] !== 0 || offsets[count] !== dataLength) {
    throw new PackError('InvalidFormat', `${what} has offsets that do not match its length: the file is corrupt`);
  }
  for (let i = 0; i < count; i++) {
    if (offsets[i + 1]! < offsets[i]!) throw new PackError('InvalidFormat', `${what} has decreasing offsets: the file is corrupt`);
  }
  return { offsets, data: raw.subarray(head) };
}

/** Decodes a string column payload of `count` values. */
export function decodeStringColumn(raw: Uint8Array, count: number, what: string): string[] {
  const { offsets, data } = readOffsets(raw, count, what);
  const out = arrayFor<string>(count);
  for (let i = 0; i < count; i++) {
    const start = offsets[i]!;
    const end = offsets[i + 1]!;
    if (end - start < 24) {
      // Short ASCII strings decode faster by hand than through TextDecoder.
      let s = '';
      let ascii = true;
      for (let j = start; j < end; j++) {
        const c = data[j]!;
        if (c > 0x7f) {
          ascii = false;
          break;
        }
        s += String.fromCharCode(c);
      }
      if (ascii) {
        out[i] = s;
        continue;
      }
    }
    try {
      out[i] = utf8Decoder.decode(data.subarray(start, end));
    } catch (error) {
      throw new PackError('InvalidFormat', `${what} holds invalid UTF-8 at row ${i}: the file is corrupt`, { cause: error });
    }
  }
  return out;
}

/** Decodes a bytes or blob payload of `count` values as views over `raw` (copies when `copy`). */
export function decodeBytesColumn(raw: Uint8Array, count: number, what: string, copy: boolean): Uint8Array[] {
  const { offsets, data } = readOffsets(raw, count, what);
  const out = arrayFor<Uint8Array>(count);
  for (let i = 0; i < count; i++) {
    const view = data.subarray(offsets[i]!, offsets[i + 1]!);
    out[i] = copy ? view.slice() : view;
  }
  return out;
}
