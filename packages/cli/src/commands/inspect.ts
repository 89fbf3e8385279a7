// `tx2pack inspect <file>`: header, table of contents, components and metadata.
import { inspect as inspectValue } from 'node:util';
import type { CAC } from 'cac';
import { EMBEDDED_KEY } from '@tx2/pack-store';
import { keyOptions, pathArgument, withKeyOptions, type GlobalOptions, type OutputFactory } from '../command.js';
import { describeContainer, type ContainerReport } from '../container-report.js';
import { describeDeltaFile, renderDeltaSummary } from '../delta-report.js';
import { ExitCode } from '../errors.js';
import { toJsonValue } from '../json-encoding.js';
import { decryptionKey, hasKey } from '../keys.js';
import type { Output } from '../output.js';
import { inFile, readSnapshotFile } from '../snapshot-file.js';
import { renderComponentTable } from '../component-table.js';
import { renderTable } from '../table.js';
import { formatBytes, formatCount, formatRatio, formatTimestamp, plural } from '../units.js';

/** Options of `inspect`. */
export interface InspectOptions extends GlobalOptions {
  keyFile?: string;
  passphrase?: boolean;
}

function metadataLines(metadata: Record<string, unknown>): string[] {
  const keys = Object.keys(metadata);
  if (keys.length === 0) return ['  (none)'];
  return keys.map((key) => {
    let value = metadata[key];
    // The store's record is a JSON string: show it as the object it is.
    if (key === EMBEDDED_KEY && typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        // shown as the string it is
      }
    }
    return `  ${key}: ${inspectValue(value, { depth: 4, breakLength: Infinity, compact: true, colors: false })}`;
  });
}

function renderReport(report: ContainerReport, output: Output): void {
  const c = output.colors;
  const row = (label: string, value: string): void => output.print(`  ${label.padEnd(12)} ${value}`);
  output.print(`${c.bold(report.file)}  ${formatBytes(report.fileBytes)}, ${report.kind}, format version ${report.formatVersion}`);
  row('codec', `${report.codec} (header); each section names its own below`);
  if (report.encryption === undefined) row('encryption', 'none');
  else {
    const from =
      report.encryption.scrypt === undefined
        ? 'a raw key'
        : `a passphrase (scrypt N=${report.encryption.scrypt.N}, r=${report.encryption.scrypt.r}, p=${report.encryption.scrypt.p})`;
    row('encryption', `${report.encryption.cipher}, key fingerprint ${report.encryption.keyFingerprint}, from ${from}`);
  }
  row(
    'checksums',
    `${report.sectionChecksums ? 'CRC-32 per section' : 'no section CRC-32s'}${report.encrypted ? ' (AES-GCM tags instead)' : ''}; SHA-256 digest ${report.sha256Digest ? 'yes' : 'no'}`,
  );
  row('timestamp', `${formatTimestamp(report.timestamp)} (${report.timestamp})`);
  row('world time', String(report.worldTime));
  if (report.version !== undefined) row('version', `${JSON.stringify(report.version)}, schema version ${report.schemaVersion}`);
  row(
    'counts',
    `${plural(report.counts.entities, 'entity')}, ${plural(report.counts.components, 'component')}, ${plural(report.counts.entitySets, 'entity set')}, ${plural(report.counts.sections, 'section')}`,
  );
  row('size', `${formatBytes(report.totals.rawBytes)} raw, ${formatBytes(report.totals.storedBytes)} stored (${formatRatio(report.totals.rawBytes, report.totals.storedBytes)})`);
  output.print();
  if (!report.contentsReadable) {
    output.print(c.yellow('Component names, fields and metadata are encrypted: pass --key-file or --passphrase to show them.'));
    output.print();
  } else {
    output.print(c.bold('Components'));
    output.printLines(renderComponentTable(report.components));
    output.print();
  }
  output.print(c.bold('Table of contents'));
  output.printLines(
    renderTable(
      [
        { title: '#', align: 'right' },
        { title: 'offset', align: 'right' },
        { title: 'section' },
        { title: 'codec' },
        { title: 'filter' },
        { title: 'raw', align: 'right' },
        { title: 'stored', align: 'right' },
        { title: 'ratio', align: 'right' },
        { title: 'check' },
      ],
      report.sections.map((s) => [
        String(s.index),
        String(s.offset),
        s.name,
        s.codec,
        s.filter,
        formatCount(s.rawBytes),
        formatCount(s.storedBytes),
        formatRatio(s.rawBytes, s.storedBytes),
        s.check,
      ]),
    ),
  );
  // A delta's metadata is its internal description: the summary below says what it means.
  if (report.metadata !== undefined && report.kind === 'snapshot') {
    output.print();
    output.print(c.bold('Metadata'));
    output.printLines(metadataLines(report.metadata));
  }
}

/** Runs `inspect` on one file; returns the exit code. */
export async function runInspect(file: string, options: InspectOptions, output: Output): Promise<number> {
  const snapshot = await readSnapshotFile(file, output);
  const keys = keyOptions(options);
  const key = snapshot.encryption !== undefined && hasKey(keys) ? await decryptionKey(keys, output) : undefined;
  const report = await inFile(file, () => describeContainer(snapshot, key));
  const delta = report.kind === 'delta' && report.contentsReadable && report.damage === null ? await describeDeltaFile(snapshot, key) : undefined;
  if (output.json) {
    output.data({
      ...report,
      metadata: report.metadata === undefined ? null : toJsonValue(report.metadata, 'metadata'),
      encryption: report.encryption ?? null,
      delta: delta ?? null,
    });
  } else {
    renderReport(report, output);
    if (delta !== undefined) {
      output.print();
      output.print(output.colors.bold('Delta'));
      output.printLines(renderDeltaSummary(delta));
    }
  }
  if (report.damage !== null) {
    output.error(`${file} is damaged, the report above shows what could still be read: ${report.damage}`);
    return ExitCode.Corrupt;
  }
  return ExitCode.Ok;
}

/** Registers `inspect`. */
export function registerInspect(cli: CAC, outputFor: OutputFactory): void {
  withKeyOptions(cli.command('inspect <file>', 'Show the header, table of contents, components and metadata of a .tx2pack file'))
    .example('tx2pack inspect world.tx2pack')
    .example('tx2pack inspect world.tx2pack --json | jq .components')
    .example('tx2pack inspect secret.tx2pack --key-file world.key')
    .action((file: unknown, options: InspectOptions) => runInspect(pathArgument(file, '<file>'), options, outputFor(options)));
}
