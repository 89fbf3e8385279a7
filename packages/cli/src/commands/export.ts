// `tx2pack export <file>`: the world as JSON in the tx2 WorldSnapshot shape, losslessly.
import { existsSync } from 'node:fs';
import type { CAC } from 'cac';
import { keyOptions, pathArgument, withKeyOptions, type GlobalOptions, type OutputFactory } from '../command.js';
import { ExitCode, usageError } from '../errors.js';
import { decryptionKey, hasKey } from '../keys.js';
import type { Output } from '../output.js';
import { decodeSnapshotFile, inFile, readSnapshotFile, writeFileAtomic } from '../snapshot-file.js';
import { formatBytes, formatCount, plural } from '../units.js';
import { packedToWorldJson } from '../world-json.js';

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
  const snapshot = await readSnapshotFile(file, output);
  const keys = keyOptions(options);
  const packed = await decodeSnapshotFile(snapshot, hasKey(keys) ? await decryptionKey(keys, output) : undefined);
  const document = await inFile(file, () => packedToWorldJson(packed));
  const text = `${JSON.stringify(document, null, options.compact === true ? undefined : 2)}\n`;
  if (options.out === undefined) {
    // The JSON is the data: it goes to stdout with or without --json.
    output.document(text);
    return ExitCode.Ok;
  }
  if (existsSync(options.out) && options.force !== true) throw usageError(`${options.out} exists: pass --force to replace it`);
  await writeFileAtomic(options.out, new TextEncoder().encode(text));
  const summary = { input: file, output: options.out, entities: packed.entities.length, components: packed.components.length, bytes: Buffer.byteLength(text) };
  if (output.json) output.data(summary);
  else output.print(`wrote ${output.colors.bold(options.out)}: ${plural(summary.entities, 'entity')}, ${plural(summary.components, 'component')}, ${formatBytes(summary.bytes)} of JSON`);
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
