// Crash campaign on time travel: damaged encoded frames recorded with `recordEncoded`,
// saved timelines whose snapshot bytes and metadata records are damaged (`loadTimeline`),
// forks of damaged histories, and hostile query arguments. Every call either works or throws
// a PackError with a known code and a message; a failed `loadTimeline` leaves the time travel
// as it was. Seeded, bounded runs (fast-check, fixed seed).
import { createPackedSnapshot, diff, encodeDelta, encodeSnapshot, type PackedSnapshot, PackErrorCode } from '@tx2/pack-format';
import { MemoryBackend, SnapshotStore } from '@tx2/pack-store';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { throwsOnlyPackErrors } from '../../../test-support/pack-errors.js';
import { TimeTravel } from '../src/index.js';
import { loadTimeline, savedTimelines, saveTimeline } from '../src/persistence.js';

// A longer local campaign: TX2_FUZZ_RUNS=5000 TX2_FUZZ_SEED=<n> npx vitest run test/damaged-saves.fuzz.test.ts
const SEED = Number(globalThis.process?.env.TX2_FUZZ_SEED ?? 20_261_203);
const RUNS = Number(globalThis.process?.env.TX2_FUZZ_RUNS ?? 40);
const CODES = new Set<string>(Object.values(PackErrorCode));

/** Runs `run`; a thrown value must be a PackError with a known code. Answers whether it threw. */
const survives = (label: string, run: () => unknown): Promise<boolean> => throwsOnlyPackErrors(label, run, CODES);

function world(t: number): PackedSnapshot {
  const n = 12;
  return createPackedSnapshot({
    entities: Uint32Array.from({ length: n }, (_, i) => i + 1),
    worldTime: t,
    components: [
      { id: 'Position', fields: { x: Float32Array.from({ length: n }, (_, i) => i + t * 0.5), y: Float64Array.from({ length: n }, (_, i) => i * t) } },
      { id: 'Tag', entityIds: Uint32Array.from([1, 3]), fields: { name: [`a${t}`, `b${t}`] } },
    ],
  });
}

/** Every read a time travel offers, on every timeline it has: only PackErrors. */
async function readAll(tt: TimeTravel, label: string): Promise<void> {
  for (const name of tt.listTimelines()) {
    await survives(`${label}: switch ${name}`, () => tt.switchTimeline(name));
    await survives(`${label}: entries`, () => tt.entries().map((e) => e.snapshot));
    for (const t of [Number.NEGATIVE_INFINITY, -1, 0, 0.5, 1, 2.5, 4, 7, 100, Number.POSITIVE_INFINITY, Number.NaN]) {
      await survives(`${label}: seekToTime(${t})`, () => tt.seekToTime(t)?.snapshot);
      await survives(`${label}: snapshotAtOrBefore(${t})`, () => tt.snapshotAtOrBefore(t)?.bytes);
      await survives(`${label}: snapshotAtOrAfter(${t})`, () => tt.snapshotAtOrAfter(t)?.snapshot);
      await survives(`${label}: forkAtTime(${t})`, () => tt.forkAtTime(t));
    }
    await survives(`${label}: forkTimeline`, () => tt.forkTimeline(`${name}-fork`, 3));
    await survives(`${label}: memoryUsage`, () => tt.memoryUsage());
    await survives(`${label}: record after`, () => tt.record(9, world(9)));
    await survives(`${label}: pruneBefore`, () => tt.pruneBefore(2));
    await survives(`${label}: entries after prune`, () => tt.entries().map((e) => e.snapshot));
  }
}

