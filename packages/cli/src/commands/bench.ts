// `tx2pack bench`: the codec table of the reference world, measured on this machine.
import os from 'node:os';
import type { CAC } from 'cac';
import { decodeSnapshot, getColumn, SnapshotEncoder, type DecodeOptions } from '@tx2/pack-format';
import { createCodecRegistry, packOptions, type CodecName } from '@tx2/pack-codecs';
import { integerOption, type GlobalOptions, type OutputFactory } from '../command.js';
import { CliError, ExitCode } from '../errors.js';
import type { Output } from '../output.js';
import { MAX_REFERENCE_ENTITIES, referenceColumns } from '../reference-world.js';
import { renderTable } from '../table.js';

/** Longest time budget of one `bench` measurement, in milliseconds. */
const MAX_BENCH_TIME_MS = 60_000;
import { timeMedian } from '../timing.js';
import { formatCount, formatMs, formatRate } from '../units.js';

/** Options of `bench`. */
export interface BenchOptions extends GlobalOptions {
  entities?: unknown;
  time?: unknown;
}

/** One measured codec setting. */
export interface BenchRow {
  setting: string;
  codec: CodecName;
  level: number;
  filter: 'auto' | 'none';
  bytes: number;
  /** Bytes of the uncompressed container / bytes of this one. */
  ratio: number;
  writeMs: number;
  readMs: number;
}

/** The settings measured: the same rows as benchmarks/results/codecs-latest.md. */
export const BENCH_SETTINGS: readonly { setting: string; codec: CodecName; level?: number; filter: 'auto' | 'none' }[] = [
  { setting: 'none', codec: 'none', filter: 'none' },
  { setting: 'lz4-1', codec: 'lz4', level: 1, filter: 'auto' },
  { setting: 'zstd-1 (default)', codec: 'zstd', level: 1, filter: 'auto' },
  { setting: 'zstd-3', codec: 'zstd', level: 3, filter: 'auto' },
  { setting: 'zstd-19', codec: 'zstd', level: 19, filter: 'auto' },
  { setting: 'deflate-6', codec: 'deflate', level: 6, filter: 'auto' },
  { setting: 'gzip-6', codec: 'gzip', level: 6, filter: 'auto' },
];

/** Measures every codec setting on the reference world of `entities` entities, `budgetMs` per measurement. */
export async function measureCodecs(entities: number, budgetMs: number, output: Output): Promise<BenchRow[]> {
  const world = referenceColumns(entities);
  const registry = await createCodecRegistry();
  const read: DecodeOptions = { codecs: registry.codecs, filters: registry.filters };
  // Progress in bytes of world data measured (each setting encodes and decodes the whole world).
  const worldBytes = entities * 8 * 4;
  const progress = output.progress('measuring codecs', BENCH_SETTINGS.length * worldBytes);
  const rows: BenchRow[] = [];
  for (const s of BENCH_SETTINGS) {
    const options = await packOptions({ codec: s.codec, ...(s.level === undefined ? {} : { level: s.level }), filter: s.filter });
    const encoder = new SnapshotEncoder(options);
    const write = timeMedian(() => encoder.encode(world.packed), budgetMs);
    const bytes = write.result.slice();
    const decoded = timeMedian(() => decodeSnapshot(bytes, read), budgetMs);
    const x = getColumn(decoded.result, 'Position', 'x', 'f32');
    // A benchmark of a codec that loses data would be meaningless: check before reporting.
    if (!x.every((v, i) => Object.is(v, world.position.x[i])))
      throw new CliError(`${s.setting} did not read back the values it wrote (a bug: please report it)`, ExitCode.Internal);
    rows.push({ setting: s.setting, codec: s.codec, level: options.level, filter: s.filter, bytes: bytes.length, ratio: 0, writeMs: write.ms, readMs: decoded.ms });
    progress.advance(worldBytes);
  }
  progress.finish();
  const plain = rows[0]!.bytes;
  for (const row of rows) row.ratio = plain / row.bytes;
  return rows;
}

/** The bench table as text lines. */
export function renderBenchTable(rows: readonly BenchRow[]): string[] {
  return renderTable(
    [
      { title: 'codec' },
      { title: 'filters' },
      { title: 'bytes', align: 'right' },
      { title: 'ratio', align: 'right' },
      { title: 'write', align: 'right' },
      { title: 'read', align: 'right' },
      { title: 'write rate', align: 'right' },
      { title: 'read rate', align: 'right' },
    ],
    rows.map((r) => [
      r.setting,
      r.filter,
      formatCount(r.bytes),
      `${r.ratio.toFixed(2)}x`,
      formatMs(r.writeMs),
      formatMs(r.readMs),
      formatRate(rows[0]!.bytes, r.writeMs),
      formatRate(rows[0]!.bytes, r.readMs),
    ]),
  );
}

/** Runs `bench`; returns the exit code. */
export async function runBench(options: BenchOptions, output: Output): Promise<number> {
  const entities = options.entities === undefined ? 10_000 : integerOption(options.entities, '--entities', 1, MAX_REFERENCE_ENTITIES);
  const budgetMs = options.time === undefined ? 300 : integerOption(options.time, '--time', 1, MAX_BENCH_TIME_MS);
  const rows = await measureCodecs(entities, budgetMs, output);
  const machine = { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), node: process.version, platform: `${process.platform}-${process.arch}` };
  if (output.json) {
    output.data({ entities, budgetMs, machine, rows });
    return ExitCode.Ok;
  }
  output.print(`Reference world: ${formatCount(entities)} entities (Position, Velocity: 3 x f32; Health: 2 x f32; mulberry32 seed 42)`);
  output.print(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (${machine.platform}); median of ${budgetMs} ms per measurement`);
  output.print();
  output.printLines(renderBenchTable(rows));
  output.print();
  output.print('write = SnapshotEncoder.encode (CRC-32 on); read = decodeSnapshot with checksum verification; ratio = "none" bytes / bytes;');
  output.print('rates are of the uncompressed container. Full methodology: benchmarks/README.md (`pnpm bench:codecs`).');
  return ExitCode.Ok;
}

/** Registers `bench`. */
export function registerBench(cli: CAC, outputFor: OutputFactory): void {
  cli
    .command('bench', 'Measure every codec on the reference world here: bytes, ratio, write and read times')
    .option('--entities <n>', 'entities in the reference world (default 10000)')
    .option('--time <ms>', 'time budget of each measurement in milliseconds (default 300)')
    .example('tx2pack bench')
    .example('tx2pack bench --entities 100000 --json')
    .action((options: BenchOptions) => runBench(options, outputFor(options)));
}
