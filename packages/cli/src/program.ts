// The `tx2pack` program: global options, every command, and the run loop that turns any
// error into one line and an exit code.
import { cac, type CAC } from 'cac';
import { describeArgument, outputFactory, type OutputFactory } from './command.js';
import { registerBench } from './commands/bench.js';
import { registerConvert } from './commands/convert.js';
import { registerDemo } from './commands/demo.js';
import { registerDiff } from './commands/diff.js';
import { registerExport } from './commands/export.js';
import { registerImport } from './commands/import.js';
import { registerInspect } from './commands/inspect.js';
import { registerKeygen } from './commands/keygen.js';
import { registerLs } from './commands/ls.js';
import { registerPrune } from './commands/prune.js';
import { registerRm } from './commands/rm.js';
import { registerShow } from './commands/show.js';
import { registerVerify } from './commands/verify.js';
import { CliError, ExitCode, toCliError, usageError } from './errors.js';
import type { Output, OutputOptions } from './output.js';
import { VERSION } from './version.js';

/** Builds the command-line parser with every command registered. */
export function createProgram(outputFor: OutputFactory): CAC {
  const cli = cac('tx2pack');
  cli
    .option('--json', 'print machine-readable JSON on stdout (and nothing else)')
    .option('--verbose', 'more detail on stderr, and stack traces of unexpected errors')
    .option('--no-color', 'no ANSI colors (colors are on only on a terminal without NO_COLOR)');
  for (const register of [
    registerDemo,
    registerInspect,
    registerVerify,
    registerConvert,
    registerExport,
    registerImport,
    registerDiff,
    registerLs,
    registerShow,
    registerRm,
    registerPrune,
    registerBench,
    registerKeygen,
  ]) {
    register(cli, outputFor);
  }
  cli.example('tx2pack demo');
  cli.example('tx2pack inspect world.tx2pack');
  cli.example('tx2pack verify world.tx2pack && echo intact');
  cli.example('tx2pack <command> --help');
  cli.help();
  cli.version(VERSION);
  withoutNegatedDefaults(cli);
  return cli;
}

/**
 * cac gives every `--no-x` flag the default `true` and prints it as `--no-x … (default: true)`,
 * which reads as if the flag were on. Without it `x` is simply absent unless negated, which the
 * commands read as "on" (they test `=== false`).
 */
function withoutNegatedDefaults(cli: CAC): void {
  for (const command of [cli.globalCommand, ...cli.commands]) {
    for (const option of command.options) if (option.negated) delete option.config.default;
  }
}

/** Runs `tx2pack` with `argv` (the arguments after the program name); resolves to the exit code. */
export async function run(argv: readonly string[], io: OutputOptions = {}): Promise<number> {
  const outputFor = outputFactory(io);
  const verbose = argv.includes('--verbose');
  // Before parsing succeeds, errors are reported with what the raw arguments say.
  let output: Output = outputFor({ json: argv.includes('--json'), verbose, color: !argv.includes('--no-color') });
  try {
    // The OS cannot pass a NUL in an argument, but run() can be given one: no file name holds it.
    const nul = argv.findIndex((arg) => typeof arg !== 'string' || arg.includes('\0'));
    if (nul >= 0) throw usageError(`argument ${nul + 1} ${describeArgument(argv[nul])} contains a NUL character (\\0), which no path or value may hold`);
    const cli = createProgram(outputFor);
    const parsed = cli.parse(['node', 'tx2pack', ...argv], { run: false });
    if (parsed.options.help === true || parsed.options.version === true) return ExitCode.Ok;
    output = outputFor(parsed.options);
    if (cli.matchedCommand === undefined) {
      if (parsed.args.length > 0) throw new CliError(`unknown command "${parsed.args[0]}": \`tx2pack --help\` lists the commands`, ExitCode.Usage);
      cli.outputHelp();
      return ExitCode.Usage;
    }
    const code: unknown = await cli.runMatchedCommand();
    return typeof code === 'number' ? code : ExitCode.Ok;
  } catch (error) {
    return reportError(error, output);
  }
}

/** Prints an error as one line (with its cause chain and stack under --verbose); returns its exit code. */
export function reportError(error: unknown, output: Output): number {
  const cli = toCliError(error);
  output.error(cli.message);
  if (output.verbose) {
    let cause: unknown = cli.cause;
    while (cause !== undefined && cause !== null) {
      output.detail(cause instanceof Error ? (cause.stack ?? cause.message) : String(cause));
      cause = cause instanceof Error ? cause.cause : undefined;
    }
  } else if (cli.exitCode === ExitCode.Internal) output.note('run it again with --verbose for the details');
  return cli.exitCode;
}
