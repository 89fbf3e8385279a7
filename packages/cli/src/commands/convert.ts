// `tx2pack convert <in> <out>`: change codec and level, encrypt, decrypt, re-key.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CAC } from 'cac';
import { codecName, ContainerKind, DEFAULT_CHUNK_BYTES, decodeDelta, decodeSnapshot, encodeDelta, encodeSnapshot, encodeSnapshotStream, readHeader } from '@tx2/pack-format';
import { readOptions, type CodecName } from '@tx2/pack-codecs';
import { addDigest, decryptSnapshot, deriveKeyForSnapshot, encryptionInfo, encryptSnapshot, type EncryptionKeyInput } from '@tx2/pack-crypto';
import { keyOptions, pathArgument, withKeyOptions, type GlobalOptions, type OutputFactory } from '../command.js';
import { codecOptionsGiven, encodeOptionsFrom, withCodecOptions, type CodecOptions } from '../encode-options.js';
import { countingCodec, rawColumnBytes } from '../encode-progress.js';
import { ExitCode, usageError } from '../errors.js';
import { decryptionKey, encryptionKey, hasKey, keyRequired, NEW_PASSPHRASE_ENV, type KeyOptions } from '../keys.js';
import type { Output } from '../output.js';
import { inFile, readPlainSnapshot, readSnapshotFile, writeFileAtomic, writePiecesAtomic, type SnapshotFile } from '../snapshot-file.js';
import { formatBytes } from '../units.js';

/** Options of `convert`. */
export interface ConvertOptions extends GlobalOptions, CodecOptions {
  keyFile?: string;
  passphrase?: boolean;
  newKeyFile?: string;
  newPassphrase?: boolean;
  decrypt?: boolean;
  digest?: boolean;
  force?: boolean;
}

/** The input's plain container and, when it was encrypted, the key that opened it (reusable to encrypt again). */
async function openInput(file: SnapshotFile, keys: KeyOptions, output: Output): Promise<{ plain: Uint8Array; key: EncryptionKeyInput | undefined }> {
  if (file.encryption === undefined) return { plain: file.bytes, key: undefined };
  if (!hasKey(keys)) throw keyRequired(file.path, file.encryption.fingerprint, file.encryption.kdf !== undefined);
  const given = await decryptionKey(keys, output);
  // Derive a passphrase key once, with this file's salt: it opens the input and can seal the output.
  const key = given !== undefined && 'passphrase' in given ? await inFile(file.path, () => deriveKeyForSnapshot(file.bytes, given.passphrase)) : (given as EncryptionKeyInput);
  return { plain: await inFile(file.path, () => decryptSnapshot(file.bytes, key)), key };
}

/** Re-encodes a plain container with new codec options (snapshots and deltas alike), with a progress report over what the codec compresses. */
async function reencode(plain: Uint8Array, options: CodecOptions, source: string, output: Output): Promise<Uint8Array> {
  const header = readHeader(plain);
  const encode = await encodeOptionsFrom(options, codecName(header.codec) as CodecName);
  return inFile(source, async () => {
    const read = await readOptions({ bytes: plain });
    if (header.kind === ContainerKind.Delta) {
      const progress = output.progress(`encoding with ${encode.codecName}`, 0);
      try {
        return encodeDelta(decodeDelta(plain, read), { ...encode, codec: countingCodec(encode.codec, progress) });
      } finally {
        progress.finish();
      }
    }
    const packed = decodeSnapshot(plain, read);
    const progress = output.progress(`encoding with ${encode.codecName}`, rawColumnBytes(packed));
    try {
      return encodeSnapshot(packed, { ...encode, codec: countingCodec(encode.codec, progress) });
    } finally {
      progress.finish();
    }
  });
}

/**
 * Converts a plain snapshot to another codec without holding either file whole: sections are read
 * as the encoder needs them and the output is written one column chunk at a time. Undefined when
 * the input is encrypted or a delta (the whole-file route handles those).
 */
async function convertStreaming(input: string, target: string, options: ConvertOptions, output: Output): Promise<number | undefined> {
  const read = await readPlainSnapshot(input, output);
  if (read === undefined) return undefined;
  const encode = await encodeOptionsFrom(options, codecName(read.header.codec) as CodecName);
  const progress = output.progress(`writing ${path.basename(target)} (${encode.codecName})`, rawColumnBytes(read.packed));
  let written: number;
  try {
    const counted = { ...encode, codec: countingCodec(encode.codec, progress), chunkBytes: DEFAULT_CHUNK_BYTES };
    written = await inFile(input, () => writePiecesAtomic(target, encodeSnapshotStream(read.packed, counted)));
  } finally {
    progress.finish();
  }
  const beforeCodec = codecName(read.header.codec);
  const result = {
    input,
    output: target,
    inputBytes: read.size,
    outputBytes: written,
    codec: { before: beforeCodec, after: encode.codecName },
    encrypted: { before: false, after: false },
    keyFingerprint: null,
    digest: false,
  };
  if (output.json) output.data(result);
  else output.print(`wrote ${output.colors.bold(target)}: ${formatBytes(read.size)} -> ${formatBytes(written)}, codec ${beforeCodec} -> ${encode.codecName}, plain`);
  return ExitCode.Ok;
}

