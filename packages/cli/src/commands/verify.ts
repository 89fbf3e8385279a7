// `tx2pack verify <file>`: every checksum and authentication tag, naming what fails.
import type { CAC } from 'cac';
import type { Manifest as ManifestSummary } from '@tx2/pack-format';
import {
  ContainerKind,
  crc32,
  isPackError,
  MAGIC,
  readDescriptor,
  readFrames,
  decodeDelta,
  decodeSnapshot,
  readHeader,
  readLayout,
  readTrailer,
  scanSections,
  SectionFlags,
  SectionKind,
  TrailerFlags,
  type SectionEntry,
} from '@tx2/pack-format';
import { readOptions } from '@tx2/pack-codecs';
import { decryptSnapshot, encryptionInfo, verifyDigest, type DecryptionKeyInput } from '@tx2/pack-crypto';
import { keyOptions, pathArgument, withKeyOptions, type GlobalOptions, type OutputFactory } from '../command.js';
import { CliError, ExitCode, toCliError } from '../errors.js';
import { decryptionKey, hasKey } from '../keys.js';

import type { Output } from '../output.js';
import { sectionFromDetails, sectionName } from '../section-names.js';
import { manifestOf } from '../manifest-of.js';
import { readWholeFile } from '../snapshot-file.js';
import { plural } from '../units.js';

/** Options of `verify`. */
export interface VerifyOptions extends GlobalOptions {
  keyFile?: string;
  passphrase?: boolean;
}

/** The outcome of one check. */
export interface CheckResult {
  check: string;
  status: 'ok' | 'failed' | 'skipped';
  detail: string;
}

/** One section's payload check. */
export interface SectionResult {
  index: number;
  name: string;
  check: 'crc32' | 'aes-gcm-tag' | 'none';
  ok: boolean | null;
}

/** What `verify --json` prints. */
export interface VerifyReport {
  file: string;
  ok: boolean;
  encrypted: boolean;
  /** False when an encrypted file was verified without its key: the AES-GCM tags were not checked. */
  tagsChecked: boolean;
  checks: CheckResult[];
  sections: SectionResult[];
  /** The first failure: which check, and the section when one is to blame. */
  failure: { check: string; section: string | null; message: string; exitCode: number } | null;
}

class VerifyFailed extends Error {
  constructor(
    readonly check: string,
    readonly section: string | null,
    readonly reason: unknown,
  ) {
    super(toCliError(reason, 'verify').message);
  }
}

/** Runs one named check; a throw becomes a VerifyFailed naming it. */
function step<T>(report: VerifyReport, check: string, detail: (value: T) => string, fn: () => T): T {
  try {
    const value = fn();
    report.checks.push({ check, status: 'ok', detail: detail(value) });
    return value;
  } catch (error) {
    if (error instanceof VerifyFailed) throw error;
    throw new VerifyFailed(check, null, error);
  }
}

async function stepAsync<T>(report: VerifyReport, check: string, detail: (value: T) => string, fn: () => Promise<T>): Promise<T> {
  try {
    const value = await fn();
    report.checks.push({ check, status: 'ok', detail: detail(value) });
    return value;
  } catch (error) {
    if (error instanceof VerifyFailed) throw error;
    throw new VerifyFailed(check, null, error);
  }
}

/** Checks every payload CRC-32 of a plain container, naming the first section that fails. */
function checkPayloads(report: VerifyReport, bytes: Uint8Array, sections: readonly SectionEntry[], manifest: ManifestSummary | undefined, output: Output): void {
  const frames = readFrames(bytes, { verifyChecksums: false }).frames;
  const progress = output.progress(
    'checking sections',
    sections.reduce((n, s) => n + s.descriptor.storedLength, 0),
  );
  let checked = 0;
  for (const [index, frame] of frames.entries()) {
    const d = readDescriptor(frame.descriptor, 0);
    const name = sectionName(d, manifest);
    const hasCrc = (d.flags & SectionFlags.PayloadChecksum) !== 0;
    const result: SectionResult = { index, name, check: hasCrc ? 'crc32' : 'none', ok: hasCrc ? true : null };
    report.sections.push(result);
    if (hasCrc) {
      const actual = crc32(frame.payload);
      if (actual !== d.payloadCrc) {
        result.ok = false;
        progress.finish();
        throw new VerifyFailed(
          'section checksums',
          name,
          new Error(`${name} fails its CRC-32 (stored ${d.payloadCrc.toString(16)}, computed ${actual.toString(16)}): the file is corrupt`),
        );
      }
      checked++;
    }
    progress.advance(d.storedLength);
  }
  progress.finish();
  report.checks.push({
    check: 'section checksums',
    status: checked > 0 ? 'ok' : 'skipped',
    detail: checked > 0 ? `${checked} of ${sections.length} sections carry a CRC-32, all match` : 'the sections carry no CRC-32 (written with checksums off)',
  });
}

