// Predicted temporal deltas (docs/format.md §13.3 "lin", issue 15): on the moving world, the
// bytes of a delta to frame K+d from base K+1 with reference K (the linear prediction
// K+1 + (d − 1) × (K+1 − K)) against the plain delta from K (XOR of each moved value with its
// old bits, 'auto'), both with encodeDelta at zstd-1 + auto filters; and the CPU of diff and
// applyDelta for each, in one run.
//
//   node --expose-gc benchmarks/delta-predicted.bench.mjs                 (10k entities; d = 2, 8, 31)
//   node --expose-gc benchmarks/delta-predicted.bench.mjs --entities 100k
//
// The world is the reference world (packages/cli reference-world.js); each tick every entity
// integrates x = fround(x + fround(v / 60)) on the three axes, and 10% of the entities, drawn at
// random, get a new health value.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { mkdirSync, writeFileSync } from 'node:fs';
import { benchOptions, fmtMs, localDate, machineLine } from './bench-env.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { sizes, timeScale, write } = benchOptions({ defaultSizes: [10_000] });
const load = (pkg, entry = 'index.js') => import(pathToFileURL(join(here, '..', 'packages', pkg, 'dist', entry)).href);
const [format, codecs, world] = await Promise.all([load('format'), load('codecs'), load('cli', 'reference-world.js')]);
const pack = await codecs.packOptions();
const K = 10;
const DS = [2, 8, 31];

/** Snapshots of the moving world at ticks K, K+1 and K+d (d in DS), each a deep copy. */
function frames(n) {
  const c = world.referenceColumns(n);
  const rand = world.mulberry32(7);
  const out = new Map();
  const last = K + Math.max(...DS);
  for (let tick = 1; tick <= last; tick++) {
    for (const axis of ['x', 'y', 'z']) {
      const p = c.position[axis];
      const v = c.velocity[axis];
      for (let i = 0; i < n; i++) p[i] = Math.fround(p[i] + Math.fround(v[i] / 60));
    }
    const h = c.health.current;
    for (let k = 0; k < n / 10; k++) h[Math.floor(rand() * n)] = Math.fround(1 + Math.floor(rand() * 99));
    c.packed.worldTime = tick;
    c.packed.timestamp = world.REFERENCE_TIMESTAMP + tick;
    if (tick === K || tick === K + 1 || DS.includes(tick - K)) out.set(tick, structuredClone(c.packed));
  }
  return out;
}

const fieldsOf = (delta, id) => delta.components.find((c) => c.id === id);
const how = (delta) => {
  const p = fieldsOf(delta, 'Position');
  if (p?.change !== 'patched') return p?.change ?? '—';
  return p.fields.map((f) => (f.predicted ? 'lin' : f.xor ? 'xor' : f.rows ? 'rows' : 'values')).join('/');
};
const kb = (b) => b.toLocaleString('en-US');
/** The bytes of the delta's Position change alone (every other component given as unchanged). */
const positionOnly = (delta) =>
  format.encodeDelta({ ...delta, components: delta.components.map((c) => (c.id === 'Position' ? c : { id: c.id, change: 'unchanged' })) }, pack).length;