/** Runs `convert`; returns the exit code. */
export async function runConvert(input: string, target: string, options: ConvertOptions, output: Output): Promise<number> {
  const inputKeys = keyOptions(options);
  const newKeys: KeyOptions = keyOptions({ keyFile: options.newKeyFile, passphrase: options.newPassphrase });
  if (options.decrypt === true && hasKey(newKeys)) throw usageError('--decrypt writes a plain file: drop --new-key-file / --new-passphrase, or drop --decrypt to re-key');
  if (existsSync(target) && options.force !== true) throw usageError(`${target} exists: pass --force to replace it`);
  // A plain snapshot changing codec only: streamed.
  if (codecOptionsGiven(options) && !hasKey(inputKeys) && !hasKey(newKeys) && options.decrypt !== true && options.digest !== true) {
    const code = await convertStreaming(input, target, options, output);
    if (code !== undefined) return code;
  }
  const file = await readSnapshotFile(input, output);
  if (options.decrypt === true && file.encryption === undefined) throw usageError(`${input} is not encrypted: there is nothing to decrypt (drop --decrypt)`);

  let { plain, key: inputKey } = await openInput(file, file.encryption === undefined ? {} : inputKeys, output);
  const beforeCodec = codecName(readHeader(plain).codec);
  if (codecOptionsGiven(options)) plain = await reencode(plain, options, input, output);

  // The output's key: a new one, the input's (kept unless --decrypt), or for a plain input the one given to encrypt with.
  let outputKey: EncryptionKeyInput | undefined;
  if (hasKey(newKeys)) outputKey = await encryptionKey(newKeys, output, { keyFile: '--new-key-file', passphrase: '--new-passphrase', env: NEW_PASSPHRASE_ENV });
  else if (options.decrypt === true) outputKey = undefined;
  else if (file.encryption !== undefined) outputKey = inputKey;
  else if (hasKey(inputKeys)) outputKey = await encryptionKey(inputKeys, output);

  let bytes: Uint8Array;
  if (outputKey !== undefined) bytes = await encryptSnapshot(plain, outputKey, { digest: options.digest === true || file.encryption?.digest === true });
  else {
    bytes = plain === file.bytes ? plain.slice() : plain;
    if (options.digest === true) await addDigest(bytes);
  }
  await writeFileAtomic(target, bytes);

  const info = encryptionInfo(bytes);
  const afterCodec = codecName(readHeader(bytes).codec);
  const result = {
    input,
    output: target,
    inputBytes: file.bytes.length,
    outputBytes: bytes.length,
    codec: { before: beforeCodec, after: afterCodec },
    encrypted: { before: file.encryption !== undefined, after: info !== undefined },
    keyFingerprint: info?.fingerprint ?? null,
    digest: info?.digest ?? options.digest === true,
  };
  if (output.json) output.data(result);
  else {
    const encryption = info === undefined ? 'plain' : `encrypted, key fingerprint ${info.fingerprint}`;
    output.print(
      `wrote ${output.colors.bold(target)}: ${formatBytes(result.inputBytes)} -> ${formatBytes(result.outputBytes)}, codec ${beforeCodec} -> ${afterCodec}, ${encryption}`,
    );
  }
  return ExitCode.Ok;
}

/** Registers `convert`. */
export function registerConvert(cli: CAC, outputFor: OutputFactory): void {
  const command = cli.command('convert <in> <out>', 'Change codec and level, encrypt, decrypt or re-key a .tx2pack file (written atomically)');
  withCodecOptions(withKeyOptions(command), 'default: keep the input codec')
    .option('--new-key-file <path>', 'encrypt the output with this key (re-key an encrypted input)')
    .option('--new-passphrase', `encrypt the output with a passphrase from ${NEW_PASSPHRASE_ENV}, or prompted for twice`)
    .option('--decrypt', 'write the output without encryption')
    .option('--digest', 'store a SHA-256 digest of the whole file in its trailer')
    .option('--force', 'replace <out> when it exists')
    .example('tx2pack convert world.tx2pack small.tx2pack --codec zstd --level best')
    .example('tx2pack keygen world.key && tx2pack convert world.tx2pack secret.tx2pack --key-file world.key')
    .example('tx2pack convert secret.tx2pack plain.tx2pack --key-file world.key --decrypt')
    .example('tx2pack convert secret.tx2pack rekeyed.tx2pack --key-file old.key --new-key-file new.key')
    .action((input: unknown, target: unknown, options: ConvertOptions) => runConvert(pathArgument(input, '<in>'), pathArgument(target, '<out>'), options, outputFor(options)));
}