/** Verifies a plain container: structure, payload CRC-32s, and a full decode. */
async function verifyPlain(report: VerifyReport, bytes: Uint8Array, output: Output, label: string): Promise<void> {
  const layout = step(
    report,
    `${label}table of contents`,
    (l) => `${l.sections.length} section descriptors, their table of contents copies and padding`,
    () => readLayout(bytes),
  );
  let manifest: ManifestSummary | undefined;
  try {
    manifest = await manifestOf(bytes, layout.sections);
  } catch {
    // The manifest's own checksum or decode check below names the problem.
  }
  checkPayloads(report, bytes, layout.sections, manifest, output);
  const isDelta = layout.header.kind === ContainerKind.Delta;
  await stepAsync(
    report,
    'decode',
    (count) => (isDelta ? 'the delta decodes' : `every section decodes: ${plural(count, 'entity')}, ${plural(layout.header.componentCount, 'component')}`),
    async () => {
      const options = await readOptions({ bytes });
      if (isDelta) {
        decodeDelta(bytes, options);
        return 0;
      }
      return decodeSnapshot(bytes, options).entities.length;
    },
  );
}

async function verifyDigestStep(report: VerifyReport, bytes: Uint8Array): Promise<void> {
  const trailer = readTrailer(bytes);
  if (!(trailer.flags & TrailerFlags.PayloadDigest)) {
    report.checks.push({ check: 'SHA-256 digest', status: 'skipped', detail: 'the file has no SHA-256 digest' });
    return;
  }
  await stepAsync(
    report,
    'SHA-256 digest',
    () => 'matches every byte before the trailer',
    () => verifyDigest(bytes),
  );
}

async function verifyEncrypted(report: VerifyReport, bytes: Uint8Array, key: DecryptionKeyInput | undefined, output: Output): Promise<void> {
  const scan = step(
    report,
    'section descriptors',
    (s) => `${s.sections.length} descriptors (stored in clear), each with its CRC-32`,
    () => {
      const result = scanSections(bytes);
      if (!result.complete) throw new VerifyFailed('section descriptors', null, new Error('the sections end before the table of contents: the file is truncated'));
      return result;
    },
  );
  await verifyDigestStep(report, bytes);
  const sections = scan.sections.filter((s) => s.descriptor.kind !== SectionKind.TableOfContents);
  if (key === undefined) {
    report.tagsChecked = false;
    for (const [index, { descriptor }] of sections.entries()) report.sections.push({ index, name: sectionName(descriptor, undefined), check: 'aes-gcm-tag', ok: null });
    report.checks.push({ check: 'authentication tags', status: 'skipped', detail: 'not checked: no key given (pass --key-file or --passphrase to check them)' });
    return;
  }
  const plain = await stepAsync(
    report,
    'authentication tags',
    () => `every section's AES-256-GCM tag verifies (${sections.length + 1} with the table of contents)`,
    () => decryptSnapshot(bytes, key),
  );
  await verifyPlain(report, plain, output, 'decrypted ');
  // The plain container's sections are the encrypted file's: report them as tag-checked.
  for (const section of report.sections) {
    section.check = 'aes-gcm-tag';
    section.ok = true;
  }
}

function render(report: VerifyReport, output: Output): void {
  const c = output.colors;
  output.print(`verify ${c.bold(report.file)}`);
  for (const check of report.checks) {
    const mark = check.status === 'ok' ? c.green('ok  ') : check.status === 'failed' ? c.red('FAIL') : c.yellow('--  ');
    output.print(`  ${mark}  ${check.check}: ${check.detail}`);
  }
  if (report.failure !== null) {
    output.print(c.red(`${report.file} is damaged: ${report.failure.section ?? report.failure.check} failed.`));
  } else if (!report.tagsChecked) {
    output.print(c.yellow(`${report.file}: everything readable without the key is intact; the authentication tags were not checked (no key).`));
  } else {
    output.print(c.green(`${report.file} is intact.`));
  }
}

