// Crash campaign on the store's load paths over damaged backends: checkpoint link records
// (JSON) with hostile values, cycles and absurd sizes, predicted-delta links with a bad
// `reference`, the embedded record a snapshot carries, flipped/cut/extended snapshot and
// delta bytes, encrypted snapshots with damaged headers and tags, and snapshot files read by
// `readSnapshotFile` / `readSnapshotStream`. Each read either works or throws a PackError with
// a known code and a message; nothing else. Seeded, bounded runs (fast-check, fixed seed).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EncryptionKey } from '@tx2/pack-crypto';
import { encodeSnapshot, PackErrorCode } from '@tx2/pack-format';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { throwsOnlyPackErrors } from '../../../test-support/pack-errors.js';
import { CheckpointManager, EMBEDDED_KEY, MemoryBackend, SnapshotReader, SnapshotStore, SnapshotWriter, type StorageBackend } from '../src/index.js';
import { readSnapshotFile, readSnapshotStream } from '../src/node.js';
import { MovingWorld } from './helpers/moving-world.js';
import { makeWorld } from './helpers/world.js';

// A longer local campaign: TX2_FUZZ_RUNS=5000 TX2_FUZZ_SEED=<n> npx vitest run test/damaged-store.fuzz.test.ts
const SEED = Number(globalThis.process?.env.TX2_FUZZ_SEED ?? 20_261_203);
const RUNS = Number(globalThis.process?.env.TX2_FUZZ_RUNS ?? 40);
const CODES = new Set<string>(Object.values(PackErrorCode));
const RUN = { incremental: { fullEvery: 8, maxDeltaRatio: Number.POSITIVE_INFINITY } };

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** Runs `run`; a thrown value must be a PackError with a known code. Answers whether it threw. */
const survives = (label: string, run: () => unknown): Promise<boolean> => throwsOnlyPackErrors(label, run, CODES);

/** A predicted checkpoint run t0..t5 (t0 full, t1 a delta, t2.. predicted deltas) and its files. */
async function predictedRun(): Promise<Map<string, Uint8Array>> {
  const backend = new MemoryBackend();
  const manager = new CheckpointManager(backend, RUN);
  const world = new MovingWorld(24, 7);
  for (let t = 0; t < 6; t++) await manager.createCheckpoint(`t${t}`, world.step());
  const storages = (await manager.listCheckpoints()).map((c) => c.storage);
  expect(storages.some((s) => s.kind === 'delta' && s.reference !== undefined)).toBe(true);
  const files = new Map<string, Uint8Array>();
  for (const key of await backend.list()) files.set(key, (await backend.get(key))!);
  return files;
}

async function backendOf(files: ReadonlyMap<string, Uint8Array>): Promise<MemoryBackend> {
  const backend = new MemoryBackend();
  for (const [k, v] of files) await backend.put(k, v);
  return backend;
}

/** Every read of a checkpoint manager over `backend` (then a new checkpoint on top): only PackErrors. */
async function readAll(backend: StorageBackend, label: string): Promise<number> {
  let refused = 0;
  const manager = new CheckpointManager(backend, { ...RUN, cacheSize: 0 });
  const ids = ['t0', 't1', 't2', 't3', 't4', 't5'];
  const runs: [string, () => unknown][] = [
    ['listCheckpoints', () => manager.listCheckpoints()],
    ['chain', () => manager.chain()],
    ['latest', () => manager.latest()],
    ...ids.map((id): [string, () => unknown] => [`load ${id}`, () => manager.loadCheckpoint(id)]),
    ...ids.map((id): [string, () => unknown] => [`ancestors ${id}`, () => manager.ancestors(id)]),
    ['partial load t5', () => manager.loadCheckpoint('t5', { components: ['Health'] })],
    ['create t6', () => manager.createCheckpoint('t6', new MovingWorld(24, 7).step())],
    ['create t7 on t5', () => manager.createCheckpoint('t7', new MovingWorld(24, 8).step(), { parent: 't5' })],
    ['delete t2', () => manager.deleteCheckpoint('t2')],
    ['prune', () => manager.pruneOldCheckpoints(2)],
  ];
  for (const [what, run] of runs) if (await survives(`${label}, ${what}`, run)) refused++;
  return refused;
}

const text = new TextDecoder();
const utf8 = new TextEncoder();

