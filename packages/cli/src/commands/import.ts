// `tx2pack import <world.json> <out.tx2pack>`: the reverse of export, with codec and key options.
import { existsSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CAC } from 'cac';
import { DEFAULT_CHUNK_BYTES, encodeSnapshot, encodeSnapshotStream, type PackedSnapshot } from '@tx2/pack-format';
import { addDigest, encryptSnapshot, type EncryptionKeyInput } from '@tx2/pack-crypto';
import { keyOptions, pathArgument, withKeyOptions, type GlobalOptions, type OutputFactory } from '../command.js';
import { encodeOptionsFrom, withCodecOptions, type CodecOptions } from '../encode-options.js';
import { countingCodec, rawColumnBytes } from '../encode-progress.js';
import { CliError, ExitCode, usageError } from '../errors.js';
import { encryptionKey, hasKey } from '../keys.js';
import type { Output } from '../output.js';
import { inFile, writeFileAtomic, writePiecesAtomic } from '../snapshot-file.js';
import { formatBytes, plural } from '../units.js';
import { worldJsonToPacked } from '../world-json.js';
import { readWorldJsonStreaming } from '../world-json-reader.js';

/** Options of `import`. */
export interface ImportOptions extends GlobalOptions, CodecOptions {
  keyFile?: string;
  passphrase?: boolean;
  digest?: boolean;
  force?: boolean;
}

/** The snapshot a world JSON file describes: read batch by batch when it can be, else parsed whole. */
async function readWorld(source: string, output: Output): Promise<PackedSnapshot> {
  const info = await stat(source);
  if (info.isDirectory()) throw new CliError(`${source} is a directory: name a world JSON file`, ExitCode.Usage);
  const name = path.basename(source);
  const handle = await open(source, 'r');
  try {
    const streamed = await inFile(source, () =>
      readWorldJsonStreaming(handle, info.size, source, output.progress(`reading ${name}`, info.size), () => output.progress(`parsing ${name}`, info.size)),
    );
    if (streamed !== undefined) return streamed;
  } finally {
    await handle.close();
  }
  const text = await readFile(source, 'utf8');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${source} is not valid JSON (${(error as Error).message}): export a world with \`tx2pack export\``, ExitCode.Unsupported);
  }
  return inFile(source, () => worldJsonToPacked(document, source));
}

/** Runs `import`; returns the exit code. */
export async function runImport(source: string, target: string, options: ImportOptions, output: Output): Promise<number> {
  if (existsSync(target) && options.force !== true) throw usageError(`${target} exists: pass --force to replace it`);
  const encode = await encodeOptionsFrom(options);
  const keys = keyOptions(options);
  const key: EncryptionKeyInput | undefined = hasKey(keys) ? await encryptionKey(keys, output) : undefined;
  const packed = await readWorld(source, output);
  let bytes: number;
  if (key === undefined && options.digest !== true) {
    // Streamed: one column chunk at a time is compressed and written, never the whole file in memory.
    const progress = output.progress(`writing ${path.basename(target)}`, rawColumnBytes(packed));
    try {
      const counted = { ...encode, codec: countingCodec(encode.codec, progress) };
      bytes = await inFile(source, () => writePiecesAtomic(target, encodeSnapshotStream(packed, { ...counted, chunkBytes: DEFAULT_CHUNK_BYTES })));
    } finally {
      progress.finish();
    }
  } else {
    let whole = await inFile(source, () => encodeSnapshot(packed, encode));
    if (key !== undefined) whole = await encryptSnapshot(whole, key, { digest: options.digest === true });
    else await addDigest(whole);
    await writeFileAtomic(target, whole);
    bytes = whole.length;
  }
  const summary = {
    input: source,
    output: target,
    entities: packed.entities.length,
    components: packed.components.length,
    codec: encode.codecName,
    level: encode.level,
    encrypted: key !== undefined,
    bytes,
  };
  if (output.json) output.data(summary);
  else {
    output.print(
      `wrote ${output.colors.bold(target)}: ${plural(summary.entities, 'entity')}, ${plural(summary.components, 'component')}, ${formatBytes(summary.bytes)} (${summary.codec} level ${summary.level}${summary.encrypted ? ', encrypted' : ''})`,
    );
  }
  return ExitCode.Ok;
}

/** Registers `import`. */
export function registerImport(cli: CAC, outputFor: OutputFactory): void {
  const command = cli.command('import <json> <out>', 'Write a .tx2pack file from world JSON (as `export` writes it, or a plain tx2 WorldSnapshot)');
  withCodecOptions(withKeyOptions(command, 'output'), 'default: zstd level 1')
    .option('--digest', 'store a SHA-256 digest of the whole file in its trailer')
    .option('--force', 'replace <out> when it exists')
    .example('tx2pack import world.json world.tx2pack')
    .example('tx2pack import world.json small.tx2pack --codec zstd --level best')
    .example('tx2pack import world.json secret.tx2pack --key-file world.key')
    .action((source: unknown, target: unknown, options: ImportOptions) => runImport(pathArgument(source, '<json>'), pathArgument(target, '<out>'), options, outputFor(options)));
}
