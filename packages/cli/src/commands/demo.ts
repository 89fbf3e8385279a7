// `tx2pack demo`: the main job end to end on the built-in reference world — generate, save
// with every codec, read back, verify, checkpoint a simulation, replay it, time-travel in
// it, diff two ticks — and a readable report of what happened and how long it took.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CAC } from 'cac';
import { diff, formatDeltaSummary, getColumn, isPackError, readLayout, snapshotsEqual, summarizeDelta, type PackedSnapshot } from '@tx2/pack-format';
import { CODEC_NAMES, DEFAULT_PACK, packOptions } from '@tx2/pack-codecs';
import { EncryptionKey } from '@tx2/pack-crypto';
import { CheckpointManager, SnapshotReader, SnapshotWriter } from '@tx2/pack-store';
import { ReplayEngine } from '@tx2/pack-replay';
import { TimeTravel } from '@tx2/pack-timetravel';
import { integerOption, type GlobalOptions, type OutputFactory } from '../command.js';
import { checkpointTree } from '../checkpoint-tree.js';
import { ExitCode } from '../errors.js';
import type { Output } from '../output.js';
import { MAX_REFERENCE_ENTITIES, referenceColumns } from '../reference-world.js';
import { simulate } from '../demo-simulation.js';
import { openStoreDirectory } from '../store-directory.js';
import { renderTable } from '../table.js';
import { formatBytes, formatCount, formatMs } from '../units.js';
import { verifyContainer } from './verify.js';
import { readSnapshotFile, writeSnapshotFile } from '@tx2/pack-store/node';

/** Most ticks `demo --ticks` runs (each one writes and checks a checkpoint). */
const MAX_DEMO_TICKS = 10_000;

/** Options of `demo`. */
export interface DemoOptions extends GlobalOptions {
  entities?: unknown;
  ticks?: unknown;
  dir?: string;
}

/** One check of the demo: what was checked and whether it held. */
interface DemoCheck {
  check: string;
  ok: boolean;
}

const DT = 0.1;

function entityOne(packed: PackedSnapshot): [number, number, number] {
  const axis = (name: string): number => getColumn(packed, 'Position', name, 'f32')[0] ?? NaN;
  return [axis('x'), axis('y'), axis('z')];
}

const vec = ([x, y, z]: [number, number, number]): string => `(${x.toFixed(3)}, ${y.toFixed(3)}, ${z.toFixed(3)})`;

