// Row-level helpers shared by diff and applyDelta. Numeric values are compared and copied
// as unsigned integer words, never as numbers: reading a float into a JS number may
// canonicalise a NaN payload, and -0 === 0, so only the bits are trustworthy.
import { sameIds } from './arrays.js';
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

/** True when the ids strictly increase (the usual order of ECS entity lists): merges replace hashing. */
export function isAscending(ids: Uint32Array): boolean {
  for (let i = 1; i < ids.length; i++) if (ids[i]! <= ids[i - 1]!) return false;
  return true;
}

/** The first index at or after `from` whose id is not below `id` (ids ascending). */
function lowerBound(ids: Uint32Array, id: number, from: number): number {
  let lo = from;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Sets and Maps built with explicit loops: the constructors walk typed arrays through the
// iterator protocol, several times slower.
function idSet(ids: Uint32Array): Set<number> {
  const set = new Set<number>();
  for (let i = 0; i < ids.length; i++) set.add(ids[i]!);
  return set;
}

/** Applies an id-list change: the ids without `removed`, then `added`; or the whole new list. */
export function applyIdList(ids: Uint32Array, change: IdListDelta | undefined): Uint32Array {
  if (change === undefined) return ids;
  if ('ids' in change) return change.ids.slice();
  const { removed, added } = change;
  const out = new Uint32Array(ids.length + added.length);
  let n = 0;
  if (removed.length === 0) {
    out.set(ids);
    n = ids.length;
  } else if (isAscending(ids) && isAscending(removed)) {
    // Walk the removed ids, copying the runs of survivors between them in bulk.
    let from = 0;
    for (let k = 0; k < removed.length; k++) {
      const at = lowerBound(ids, removed[k]!, from);
      if (at >= ids.length) break;
      if (ids[at] !== removed[k]) continue;
      out.set(ids.subarray(from, at), n);
      n += at - from;
      from = at + 1;
    }
    out.set(ids.subarray(from), n);
    n += ids.length - from;
  } else {
    const gone = idSet(removed);
    for (let i = 0; i < ids.length; i++) if (!gone.has(ids[i]!)) out[n++] = ids[i]!;
  }
  out.set(added, n);
  const length = n + added.length;
  return length === out.length ? out : out.slice(0, length);
}

/** The cheapest change turning id list `a` into `b`; undefined when they are equal. */
export function diffIdList(a: Uint32Array, b: Uint32Array): IdListDelta | undefined {
  if (a === b || sameIds(a, b)) return undefined;
  if (isAscending(a) && isAscending(b)) {
    const removed = new Uint32Array(a.length);
    const added = new Uint32Array(b.length);
    let r = 0;
    let d = 0;
    let i = 0;
    let j = 0;
    let lastKept = -1;
    while (i < a.length && j < b.length) {
      const x = a[i]!;
      const y = b[j]!;
      if (x === y) {
        lastKept = x;
        i++;
        j++;
      } else if (x < y) removed[r++] = a[i++]!;
      else added[d++] = b[j++]!;
    }
    while (i < a.length) removed[r++] = a[i++]!;
    while (j < b.length) added[d++] = b[j++]!;
    // `b` is the survivors then `added` only when every new id sorts after the last survivor.
    if (d > 0 && added[0]! <= lastKept) return { ids: b };
    return { removed: removed.slice(0, r), added: added.slice(0, d) };
  }
  const inA = idSet(a);
  const inB = idSet(b);
  const change = { removed: a.filter((id) => !inB.has(id)), added: b.filter((id) => !inA.has(id)) };
  // Keep the removed/added form only when it rebuilds `b` exactly (order included).
  return sameIds(applyIdList(a, change), b) ? change : { ids: b };
}

/** For each id of `next`, its index in `base`, or -1 when `base` lacks it; ids must be unique. */
export function matchRows(base: Uint32Array, next: Uint32Array): Int32Array {
  const source = new Int32Array(next.length);
  if (isAscending(base) && isAscending(next)) {
    let i = 0;
    for (let j = 0; j < next.length; j++) {
      const id = next[j]!;
      while (i < base.length && base[i]! < id) i++;
      source[j] = i < base.length && base[i] === id ? i : -1;
    }
    return source;
  }
  const row = new Map<number, number>();
  for (let i = 0; i < base.length; i++) row.set(base[i]!, i);
  for (let j = 0; j < next.length; j++) source[j] = row.get(next[j]!) ?? -1;
  return source;
}

/**
 * Fills `dst` row by row from `src` rows `source[r]`, or from the next row of `extra` where
 * `source[r]` is -1. Word views of one type; `per` words a value.
 */
export function gatherRows<T extends Uint8Array | Uint16Array | Uint32Array>(dst: T, src: T, source: Int32Array, extra: T | undefined, per: number): void {
  let k = 0;
  const n = source.length;
  let r = 0;
  while (r < n) {
    const s = source[r]!;
    if (s < 0) {
      for (let w = 0; w < per; w++) dst[r * per + w] = extra![k * per + w]!;
      k++;
      r++;
      continue;
    }
    // Rows usually survive in runs: copy each run in bulk (a memmove), not value by value.
    let end = r + 1;
    while (end < n && source[end] === s + (end - r)) end++;
    if (end - r < 8) for (let w = r * per; w < end * per; w++) dst[w] = src[s * per + (w - r * per)]!;
    else dst.set(src.subarray(s * per, (s + end - r) * per), r * per);
    r = end;
  }
}

/** True when no id appears twice. */
export function uniqueIds(ids: Uint32Array): boolean {
  return isAscending(ids) || idSet(ids).size === ids.length;
}

/**
 * Memoises per-pair work within one diff or apply: components of an archetype share one
 * entity list, so their row matching is computed once (and their results share arrays).
 */
export class PairCache<V> {
  readonly #byFirst = new Map<object, Map<object, V>>();

  /** The value for (a, b), computed by `make` the first time. */
  get(a: object, b: object, make: () => V): V {
    let inner = this.#byFirst.get(a);
    if (inner === undefined) this.#byFirst.set(a, (inner = new Map()));
    let value = inner.get(b);
    if (value === undefined) inner.set(b, (value = make()));
    return value;
  }
}
