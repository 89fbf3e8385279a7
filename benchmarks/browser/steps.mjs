// The steps the browser benchmark times, written once and run both in headless Chromium (bundled
// into the page by esbuild) and in Node (bundled for Node), so the two columns measure the same code
// on the same data. Each step is { name, group, fn } where fn may return a promise.
import { EncryptionKey, decryptSnapshot, decryptSnapshotSync, encryptSnapshot, encryptSnapshotSync } from '@tx2/pack-crypto';
import { packOptions, readOptions } from '@tx2/pack-codecs';
import * as format from '@tx2/pack-format';
import { SnapshotEncoder, applyDelta, bytesEqual, decodeSnapshot, diff, snapshotHash, snapshotsEqual } from '@tx2/pack-format';
import { mulberry32, referenceColumns } from '../world.mjs';

/** The codecs of the encode/decode rows: [row name, packOptions input]. */
export const CODEC_ROWS = [
  ['none', { codec: 'none' }],
  ['lz4', { codec: 'lz4' }],
  ['zstd-1', { codec: 'zstd', level: 1 }],
  ['zstd-3', { codec: 'zstd', level: 3 }],
  ['deflate', { codec: 'deflate' }],
  ['gzip', { codec: 'gzip' }],
];

// How many frames the "frame sequence" delta rows cycle through, and the share of entities each moves.
const FRAMES = 8;
const MOVED = 0.01;

let sink;

/** The next frame: `count` distinct random entities of Position moved by their Velocity. */
export function nextFrame(packed, count, seed) {
  const rand = mulberry32(seed);
  const [position, velocity] = packed.components;
  const fields = position.fields.map((f) => ({ ...f, values: f.values.slice() }));
  const moved = new Set();
  while (moved.size < count) moved.add(Math.floor(rand() * position.entityIds.length));
  for (const r of moved) for (let a = 0; a < 3; a++) fields[a].values[r] += velocity.fields[a].values[r];
  return { ...packed, timestamp: packed.timestamp + 16, worldTime: packed.worldTime + 1, components: [{ ...position, fields }, ...packed.components.slice(1)] };
}

/** Throws unless `ok`: every step checks its result once before it is timed. */
function expect(ok, what) {
  if (!ok) throw new Error(`browser benchmark: ${what}`);
}