/** Runs the demo in `dir`; returns the exit code (0 when every check passed). */
export async function runDemo(options: DemoOptions, output: Output): Promise<number> {
  const entities = options.entities === undefined ? 10_000 : integerOption(options.entities, '--entities', 1, MAX_REFERENCE_ENTITIES);
  const ticks = options.ticks === undefined ? 5 : integerOption(options.ticks, '--ticks', 1, MAX_DEMO_TICKS);
  const keep = typeof options.dir === 'string';
  const dir = keep ? path.resolve(options.dir!) : await mkdtemp(path.join(tmpdir(), 'tx2pack-demo-'));
  if (keep) await mkdir(dir, { recursive: true });
  const started = performance.now();
  const checks: DemoCheck[] = [];
  const check = (name: string, ok: boolean): boolean => {
    checks.push({ check: name, ok });
    return ok;
  };
  const c = output.colors;
  const mark = (ok: boolean): string => (ok ? c.green('ok') : c.red('FAILED'));
  const heading = (text: string): void => {
    output.print();
    output.print(c.bold(text));
  };
  const report: Record<string, unknown> = { entities, ticks, dir: keep ? dir : null };
  try {
    // 1. Generate.
    let t = performance.now();
    const world = referenceColumns(entities);
    const generateMs = performance.now() - t;
    output.print(`${c.bold('tx2pack demo')}: the reference world with ${formatCount(entities)} entities`);
    output.print(`(Position, Velocity: 3 x f32; Health: 2 x f32; values from mulberry32 seeded 42; generated in ${formatMs(generateMs)})`);

    // 2. Save with every codec, read back, compare.
    heading('1. Save with every codec, read back');
    const codecRows: Record<string, unknown>[] = [];
    const progress = output.progress('saving', CODEC_NAMES.length * entities * 8 * 4);
    let plainBytes = 0;
    const files: Record<string, string> = {};
    for (const codec of CODEC_NAMES) {
      const file = path.join(dir, `world-${codec}.tx2pack`);
      files[codec] = file;
      t = performance.now();
      // The library default (zstd level 1) stands for zstd: what a user gets without choosing.
      const isDefault = codec === DEFAULT_PACK.codec;
      const bytes = await (isDefault ? SnapshotWriter.create() : SnapshotWriter.create().withCodec(codec)).encode(world.packed);
      await writeFile(file, bytes);
      const writeMs = performance.now() - t;
      t = performance.now();
      const back = await readSnapshotFile(file);
      const readMs = performance.now() - t;
      if (codec === 'none') plainBytes = bytes.length;
      const same = check(`${codec}: read back identical`, snapshotsEqual(back, world.packed));
      const { level } = await packOptions(isDefault ? {} : { codec });
      codecRows.push({
        codec: codec === 'none' ? codec : `${codec}-${level}`,
        default: isDefault,
        bytes: bytes.length,
        ratio: plainBytes / bytes.length,
        writeMs,
        readMs,
        identical: same,
      });
      progress.advance(entities * 8 * 4);
    }
    progress.finish();
    report.codecs = codecRows;
    output.printLines(
      renderTable(
        [
          { title: 'codec' },
          { title: 'bytes', align: 'right' },
          { title: 'ratio', align: 'right' },
          { title: 'write', align: 'right' },
          { title: 'read', align: 'right' },
          { title: 'identical' },
        ],
        codecRows.map((r) => [
          `${String(r.codec)}${r.default === true ? ' (default)' : ''}`,
          formatCount(r.bytes as number),
          `${(r.ratio as number).toFixed(2)}x`,
          formatMs(r.writeMs as number),
          formatMs(r.readMs as number),
          mark(r.identical as boolean),
        ]),
      ),
    );
    output.print('  (one run each, first use included: codec WebAssembly loads on first use; `tx2pack bench` measures medians)');

    // 3. Verify: intact, a flipped bit, a cut-off file, encryption.
    heading('2. Verify');
    const zstdBytes = await SnapshotWriter.create().encode(world.packed);
    const intact = await verifyContainer('world-zstd.tx2pack', zstdBytes, undefined, output);
    check('intact file verifies', intact.ok);
    output.print(`  intact file         ${mark(intact.ok)}: ${intact.sections.filter((s) => s.ok === true).length} sections, every CRC-32 matches, every section decodes`);
    const layout = readLayout(zstdBytes);
    const damaged = zstdBytes.slice();
    const target = layout.sections[Math.min(3, layout.sections.length - 1)]!;
    damaged[target.offset + 64 + Math.floor(target.descriptor.storedLength / 2)]! ^= 0x10;
    const flipped = await verifyContainer('damaged.tx2pack', damaged, undefined, output);
    check('a flipped bit is detected', !flipped.ok);
    output.print(`  one flipped bit     ${mark(!flipped.ok)}: detected in ${flipped.failure?.section ?? flipped.failure?.check ?? 'nothing'}`);
    const cut = await verifyContainer('cut.tx2pack', zstdBytes.subarray(0, zstdBytes.length - 100), undefined, output);
    check('a truncated file is detected', !cut.ok);
    output.print(`  cut-off file        ${mark(!cut.ok)}: ${cut.failure?.message ?? 'NOT DETECTED'}`);
    const key = EncryptionKey.generate();
    const secretFile = path.join(dir, 'world-encrypted.tx2pack');
    t = performance.now();
    await writeSnapshotFile(secretFile, world.packed, SnapshotWriter.create().withKey(key));
    const encryptMs = performance.now() - t;
    const opened = await readSnapshotFile(secretFile, SnapshotReader.create().withKey(key));
    const rightKey = check('encrypted file opens with its key', snapshotsEqual(opened, world.packed));
    let wrongKey = 'not refused';
    try {
      await readSnapshotFile(secretFile, SnapshotReader.create().withKey(EncryptionKey.generate()));
    } catch (error) {
      wrongKey = isPackError(error) ? `refused (${error.code})` : String(error);
    }
    check('another key is refused', wrongKey.startsWith('refused'));
    output.print(
      `  AES-256-GCM         ${mark(rightKey && wrongKey.startsWith('refused'))}: saved in ${formatMs(encryptMs)}; its key reads it back identical; another key is ${wrongKey}`,
    );
    report.verify = { intact: intact.ok, flippedBitDetectedIn: flipped.failure?.section ?? null, truncatedDetected: !cut.ok, encryptedRoundTrip: rightKey, wrongKey };

    // 4. Checkpoints of a short simulation.
    heading(`3. Checkpoints: ${ticks} ticks of simulation (1% of entities awake per tick: position += velocity * ${DT} s)`);
    const frames = simulate(world, ticks, DT);
    const checkpointDir = path.join(dir, 'checkpoints');
    const manager = new CheckpointManager(checkpointDir);
    t = performance.now();
    for (const frame of frames) await manager.createCheckpoint(`tick-${frame.tick}`, frame.packed);
    const checkpointMs = performance.now() - t;
    const listing = await openStoreDirectory(checkpointDir);
    check('checkpoint chain has every tick', listing.entries.length === frames.length);
    output.print(
      `  ${frames.length} checkpoints saved in ${formatMs(checkpointMs)} (atomic writes, fsync), ${formatBytes(listing.entries.reduce((n, e) => n + e.sizeBytes, 0))} on disk:`,
    );
    for (const { prefix, entry } of checkpointTree(listing.entries)) {
      const storage = entry.checkpoint?.storage;
      const stored = storage?.kind === 'delta' ? `, a delta against ${storage.base}` : storage?.kind === 'full' ? ', full' : '';
      output.print(`    ${prefix}${entry.id}  (t = ${entry.worldTime}, ${formatBytes(entry.sizeBytes)}${stored})`);
    }
    report.checkpoints = listing.entries.map((e) => ({ id: e.id, parent: e.checkpoint?.parent ?? null, worldTime: e.worldTime, bytes: e.sizeBytes }));

    // 5. Replay the chain from disk.
    heading('4. Replay the checkpoints from disk');
    const replay = new ReplayEngine({ cacheSize: 2 });
    await replay.loadFromManager(new CheckpointManager(checkpointDir)); // a fresh manager, as after a restart
    const replayed: Record<string, unknown>[] = [];
    let replayOk = true;
    for await (const frame of replay.frames()) {
      const position = entityOne(frame.snapshot);
      const expected = entityOne(frames[frame.index]!.packed);
      const same = position.every((v, i) => Object.is(v, expected[i]));
      replayOk &&= same;
      replayed.push({ index: frame.index, id: frame.id, worldTime: frame.snapshot.worldTime, entity1: position });
      output.print(`  frame ${frame.index}  ${frame.id.padEnd(8)} t = ${frame.snapshot.worldTime.toFixed(1)}  entity 1 at ${vec(position)}${same ? '' : c.red('  MISMATCH')}`);
    }
    check('replay shows every checkpoint as saved', replayOk && replayed.length === frames.length);
    report.replay = replayed;

    // 6. Time travel.
    heading('5. Time travel');
    const tt = new TimeTravel();
    for (const frame of frames) tt.record(frame.time, frame.packed);
    const moment = Math.round((ticks * DT * 0.55 + DT * 0.04) * 1000) / 1000;
    const near = tt.seekToTime(moment)!;
    const nearest = frames.reduce((best, f) => (Math.abs(f.time - moment) < Math.abs(best.time - moment) ? f : best));
    const seekOk = check('seekToTime finds the nearest recorded moment', near.time === nearest.time && snapshotsEqual(near.snapshot, nearest.packed));
    output.print(`  seek to t = ${moment}: nearest recorded moment t = ${near.time}, entity 1 at ${vec(entityOne(near.snapshot))} ${mark(seekOk)}`);
    const fork = tt.forkAtTime(moment)!;
    getColumn(fork, 'Position', 'x', 'f32')[0] = -9999;
    const forkOk = check('a fork is independent of the history', entityOne(tt.snapshotAtOrBefore(moment)!.snapshot)[0] !== -9999);
    output.print(`  fork at t = ${moment}, move entity 1 in the fork: history unchanged ${mark(forkOk)}`);
    report.timeTravel = { seekTo: moment, found: near.time, entity1: entityOne(near.snapshot), forkIndependent: forkOk };

    // 7. Diff two ticks.
    const last = frames[frames.length - 1]!;
    heading(`6. Diff tick-0 -> tick-${last.tick}`);
    // The moved world as a plain file too, so that `tx2pack diff` can be tried on the kept files.
    await writeFile(path.join(dir, 'world-moved.tx2pack'), await SnapshotWriter.create().encode(last.packed));
    const delta = diff(frames[0]!.packed, last.packed);
    const summary = summarizeDelta(delta);
    for (const line of formatDeltaSummary(summary).split('\n')) output.print(`  ${line}`);
    report.diff = summary;

    const ok = checks.every((x) => x.ok);
    const totalMs = performance.now() - started;
    report.checks = checks;
    report.ok = ok;
    report.totalMs = totalMs;
    output.print();
    output.print(ok ? c.green(`All ${checks.length} checks passed in ${formatMs(totalMs)}.`) : c.red(`${checks.filter((x) => !x.ok).length} of ${checks.length} checks FAILED.`));
    if (keep) output.print(`Files kept in ${dir}: try \`tx2pack inspect ${path.join(dir, 'world-zstd.tx2pack')}\` or \`tx2pack ls ${checkpointDir}\`.`);
    else
      output.print(
        'Next: `tx2pack demo --dir demo-out` keeps the files for `tx2pack inspect demo-out/world-zstd.tx2pack`, `tx2pack ls demo-out/checkpoints`, ... (`tx2pack` is `npx @tx2/pack-cli`; in the tx2-pack repository, `node packages/cli/dist/cli.js`).',
      );
    output.data(report);
    return ok ? ExitCode.Ok : ExitCode.Corrupt;
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}

/** Registers `demo`. */
export function registerDemo(cli: CAC, outputFor: OutputFactory): void {
  cli
    .command('demo', 'Run the main job on the built-in reference world and report what happened')
    .option('--entities <n>', 'entities in the reference world (default 10000)')
    .option('--ticks <n>', 'simulation ticks to checkpoint (default 5)')
    .option('--dir <path>', 'keep the files in this directory (default: a temporary directory, removed afterwards)')
    .example('tx2pack demo')
    .example('tx2pack demo --entities 100000 --dir demo-out')
    .action((options: DemoOptions) => runDemo(options, outputFor(options)));
}
