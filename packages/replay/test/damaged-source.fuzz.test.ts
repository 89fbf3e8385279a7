// Crash campaign on the replay engine: replays loaded from checkpoint stores whose records
// and snapshot bytes are damaged, hostile checkpoint sources (sparse lists, wrong types,
// throwing getters) and hostile navigation arguments. Every step either works or throws a
// PackError with a known code and a message. Seeded, bounded runs (fast-check, fixed seed).
import { createPackedSnapshot, type PackedSnapshot, PackErrorCode } from '@tx2/pack-format';
import { CheckpointManager, MemoryBackend } from '@tx2/pack-store';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { throwsOnlyPackErrors } from '../../../test-support/pack-errors.js';
import { type CheckpointSource, ReplayEngine } from '../src/index.js';

// A longer local campaign: TX2_FUZZ_RUNS=5000 TX2_FUZZ_SEED=<n> npx vitest run test/damaged-source.fuzz.test.ts
const SEED = Number(globalThis.process?.env.TX2_FUZZ_SEED ?? 20_261_203);
const RUNS = Number(globalThis.process?.env.TX2_FUZZ_RUNS ?? 40);
const CODES = new Set<string>(Object.values(PackErrorCode));

/** Runs `run`; a thrown value must be a PackError with a known code. Answers whether it threw. */
const survives = (label: string, run: () => unknown): Promise<boolean> => throwsOnlyPackErrors(label, run, CODES);

/** A moving world at step `t`: positions drift linearly, so checkpoints become (predicted) deltas. */
function world(t: number): PackedSnapshot {
  const n = 16;
  return createPackedSnapshot({
    entities: Uint32Array.from({ length: n }, (_, i) => i + 1),
    worldTime: t,
    components: [
      { id: 'Position', fields: { x: Float32Array.from({ length: n }, (_, i) => i * 10 + t * 0.25), y: Float32Array.from({ length: n }, (_, i) => -i + t * 0.5) } },
      { id: 'Health', fields: { hp: Float64Array.from({ length: n }, (_, i) => (i * 7 + t) % 100) } },
    ],
  });
}

async function storedRun(): Promise<Map<string, Uint8Array>> {
  const backend = new MemoryBackend();
  const manager = new CheckpointManager(backend, { incremental: { fullEvery: 8, maxDeltaRatio: Number.POSITIVE_INFINITY } });
  for (let t = 0; t < 5; t++) await manager.createCheckpoint(`c${t}`, world(t));
  const files = new Map<string, Uint8Array>();
  for (const key of await backend.list()) files.set(key, (await backend.get(key))!);
  return files;
}

/** Loads the replay from `source` and walks it every way: forward, backward, seeks, frames, a looped step. */
async function walk(source: CheckpointSource, label: string): Promise<void> {
  for (const prefetch of [false, true]) {
    const engine = new ReplayEngine({ prefetch, cacheSize: 2 });
    if (await survives(`${label}: loadFromManager`, () => engine.loadFromManager(source))) continue;
    const n = engine.length;
    await survives(`${label}: current`, () => engine.current());
    for (let i = 0; i < n; i++) await survives(`${label}: next ${i}`, () => engine.next());
    for (let i = 0; i < n; i++) await survives(`${label}: previous ${i}`, () => engine.previous());
    for (let i = n - 1; i >= 0; i--) await survives(`${label}: seek ${i}`, () => engine.seek(i));
    await survives(`${label}: seekToEnd`, () => engine.seekToEnd());
    await survives(`${label}: seekToStart`, () => engine.seekToStart());
    await survives(`${label}: frames`, async () => {
      for await (const _ of engine.frames({ from: 0 }));
    });
    await survives(`${label}: frames backward`, async () => {
      for await (const _ of engine.frames({ direction: 'backward' }));
    });
    engine.loop = true;
    await survives(`${label}: looped next`, () => engine.next());
  }
}

