// The main job on an embedded default: generate the reference world, encode it, decode it,
// verify it, and report what happened and how long each step took.
//   pnpm demo [--entities N]
import { performance } from 'node:perf_hooks';
import {
  SnapshotEncoder,
  decodeSnapshot,
  encodeSnapshot,
  fromWorldSnapshot,
  getColumn,
  readLayout,
  toWorldSnapshot,
  isPackError,
} from '@tx2/pack-format';
import { packOptions, readOptions } from '@tx2/pack-codecs';
import { EncryptionKey } from '@tx2/pack-crypto';
import { CheckpointManager, SnapshotMetadata, SnapshotReader, SnapshotStore, SnapshotWriter } from '@tx2/pack-store';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REFERENCE_SCHEMA, referenceColumns, referenceWorld } from '../benchmarks/world.mjs';

const arg = process.argv.indexOf('--entities');
const entities = arg > 0 ? Number(process.argv[arg + 1]) : 10_000;
if (!Number.isInteger(entities) || entities < 0) {
  console.error(`--entities needs a whole number, got ${process.argv[arg + 1]}`);
  process.exit(2);
}

/** Runs `fn` for about 300 ms after a warm-up and returns its last result with the median time in ms. */
function timed(fn) {
  let result;
  for (let i = 0; i < 5; i++) result = fn();
  const times = [];
  const until = performance.now() + 300;
  while (performance.now() < until || times.length < 5) {
    const start = performance.now();
    result = fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { result, ms: times[Math.floor(times.length / 2)] };
}

const ms = (t) => (t < 1 ? t.toFixed(3) : t.toFixed(2)) + ' ms';
const kb = (n) => (n / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 }) + ' kB';
const line = (label, value) => console.log(`  ${label.padEnd(38)} ${value}`);

console.log(`tx2-pack demo: the reference world with ${entities.toLocaleString('en-US')} entities`);
console.log('(Position, Velocity: 3 x f32; Health: 2 x f32; values from mulberry32 seeded 42)\n');

console.log('1. Columnar path (typed arrays straight in, views straight out)');
const columns = referenceColumns(entities);
const packed = columns.packed;
const encoder = new SnapshotEncoder();
const enc = timed(() => encoder.encode(packed));
const bytes = enc.result.slice();
line('encode, per-section CRC-32', `${ms(enc.ms)}  -> ${kb(bytes.length)}`);
const rawValues = entities * 8 * 4;
line('raw f32 values in the world', `${kb(rawValues)} (entity ids stored as a range: 0 bytes)`);
const dec = timed(() => decodeSnapshot(bytes));
line('decode to typed-array views', ms(dec.ms));
const x = getColumn(dec.result, 'Position', 'x', 'f32');
const same = x.every((v, i) => Object.is(v, columns.position.x[i]));
line('Position.x identical after decode', same ? 'yes' : 'NO');

console.log('\n2. Object path (the tx2 WorldSnapshot shape)');
const world = referenceWorld(entities);
const objEnc = timed(() => encoder.encodeCopy(fromWorldSnapshot(world, { schema: REFERENCE_SCHEMA })));
line('fromWorldSnapshot + encode', `${ms(objEnc.ms)}  -> ${kb(objEnc.result.length)}`);
const objDec = timed(() => toWorldSnapshot(decodeSnapshot(objEnc.result)));
line('decode + toWorldSnapshot', ms(objDec.ms));
const json = JSON.stringify(world);
line('JSON.stringify of the same world', kb(Buffer.byteLength(json)));
const roundTrip = JSON.stringify(objDec.result) === json;
line('world identical after round trip', roundTrip ? 'yes' : 'NO');

console.log('\n3. Verification');
const layout = readLayout(bytes);
line('sections (manifest, columns, TOC)', `${layout.sections.length + 1}, every one with a CRC-32`);
const damaged = bytes.slice();
damaged[layout.sections[1].offset + 64 + 100] ^= 0x01;
try {
  decodeSnapshot(damaged);
  line('one flipped bit', 'NOT DETECTED');
} catch (error) {
  line('one flipped bit', isPackError(error) ? `detected: ${error.code}` : `unexpected ${error}`);
}
try {
  decodeSnapshot(bytes.subarray(0, bytes.length - 10));
  line('a truncated file', 'NOT DETECTED');
} catch (error) {
  line('a truncated file', isPackError(error) ? `detected: ${error.code}` : `unexpected ${error}`);
}

console.log('\n4. Compression, encryption and saves on disk');
const zstd = await packOptions(); // the default: Zstandard level 1, byte-shuffle and delta filters
const compressed = timed(() => encodeSnapshot(packed, zstd));
const read = await readOptions({ bytes: compressed.result });
const unzstd = timed(() => decodeSnapshot(compressed.result, read));
line('Zstandard-1 + shuffle, encode', `${ms(compressed.ms)}  -> ${kb(compressed.result.length)} (${(bytes.length / compressed.result.length).toFixed(2)}x smaller)`);
line('Zstandard-1 + shuffle, decode', ms(unzstd.ms));
const zx = getColumn(unzstd.result, 'Position', 'x', 'f32');
const sameZstd = zx.every((v, i) => Object.is(v, columns.position.x[i]));

const dir = mkdtempSync(path.join(tmpdir(), 'tx2pack-demo-'));
let storeOk = false;
try {
  const key = EncryptionKey.generate();
  const file = path.join(dir, 'world.tx2pack');
  const writer = SnapshotWriter.create().withKey(key);
  let start = performance.now();
  await writer.writeToFile(file, packed);
  line('encrypted save (AES-256-GCM, fsync)', `${ms(performance.now() - start)}  -> ${kb(statSync(file).size)}`);
  const healthReader = SnapshotReader.create().withKey(key).withComponents(['Health']);
  await healthReader.readFromFile(file); // the first read also loads the codec's WebAssembly
  start = performance.now();
  const loaded = await healthReader.readFromFile(file);
  line('load only Health, decrypting it', ms(performance.now() - start));
  let wrongKey = 'NOT DETECTED';
  try {
    await SnapshotReader.create().withKey(EncryptionKey.generate()).readFromFile(file);
  } catch (error) {
    wrongKey = isPackError(error) ? `refused: ${error.code}` : `unexpected ${error}`;
  }
  line('load with another key', wrongKey);

  const store = new SnapshotStore(path.join(dir, 'slots'));
  await store.save(packed, new SnapshotMetadata('slot-1').withName('Before the boss').withTag('manual'));
  const slot = await store.load('slot-1');
  line('store: save + load "slot-1"', `${slot.metadata.name}, ${slot.snapshot.entities.length.toLocaleString('en-US')} entities`);
  const checkpoints = new CheckpointManager(path.join(dir, 'checkpoints'));
  for (const id of ['tick-100', 'tick-200', 'tick-300']) await checkpoints.createCheckpoint(id, packed);
  const reopened = new CheckpointManager(path.join(dir, 'checkpoints')); // as after a restart
  line('checkpoint chain after reopening', (await reopened.chain()).map((c) => c.id).join(' -> '));
  storeOk = loaded.components.length === 1 && wrongKey.startsWith('refused') && slot.metadata.name === 'Before the boss';
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const ok = same && roundTrip && sameZstd && storeOk;
console.log(ok ? '\nAll checks passed.' : '\nSOME CHECKS FAILED.');
process.exit(ok ? 0 : 1);
