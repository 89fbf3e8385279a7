// A one-line progress report on a terminal: nothing for work that ends within half a second,
// then bytes (or items), rate and ETA computed from what was really done, never a "0%" frame.
// Hand-written rather than cli-progress: that library throttles and computes its ETA from its
// own wall clock, so a test cannot drive it frame by frame, and its first frame reads 0%.
import { formatBytes, formatCount } from './units.js';

/** A writable text stream such as process.stderr. */
export interface ProgressStream {
  write(text: string): unknown;
}

/** What one progress report counts: bytes, or items named by a plural noun (e.g. `entities`). */
export type ProgressUnit = 'bytes' | { plural: string };

/** Work shorter than this shows no progress at all. */
export const PROGRESS_DELAY_MS = 500;
/** Redraws at most this often. */
const FRAME_MS = 100;
const BAR_WIDTH = 20;

/** A duration for an ETA: `0.4 s`, `12 s`, `3 min 5 s`. */
export function formatEta(ms: number): string {
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const whole = Math.round(s);
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

/** A progress report for one piece of work, drawn on `stream` once the work has taken over half a second. */
export class Progress {
  #label: string;
  readonly #total: number;
  readonly #unit: ProgressUnit;
  readonly #stream: ProgressStream | undefined;
  readonly #now: () => number;
  readonly #started: number;
  #done = 0;
  #lastFrame = -Infinity;
  #shown = false;

  /** A report of `total` units (0 when unknown) labelled `label`; without a `stream` (off a terminal) it draws nothing. */
  constructor(label: string, total: number, stream: ProgressStream | undefined, options: { unit?: ProgressUnit; now?: () => number } = {}) {
    this.#label = label;
    this.#total = Math.max(0, total);
    this.#unit = options.unit ?? 'bytes';
    this.#stream = stream;
    this.#now = options.now ?? (() => performance.now());
    this.#started = this.#now();
  }

  /** The units done so far. */
  get done(): number {
    return this.#done;
  }

  /** Adds `amount` to the work done and redraws when due. */
  advance(amount: number): void {
    this.#done += amount;
    this.#draw(false);
  }

  /** Changes the label (e.g. to the section being written) and redraws when due. */
  relabel(label: string): void {
    this.#label = label;
    this.#draw(false);
  }

  /** Redraws when due without new work done (work that cannot count its progress shows as working). */
  tick(): void {
    this.#draw(false);
  }

  /** Removes the line (if it was shown). */
  finish(): void {
    if (this.#shown) this.#stream!.write('\r\x1b[2K');
    this.#shown = false;
  }

  #amount(n: number): string {
    return this.#unit === 'bytes' ? formatBytes(n) : `${formatCount(Math.round(n))} ${this.#unit.plural}`;
  }

  /** The line for the current state; its numbers are computed only from work really done. */
  frame(): string {
    const elapsed = this.#now() - this.#started;
    // No work counted yet: no rate, so no percentage or ETA that could only be made up.
    if (this.#done <= 0) return `${this.#label}  [${' '.repeat(BAR_WIDTH)}]  working, ${formatEta(elapsed)} so far`;
    const rate = (this.#done * 1000) / Math.max(elapsed, 1);
    const rateText = this.#unit === 'bytes' ? `${formatBytes(Math.round(rate))}/s` : `${formatCount(Math.round(rate))} ${this.#unit.plural}/s`;
    if (this.#total === 0) return `${this.#label}  ${this.#amount(this.#done)}  ${rateText}`;
    const fraction = Math.min(1, this.#done / this.#total);
    const filled = Math.round(fraction * BAR_WIDTH);
    const eta = formatEta(Math.max(0, this.#total - this.#done) / (rate / 1000));
    return `${this.#label}  [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]  ${Math.floor(fraction * 100)}%  ${this.#amount(this.#done)} / ${this.#amount(this.#total)}  ${rateText}  ETA ${eta}`;
  }

  #draw(force: boolean): void {
    if (this.#stream === undefined) return;
    const now = this.#now();
    if (now - this.#started < PROGRESS_DELAY_MS) return;
    if (!force && now - this.#lastFrame < FRAME_MS) return;
    this.#lastFrame = now;
    this.#shown = true;
    this.#stream.write(`\r\x1b[2K${this.frame()}`);
  }
}