describe('replays of damaged checkpoint stores', () => {
  it('flipped, cut and extended snapshot bytes and record files: only PackErrors', async () => {
    const files = await storedRun();
    const keys = [...files.keys()].sort();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...keys), fc.nat(), fc.constantFrom('cut', 'flip', 'extend'), fc.integer({ min: 1, max: 255 }), async (key, at, how, byte) => {
        const bytes = files.get(key)!;
        const i = at % bytes.length;
        const damaged =
          how === 'cut'
            ? bytes.subarray(0, i)
            : how === 'flip'
              ? Uint8Array.from(bytes, (b, j) => (j === i ? b ^ byte : b))
              : Uint8Array.from([...bytes, ...new Uint8Array(1 + (at % 200)).fill(byte)]);
        const backend = new MemoryBackend();
        for (const [k, v] of files) await backend.put(k, k === key ? damaged : v);
        await walk(new CheckpointManager(backend, { cacheSize: 0 }), `${how} ${key} at ${i} (${byte})`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 120_000);

  it('a checkpoint deleted under the replay, or its base: PackErrors on the frames that need it', async () => {
    const files = await storedRun();
    for (const gone of [...files.keys()]) {
      const backend = new MemoryBackend();
      for (const [k, v] of files) await backend.put(k, v);
      const manager = new CheckpointManager(backend, { cacheSize: 0 });
      const engine = new ReplayEngine({ prefetch: false });
      await engine.loadFromManager(manager);
      await backend.delete(gone);
      for (let i = 0; i < engine.length; i++) await survives(`${gone} deleted: seek ${i}`, () => engine.seek(i));
    }
  }, 60_000);
});

describe('hostile checkpoint sources', () => {
  const good = (id: string) => Promise.resolve({ snapshot: world(Number(id.slice(1)) || 0) });
  const throwingEntry = Object.defineProperty({}, 'id', {
    get() {
      throw new TypeError('getter');
    },
  });
  const lists: [string, unknown][] = [
    // Holes made by length, not literals: the same arrays a source that forgot to fill them would give.
    ['a sparse list (hole first)', Object.assign(new Array(2), { 1: { id: 'c1' } })],
    ['a sparse list (hole last)', Object.assign([{ id: 'c0' }], { length: 3 })],
    ['a huge sparse list', Object.assign([{ id: 'c0' }], { length: 2 ** 32 - 1 })],
    ['ids of the wrong type', [{ id: 5 }]],
    ['an entry whose id getter throws', [throwingEntry]],
    ['null entries', [null]],
    ['a string', 'c0,c1'],
    ['an array-like', { length: 2, 0: { id: 'c0' }, 1: { id: 'c1' } }],
    ['undefined', undefined],
    ['duplicate ids', [{ id: 'c0' }, { id: 'c0' }]],
  ];
  const loads: [string, (id: string) => Promise<unknown>][] = [
    ['null', async () => null],
    ['{ snapshot: null }', async () => ({ snapshot: null })],
    ['a snapshot with entities of the wrong type', async () => ({ snapshot: { entities: [1, 2], components: [] } })],
    ['a number', async () => 5],
    ['a rejection with a string', () => Promise.reject('boom')],
    ['a rejection with undefined', () => Promise.reject(undefined)],
    [
      'a synchronous throw',
      () => {
        throw new RangeError('sync');
      },
    ],
    ['a non-promise', ((id: string) => ({ snapshot: world(Number(id.slice(1)) || 0) })) as never],
  ];

  it('lists that are not lists of ids: only PackErrors', async () => {
    for (const [label, list] of lists) await walk({ listCheckpoints: async () => list as never, loadCheckpoint: good as never }, label);
  });

  it('loads that do not give a snapshot: only PackErrors', async () => {
    const list = async () => [{ id: 'c0' }, { id: 'c1' }, { id: 'c2' }];
    for (const [label, load] of loads) await walk({ listCheckpoints: list, loadCheckpoint: load as never }, label);
  });

  it('hostile navigation arguments: only PackErrors', async () => {
    const engine = new ReplayEngine();
    for (let t = 0; t < 3; t++) engine.addCheckpoint(`c${t}`, world(t));
    const hostile: unknown[] = [undefined, null, -1, 3, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '1', Symbol('s'), 10n, {}, [], () => 0];
    for (const value of hostile) {
      await survives(`seek(${String(value)})`, () => engine.seek(value as never));
      await survives(`frames({ from: ${String(value)} })`, () => engine.frames({ from: value as never }).next());
      await survives(`frames({ direction: ${String(value)} })`, () => engine.frames({ direction: value as never }).next());
      await survives(`addCheckpoint(${String(value)})`, () => engine.addCheckpoint(value as never, world(0)));
      await survives(`addCheckpoint(id, ${String(value)})`, () => engine.addCheckpoint('x', value as never));
      await survives(`play({ speed: ${String(value)} })`, async () => {
        const playing = engine.play({ speed: value as never, fps: 1000 });
        engine.pause();
        await playing;
      });
      await survives(`new ReplayEngine({ cacheSize: ${String(value)} })`, () => new ReplayEngine({ cacheSize: value as never }));
    }
  });
});
