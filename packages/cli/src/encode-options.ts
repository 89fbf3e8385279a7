// The codec options of commands that write snapshots (--codec, --level, --filter, --no-checksums).
import type { Command } from 'cac';
import { type EncodeOptions, isPackError } from '@tx2/pack-format';
import { packOptions, type CodecName } from '@tx2/pack-codecs';
import { codecOption, filterOption, levelOption } from './command.js';
import { usageError } from './errors.js';

/** The parsed codec options of a command. */
export interface CodecOptions {
  codec?: unknown;
  level?: unknown;
  filter?: unknown;
  checksums?: boolean;
}

/** Adds --codec, --level, --filter and --no-checksums to a command. */
export function withCodecOptions(command: Command, defaultText: string): Command {
  return command
    .option('--codec <name>', `compression: none, lz4, zstd, deflate or gzip (${defaultText})`)
    .option('--level <level>', 'codec level: a number, or fast, default or best')
    .option('--filter <filter>', 'column filter before compression: auto, none, shuffle or delta (default auto)')
    .option('--no-checksums', 'do not store a CRC-32 per section (stored by default)');
}

/** True when any codec option was given (so the file must be re-encoded). */
export function codecOptionsGiven(options: CodecOptions): boolean {
  return options.codec !== undefined || options.level !== undefined || options.filter !== undefined || options.checksums === false;
}

/** Encode options from the parsed flags; `fallbackCodec` is used when --codec is absent. */
export async function encodeOptionsFrom(options: CodecOptions, fallbackCodec?: CodecName): Promise<EncodeOptions & { level: number; codecName: CodecName }> {
  const codec = options.codec === undefined ? fallbackCodec : codecOption(options.codec);
  const level = options.level === undefined ? undefined : levelOption(options.level);
  const filter = options.filter === undefined ? undefined : filterOption(options.filter);
  try {
    const encode = await packOptions({
      ...(codec === undefined ? {} : { codec }),
      ...(level === undefined ? {} : { level }),
      ...(filter === undefined ? {} : { filter }),
      ...(options.checksums === false ? { checksums: false } : {}),
    });
    return { ...encode, codecName: encode.codec.name as CodecName };
  } catch (error) {
    // resolveLevel throws an InvalidInput PackError naming the codec's valid levels.
    if (isPackError(error, 'InvalidInput') && error.details.level !== undefined) throw usageError(`--level: ${error.message}`);
    throw error;
  }
}
