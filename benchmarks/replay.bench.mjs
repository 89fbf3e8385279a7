// Benchmarks of @tx2/pack-replay.
//
//   pnpm bench:replay                   (repo root)
//   pnpm bench:replay --checkpoints 1000 --entities 10000 --big-checkpoints 10000 --big-entities 100000 --big-steps 10000
//
// 1. From disk: a CheckpointManager over a NodeFsBackend in a temporary directory, written
//    with SnapshotWriter zstd-3; `checkpoints` checkpoints of the `entities`-entity reference
//    world. The ReplayEngine (cacheSize 4, prefetch on) steps forward through all of them, then
//    backward: frames per second and peak memory (rss and JS-held heap + array buffers, over
//    the baseline after a GC) while stepping.
// 2. Lazy memory at scale: `big-checkpoints` checkpoints of the `big-entities`-entity world,
//    served by a source whose every load decodes a zstd-3 encoding of the world (a fresh
//    snapshot per load, as from disk, without writing gigabytes to disk). The engine steps
//    through `big-steps` of them; peak memory is compared with the decoded size of one world.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { ReplayEngine } from '@tx2/pack-replay';
import { CheckpointManager, SnapshotReader, SnapshotStore, SnapshotWriter } from '@tx2/pack-store';
import { NodeFsBackend } from '@tx2/pack-store/node';

import { machineLine, MemorySampler, writeResults } from './bench-env.mjs';
import { referenceColumns } from './world.mjs';

const { values: args } = parseArgs({
  options: {
    checkpoints: { type: 'string', default: '1000' },
    entities: { type: 'string', default: '10000' },
    'big-checkpoints': { type: 'string', default: '10000' },
    'big-entities': { type: 'string', default: '100000' },
    'big-steps': { type: 'string', default: '10000' },
    'no-write': { type: 'boolean', default: false },
  },
});
const num = (s) => Number(s.replace(/_/g, ''));
const CHECKPOINTS = num(args.checkpoints);
const ENTITIES = num(args.entities);
const BIG_CHECKPOINTS = num(args['big-checkpoints']);
const BIG_ENTITIES = num(args['big-entities']);
const BIG_STEPS = Math.min(num(args['big-steps']), BIG_CHECKPOINTS);
const mib = (b) => (b / 2 ** 20).toFixed(1);
const decodedBytes = (p) => p.entities.byteLength + p.components.reduce((s, c) => s + c.entityIds.byteLength + c.fields.reduce((t, f) => t + f.values.byteLength, 0), 0);

async function stepAll(engine, direction) {
  const sampler = new MemorySampler();
  const start = performance.now();
  let frames = 0;
  for await (const frame of engine.frames({ direction, from: direction === 'forward' ? 0 : engine.length - 1 })) {
    if (frame.snapshot.entities.length === 0) throw new Error('empty frame');
    frames++;
    if (frames % 50 === 0) sampler.sample();
  }
  const ms = performance.now() - start;
  return { frames, ms, fps: (frames * 1000) / ms, ...sampler.stop() };
}

const lines = [`# @tx2/pack-replay benchmark results (latest run)`, '', machineLine(), ''];
const log = (s) => {
  console.log(s);
  lines.push(s);
};

