// `tx2pack prune <store-dir> --keep N`: keep the N latest checkpoints (or snapshots), delete the rest.
import type { CAC } from 'cac';
import { integerOption, pathArgument, type GlobalOptions, type OutputFactory } from '../command.js';
import { ExitCode, usageError } from '../errors.js';
import type { Output } from '../output.js';
import { openStoreDirectory } from '../store-directory.js';

/** Options of `prune`. */
export interface PruneOptions extends GlobalOptions {
  keep?: unknown;
  dryRun?: boolean;
}

/** Runs `prune`; returns the exit code. */
export async function runPrune(dir: string, options: PruneOptions, output: Output): Promise<number> {
  if (options.keep === undefined) throw usageError('prune needs --keep N: how many of the latest checkpoints (or snapshots) to keep');
  const keep = integerOption(options.keep, '--keep', 0);
  const directory = await openStoreDirectory(dir);
  const checkpointsOnly = directory.kind === 'checkpoints';
  // Entries are oldest first: checkpoints in chain order, snapshots in save order.
  const candidates = directory.entries.filter((e) => (checkpointsOnly ? e.checkpoint !== null : true)).map((e) => e.id);
  const doomed = candidates.slice(0, Math.max(0, candidates.length - keep));
  let deleted: string[] = [];
  if (options.dryRun !== true) {
    if (checkpointsOnly) deleted = await directory.checkpoints.pruneOldCheckpoints(keep);
    else for (const id of doomed) if (await directory.store.delete(id)) deleted.push(id);
  }
  const kept = candidates.filter((id) => !doomed.includes(id));
  const what = checkpointsOnly ? 'checkpoints' : 'snapshots';
  if (output.json) output.data({ dir, kind: directory.kind, dryRun: options.dryRun === true, kept, deleted: options.dryRun === true ? doomed : deleted });
  else if (options.dryRun === true) output.print(`would delete ${doomed.length} ${what}${doomed.length > 0 ? `: ${doomed.join(', ')}` : ''}; keeping ${kept.length}`);
  else output.print(`deleted ${deleted.length} ${what}${deleted.length > 0 ? `: ${deleted.join(', ')}` : ''}; kept ${kept.length}${kept.length > 0 ? `: ${kept.join(', ')}` : ''}`);
  return ExitCode.Ok;
}

/** Registers `prune`. */
export function registerPrune(cli: CAC, outputFor: OutputFactory): void {
  cli
    .command('prune <store-dir>', 'Keep the N latest checkpoints (or snapshots, in a store without checkpoints) and delete the older ones')
    .option('--keep <n>', 'how many of the latest to keep (required)')
    .option('--dry-run', 'only say what would be deleted')
    .example('tx2pack prune checkpoints/ --keep 10')
    .example('tx2pack prune checkpoints/ --keep 3 --dry-run --json')
    .action((dir: unknown, options: PruneOptions) => runPrune(pathArgument(dir, '<store-dir>'), options, outputFor(options)));
}