/** A JSON value a hostile or damaged link field may hold. */
const hostileValue = fc.oneof(
  fc.constantFrom(null, true, false, '', 't0', 't1', 't2', 't3', 't4', 't5', 'missing', '../x', 'ab'.repeat(32), '00'.repeat(32)),
  fc.constantFrom(0, -1, 1, 2, 7, 8, 1e9, -1e9, 2 ** 31, 2 ** 32, 2 ** 53, Number.MAX_VALUE, -Number.MAX_VALUE, 0.5, 1e-300),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.string({ maxLength: 70 }),
  fc.constantFrom([], {}, [1], { length: 1e9 }, ['t0'], { id: 't0' }),
);
const LINK_FIELDS = ['parent', 'sequence', 'storage', 'hash', 'base', 'baseHash', 'depth', 'runIndex', 'reference', 'referenceHash', 'scale', 'fullBytes', 'deltaBytes'];

describe('damaged checkpoint link records', () => {
  it('hostile values in any link field of any checkpoint: only PackErrors', async () => {
    const files = await predictedRun();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ id: fc.integer({ min: 0, max: 5 }), field: fc.constantFrom(...LINK_FIELDS), value: fc.option(hostileValue, { nil: undefined }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (edits) => {
          const changed = new Map(files);
          for (const { id, field, value } of edits) {
            const key = `t${id}.meta.json`;
            const record = JSON.parse(text.decode(changed.get(key)!));
            if (value === undefined) delete record.extra.checkpoint[field];
            else record.extra.checkpoint[field] = value;
            changed.set(key, utf8.encode(JSON.stringify(record)));
          }
          await readAll(await backendOf(changed), JSON.stringify(edits));
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  }, 120_000);

  it('cycles: parents, bases and references that lead back to themselves are refused with PackErrors', async () => {
    const files = await predictedRun();
    const cycles: [string, Record<string, Record<string, unknown>>][] = [
      ['base is itself', { t3: { base: 't3' } }],
      ['parent is itself', { t3: { parent: 't3' } }],
      ['base loop t2 → t3 → t2', { t2: { base: 't3', storage: 'delta' }, t3: { base: 't2' } }],
      ['parent loop t1 → t4 → t1', { t1: { parent: 't4' }, t4: { parent: 't1' } }],
      ['reference is itself', { t4: { reference: 't4' } }],
      ['reference is a descendant', { t2: { reference: 't5' } }],
      ['every base is the next one', Object.fromEntries(['t0', 't1', 't2', 't3', 't4', 't5'].map((id, i) => [id, { storage: 'delta', base: `t${(i + 1) % 6}` }]))],
      ['depth 2^31 on a cycle', { t2: { base: 't3', depth: 2 ** 31 }, t3: { base: 't2', depth: 2 ** 31 } }],
      ['sequence equal everywhere', Object.fromEntries(['t0', 't1', 't2', 't3', 't4', 't5'].map((id) => [id, { sequence: 0 }]))],
      ['sequence NaN-ish', { t2: { sequence: 1e308 }, t3: { sequence: -1e308 } }],
    ];
    for (const [label, edits] of cycles) {
      const changed = new Map(files);
      for (const [id, fields] of Object.entries(edits)) {
        const key = `${id}.meta.json`;
        const record = JSON.parse(text.decode(changed.get(key)!));
        Object.assign(record.extra.checkpoint, fields);
        changed.set(key, utf8.encode(JSON.stringify(record)));
      }
      await readAll(await backendOf(changed), label);
    }
  }, 60_000);

  it('damaged record files as a whole (cut, flipped, a different type): only PackErrors', async () => {
    const files = await predictedRun();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 5 }), fc.nat(), fc.constantFrom('cut', 'flip', 'extend', 'retype'), fc.nat({ max: 255 }), async (id, at, how, byte) => {
        const key = `t${id}.meta.json`;
        const bytes = files.get(key)!;
        const record = JSON.parse(text.decode(bytes));
        const damaged =
          how === 'cut'
            ? bytes.subarray(0, at % bytes.length)
            : how === 'flip'
              ? Uint8Array.from(bytes, (b, i) => (i === at % bytes.length ? b ^ (byte | 1) : b))
              : how === 'extend'
                ? Uint8Array.from([...bytes, ...new Uint8Array(1 + (at % 64)).fill(byte)])
                : utf8.encode(JSON.stringify({ ...record, extra: [[record.extra], 'x', 5, null][at % 4] }));
        await readAll(await backendOf(new Map(files).set(key, damaged)), `${how} ${key} at ${at} (${byte})`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 120_000);
});

describe('damaged snapshot and delta bytes of a checkpoint run', () => {
  it('flipped, cut and extended .tx2pack bytes of any checkpoint: only PackErrors, damage noticed', async () => {
    const files = await predictedRun();
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 5 }), fc.nat(), fc.constantFrom('cut', 'flip', 'extend', 'zero'), fc.nat({ max: 255 }), async (id, at, how, byte) => {
        const key = `t${id}.tx2pack`;
        const bytes = files.get(key)!;
        const i = at % bytes.length;
        const damaged =
          how === 'cut'
            ? bytes.subarray(0, i)
            : how === 'flip'
              ? Uint8Array.from(bytes, (b, j) => (j === i ? b ^ (byte | 1) : b))
              : how === 'extend'
                ? Uint8Array.from([...bytes, ...new Uint8Array(1 + (at % 300)).fill(byte)])
                : Uint8Array.from(bytes, (b, j) => (j >= i && j < i + 8 ? 0xff : b));
        refused += await readAll(await backendOf(new Map(files).set(key, damaged)), `${how} ${key} at ${i} (${byte})`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(refused).toBeGreaterThan(RUNS);
  }, 120_000);
});

describe('a hostile record embedded in a valid snapshot', () => {
  const hostileRecords: unknown[] = [
    null,
    5,
    'x',
    [],
    {},
    { saveId: 5 },
    { saveId: 'a' },
    { saveId: 'a', metadata: null, extra: {} },
    { saveId: 'a', metadata: { id: 'a', createdAt: 'now' }, extra: {} },
    { saveId: 'a', metadata: { id: 'a', createdAt: 1, tags: 'x' }, extra: [] },
    { saveId: '../../etc', metadata: { id: '../../etc', createdAt: 1 }, extra: {} },
    { saveId: 'a', metadata: { id: 'b', createdAt: 1 }, extra: { checkpoint: { sequence: 1e300, storage: 'delta', base: 'a', baseHash: 'ab'.repeat(32) } } },
    { saveId: 'a', metadata: { id: 'a', createdAt: 1, custom: { x: { y: { z: [1, [2, [3]]] } } } }, extra: { checkpoint: 'x' } },
  ];

  it('recover, inspectFile, list, load and loadCheckpoint refuse it with PackErrors (or ignore it)', async () => {
    for (const record of hostileRecords) {
      const backend = new MemoryBackend();
      const world = makeWorld(5);
      const bytes = encodeSnapshot({ ...world, metadata: { ...world.metadata, [EMBEDDED_KEY]: record } });
      await backend.put('a.tx2pack', bytes);
      const store = new SnapshotStore(backend);
      const label = JSON.stringify(record);
      for (const [what, run] of [
        ['recover', () => store.recover('a')],
        ['inspectFile', () => store.inspectFile('a')],
        ['list', () => store.list()],
        ['entries', () => store.entries()],
        ['orphans', () => store.orphans()],
        ['load', () => store.load('a')],
        ['loadCheckpoint', () => new CheckpointManager(backend).loadCheckpoint('a')],
        ['listCheckpoints', () => new CheckpointManager(backend).listCheckpoints()],
      ] as const)
        await survives(`${label}: ${what}`, run);
    }
  });
});

describe('encrypted snapshots with damaged headers and tags', () => {
  const key = EncryptionKey.generate();
  const other = EncryptionKey.generate();

  it('every prefix and a seeded set of byte flips and extensions of an encrypted store snapshot: only PackErrors, never a load of damaged bytes', async () => {
    const options = { writer: SnapshotWriter.create().withCodec('zstd').withKey(key), reader: SnapshotReader.create().withKey(key) };
    const backend = new MemoryBackend();
    await new SnapshotStore(backend, options).save(makeWorld(30), 'a');
    const bytes = (await backend.get('a.tx2pack'))!;
    const damagedCases: [string, Uint8Array][] = [];
    for (let cut = 0; cut < bytes.length; cut += Math.max(1, Math.floor(bytes.length / 200))) damagedCases.push([`cut ${cut}`, bytes.subarray(0, cut)]);
    // The header and the first frames (nonces, tags, lengths) flipped bit by bit; the rest sampled.
    for (let at = 0; at < Math.min(bytes.length, 96); at++)
      for (let bit = 0; bit < 8; bit += 3) damagedCases.push([`bit ${bit} of ${at}`, Uint8Array.from(bytes, (b, i) => (i === at ? b ^ (1 << bit) : b))]);
    for (const at of fc.sample(fc.nat({ max: bytes.length - 1 }), { seed: SEED, numRuns: 60 }))
      damagedCases.push([`byte ${at}`, Uint8Array.from(bytes, (b, i) => (i === at ? b ^ 0xff : b))]);
    for (const extra of [1, 16, 17, 4096]) damagedCases.push([`extended by ${extra}`, Uint8Array.from([...bytes, ...new Uint8Array(extra).fill(0xa5)])]);
    for (const [label, damaged] of damagedCases) {
      await backend.put('a.tx2pack', damaged);
      const store = new SnapshotStore(backend, options);
      for (const run of [() => store.load('a'), () => store.load('a', { components: ['Health'] }), () => store.recover('a'), () => store.inspectFile('a')])
        await survives(label, run);
      await survives(`${label} (wrong key)`, () => new SnapshotStore(backend, { ...options, reader: SnapshotReader.create().withKey(other) }).load('a'));
      await survives(`${label} (no key)`, () => new SnapshotStore(backend).load('a'));
    }
    // The full file with a wrong key or no key is refused, not misread.
    await backend.put('a.tx2pack', bytes);
    await expect(new SnapshotStore(backend, { ...options, reader: SnapshotReader.create().withKey(other) }).load('a')).rejects.toMatchObject({ name: 'PackError' });
  }, 120_000);
});

describe('readSnapshotFile and readSnapshotStream on damaged files', () => {
  it('cut, flipped and extended files, plain and encrypted, chunked and component-wise: only PackErrors', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tx2-damaged-files-'));
    dirs.push(dir);
    const key = EncryptionKey.generate();
    const world = makeWorld(40);
    const writers = [
      ['plain', SnapshotWriter.create(), SnapshotReader.create()],
      ['zstd chunked', SnapshotWriter.create().withCodec('zstd').withChunkSize(256), SnapshotReader.create().withComponentWiseAbove(0)],
      ['encrypted', SnapshotWriter.create().withCodec('lz4').withKey(key), SnapshotReader.create().withKey(key)],
    ] as const;
    let n = 0;
    for (const [name, writer, reader] of writers) {
      const bytes = await writer.writeToBytes(world);
      const cases = fc.sample(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.constantFrom('cut', 'flip', 'extend'), fc.integer({ min: 1, max: 255 })), { seed: SEED, numRuns: 40 });
      for (const [at, how, byte] of cases) {
        const damaged =
          how === 'cut'
            ? bytes.subarray(0, at)
            : how === 'flip'
              ? Uint8Array.from(bytes, (b, i) => (i === at ? b ^ byte : b))
              : Uint8Array.from([...bytes, ...new Uint8Array(at % 512).fill(byte)]);
        const file = path.join(dir, `f${n++}.tx2pack`);
        await writeFile(file, damaged);
        const label = `${name} ${how} at ${at} (${byte})`;
        await survives(`${label} readSnapshotFile`, () => readSnapshotFile(file, reader));
        await survives(`${label} readSnapshotStream`, () => readSnapshotStream(chunks(damaged, 1 + (at % 97)), reader));
        await survives(`${label} readFromBytes`, () => reader.readFromBytes(damaged));
      }
    }
    await expect(readSnapshotFile(path.join(dir, 'missing.tx2pack'))).rejects.toMatchObject({ name: 'PackError' });
  }, 120_000);
});

/** `bytes` as an async stream of `size`-byte chunks. */
async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.slice(at, at + size);
}

