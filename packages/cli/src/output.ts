// Everything the CLI prints goes through here: data on stdout (text or JSON), messages on
// stderr, colors only on a terminal, progress bars only on a terminal and only for slow work.
import picocolors from 'picocolors';
import { Progress, type ProgressUnit } from './progress.js';

/** The color functions used by reports (all identity functions when colors are off). */
export type Colors = ReturnType<typeof picocolors.createColors>;

/** A writable text stream such as process.stdout. */
export interface TextStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** How output is produced: `--json`, `--verbose`, `--no-color`, and where it goes. */
export interface OutputOptions {
  json?: boolean;
  verbose?: boolean;
  /** false for `--no-color`; undefined to decide from the terminal and NO_COLOR / FORCE_COLOR. */
  color?: boolean;
  stdout?: TextStream;
  stderr?: TextStream;
  env?: NodeJS.ProcessEnv;
  /** The clock of progress reports, in milliseconds (tests pass their own). */
  now?: () => number;
}

/** True when text written to `stream` should carry ANSI colors. */
export function colorsWanted(stream: TextStream, env: NodeJS.ProcessEnv, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  // https://no-color.org: any non-empty value turns colors off.
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  // Unlike picocolors' own detection, CI=true does not force colors: piped output stays plain.
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Where a command writes: `print` for text reports, `data` for `--json`, `note`/`warn` for messages. */
export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly colors: Colors;
  readonly #stdout: TextStream;
  readonly #stderr: TextStream;
  readonly #stderrColors: Colors;
  readonly #interactive: boolean;
  readonly #now: (() => number) | undefined;

  /** Output to process.stdout / process.stderr unless other streams are given. */
  constructor(options: OutputOptions = {}) {
    const env = options.env ?? process.env;
    this.json = options.json ?? false;
    this.verbose = options.verbose ?? false;
    this.#stdout = options.stdout ?? process.stdout;
    this.#stderr = options.stderr ?? process.stderr;
    this.colors = picocolors.createColors(!this.json && colorsWanted(this.#stdout, env, options.color));
    this.#stderrColors = picocolors.createColors(colorsWanted(this.#stderr, env, options.color));
    this.#interactive = this.#stderr.isTTY === true && env.TERM !== 'dumb';
    this.#now = options.now;
  }

  /** Prints a line of a text report on stdout; nothing with `--json`, where stdout carries only data. */
  print(line = ''): void {
    if (!this.json) this.#stdout.write(`${line}\n`);
  }

  /** Prints several report lines. */
  printLines(lines: readonly string[]): void {
    for (const line of lines) this.print(line);
  }

  /** Prints `value` as JSON on stdout, only with `--json`. */
  data(value: unknown): void {
    if (this.json) this.#stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /**
   * Writes a document to stdout piece by piece, waiting whenever the stream asks to (a slow
   * pipe then holds one piece, not the document); returns the bytes written.
   */
  async documentPieces(pieces: Iterable<string>): Promise<number> {
    const stream = this.#stdout as TextStream & { once?: (event: 'drain', listener: () => void) => unknown };
    let bytes = 0;
    for (const piece of pieces) {
      bytes += Buffer.byteLength(piece);
      if (stream.write(piece) === false && typeof stream.once === 'function') await new Promise<void>((resolve) => stream.once!('drain', resolve));
    }
    return bytes;
  }

  /** A status message on stderr (never mixed into data on stdout). */
  note(line: string): void {
    this.#stderr.write(`${line}\n`);
  }

  /** A warning on stderr. */
  warn(line: string): void {
    this.#stderr.write(`${this.#stderrColors.yellow('warning:')} ${line}\n`);
  }

  /** An error line on stderr. */
  error(line: string): void {
    this.#stderr.write(`${this.#stderrColors.red('error:')} ${line}\n`);
  }

  /** Extra detail on stderr, only with `--verbose`. */
  detail(line: string): void {
    if (this.verbose) this.#stderr.write(`${this.#stderrColors.dim(line)}\n`);
  }

  /**
   * A progress report over `total` bytes (or items of `unit`; 0 when unknown) on stderr. It draws
   * only on a terminal, never with `--json`, and only once the work has taken half a second.
   */
  progress(label: string, total: number, unit: ProgressUnit = 'bytes'): Progress {
    return new Progress(label, total, this.#interactive && !this.json ? this.#stderr : undefined, { unit, ...(this.#now === undefined ? {} : { now: this.#now }) });
  }

  /** True when stdin and stderr are a terminal, so a prompt can be shown and answered. */
  get canPrompt(): boolean {
    return this.#interactive && process.stdin.isTTY === true;
  }
}
