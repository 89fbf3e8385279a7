// `tx2pack show <store-dir> <id>`: one store entry: metadata, chain position and contents.
import path from 'node:path';
import type { CAC } from 'cac';
import { codecName, ContainerKind, MAGIC, readHeader } from '@tx2/pack-format';
import { encryptionInfo } from '@tx2/pack-crypto';
import { CheckpointManager, SNAPSHOT_SUFFIX, SnapshotReader, SnapshotStore } from '@tx2/pack-store';
import { keyOptions, pathArgument, withKeyOptions, type GlobalOptions, type OutputFactory } from '../command.js';
import { renderComponentTable } from '../component-table.js';
import { componentsOfSnapshot, describeContainer, type ComponentReport } from '../container-report.js';
import { ExitCode } from '../errors.js';
import { decryptionKey, hasKey } from '../keys.js';
import type { Output } from '../output.js';
import { inFile, POOLED_MAGIC, readWholeFile } from '../snapshot-file.js';
import { findEntry, openStoreDirectory, type StoreDirectory, type StoreEntryInfo } from '../store-directory.js';
import { formatBytes, formatTimestamp, plural } from '../units.js';

/** Options of `show`. */
export interface ShowOptions extends GlobalOptions {
  keyFile?: string;
  passphrase?: boolean;
}

/** What an entry holds, however the store keeps it. */
interface EntryContents {
  /** `snapshot`: one snapshot container; `delta`: a delta against another checkpoint; `pooled`: sections shared with other entries. */
  storedAs: 'snapshot' | 'delta' | 'pooled';
  entities: number;
  codec: string | null;
  encrypted: boolean;
  /** False when the entry is encrypted and no key was given. */
  readable: boolean;
  components: ComponentReport[];
}

const startsWith = (bytes: Uint8Array, magic: Uint8Array): boolean => magic.every((b, i) => bytes[i] === b);

async function entryContents(directory: StoreDirectory, entry: StoreEntryInfo, options: ShowOptions, output: Output): Promise<EntryContents> {
  const file = path.join(directory.dir, `${entry.id}${SNAPSHOT_SUFFIX}`);
  const bytes = await readWholeFile(file, output);
  const keys = keyOptions(options);
  const key = hasKey(keys) ? await decryptionKey(keys, output) : undefined;
  const header = startsWith(bytes, MAGIC) ? await inFile(file, () => readHeader(bytes)) : undefined;
  if (header !== undefined && header.kind === ContainerKind.Snapshot) {
    const snapshot = { path: file, bytes, header, encryption: encryptionInfo(bytes) };
    const report = await inFile(file, () => describeContainer(snapshot, snapshot.encryption === undefined ? undefined : key));
    return {
      storedAs: 'snapshot',
      entities: report.counts.entities,
      codec: report.codec,
      encrypted: report.encrypted,
      readable: report.contentsReadable,
      components: report.components,
    };
  }
  // A delta (incremental checkpoint) or pooled sections: the store's API rebuilds the snapshot.
  const reader = key === undefined ? SnapshotReader.create() : SnapshotReader.create().withKey(key);
  const store = new SnapshotStore(directory.store.backend, { reader });
  const snapshot = await inFile(file, async () =>
    entry.checkpoint !== null ? (await new CheckpointManager(store).loadCheckpoint(entry.id)).snapshot : (await store.load(entry.id)).snapshot,
  );
  return {
    storedAs: header !== undefined ? 'delta' : startsWith(bytes, POOLED_MAGIC) ? 'pooled' : 'snapshot',
    entities: snapshot.entities.length,
    codec: header === undefined ? null : codecName(header.codec),
    encrypted: false,
    readable: true,
    components: componentsOfSnapshot(snapshot),
  };
}

const STORED_AS: Record<EntryContents['storedAs'], string> = {
  snapshot: 'a whole snapshot',
  delta: 'a delta against an earlier checkpoint (sizes per component are not stored)',
  pooled: 'sections shared with other entries (sizes per component are not stored)',
};

/** Runs `show`; returns the exit code. */
export async function runShow(dir: string, id: string, options: ShowOptions, output: Output): Promise<number> {
  const directory = await openStoreDirectory(dir);
  const entry = findEntry(directory, id);
  const ancestors = entry.checkpoint === null ? [] : (await directory.checkpoints.ancestors(id)).map((c) => c.id);
  const children = directory.entries.filter((e) => e.checkpoint?.parent === id).map((e) => e.id);
  const contents = await entryContents(directory, entry, options, output);
  if (output.json) {
    output.data({ dir, entry, ancestors, children, contents });
    return ExitCode.Ok;
  }
  const c = output.colors;
  const row = (label: string, value: string): void => output.print(`  ${label.padEnd(13)} ${value}`);
  output.print(`${c.bold(entry.id)}  ${entry.checkpoint === null ? 'snapshot' : `checkpoint #${entry.checkpoint.sequence}`} in ${dir}`);
  if (entry.name !== null) row('name', entry.name);
  if (entry.description !== null) row('description', entry.description);
  row('created', formatTimestamp(entry.createdAt));
  row('world time', String(entry.worldTime));
  row('schema', `version ${entry.schemaVersion}`);
  row('tags', entry.tags.length === 0 ? '(none)' : c.cyan(entry.tags.join(', ')));
  for (const [key, value] of Object.entries(entry.custom)) row(`custom.${key}`, JSON.stringify(value));
  row(
    'stored',
    `${formatBytes(entry.sizeBytes)}, sha256 ${entry.sha256.slice(0, 16)}..., ${STORED_AS[contents.storedAs]}${contents.codec === null ? '' : `, codec ${contents.codec}`}${contents.encrypted ? ', encrypted' : ''}`,
  );
  if (entry.checkpoint !== null) {
    const parent =
      entry.checkpoint.parent === null
        ? '(first checkpoint)'
        : entry.checkpoint.parentMissing
          ? `${entry.checkpoint.parent} (deleted: the chain has a gap here)`
          : entry.checkpoint.parent;
    row('parent', parent);
    row('ancestors', ancestors.length === 0 ? '(none)' : ancestors.join(' <- '));
    row('children', children.length === 0 ? '(none: latest)' : children.join(', '));
  }
  row('contents', `${plural(contents.entities, 'entity')}, ${contents.components.length === 0 ? '? components' : plural(contents.components.length, 'component')}`);
  if (contents.readable) {
    output.print();
    output.printLines(renderComponentTable(contents.components));
  } else output.print(c.yellow('  component names are encrypted: pass --key-file or --passphrase to list them'));
  return ExitCode.Ok;
}

/** Registers `show`. */
export function registerShow(cli: CAC, outputFor: OutputFactory): void {
  withKeyOptions(cli.command('show <store-dir> <id>', 'Show one snapshot or checkpoint of a store directory: metadata, tags, size, chain, components'))
    .example('tx2pack show checkpoints/ tick-200')
    .example('tx2pack show saves/ slot-1 --json')
    .action((dir: unknown, id: unknown, options: ShowOptions) => runShow(pathArgument(dir, '<store-dir>'), pathArgument(id, '<id>'), options, outputFor(options)));
}
