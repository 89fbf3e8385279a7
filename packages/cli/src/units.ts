// Human-readable numbers for reports: sizes, ratios, durations, rates and counts.

/** A byte count as B / kB / MB / GB (SI units, like the benchmark tables), e.g. `206.5 kB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** An exact byte count with thousands separators, e.g. `206,480`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A count and its noun, with thousands separators, e.g. `1 component`, `50,001 rows`, `2 entity sets`. */
export function plural(n: number, noun: string): string {
  if (n === 1) return `1 ${noun}`;
  return `${formatCount(n)} ${noun.endsWith('y') ? `${noun.slice(0, -1)}ies` : `${noun}s`}`;
}

/** How many times smaller `stored` is than `raw`, e.g. `1.55x`; `-` when nothing is stored. */
export function formatRatio(raw: number, stored: number): string {
  return stored === 0 ? '-' : `${(raw / stored).toFixed(2)}x`;
}

/** A duration in milliseconds with a precision that suits its size, e.g. `0.482 ms`, `12.3 ms`, `1.25 s`. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(ms < 1 ? 3 : 2)} ms`;
}

/** A throughput in bytes per second, e.g. `1.2 GB/s`. */
export function formatRate(bytes: number, ms: number): string {
  if (ms <= 0) return '-';
  return `${formatBytes(Math.round((bytes * 1000) / ms))}/s`;
}

/** A wall-clock timestamp (ms since the epoch) as ISO 8601, or the raw number when it is not a valid date. */
export function formatTimestamp(ms: number): string {
  const date = new Date(ms);
  return Number.isFinite(ms) && !Number.isNaN(date.getTime()) ? date.toISOString() : String(ms);
}
