// Row-level helpers shared by diff and applyDelta. Numeric values are compared and copied
// as unsigned integer words, never as numbers: reading a float into a JS number may
// canonicalise a NaN payload, and -0 === 0, so only the bits are trustworthy.
import type { IdListDelta } from './delta-model.js';
import { FIELD_TYPES, type FieldType } from './field-types.js';
import type { Column } from './model.js';

/** A column's values seen as unsigned words: `per` words per value (2 for 64-bit types). */
export interface Words {
  words: Uint8Array | Uint16Array | Uint32Array;
  per: 1 | 2;
}

/** Views numeric column values as words; undefined for string and bytes columns. */
export function wordsOf(type: FieldType, values: Column['values']): Words | undefined {
  const width = FIELD_TYPES[type].width;
  if (width === 0) return undefined;
  const v = values as unknown as ArrayBufferView;
  if (width === 1) return { words: new Uint8Array(v.buffer, v.byteOffset, v.byteLength), per: 1 };
  if (width === 2) return { words: new Uint16Array(v.buffer, v.byteOffset, v.byteLength / 2), per: 1 };
  return { words: new Uint32Array(v.buffer, v.byteOffset, v.byteLength / 4), per: width === 8 ? 2 : 1 };
}

/** A new column array of `type` holding `count` values, and its word view (numeric types). */
export function allocate(type: FieldType, count: number): { values: Column['values'] | unknown[]; words: Words | undefined } {
  const info = FIELD_TYPES[type];
  if (info.array === undefined) return { values: new Array<unknown>(count), words: undefined };
  const values = new info.array(count) as Column['values'];
  return { values, words: wordsOf(type, values) };
}

/** True when row `i` of `a` and row `j` of `b` hold the same bits (or the same string / bytes). */
export function sameValue(a: Words | undefined, av: ArrayLike<unknown>, i: number, b: Words | undefined, bv: ArrayLike<unknown>, j: number): boolean {
  if (a !== undefined && b !== undefined) {
    if (a.per === 1) return a.words[i] === b.words[j];
    return a.words[2 * i] === b.words[2 * j] && a.words[2 * i + 1] === b.words[2 * j + 1];
  }
  const x = av[i];
  const y = bv[j];
  if (x instanceof Uint8Array && y instanceof Uint8Array) return sameBytes(x, y);
  return x === y;
}

/** Copies value `from` of `src` to row `to` of `dst` (same type). */
export function copyValue(dst: Words | undefined, dv: unknown[] | ArrayLike<unknown>, to: number, src: Words | undefined, sv: ArrayLike<unknown>, from: number): void {
  if (dst !== undefined && src !== undefined) {
    if (dst.per === 1) dst.words[to] = src.words[from]!;
    else {
      dst.words[2 * to] = src.words[2 * from]!;
      dst.words[2 * to + 1] = src.words[2 * from + 1]!;
    }
  } else (dv as unknown[])[to] = sv[from];
}

/** True when both byte arrays hold the same bytes; a plain loop, as blobs are small. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Applies an id-list change: the ids without `removed`, then `added`; or the whole new list. */
export function applyIdList(ids: Uint32Array, change: IdListDelta | undefined): Uint32Array {
  if (change === undefined) return ids;
  if ('ids' in change) return change.ids.slice();
  const removed = new Set(change.removed);
  const out = new Uint32Array(ids.length + change.added.length);
  let n = 0;
  for (let i = 0; i < ids.length; i++) if (!removed.has(ids[i]!)) out[n++] = ids[i]!;
  out.set(change.added, n);
  const length = n + change.added.length;
  return length === out.length ? out : out.slice(0, length);
}

/** The cheapest change turning id list `a` into `b`; undefined when they are equal. */
export function diffIdList(a: Uint32Array, b: Uint32Array): IdListDelta | undefined {
  if (a.length === b.length) {
    let same = true;
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) {
        same = false;
        break;
      }
    }
    if (same) return undefined;
  }
  const inB = new Set(b);
  const inA = new Set(a);
  const removed = a.filter((id) => !inB.has(id));
  const added = b.filter((id) => !inA.has(id));
  const change = { removed, added };
  // Keep the removed/added form only when it rebuilds `b` exactly (order included).
  const rebuilt = applyIdList(a, change);
  if (rebuilt.length === b.length && rebuilt.every((id, i) => id === b[i])) return change;
  return { ids: b };
}

/** True when no id appears twice. */
export function uniqueIds(ids: Uint32Array): boolean {
  return new Set(ids).size === ids.length;
}
