// `tx2pack rm <store-dir> <id...>`: delete snapshots or checkpoints (metadata first, as the store does).
import type { CAC } from 'cac';
import { type GlobalOptions, type OutputFactory, pathArgument } from '../command.js';
import { ExitCode, usageError } from '../errors.js';
import type { Output } from '../output.js';
import { findEntry, openStoreDirectory } from '../store-directory.js';

/** Runs `rm`; every id is checked before anything is deleted. */
export async function runRm(dir: string, ids: readonly string[], _options: GlobalOptions, output: Output): Promise<number> {
  if (ids.length === 0) throw usageError('name at least one snapshot id to delete: `tx2pack rm <store-dir> <id...>`');
  const directory = await openStoreDirectory(dir);
  for (const id of ids) findEntry(directory, id);
  const deleted: string[] = [];
  for (const id of new Set(ids)) {
    // Checkpoints go through the manager, which keeps the rest of the chain loadable (a store
    // that keeps checkpoints as deltas rebases the dependents of a deleted one first).
    const isCheckpoint = findEntry(directory, id).checkpoint !== null;
    if (await (isCheckpoint ? directory.checkpoints.deleteCheckpoint(id) : directory.store.delete(id))) deleted.push(id);
  }
  // Children of a deleted checkpoint keep their link: the chain records a gap there.
  const gaps = directory.entries
    .filter((e) => e.checkpoint?.parent !== undefined && e.checkpoint.parent !== null && deleted.includes(e.checkpoint.parent) && !deleted.includes(e.id))
    .map((e) => e.id);
  if (output.json) output.data({ dir, deleted, gapsBefore: gaps });
  else {
    for (const id of deleted) output.print(`deleted ${id}`);
    if (gaps.length > 0) output.print(output.colors.yellow(`the chain now has a gap before ${gaps.join(', ')}`));
  }
  return ExitCode.Ok;
}

/** Registers `rm`. */
export function registerRm(cli: CAC, outputFor: OutputFactory): void {
  cli
    .command('rm <store-dir> <...ids>', 'Delete snapshots or checkpoints from a store directory')
    .example('tx2pack rm saves/ slot-1')
    .example('tx2pack rm checkpoints/ tick-100 tick-200')
    .action((dir: unknown, ids: unknown, options: GlobalOptions) =>
      runRm(pathArgument(dir, '<store-dir>'), Array.isArray(ids) ? ids.map(String) : [], options, outputFor(options)),
    );
}