async function runSize(n) {
  const f = frames(n);
  const k0 = f.get(K);
  const k1 = f.get(K + 1);
  const hashes = new Map([...f].map(([t, s]) => [t, format.snapshotHash(s)]));
  const full = format.encodeSnapshot(f.get(K + 1), pack).length;
  const rows = [];
  const bench = new Bench({ time: 300 * timeScale, warmupTime: 100 * timeScale });
  for (const d of DS) {
    const target = f.get(K + d);
    const known = { baseHash: hashes.get(K + 1), nextHash: hashes.get(K + d) };
    const predicted = format.diff(k1, target, { ...known, reference: { snapshot: k0, scale: d - 1, hash: hashes.get(K) } });
    const plain = format.diff(k0, target, { baseHash: hashes.get(K), nextHash: hashes.get(K + d) });
    const plainK1 = format.diff(k1, target, known);
    const predictedBytes = format.encodeDelta(predicted, pack).length;
    const plainBytes = format.encodeDelta(plain, pack).length;
    const plainK1Bytes = format.encodeDelta(plainK1, pack).length;
    // Every delta must rebuild its target bit for bit before it is timed.
    if (!format.snapshotsEqual(format.applyDelta(k1, predicted, { reference: k0 }), target)) throw new Error('predicted delta does not rebuild its target');
    if (!format.snapshotsEqual(format.applyDelta(k0, plain), target)) throw new Error('plain delta does not rebuild its target');
    rows.push({ d, predictedBytes, plainBytes, plainK1Bytes, how: how(predicted), howPlain: how(plain), linPosition: positionOnly(predicted), xorPosition: positionOnly(plain) });
    bench.add(`apply lin d=${d}`, () => format.applyDelta(k1, predicted, { reference: k0, verify: false }));
    bench.add(`apply xor d=${d}`, () => format.applyDelta(k0, plain, { verify: false }));
    bench.add(`diff lin d=${d}`, () => format.diff(k1, target, { ...known, reference: { snapshot: k0, scale: d - 1, hash: hashes.get(K) } }));
    bench.add(`diff xor d=${d}`, () => format.diff(k0, target, { baseHash: hashes.get(K), nextHash: hashes.get(K + d) }));
  }
  await bench.run();
  const ms = (name) => {
    const t = bench.tasks.find((x) => x.name === name).result;
    return t.latency?.p50 ?? t.median ?? t.latency?.mean;
  };
  const lines = [
    `### ${kb(n)} entities (one full zstd-1 snapshot: ${kb(full)} bytes)`,
    '',
    '| d | lin delta (base K+1, ref K) bytes | Position stored as | of which Position | xor delta vs K bytes | Position stored as | of which Position | lin / xor | xor delta vs K+1 bytes | applyDelta lin median (ms) | applyDelta xor median (ms) | diff lin median (ms) | diff xor median (ms) |',
    '|---:|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.d} | ${kb(r.predictedBytes)} | ${r.how} | ${kb(r.linPosition)} | ${kb(r.plainBytes)} | ${r.howPlain} | ${kb(r.xorPosition)} | ${(r.predictedBytes / r.plainBytes).toFixed(3)} | ${kb(r.plainK1Bytes)} | ${fmtMs(ms(`apply lin d=${r.d}`))} | ${fmtMs(ms(`apply xor d=${r.d}`))} | ${fmtMs(ms(`diff lin d=${r.d}`))} | ${fmtMs(ms(`diff xor d=${r.d}`))} |`,
    );
  }
  return lines.join('\n');
}

const sections = [];
for (const n of sizes) sections.push(await runSize(n));
const markdown = `# Predicted temporal deltas on the moving world

${machineLine()}

Moving world: the reference world, each tick \`x = fround(x + fround(v/60))\` on x, y, z and a new
health value for 10% of the entities; K = ${K}. Bytes: \`encodeDelta\` with zstd level 1 + auto filters
(\`packOptions()\` of @tx2/pack-codecs). "lin": \`diff(K+1, K+d, { reference: { snapshot: K, scale: d − 1 } })\`
(predict 'auto'); "xor": \`diff(K, K+d)\` (xor 'auto'). CPU: tinybench medians, hashes passed in
(\`baseHash\`/\`nextHash\`/\`reference.hash\`), \`applyDelta\` with \`verify: false\` (verifying adds one
\`snapshotHash\` of the base, the reference and the result). "of which Position": the same delta encoded
with every other component marked unchanged (the Position change alone; a container costs ~1 KB of
header, manifest and TOC). Health changes (10% of entities a tick) make up the rest, and grow with d.
One run, shared 2-core machine.

${sections.join('\n\n')}
`;
console.log(markdown);
if (write) {
  const file = join(here, 'results', `delta-predicted-${localDate(new Date())}.md`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, markdown);
  console.log(`written to ${file}`);
}