describe('damaged encoded frames', () => {
  it.each([
    ['keyframes default', {}],
    ['every frame whole', { keyframes: false as const }],
  ])(
    'recordEncoded with flipped, cut and extended bytes (%s): only PackErrors',
    async (_, options) => {
      const frames = Array.from({ length: 6 }, (_, t) => encodeSnapshot(world(t)));
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 5 }), fc.nat(), fc.constantFrom('cut', 'flip', 'extend'), fc.integer({ min: 1, max: 255 }), async (which, at, how, byte) => {
          const tt = new TimeTravel(options);
          const label = `${how} frame ${which} at ${at} (${byte})`;
          for (let t = 0; t < frames.length; t++) {
            const bytes = frames[t]!;
            const i = at % bytes.length;
            const damaged =
              t !== which
                ? bytes
                : how === 'cut'
                  ? bytes.subarray(0, i)
                  : how === 'flip'
                    ? Uint8Array.from(bytes, (b, j) => (j === i ? b ^ byte : b))
                    : Uint8Array.from([...bytes, ...new Uint8Array(1 + (at % 100)).fill(byte)]);
            await survives(`${label}: recordEncoded ${t}`, () => tt.recordEncoded(t, damaged));
          }
          await readAll(tt, label);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    },
    120_000,
  );
});