/** The steps on the n-entity reference world (encode/decode per codec, crypto, deltas, hashing). */
export async function coreSteps(n = 10_000) {
  // Where the format has it (after browser-speed), load its WebAssembly hashing first, as an app
  // would at startup; older checkouts have no such step.
  await format.preparePlatform?.();
  const { packed } = referenceColumns(n);
  const steps = [];
  const read = await readOptions();

  for (const [name, input] of CODEC_ROWS) {
    const encoder = new SnapshotEncoder(await packOptions(input));
    const bytes = encoder.encodeCopy(packed);
    expect(snapshotsEqual(decodeSnapshot(bytes, read), packed), `${name} does not round-trip`);
    steps.push({ group: 'codec', name: `encode ${name}`, fn: () => (sink = encoder.encode(packed)) });
    steps.push({ group: 'codec', name: `decode ${name}`, fn: () => (sink = decodeSnapshot(bytes, read)) });
  }

  const plain = new SnapshotEncoder().encodeCopy(packed);
  const key = EncryptionKey.generate();
  const sealed = await encryptSnapshot(plain, key);
  const sealedSync = encryptSnapshotSync(plain, key);
  expect(snapshotsEqual(decodeSnapshot(await decryptSnapshot(sealed, key)), packed), 'encrypt/decrypt does not round-trip');
  expect(snapshotsEqual(decodeSnapshot(decryptSnapshotSync(sealedSync, key)), packed), 'encryptSync/decryptSync does not round-trip');
  steps.push({ group: 'crypto', name: 'encrypt (async)', fn: async () => (sink = await encryptSnapshot(plain, key)) });
  steps.push({ group: 'crypto', name: 'decrypt (async)', fn: async () => (sink = await decryptSnapshot(sealed, key)) });
  steps.push({ group: 'crypto', name: 'encrypt (sync)', fn: () => (sink = encryptSnapshotSync(plain, key)) });
  steps.push({ group: 'crypto', name: 'decrypt (sync)', fn: () => (sink = decryptSnapshotSync(sealedSync, key)) });

  // Deltas: a fixed pair (the same two snapshots every call) and a frame sequence (each call the
  // next pair of FRAMES frames, as a game diffing every tick does: the base was last call's target).
  const moved = Math.max(1, Math.round(n * MOVED));
  const frames = [packed];
  for (let i = 1; i <= FRAMES; i++) frames.push(nextFrame(frames[i - 1], moved, i));
  const [base, next] = frames;
  const delta = diff(base, next);
  expect(snapshotsEqual(applyDelta(base, delta), next), 'a delta does not rebuild its target');
  const deltas = frames.slice(1).map((f, i) => diff(frames[i], f));
  let at = 0;
  const baseHash = snapshotHash(base);
  const nextHash = snapshotHash(next);
  // A snapshot whose content changes before every hash (one value), so nothing can be reused.
  const changing = nextFrame(base, moved, FRAMES + 1);
  const x = changing.components[0].fields[0].values;
  steps.push({ group: 'delta', name: 'snapshotHash (same snapshot)', fn: () => (sink = snapshotHash(next)) });
  steps.push({
    group: 'delta',
    name: 'snapshotHash (changed content)',
    fn: () => {
      x[0] += 1;
      sink = snapshotHash(changing);
    },
  });
  steps.push({ group: 'delta', name: 'diff (hashes known)', fn: () => (sink = diff(base, next, { baseHash, nextHash })) });
  steps.push({ group: 'delta', name: 'diff (same pair)', fn: () => (sink = diff(base, next)) });
  steps.push({
    group: 'delta',
    name: 'diff (frame sequence)',
    fn: () => {
      sink = diff(frames[at], frames[at + 1]);
      at = (at + 1) % FRAMES;
    },
  });
  steps.push({ group: 'delta', name: 'applyDelta (verify off)', fn: () => (sink = applyDelta(base, delta, { verify: false })) });
  steps.push({ group: 'delta', name: 'applyDelta (same pair)', fn: () => (sink = applyDelta(base, delta)) });
  steps.push({
    group: 'delta',
    name: 'applyDelta (frame sequence)',
    fn: () => {
      sink = applyDelta(frames[at], deltas[at]);
      at = (at + 1) % FRAMES;
    },
  });
  // The async route where the format has it: hash the new frame with snapshotHashAsync (WebCrypto
  // in browsers, off the main thread) and hand the hashes in; an apply verified the same way.
  if (typeof format.snapshotHashAsync === 'function') {
    const hashes = await Promise.all(frames.map((f) => format.snapshotHashAsync(f)));
    steps.push({
      group: 'delta',
      name: 'diff (frame sequence, snapshotHashAsync)',
      fn: async () => {
        const nextHash = await format.snapshotHashAsync(frames[at + 1]);
        sink = diff(frames[at], frames[at + 1], { baseHash: hashes[at], nextHash });
        at = (at + 1) % FRAMES;
      },
    });
    steps.push({
      group: 'delta',
      name: 'applyDelta (frame sequence, verified by snapshotHashAsync)',
      fn: async () => {
        if (!bytesEqual(hashes[at], deltas[at].base)) throw new Error('browser benchmark: wrong base');
        const result = applyDelta(frames[at], deltas[at], { verify: false });
        if (!bytesEqual(await format.snapshotHashAsync(result), deltas[at].target)) throw new Error('browser benchmark: wrong target');
        sink = result;
        at = (at + 1) % FRAMES;
      },
    });
  }
  return steps;
}

/** Keeps the last result reachable so no step is optimised away. */
export function lastResult() {
  return sink;
}
