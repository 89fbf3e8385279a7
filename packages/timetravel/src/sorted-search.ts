/** Index of the first element of sorted `times` that is >= `t` (times.length when none): O(log n). */
export function lowerBound(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the last element <= `t`, or -1. */
export function atOrBeforeIndex(times: readonly number[], t: number): number {
  const i = lowerBound(times, t);
  return i < times.length && times[i] === t ? i : i - 1;
}

/** Index of the first element >= `t`, or -1. */
export function atOrAfterIndex(times: readonly number[], t: number): number {
  const i = lowerBound(times, t);
  return i < times.length ? i : -1;
}

/** Index of the element nearest to `t`, the earlier one on a tie; -1 when empty. */
export function nearestIndex(times: readonly number[], t: number): number {
  const after = lowerBound(times, t);
  if (after === times.length) return after - 1;
  if (after === 0) return 0;
  const before = after - 1;
  return t - times[before]! <= times[after]! - t ? before : after;
}