/** Checks a file's bytes; failures are in the report, only key errors (wrong or missing key) are thrown. */
export async function verifyContainer(file: string, bytes: Uint8Array, key: DecryptionKeyInput | undefined, output: Output): Promise<VerifyReport> {
  const report: VerifyReport = { file, ok: false, encrypted: false, tagsChecked: true, checks: [], sections: [], failure: null };
  try {
    step(
      report,
      'header',
      (h) => `signature, format version ${h.formatVersion} and CRC-32`,
      () => {
        // Not a container at all is a wrong path, not damage to restore from a backup.
        if (bytes.length < MAGIC.length || MAGIC.some((b, i) => bytes[i] !== b)) {
          throw new CliError('this is not a tx2pack file (it does not start with the TX2PACK signature): check the path', ExitCode.Corrupt);
        }
        return readHeader(bytes);
      },
    );
    step(
      report,
      'trailer',
      () => 'end signature and CRC-32',
      () => readTrailer(bytes),
    );
    let encryption: ReturnType<typeof encryptionInfo>;
    try {
      encryption = encryptionInfo(bytes);
    } catch (error) {
      throw new VerifyFailed('header', null, error); // an unknown cipher or key scheme
    }
    report.encrypted = encryption !== undefined;
    if (encryption === undefined) {
      await verifyDigestStep(report, bytes);
      await verifyPlain(report, bytes, output, '');
    } else {
      await verifyEncrypted(report, bytes, key, output);
    }
    report.ok = true;
  } catch (error) {
    if (!(error instanceof VerifyFailed)) throw error;
    const cli = toCliError(error.reason, 'verify');
    // A wrong key is not damage: report it as the key error it is.
    if (cli.exitCode === ExitCode.Key) throw cli.message.includes(file) ? cli : new CliError(`${file}: ${cli.message}`, cli.exitCode, { cause: cli });
    report.checks.push({ check: error.check, status: 'failed', detail: error.message });
    report.failure = { check: error.check, section: error.section ?? sectionFromError(error.reason), message: error.message, exitCode: cli.exitCode };
  }
  return report;
}

/** Runs `verify` on one file; returns 0 when intact, non-zero with the failing section named when not. */
export async function runVerify(file: string, options: VerifyOptions, output: Output): Promise<number> {
  const bytes = await readWholeFile(file, output);
  const keys = keyOptions(options);
  const key = hasKey(keys) && encryptionInfoOrUndefined(bytes) !== undefined ? await decryptionKey(keys, output) : undefined;
  const report = await verifyContainer(file, bytes, key, output);
  if (output.json) output.data(report);
  else render(report, output);
  if (report.failure !== null) {
    output.error(`${file}: ${report.failure.message}`);
    return report.failure.exitCode === ExitCode.Unsupported ? ExitCode.Unsupported : ExitCode.Corrupt;
  }
  if (!report.tagsChecked) output.warn(`the authentication tags of ${file} were not checked: pass --key-file or --passphrase to check them`);
  return ExitCode.Ok;
}

// A damaged header is reported by verifyContainer; here it only decides whether to ask for a key.
function encryptionInfoOrUndefined(bytes: Uint8Array): ReturnType<typeof encryptionInfo> {
  try {
    return encryptionInfo(bytes);
  } catch {
    return undefined;
  }
}

/** The failing section, from the structured details format and crypto errors carry (never from the message text). */
function sectionFromError(reason: unknown): string | null {
  return isPackError(reason) ? sectionFromDetails(reason.details) : null;
}

/** Registers `verify`. */
export function registerVerify(cli: CAC, outputFor: OutputFactory): void {
  withKeyOptions(cli.command('verify <file>', 'Check every checksum, digest and authentication tag; exit 0 when intact, 1 naming the failing section when not'))
    .example('tx2pack verify world.tx2pack')
    .example('tx2pack verify secret.tx2pack --key-file world.key')
    .example('TX2PACK_PASSPHRASE=... tx2pack verify secret.tx2pack --passphrase --json')
    .action((file: unknown, options: VerifyOptions) => runVerify(pathArgument(file, '<file>'), options, outputFor(options)));
}