describe('damaged saved timelines', () => {
  async function saved(): Promise<Map<string, Uint8Array>> {
    const tt = new TimeTravel();
    for (let t = 0; t < 5; t++) tt.record(t, world(t));
    const backend = new MemoryBackend();
    await saveTimeline(tt, backend);
    const files = new Map<string, Uint8Array>();
    for (const key of await backend.list()) files.set(key, (await backend.get(key))!);
    return files;
  }

  /** Loads `main` from `files` into a time travel holding a timeline of its own: a failure must leave it as it was. */
  async function loadInto(files: ReadonlyMap<string, Uint8Array>, label: string): Promise<void> {
    const backend = new MemoryBackend();
    for (const [k, v] of files) await backend.put(k, v);
    const tt = new TimeTravel();
    tt.record(1, world(42));
    await survives(`${label}: savedTimelines`, () => savedTimelines(backend));
    const refused = await survives(`${label}: loadTimeline`, () => loadTimeline(tt, backend, 'main'));
    if (refused) {
      expect(tt.times(), label).toEqual([1]);
      expect(tt.entries()[0]!.snapshot.worldTime, label).toBe(42);
    }
    await survives(`${label}: loadTimeline as other`, () => loadTimeline(tt, new SnapshotStore(backend), 'main', 'other'));
    await readAll(tt, label);
  }

  it('flipped, cut and extended snapshot and record bytes: only PackErrors, a failed load changes nothing', async () => {
    const files = await saved();
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
              : Uint8Array.from([...bytes, ...new Uint8Array(1 + (at % 100)).fill(byte)]);
        await loadInto(new Map(files).set(key, damaged), `${how} ${key} at ${i} (${byte})`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 120_000);

  it('hostile timeline fields in the records (absurd, infinite or duplicate times, wrong types): only PackErrors', async () => {
    const files = await saved();
    const metaKeys = [...files.keys()].filter((k) => k.endsWith('.meta.json')).sort();
    const text = new TextDecoder();
    const values: string[] = ['1e309', '-1e309', '1e308', '-0', '0', '2', '"x"', 'null', '[]', '{}', 'true', '9007199254740993', '5e-324'];
    for (const key of metaKeys) {
      for (const value of values) {
        for (const field of ['time', 'timeline']) {
          const record = text.decode(files.get(key)!);
          // Edited as text: JSON.stringify cannot write 1e309 (which JSON.parse reads as Infinity).
          const pattern = new RegExp(`("tx2-timetravel":\\s*\\{[^}]*"${field}":\\s*)("[^"]*"|[^,}\\s]*)`);
          expect(pattern.test(record), `${key} ${field}`).toBe(true);
          const edited = record.replace(pattern, `$1${value}`);
          await loadInto(new Map(files).set(key, new TextEncoder().encode(edited)), `${key} ${field}=${value}`);
        }
      }
    }
  }, 120_000);
});

describe('hostile arguments to time travel and forks', () => {
  it('queries, forks and records with any value: only PackErrors', async () => {
    const tt = new TimeTravel();
    for (let t = 0; t < 4; t++) tt.record(t, world(t));
    const hostile: unknown[] = [undefined, null, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '1', '', 'x'.repeat(1000), Symbol('s'), 10n, {}, [], () => 0];
    for (const value of hostile) {
      const v = value as never;
      const label = typeof value === 'symbol' ? 'symbol' : String(value).slice(0, 20);
      for (const [what, run] of [
        ['seekToTime', () => tt.seekToTime(v)?.snapshot],
        ['snapshotAtOrBefore', () => tt.snapshotAtOrBefore(v)?.snapshot],
        ['snapshotAtOrAfter', () => tt.snapshotAtOrAfter(v)?.snapshot],
        ['forkAtTime', () => tt.forkAtTime(v)],
        ['forkTimeline(v, 1)', () => tt.forkTimeline(v, 1)],
        ['forkTimeline(name, v)', () => tt.forkTimeline('f', v)],
        ['switchTimeline', () => tt.switchTimeline(v)],
        ['deleteTimeline', () => tt.deleteTimeline(v)],
        ['entries', () => tt.entries(v)],
        ['memoryUsage', () => tt.memoryUsage(v)],
        ['pruneBefore', () => tt.pruneBefore(v)],
        ['pruneAfter', () => tt.pruneAfter(v)],
        ['record(v, world)', () => tt.record(v, world(0))],
        ['record(1, v)', () => tt.record(1, v)],
        ['recordEncoded(1, v)', () => tt.recordEncoded(1, v)],
        ['replaceTimeline(name, v)', () => tt.replaceTimeline('r', v)],
        ['replaceTimeline(name, [v])', () => tt.replaceTimeline('r', [v])],
        ['replaceTimeline(name, [{ time: v, snapshot }])', () => tt.replaceTimeline('r', [{ time: v, snapshot: world(0) }])],
        ['decode', () => tt.decode(v)],
        ['encode', () => tt.encode(v)],
        ['new TimeTravel', () => new TimeTravel(v)],
        ['new TimeTravel({ keyframes: v })', () => new TimeTravel({ keyframes: v })],
        ['new TimeTravel({ timeline: v })', () => new TimeTravel({ timeline: v })],
        ['new TimeTravel({ keyframeCacheBytes: v })', () => new TimeTravel({ keyframeCacheBytes: v })],
        ['saveTimeline', () => saveTimeline(tt, v)],
        ['loadTimeline(tt, backend, v)', () => loadTimeline(tt, new MemoryBackend(), v)],
        ['loadTimeline(v, ...)', () => loadTimeline(v, new MemoryBackend(), 'main')],
        ['savedTimelines', () => savedTimelines(v)],
      ] as const)
        await survives(`${what}(${label})`, run);
      // The history is intact whatever was thrown at it.
      tt.switchTimeline('main');
    }
  });
});

describe('valid containers of another kind recorded as frames', () => {
  it('a delta container, a snapshot with an unknown codec tag, and mixed with good frames: only PackErrors', async () => {
    const delta = encodeDelta(diff(world(0), world(1)));
    const kinds: [string, Uint8Array][] = [
      ['a delta container', delta],
      ['a delta container cut in half', delta.subarray(0, delta.length >> 1)],
      ['an empty array', new Uint8Array(0)],
      ['a snapshot header alone', encodeSnapshot(world(0)).subarray(0, 64)],
    ];
    for (const options of [{}, { keyframes: false as const }]) {
      for (const [label, bytes] of kinds) {
        const tt = new TimeTravel(options);
        tt.record(0, world(0));
        await survives(`${label}: recordEncoded`, () => tt.recordEncoded(1, bytes));
        tt.record(2, world(2));
        await readAll(tt, label);
      }
    }
  });
});
