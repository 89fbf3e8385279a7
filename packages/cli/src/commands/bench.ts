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
import { calibrate, sample, type SampleStats, stats } from '../timing.js';
import { formatCount, formatMs, formatRate } from '../units.js';

/** Most rounds `bench` accepts. */
const MAX_ROUNDS = 1000;
/** Shortest sample: long enough that timer resolution and one scheduler hiccup stay small. */
const MIN_SAMPLE_MS = 10;

/** Options of `bench`. */
export interface BenchOptions extends GlobalOptions {
  entities?: unknown;
  rounds?: unknown;
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
  /** Median milliseconds per write. */
  writeMs: number;
  /** Median milliseconds per read. */
  readMs: number;
  /** Half the interquartile range of the write samples, relative to the median. */
  writeSpread: number;
  readSpread: number;
  /** Samples per median (one per round). */
  samples: number;
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

/** One setting ready to measure: its encoder, its bytes, and how many calls make one sample. */
interface Prepared {
  setting: (typeof BENCH_SETTINGS)[number];
  level: number;
  write: () => Uint8Array;
  read: () => unknown;
  bytes: number;
  writeIterations: number;
  readIterations: number;
  writeSamples: number[];
  readSamples: number[];
}

/**
 * Measures every codec setting on the reference world of `entities` entities: after a warm-up,
 * `rounds` rounds, each taking one write and one read sample of every setting in a rotated
 * order, so that load on a busy machine falls on all settings alike; medians and spreads per setting.
 */
export async function measureCodecs(entities: number, rounds: number, output: Output): Promise<BenchRow[]> {
  const world = referenceColumns(entities);
  const registry = await createCodecRegistry();
  const read: DecodeOptions = { codecs: registry.codecs, filters: registry.filters };
  const prepared: Prepared[] = [];
  for (const s of BENCH_SETTINGS) {
    const options = await packOptions({ codec: s.codec, ...(s.level === undefined ? {} : { level: s.level }), filter: s.filter });
    const encoder = new SnapshotEncoder(options);
    const bytes = encoder.encode(world.packed).slice();
    const x = getColumn(decodeSnapshot(bytes, read), 'Position', 'x', 'f32');
    // A benchmark of a codec that loses data would be meaningless: check before measuring.
    if (!x.every((v, i) => Object.is(v, world.position.x[i])))
      throw new CliError(`${s.setting} did not read back the values it wrote (a bug: please report it)`, ExitCode.Internal);
    const write = () => encoder.encode(world.packed);
    const readBack = () => decodeSnapshot(bytes, read);
    // Calibrating also warms up: codec WebAssembly and the JIT are ready before the first sample.
    prepared.push({
      setting: s,
      level: options.level,
      write,
      read: readBack,
      bytes: bytes.length,
      writeIterations: calibrate(write, MIN_SAMPLE_MS),
      readIterations: calibrate(readBack, MIN_SAMPLE_MS),
      writeSamples: [],
      readSamples: [],
    });
  }
  const progress = output.progress('measuring codecs', rounds, { plural: 'rounds' });
  try {
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < prepared.length; k++) {
        const p = prepared[(round + k) % prepared.length]!;
        p.writeSamples.push(sample(p.write, p.writeIterations));
        p.readSamples.push(sample(p.read, p.readIterations));
      }
      progress.advance(1);
    }
  } finally {
    progress.finish();
  }
  const plain = prepared[0]!.bytes;
  return prepared.map((p): BenchRow => {
    const write: SampleStats = stats(p.writeSamples);
    const readStats: SampleStats = stats(p.readSamples);
    return {
      setting: p.setting.setting,
      codec: p.setting.codec,
      level: p.level,
      filter: p.setting.filter,
      bytes: p.bytes,
      ratio: plain / p.bytes,
      writeMs: write.median,
      readMs: readStats.median,
      writeSpread: write.spread,
      readSpread: readStats.spread,
      samples: write.samples,
    };
  });
}

const percent = (spread: number): string => `±${(spread * 100).toFixed(spread < 0.1 ? 1 : 0)}%`;

/** The bench table as text lines. */
export function renderBenchTable(rows: readonly BenchRow[]): string[] {
  return renderTable(
    [
      { title: 'codec' },
      { title: 'filters' },
      { title: 'bytes', align: 'right' },
      { title: 'ratio', align: 'right' },
      { title: 'write', align: 'right' },
      { title: '', align: 'right' },
      { title: 'read', align: 'right' },
      { title: '', align: 'right' },
      { title: 'write rate', align: 'right' },
      { title: 'read rate', align: 'right' },
    ],
    rows.map((r) => [
      r.setting,
      r.filter,
      formatCount(r.bytes),
      `${r.ratio.toFixed(2)}x`,
      formatMs(r.writeMs),
      percent(r.writeSpread),
      formatMs(r.readMs),
      percent(r.readSpread),
      formatRate(rows[0]!.bytes, r.writeMs),
      formatRate(rows[0]!.bytes, r.readMs),
    ]),
  );
}

/** The machine a measurement ran on, and how busy it was. */
function machineInfo(): { cpu: string; cores: number; node: string; platform: string; loadAverage: number[] } {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** Runs `bench`; returns the exit code. */
export async function runBench(options: BenchOptions, output: Output): Promise<number> {
  const entities = options.entities === undefined ? 10_000 : integerOption(options.entities, '--entities', 1, MAX_REFERENCE_ENTITIES);
  const rounds = options.rounds === undefined ? 15 : integerOption(options.rounds, '--rounds', 1, MAX_ROUNDS);
  const before = machineInfo();
  const rows = await measureCodecs(entities, rounds, output);
  const machine = { ...before, loadAverageAfter: machineInfo().loadAverage };
  if (output.json) {
    output.data({ entities, rounds, minSampleMs: MIN_SAMPLE_MS, machine, rows });
    return ExitCode.Ok;
  }
  const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');
  output.print(`Reference world: ${formatCount(entities)} entities (Position, Velocity: 3 x f32; Health: 2 x f32; mulberry32 seed 42)`);
  output.print(`Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (${machine.platform})`);
  output.print(`Load average (1, 5, 15 min): ${load(machine.loadAverage)} before, ${load(machine.loadAverageAfter)} after`);
  if (Math.max(machine.loadAverage[0]!, machine.loadAverageAfter[0]!) > machine.cores) {
    output.warn(`the machine was busy (load above its ${machine.cores} cores): times are slower than on an idle machine; the ratios between codecs stay fair`);
  }
  output.print();
  output.printLines(renderBenchTable(rows));
  output.print();
  output.print(`Medians of ${rounds} rounds (± half the interquartile range); each round samples every setting once, in rotated order, each sample at least ${MIN_SAMPLE_MS} ms.`);
  output.print('write = SnapshotEncoder.encode (CRC-32 on); read = decodeSnapshot with checksum verification; ratio = "none" bytes / bytes;');
  output.print('rates are of the uncompressed container. Full methodology: benchmarks/README.md (`pnpm bench:codecs`).');
  return ExitCode.Ok;
}

/** Registers `bench`. */
export function registerBench(cli: CAC, outputFor: OutputFactory): void {
  cli
    .command('bench', 'Measure every codec on the reference world here: bytes, ratio, median write and read times with their spread, machine and load')
    .option('--entities <n>', 'entities in the reference world (default 10000)')
    .option('--rounds <n>', 'rounds of samples, every codec once per round (default 15; more for steadier medians)')
    .example('tx2pack bench')
    .example('tx2pack bench --entities 100000 --rounds 31 --json')
    .action((options: BenchOptions) => runBench(options, outputFor(options)));
}