// 1. From disk, zstd-3.
{
  const { packed } = referenceColumns(ENTITIES);
  const dir = mkdtempSync(join(os.tmpdir(), 'tx2-replay-bench-'));
  try {
    const writer = SnapshotWriter.create().withCodec('zstd', 3);
    const manager = new CheckpointManager(new SnapshotStore(new NodeFsBackend(dir), { writer }));
    const t0 = performance.now();
    for (let i = 0; i < CHECKPOINTS; i++) {
      packed.worldTime = i;
      await manager.createCheckpoint(`tick-${String(i).padStart(6, '0')}`, packed);
      if (i % 100 === 99) console.error(`  wrote ${i + 1}/${CHECKPOINTS} checkpoints`);
    }
    const writeMs = performance.now() - t0;
    const engine = new ReplayEngine({ cacheSize: 4 });
    await engine.loadFromManager(manager);
    const one = decodedBytes((await engine.current()).snapshot);
    const fwd = await stepAll(engine, 'forward');
    const back = await stepAll(engine, 'backward');
    log(`## Replay from disk: ${CHECKPOINTS.toLocaleString('en')} checkpoints of the ${ENTITIES.toLocaleString('en')}-entity reference world, zstd-3`);
    log('');
    log(
      `CheckpointManager over NodeFsBackend (durable saves), written in ${(writeMs / 1000).toFixed(1)} s. ReplayEngine cacheSize 4, prefetch on; one decoded world = ${mib(one)} MiB, all ${CHECKPOINTS} would be ${mib(one * CHECKPOINTS)} MiB.`,
    );
    log('');
    log('| direction | frames | total (s) | frames/s | ms/frame | peak rss over baseline (MiB) | peak heap+arrayBuffers over baseline (MiB) |');
    log('|---|---:|---:|---:|---:|---:|---:|');
    for (const [name, r] of [
      ['forward', fwd],
      ['backward', back],
    ]) {
      log(
        `| ${name} | ${r.frames} | ${(r.ms / 1000).toFixed(2)} | ${r.fps.toFixed(0)} | ${(r.ms / r.frames).toFixed(2)} | ${r.peakRssMiB.toFixed(1)} | ${r.peakHeldMiB.toFixed(1)} |`,
      );
    }
    log('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// 2. Lazy memory at scale.
{
  const { packed } = referenceColumns(BIG_ENTITIES);
  const bytes = await SnapshotWriter.create().withCodec('zstd', 3).encode(packed);
  const one = decodedBytes(packed);
  const reader = SnapshotReader.create();
  let loads = 0;
  const source = {
    async listCheckpoints() {
      return Array.from({ length: BIG_CHECKPOINTS }, (_, i) => ({ id: `c${i}` }));
    },
    async loadCheckpoint(id) {
      loads++;
      const snapshot = await reader.decode(bytes);
      snapshot.worldTime = Number(id.slice(1));
      return { snapshot };
    },
  };
  const engine = new ReplayEngine({ cacheSize: 4 });
  await engine.loadFromManager(source);
  const sampler = new MemorySampler();
  const start = performance.now();
  let frames = 0;
  for await (const frame of engine.frames({ from: 0 })) {
    if (frame.snapshot.worldTime !== frame.index) throw new Error('wrong frame');
    if (++frames >= BIG_STEPS) break;
    if (frames % 20 === 0) sampler.sample();
    if (frames % 1000 === 0) console.error(`  stepped ${frames}/${BIG_STEPS}`);
  }
  const ms = performance.now() - start;
  const mem = sampler.stop();
  log(
    `## Lazy replay at scale: ${BIG_CHECKPOINTS.toLocaleString('en')} checkpoints of the ${BIG_ENTITIES.toLocaleString('en')}-entity world, ${BIG_STEPS.toLocaleString('en')} stepped`,
  );
  log('');
  log(
    `Each load decodes a ${mib(bytes.byteLength)} MiB zstd-3 encoding into a fresh ${mib(one)} MiB snapshot (in memory, not from disk). Holding every checkpoint would take ${mib(one * BIG_CHECKPOINTS)} MiB.`,
  );
  log('');
  log('| frames | loads | total (s) | frames/s | peak rss over baseline (MiB) | peak heap+arrayBuffers over baseline (MiB) | = decoded worlds |');
  log('|---:|---:|---:|---:|---:|---:|---:|');
  log(
    `| ${frames} | ${loads} | ${(ms / 1000).toFixed(1)} | ${((frames * 1000) / ms).toFixed(0)} | ${mem.peakRssMiB.toFixed(1)} | ${mem.peakHeldMiB.toFixed(1)} | ${(mem.peakHeldMiB / (one / 2 ** 20)).toFixed(1)} |`,
  );
  log('');
}

if (!args['no-write']) console.error(`wrote ${writeResults('replay', `${lines.join('\n')}\n`)}`);
