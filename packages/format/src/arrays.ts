// Array helpers used by the hot paths of encode and decode: entity-id ranges, byte views,
// and arrays shaped the way V8 fills fastest.
import { bytesEqual } from '#platform';
import { bytesOf } from './byte-view.js';

/**
 * A plain Uint8Array over the same bytes. Node's Buffer is a Uint8Array whose `slice`
 * returns a view, not a copy; normalising first keeps every copy a copy.
 */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** True when the ids are `first, first + 1, ...` (stored as a range, costing no bytes). */
export function isRange(ids: Uint32Array): boolean {
  const n = ids.length;
  if (n === 0) return true;
  const first = ids[0]!;
  // Cheap rejection first: most non-ranges already fail at the end.
  if (ids[n - 1] !== first + n - 1) return false;
  if (n < 64) {
    for (let i = 1; i < n; i++) if (ids[i] !== first + i) return false;
    return true;
  }
  // Compare against a cached run with the platform's memcmp: several times a JS loop.
  const run = cachedRun(first, n);
  return bytesEqual(bytesOf(ids), bytesOf(run).subarray(0, n * 4));
}

/** True when both arrays hold the same ids. */
export function sameIds(a: Uint32Array, b: Uint32Array): boolean {
  if (a === b) return true;
  const n = a.length;
  if (n !== b.length) return false;
  // Long lists (whole worlds, compared at every diff) go to the platform's memcmp.
  if (n >= 256) return bytesEqual(bytesOf(a), bytesOf(b));
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Filling a range costs ~2 ns an id here; copying a cached one ~0.8 ns. The cache holds
// one ascending run per recent start value; callers of rangeIds get their own copy.
const RUNS_KEPT = 4;
const runs = new Map<number, Uint32Array>();

const MAX_CACHED_RUN = 1 << 22; // 16 MiB per cached run at most

function cachedRun(start: number, count: number): Uint32Array {
  if (count > MAX_CACHED_RUN) {
    const run = new Uint32Array(count);
    for (let i = 0; i < count; i++) run[i] = start + i;
    return run;
  }
  let run = runs.get(start);
  if (run === undefined || run.length < count) {
    run = new Uint32Array(count);
    for (let i = 0; i < count; i++) run[i] = start + i;
    if (!runs.has(start) && runs.size >= RUNS_KEPT) runs.delete(runs.keys().next().value!);
    runs.set(start, run);
  }
  return run;
}

/** A new array holding `start, start + 1, ..., start + count - 1`. */
export function rangeIds(start: number, count: number): Uint32Array {
  return cachedRun(start, count).slice(0, count);
}

/** The ids `start, start + 1, …` (`count` of them) as a view of a shared run: only for ids that are read, never changed or handed out. */
export function rangeView(start: number, count: number): Uint32Array {
  return cachedRun(start, count).subarray(0, count);
}

// V8 gives `new Array(n)` slow dictionary storage once n is large (measured here: 12.7 ms
// vs 5.4 ms to fill 100,000 slots), while small ones are fastest preallocated.
const PREALLOCATE_LIMIT = 32768;

/** An empty array meant to be filled in index order up to `n` elements, in V8's fastest form for that size. */
export function arrayFor<T>(n: number): T[] {
  return n <= PREALLOCATE_LIMIT ? new Array<T>(n) : [];
}
