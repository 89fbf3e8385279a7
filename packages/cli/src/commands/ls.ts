// `tx2pack ls <store-dir>`: the snapshots or checkpoints of a store directory, with the chain as a tree.
import type { CAC } from 'cac';
import { pathArgument, type GlobalOptions, type OutputFactory } from '../command.js';
import { checkpointTree } from '../checkpoint-tree.js';
import { ExitCode } from '../errors.js';
import type { Output } from '../output.js';
import { openStoreDirectory, type StoreDirectory, type StoreEntryInfo } from '../store-directory.js';
import { renderTable } from '../table.js';
import { formatBytes, formatTimestamp } from '../units.js';

function entryCells(entry: StoreEntryInfo, output: Output): string[] {
  return [
    formatTimestamp(entry.createdAt),
    String(entry.worldTime),
    formatBytes(entry.sizeBytes),
    entry.tags.length === 0 ? '' : output.colors.cyan(entry.tags.join(',')),
    entry.name ?? '',
  ];
}

function storedAs(entry: StoreEntryInfo): string {
  const storage = entry.checkpoint?.storage;
  if (storage === null || storage === undefined) return '';
  return storage.kind === 'delta' && storage.base !== null ? `delta of ${storage.base}` : storage.kind;
}

const COLUMNS = [{ title: 'created' }, { title: 'world time', align: 'right' as const }, { title: 'size', align: 'right' as const }, { title: 'tags' }, { title: 'name' }];

/** The text listing of a store directory. */
export function renderListing(directory: StoreDirectory, output: Output): string[] {
  const total = directory.entries.reduce((n, e) => n + e.sizeBytes, 0);
  const checkpoints = directory.entries.filter((e) => e.checkpoint !== null);
  const others = directory.entries.filter((e) => e.checkpoint === null);
  const lines = [
    `${output.colors.bold(directory.dir)}  ${directory.kind === 'checkpoints' ? 'checkpoint directory' : directory.kind === 'snapshots' ? 'snapshot store' : 'empty store'}, ${checkpoints.length} checkpoints, ${others.length} other snapshots, ${formatBytes(total)}`,
  ];
  if (checkpoints.length > 0) {
    const rows = checkpointTree(directory.entries).map(({ prefix, entry }) => [
      `${prefix}${entry.id}${entry.checkpoint?.parentMissing ? output.colors.yellow(` (after deleted ${entry.checkpoint.parent})`) : ''}`,
      String(entry.checkpoint?.sequence ?? ''),
      storedAs(entry),
      ...entryCells(entry, output),
    ]);
    lines.push('', ...renderTable([{ title: 'checkpoint' }, { title: 'seq', align: 'right' }, { title: 'stored as' }, ...COLUMNS], rows));
  }
  if (others.length > 0) {
    lines.push(
      '',
      ...renderTable(
        [{ title: 'snapshot' }, ...COLUMNS],
        others.map((entry) => [entry.id, ...entryCells(entry, output)]),
      ),
    );
  }
  return lines;
}

/** Runs `ls`; returns the exit code. */
export async function runLs(dir: string, _options: GlobalOptions, output: Output): Promise<number> {
  const directory = await openStoreDirectory(dir);
  if (output.json) {
    output.data({ dir, kind: directory.kind, count: directory.entries.length, totalBytes: directory.entries.reduce((n, e) => n + e.sizeBytes, 0), entries: directory.entries });
  } else output.printLines(renderListing(directory, output));
  return ExitCode.Ok;
}

/** Registers `ls`. */
export function registerLs(cli: CAC, outputFor: OutputFactory): void {
  cli
    .command('ls <store-dir>', 'List the snapshots of a SnapshotStore directory, or a checkpoint chain drawn as a tree')
    .example('tx2pack ls saves/')
    .example('tx2pack ls checkpoints/ --json | jq ".entries[].id"')
    .action((dir: unknown, options: GlobalOptions) => runLs(pathArgument(dir, '<store-dir>'), options, outputFor(options)));
}
