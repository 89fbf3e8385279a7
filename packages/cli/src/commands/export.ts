// `tx2pack export <file>`: the world as JSON in the tx2 WorldSnapshot shape, losslessly.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CAC } from 'cac';
import { keyOptions, pathArgument, withKeyOptions, type GlobalOptions, type OutputFactory } from '../command.js';
import { ExitCode, usageError } from '../errors.js';
import { decryptionKey, hasKey } from '../keys.js';
import type { Output } from '../output.js';
import { decodeSnapshotFile, inFile, readPlainSnapshot, readSnapshotFile, writePiecesAtomic } from '../snapshot-file.js';
import { formatBytes, plural } from '../units.js';
import { worldJsonPieces } from '../world-json-writer.js';

/** Options of `export`. */
export interface ExportOptions extends GlobalOptions {
  out?: string;
  keyFile?: string;
  passphrase?: boolean;
  compact?: boolean;
  force?: boolean;
}

/** Runs `export`: JSON to `--out`, or to stdout. */
export async function runExport(file: string, options: ExportOptions, output: Output): Promise<number> {
  if (options.out !== undefined && typeof options.out !== 'string') throw usageError('--out needs a path');
  if (options.out !== undefined && existsSync(options.out) && options.force !== true) throw usageError(`${options.out} exists: pass --force to replace it`);
  const keys = keyOptions(options);
  // Plain snapshots are read section by section; encrypted ones whole, to be decrypted.
  let packed = (await readPlainSnapshot(file, output))?.packed;
  if (packed === undefined) {
    const snapshot = await readSnapshotFile(file, output);
    packed = await decodeSnapshotFile(snapshot, hasKey(keys) ? await decryptionKey(keys, output) : undefined);
  }
  const world = packed;
  const progress = output.progress(`writing JSON${options.out === undefined ? '' : ` to ${path.basename(options.out)}`}`, world.entities.length, { plural: 'entities' });
  const pieces = (function* () {
    yield* worldJsonPieces(world, options.compact === true ? 0 : 2, (count) => progress.advance(count));
  })();
  let bytes: number;
  try {
    bytes = await inFile(file, () => (options.out === undefined ? output.documentPieces(pieces) : writePiecesAtomic(options.out, pieces)));
  } finally {
    progress.finish();
  }
  // The JSON is the data: on stdout it goes with or without --json, and nothing else follows it.
  if (options.out === undefined) return ExitCode.Ok;
  const summary = { input: file, output: options.out, entities: world.entities.length, components: world.components.length, bytes };
  if (output.json) output.data(summary);
  else
    output.print(
      `wrote ${output.colors.bold(options.out)}: ${plural(summary.entities, 'entity')}, ${plural(summary.components, 'component')}, ${formatBytes(summary.bytes)} of JSON`,
    );
  return ExitCode.Ok;
}

/** Registers `export`. */
export function registerExport(cli: CAC, outputFor: OutputFactory): void {
  withKeyOptions(cli.command('export <file>', 'Write the world as JSON (tx2 WorldSnapshot shape, lossless encoding; see the README)'))
    .option('--out <path>', 'write the JSON to this file instead of stdout')
    .option('--compact', 'no indentation')
    .option('--force', 'replace --out when it exists')
    .example('tx2pack export world.tx2pack --out world.json')
    .example('tx2pack export world.tx2pack | jq ".entities | length"')
    .action((file: unknown, options: ExportOptions) => runExport(pathArgument(file, '<file>'), options, outputFor(options)));
}
