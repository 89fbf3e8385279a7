// `tx2pack diff <a> <b>`: what changed between two snapshots; --out writes the encoded delta.
import { existsSync } from 'node:fs';
import type { CAC } from 'cac';
import { diff, encodeDelta, summarizeDelta } from '@tx2/pack-format';
import { keyOptions, pathArgument, withKeyOptions, type GlobalOptions, type OutputFactory } from '../command.js';
import { deltaToJson, renderDeltaSummary } from '../delta-report.js';
import { encodeOptionsFrom, withCodecOptions, type CodecOptions } from '../encode-options.js';
import { ExitCode, usageError } from '../errors.js';
import { decryptionKey, hasKey } from '../keys.js';
import type { Output } from '../output.js';
import { decodeSnapshotFile, inFile, readSnapshotFile, writeFileAtomic } from '../snapshot-file.js';
import { formatBytes } from '../units.js';

/** Options of `diff`. */
export interface DiffOptions extends GlobalOptions, CodecOptions {
  out?: string;
  keyFile?: string;
  passphrase?: boolean;
  force?: boolean;
}

/** Runs `diff`; returns 0 whether or not the snapshots differ (the output says which). */
export async function runDiff(baseFile: string, nextFile: string, options: DiffOptions, output: Output): Promise<number> {
  if (options.out !== undefined && typeof options.out !== 'string') throw usageError('--out needs a path');
  if (options.out !== undefined && existsSync(options.out) && options.force !== true) throw usageError(`${options.out} exists: pass --force to replace it`);
  const encode = options.out === undefined ? undefined : await encodeOptionsFrom(options);
  const keys = keyOptions(options);
  const key = hasKey(keys) ? await decryptionKey(keys, output) : undefined;
  const baseSnapshot = await readSnapshotFile(baseFile, output);
  const nextSnapshot = await readSnapshotFile(nextFile, output);
  // A passphrase derives a key per file (each has its own salt); decryptionKey returned { passphrase }, which does that.
  const base = await decodeSnapshotFile(baseSnapshot, baseSnapshot.encryption === undefined ? undefined : key);
  const next = await decodeSnapshotFile(nextSnapshot, nextSnapshot.encryption === undefined ? undefined : key);
  const delta = await inFile(`${baseFile} -> ${nextFile}`, () => diff(base, next));
  const summary = summarizeDelta(delta);
  const identical = summary.base === summary.target;
  let written: { path: string; bytes: number } | null = null;
  if (options.out !== undefined && encode !== undefined) {
    const bytes = encodeDelta(delta, encode);
    await writeFileAtomic(options.out, bytes);
    written = { path: options.out, bytes: bytes.length };
  }
  if (output.json) {
    output.data({ base: baseFile, next: nextFile, identical, summary, delta: deltaToJson(delta, next), written });
    return ExitCode.Ok;
  }
  output.print(`${output.colors.bold(baseFile)} -> ${output.colors.bold(nextFile)}: ${identical ? 'identical' : 'changed'}`);
  output.printLines(renderDeltaSummary(summary));
  if (written !== null) {
    output.print(
      `wrote ${output.colors.bold(written.path)}: a delta of ${formatBytes(written.bytes)} (the next snapshot is ${formatBytes(nextSnapshot.bytes.length)}); \`tx2pack inspect ${written.path}\` shows it`,
    );
  }
  return ExitCode.Ok;
}

/** Registers `diff`. */
export function registerDiff(cli: CAC, outputFor: OutputFactory): void {
  const command = cli.command('diff <a> <b>', 'Summarize what changed from snapshot <a> to snapshot <b>; --json prints the full delta, --out writes it');
  withCodecOptions(withKeyOptions(command), 'of --out; default: zstd level 1')
    .option('--out <path>', 'write the encoded delta (a tx2pack container of kind delta) to this file')
    .option('--force', 'replace --out when it exists')
    .example('tx2pack diff tick-100.tx2pack tick-200.tx2pack')
    .example('tx2pack diff a.tx2pack b.tx2pack --out a-to-b.tx2pack --codec zstd')
    .example('tx2pack diff a.tx2pack b.tx2pack --json | jq .summary')
    .action((a: unknown, b: unknown, options: DiffOptions) => runDiff(pathArgument(a, '<a>'), pathArgument(b, '<b>'), options, outputFor(options)));
}