describe('a backend that answers with the wrong things', () => {
  /** `inner` with one method answering `answer` instead (what a buggy or hostile custom backend does). */
  function lying(inner: MemoryBackend, method: string, answer: () => unknown): StorageBackend {
    const backend: Record<string, unknown> = {
      name: 'lying',
      get: (k: string) => inner.get(k),
      put: (k: string, b: Uint8Array) => inner.put(k, b),
      delete: (k: string) => inner.delete(k),
      list: () => inner.list(),
      has: (k: string) => inner.has(k),
      readRange: (k: string, o: number, l: number) => inner.readRange(k, o, l),
      size: (k: string) => inner.size(k),
      lock: (ms: number) => inner.lock(ms),
    };
    backend[method] = async () => answer();
    return backend as unknown as StorageBackend;
  }
  const answers: [string, () => unknown][] = [
    ['undefined', () => undefined],
    ['null', () => null],
    ['a string', () => 'bytes'],
    ['a number', () => 5],
    ['NaN', () => Number.NaN],
    ['-1', () => -1],
    ['2^53', () => 2 ** 53],
    ['an ArrayBuffer', () => new ArrayBuffer(8)],
    ['a DataView', () => new DataView(new ArrayBuffer(8))],
    ['an empty Uint8Array', () => new Uint8Array(0)],
    ['64 KiB of zeros', () => new Uint8Array(65_536)],
    ['an array of numbers', () => [1, 2, 3]],
    ['an array of odd keys', () => ['../x.tx2pack', '', 5, null, 't0.tx2pack', 'a\0b.meta.json', '.tx2pack']],
    ['an object', () => ({ length: 1e9 })],
    ['a rejection with a string', () => Promise.reject('nope')],
    ['a rejection with a TypeError', () => Promise.reject(new TypeError('backend bug'))],
  ];

  it('every method of a checkpoint store answering each wrong thing: only PackErrors', async () => {
    const files = await predictedRun();
    const problems: string[] = [];
    for (const method of ['get', 'list', 'has', 'readRange', 'size']) {
      for (const [label, answer] of answers) {
        const inner = await backendOf(files);
        try {
          await readAll(lying(inner, method, answer), `${method} answers ${label}`);
        } catch (error) {
          problems.push(String(error).split('\n')[0]!.slice(0, 200));
        }
        const store = new SnapshotStore(lying(await backendOf(files), method, answer));
        for (const [what, run] of [
          ['list', () => store.list()],
          ['entries', () => store.entries()],
          ['load', () => store.load('t0')],
          ['loadStored', () => store.loadStored('t3')],
          ['recover', () => store.recover('t0')],
          ['inspectFile', () => store.inspectFile('t3')],
          ['orphans', () => store.orphans()],
          ['collectSections', () => store.collectSections()],
        ] as const)
          try {
            await survives(`${method} answers ${label}: store ${what}`, run);
          } catch (error) {
            problems.push(String(error).split('\n')[0]!.slice(0, 200));
          }
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);
  it('names the backend and the method; a quota error stays QuotaExceeded; the backend keeps its own members', async () => {
    const files = await predictedRun();
    const nullBytes = new SnapshotStore(lying(await backendOf(files), 'get', () => null));
    await expect(nullBytes.load('t0')).rejects.toMatchObject({ name: 'PackError', code: 'Io', details: { backend: 'lying', method: 'get', key: 't0.meta.json' } });
    const full = Object.assign(new Error('quota'), { name: 'QuotaExceededError' });
    const quota = new SnapshotStore(lying(await backendOf(files), 'put', () => Promise.reject(full)));
    await expect(quota.save(makeWorld(3), 'q')).rejects.toMatchObject({ name: 'PackError', code: 'QuotaExceeded', cause: full });
    class Custom extends MemoryBackend {
      extra(): string {
        return 'mine';
      }
    }
    const custom = new Custom();
    const store = new SnapshotStore(custom);
    expect(store.backend).toBeInstanceOf(Custom);
    expect((store.backend as Custom).extra()).toBe('mine');
    await store.save(makeWorld(3), 'a');
    expect((await new SnapshotStore(store.backend).load('a')).snapshot.entities.length).toBe(3);
  });
});

describe('byte streams that are not streams of bytes', () => {
  it('decodeStream and readSnapshotStream refuse them with PackErrors: odd pieces, failing streams, non-streams', async () => {
    const good = await SnapshotWriter.create().writeToBytes(makeWorld(5));
    const of = (...pieces: unknown[]) =>
      (async function* () {
        yield* pieces;
      })();
    const failing = (error: unknown) =>
      (async function* () {
        yield good.subarray(0, 10);
        throw error;
      })();
    const streams: [string, () => unknown, string][] = [
      ['a null piece', () => of(good.subarray(0, 8), null), 'InvalidInput'],
      ['an undefined piece', () => of(undefined), 'InvalidInput'],
      ['a number piece', () => of(5), 'InvalidInput'],
      ['an array piece', () => of([1, 2, 3]), 'InvalidInput'],
      ['an ArrayBuffer piece', () => of(new ArrayBuffer(4)), 'InvalidInput'],
      ['a Uint16Array piece', () => of(new Uint16Array(4)), 'InvalidInput'],
      ['a stream failing with a RangeError', () => failing(new RangeError('mid-stream')), 'Io'],
      ['a stream failing with a string', () => failing('nope'), 'Io'],
      ['a web stream that errors', () => new ReadableStream({ pull: (c) => c.error(new TypeError('web')) }), 'Io'],
      ['null', () => null, 'InvalidInput'],
      ['a number', () => 5, 'InvalidInput'],
      ['a plain array of bytes (not async)', () => [good], 'InvalidInput'],
    ];
    for (const [label, make, code] of streams) {
      await expect(SnapshotReader.create().decodeStream(make() as never), `decodeStream: ${label}`).rejects.toMatchObject({ name: 'PackError', code });
      await expect(readSnapshotStream(make() as never), `readSnapshotStream: ${label}`).rejects.toMatchObject({ name: 'PackError', code });
    }
    // Strings (a Node stream in text mode) and byte pieces still read.
    const halves = [good.subarray(0, 100), good.subarray(100)];
    expect((await readSnapshotStream(of(...halves) as never)).entities.length).toBe(5);
    expect((await SnapshotReader.create().decodeStream(new Blob([new Uint8Array(good)]).stream())).entities.length).toBe(5);
  });
});

describe('byte sources that answer the wrong thing', () => {
  it('readFromSource with a source reading null, a plain array or a number, or failing: PackErrors', async () => {
    const good = await SnapshotWriter.create().withCodec('zstd').writeToBytes(makeWorld(30));
    const source = (read: (offset: number, length: number) => unknown, size: unknown = good.length) => ({ size, read }) as never;
    const sources: [string, () => unknown, string][] = [
      ['reads null', () => source(() => null), 'Io'],
      ['reads undefined asynchronously', () => source(async () => undefined), 'Io'],
      ['reads a plain array', () => source((o, l) => Array.from(good.subarray(o, o + l))), 'Io'],
      ['reads a number', () => source(() => 5), 'Io'],
      [
        'throws a RangeError',
        () =>
          source(() => {
            throw new RangeError('disk');
          }),
        'Io',
      ],
      ['rejects with a string', () => source(() => Promise.reject('gone')), 'Io'],
      ['answers one byte short', () => source((o, l) => good.subarray(o, o + Math.max(0, l - 1))), 'Truncated'],
      ['declares a NaN size', () => source((o, l) => good.subarray(o, o + l), Number.NaN), 'InvalidInput'],
      ['declares 2^60 bytes', () => source((o, l) => good.subarray(o, o + l), 2 ** 60), 'InvalidInput'],
    ];
    for (const [label, make, code] of sources) {
      for (const reader of [SnapshotReader.create(), SnapshotReader.create().withComponents(['Health'])]) {
        await expect(reader.readFromSource(make() as never), label).rejects.toMatchObject({ name: 'PackError', code });
      }
    }
    // A source that answers properly (sync or async) still reads.
    expect((await SnapshotReader.create().readFromSource(source(async (o, l) => good.slice(o, o + l)))).entities.length).toBe(30);
  });
});

describe('files of one checkpoint under the name of another', () => {
  it('every snapshot or record file copied over every other (a delta where a full snapshot is expected, a pooled file, a foreign record): only PackErrors', async () => {
    const files = await predictedRun();
    const pooled = new MemoryBackend();
    await new SnapshotStore(pooled, { dedupeSections: { minBytes: 16 } }).save(makeWorld(40), 'p');
    const foreign: [string, Uint8Array][] = [
      ['a pooled file', (await pooled.get('p.tx2pack'))!],
      ['an encrypted snapshot', await SnapshotWriter.create().withKey(EncryptionKey.generate()).writeToBytes(makeWorld(3))],
    ];
    const ids = ['t0', 't1', 't2', 't3', 't4', 't5'];
    for (const suffix of ['.tx2pack', '.meta.json']) {
      for (const from of ids) {
        for (const to of ids) {
          if (from === to) continue;
          const changed = new Map(files).set(`${to}${suffix}`, files.get(`${from}${suffix}`)!);
          await readAll(await backendOf(changed), `${from}${suffix} copied over ${to}${suffix}`);
        }
      }
    }
    for (const [label, bytes] of foreign) for (const to of ids) await readAll(await backendOf(new Map(files).set(`${to}.tx2pack`, bytes)), `${label} as ${to}`);
  }, 120_000);
});
