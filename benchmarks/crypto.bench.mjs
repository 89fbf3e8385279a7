// Benchmarks of @tx2/pack-crypto on the reference world: write and read plain, with a SHA-256
// digest, and encrypted with AES-256-GCM, on each path (node:crypto, WebCrypto, @noble).
//
//   pnpm --filter ./benchmarks bench:crypto                  (all sizes: 10k, 100k, 1M)
//   pnpm --filter ./benchmarks bench:crypto --entities 10000 (a subset; repeat or comma-separate)
//   BENCH_ENTITIES=10000 / --time-scale 0.5 / BENCH_TIME_SCALE / --no-write / BENCH_NO_WRITE=1, as in format.bench.mjs
//
// Run with `node --expose-gc` (the bench:crypto script does) so a full GC runs before every task.
// Tables go to stdout, progress to stderr.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { SnapshotEncoder, decodeSnapshot, getColumn } from '@tx2/pack-format';
import {
  EncryptionKey,
  addDigest,
  addDigestSync,
  decodeEncrypted,
  decodeEncryptedSync,
  decodeVerified,
  decodeVerifiedSync,
  decryptSnapshot,
  decryptSnapshotSync,
  encryptSnapshot,
  encryptSnapshotSync,
  nobleBackend,
  platformBackend,
  platformName,
  webCryptoBackend,
} from '@tx2/pack-crypto';
import { Bench } from 'tinybench';

import { benchOptions, fmtMs, gitInfo, localDate, readVersion } from './bench-env.mjs';
import { mulberry32, referenceColumns } from './world.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];
const TARGET_N = 10_000;

// ---------------------------------------------------------------------------------------------
// Options

const { sizes, timeScale, write: writeResults } = benchOptions({ defaultSizes: DEFAULT_SIZES });
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : null;
const log = (...m) => console.error(...m);

if (platformName !== 'node') throw new Error(`expected the node build of @tx2/pack-crypto, got "${platformName}"`);
const PATHS = [
  { name: 'node:crypto', backend: platformBackend() },
  { name: 'WebCrypto', backend: webCryptoBackend },
  { name: '@noble', backend: nobleBackend },
];

/** tinybench settings by world size (@noble at 1M takes ~0.5 s per call: a few samples only). */
function settingsFor(n) {
  const s =
    n <= 20_000
      ? { time: 500, warmupTime: 150, iterations: 10, warmupIterations: 3 }
      : n <= 200_000
        ? { time: 800, warmupTime: 150, iterations: 5, warmupIterations: 2 }
        : { time: 1000, warmup: false, warmupTime: 0, iterations: 3, warmupIterations: 0 };
  return { ...s, time: Math.round(s.time * timeScale), warmupTime: Math.round(s.warmupTime * timeScale) };
}

// ---------------------------------------------------------------------------------------------
// Measurement

let sink; // results of timed calls land here so that nothing can be optimized away

async function measure(label, fn, settings, isAsync) {
  if (gc) gc();
  const bench = new Bench({ ...settings, throws: true, timestampProvider: 'hrtimeNow' });
  bench.add(label, fn);
  const [task] = isAsync ? await bench.run() : bench.runSync();
  void sink;
  const r = task.result;
  if (r.state !== 'completed') throw new Error(`${label}: task ${r.state}${r.error ? `: ${r.error.message}` : ''}`);
  const l = r.latency;
  return { medianMs: l.p50, meanMs: l.mean, minMs: l.min, maxMs: l.max, p75Ms: l.p75, p99Ms: l.p99, rmePct: l.rme, samples: l.samplesCount };
}

// ---------------------------------------------------------------------------------------------
// Correctness: a decoded snapshot must hold the reference columns (spot checks)

function checkPacked(what, packed, cols) {
  const fail = (m) => {
    throw new Error(`correctness check failed for "${what}": ${m}`);
  };
  if (packed.entities.length !== cols.n) fail(`${packed.entities.length} entities, expected ${cols.n}`);
  const rand = mulberry32(7);
  const spots = [0, cols.n >> 1, cols.n - 1, ...Array.from({ length: 8 }, () => Math.floor(rand() * cols.n))];
  for (const [component, field, want] of [
    ['Position', 'x', cols.position.x],
    ['Velocity', 'z', cols.velocity.z],
    ['Health', 'current', cols.health.current],
  ]) {
    const got = getColumn(packed, component, field, 'f32');
    for (const i of spots) if (got[i] !== want[i] || packed.entities[i] !== cols.entities[i]) fail(`${component}.${field}[${i}]`);
  }
}

// ---------------------------------------------------------------------------------------------
// One world size

async function runSize(n) {
  const settings = settingsFor(n);
  log(
    `\n== N = ${n.toLocaleString('en-US')} entities (time ${settings.time} ms, warmup ${settings.warmup === false ? 'off' : `${settings.warmupTime} ms`}, >= ${settings.iterations} iterations per task)`,
  );
  const cols = referenceColumns(n);
  const { packed } = cols;
  const key = EncryptionKey.generate();
  const encoder = new SnapshotEncoder(); // CRC-32 on every section: the format's default
  const plain = encoder.encodeCopy(packed);
  const bytes = plain.length;
  const rows = [];

  // Plain: the baseline every overhead is measured against.
  checkPacked('plain', decodeSnapshot(plain), cols);
  log('  plain: write / read…');
  const plainWrite = await measure(
    'plain write',
    () => {
      sink = encoder.encode(packed);
    },
    settings,
    false,
  );
  const plainRead = await measure(
    'plain read',
    () => {
      sink = decodeSnapshot(plain);
    },
    settings,
    false,
  );
  rows.push({ mode: 'plain', path: '—', describe: 'encoder.encode(packed) / decodeSnapshot(bytes)', write: plainWrite, read: plainRead });

  for (const { name, backend } of PATHS) {
    const isAsync = !backend.sync;
    const options = { backend };

    // SHA-256 digest: hash the encoder's output in place; verify, then decode.
    const withDigest = addDigestSync(plain.slice(), { backend: nobleBackend });
    checkPacked(
      `sha256 ${name}`,
      isAsync ? await decodeVerified(withDigest, { ...options, required: true }) : decodeVerifiedSync(withDigest, { ...options, required: true }),
      cols,
    );
    if (!Buffer.from(isAsync ? await addDigest(plain.slice(), options) : addDigestSync(plain.slice(), options)).equals(Buffer.from(withDigest))) {
      throw new Error(`${name}: the digest differs from @noble's`);
    }
    log(`  SHA-256, ${name}: write / read…`);
    const shaWrite = await measure(
      `sha256 ${name} write`,
      isAsync
        ? async () => {
            sink = await addDigest(encoder.encode(packed), options);
          }
        : () => {
            sink = addDigestSync(encoder.encode(packed), options);
          },
      settings,
      isAsync,
    );
    const shaRead = await measure(
      `sha256 ${name} read`,
      isAsync
        ? async () => {
            sink = await decodeVerified(withDigest, { ...options, required: true });
          }
        : () => {
            sink = decodeVerifiedSync(withDigest, { ...options, required: true });
          },
      settings,
      isAsync,
    );
    rows.push({ mode: 'SHA-256', path: name, describe: `addDigest(encoder.encode(packed)) in place / decodeVerified(bytes, { required: true })`, write: shaWrite, read: shaRead });

    // AES-256-GCM: encode then encrypt; decrypt then decode. And the transforms alone.
    const encrypted = isAsync ? await encryptSnapshot(plain, key, options) : encryptSnapshotSync(plain, key, options);
    checkPacked(`aes ${name}`, isAsync ? await decodeEncrypted(encrypted, { key, ...options }) : decodeEncryptedSync(encrypted, { key, ...options }), cols);
    const back = isAsync ? await decryptSnapshot(encrypted, key, options) : decryptSnapshotSync(encrypted, key, options);
    if (!Buffer.from(back).equals(Buffer.from(plain))) throw new Error(`${name}: decrypt(encrypt(x)) is not x`);
    // The encoder's output is fresh: its CRC-32s need no check before sealing (as encodeEncrypted does).
    const fresh = { ...options, verifyChecksums: false };
    log(`  AES-256-GCM, ${name}: write / read…`);
    const aesWrite = await measure(
      `aes ${name} write`,
      isAsync
        ? async () => {
            sink = await encryptSnapshot(encoder.encode(packed), key, fresh);
          }
        : () => {
            sink = encryptSnapshotSync(encoder.encode(packed), key, fresh);
          },
      settings,
      isAsync,
    );
    const aesRead = await measure(
      `aes ${name} read`,
      isAsync
        ? async () => {
            sink = await decodeEncrypted(encrypted, { key, ...options });
          }
        : () => {
            sink = decodeEncryptedSync(encrypted, { key, ...options });
          },
      settings,
      isAsync,
    );
    rows.push({
      mode: 'AES-256-GCM',
      path: name,
      describe: 'encryptSnapshot(encoder.encode(packed), key, { verifyChecksums: false }) / decodeEncrypted(bytes, { key })',
      write: aesWrite,
      read: aesRead,
    });

    log(`  AES-256-GCM transform only, ${name}: encrypt / decrypt…`);
    const encryptOnly = await measure(
      `encrypt ${name}`,
      isAsync
        ? async () => {
            sink = await encryptSnapshot(plain, key, fresh);
          }
        : () => {
            sink = encryptSnapshotSync(plain, key, fresh);
          },
      settings,
      isAsync,
    );
    const decryptOnly = await measure(
      `decrypt ${name}`,
      isAsync
        ? async () => {
            sink = await decryptSnapshot(encrypted, key, options);
          }
        : () => {
            sink = decryptSnapshotSync(encrypted, key, options);
          },
      settings,
      isAsync,
    );
    rows.push({
      mode: 'AES-256-GCM transform only',
      path: name,
      describe: 'encryptSnapshot(plainBytes, key, { verifyChecksums: false }) / decryptSnapshot(encryptedBytes, key), no encode or decode',
      write: encryptOnly,
      read: decryptOnly,
      transformOnly: true,
    });

    // The primitives alone, one call over the whole plain container: the ceiling of this path here.
    const nonce = new Uint8Array(12);
    const aad = new Uint8Array(160);
    const raw = key.toBytes();
    const sealedWhole = await backend.seal(raw, nonce, plain, aad);
    log(`  raw primitives, ${name}…`);
    const rawSeal = await measure(
      `raw seal ${name}`,
      isAsync
        ? async () => {
            sink = await backend.seal(raw, nonce, plain, aad);
          }
        : () => {
            sink = backend.seal(raw, nonce, plain, aad);
          },
      settings,
      isAsync,
    );
    const rawOpen = await measure(
      `raw open ${name}`,
      isAsync
        ? async () => {
            sink = await backend.open(raw, nonce, sealedWhole, aad);
          }
        : () => {
            sink = backend.open(raw, nonce, sealedWhole, aad);
          },
      settings,
      isAsync,
    );
    rows.push({
      mode: 'raw AES-256-GCM seal / open',
      path: name,
      describe: 'backend.seal / backend.open over the whole plain container in one call',
      write: rawSeal,
      read: rawOpen,
      transformOnly: true,
    });
    const rawHash = await measure(
      `raw sha256 ${name}`,
      isAsync
        ? async () => {
            sink = await backend.sha256(plain);
          }
        : () => {
            sink = backend.sha256(plain);
          },
      settings,
      isAsync,
    );
    rows.push({ mode: 'raw SHA-256', path: name, describe: 'backend.sha256 over the whole plain container', write: rawHash, read: null, transformOnly: true });

    if (name === 'node:crypto') {
      // The default of encryptSnapshot: the input's CRC-32s are checked first (bytes read from storage).
      const checked = await measure(
        `encrypt ${name} checked`,
        () => {
          sink = encryptSnapshotSync(plain, key, options);
        },
        settings,
        false,
      );
      rows.push({
        mode: 'AES-256-GCM transform only, input CRCs checked',
        path: name,
        describe: 'encryptSnapshot(plainBytes, key): the default, verifyChecksums: true',
        write: checked,
        read: null,
        transformOnly: true,
      });
    }
  }
  sink = undefined;

  for (const r of rows) {
    r.writeMBps = bytes / 1e6 / (r.write.medianMs / 1e3);
    r.readMBps = r.read ? bytes / 1e6 / (r.read.medianMs / 1e3) : null;
    if (!r.transformOnly) {
      r.writeOverheadMs = r.write.medianMs - plainWrite.medianMs;
      r.readOverheadMs = r.read.medianMs - plainRead.medianMs;
      r.writeOverheadX = r.write.medianMs / plainWrite.medianMs;
      r.readOverheadX = r.read.medianMs / plainRead.medianMs;
    }
  }
  return { entities: n, bytes, settings, rows, targets: targets(n, rows) };
}

// ---------------------------------------------------------------------------------------------
// Targets: SHA-256 adds at most 0.5 ms to the 10,000-entity world's write and read (main path,
// node:crypto); AES-256-GCM encryption at 1 GB/s or more on Node (encryptSnapshot, node:crypto).

function targets(n, rows) {
  const find = (mode, path) => rows.find((r) => r.mode === mode && r.path === path);
  const list = [];
  const ms = (v) => `${fmtMs(v)} ms`;
  if (n === TARGET_N) {
    const sha = find('SHA-256', 'node:crypto');
    list.push({
      name: 'SHA-256 adds <= 0.5 ms to the write (node:crypto)',
      value: sha.writeOverheadMs,
      limit: 0.5,
      pass: sha.writeOverheadMs <= 0.5,
      shown: `+${ms(sha.writeOverheadMs)} (${ms(sha.write.medianMs)} vs ${ms(sha.write.medianMs - sha.writeOverheadMs)})`,
    });
    list.push({
      name: 'SHA-256 adds <= 0.5 ms to the read (node:crypto)',
      value: sha.readOverheadMs,
      limit: 0.5,
      pass: sha.readOverheadMs <= 0.5,
      shown: `+${ms(sha.readOverheadMs)} (${ms(sha.read.medianMs)} vs ${ms(sha.read.medianMs - sha.readOverheadMs)})`,
    });
  }
  const enc = find('AES-256-GCM transform only', 'node:crypto');
  const checked = find('AES-256-GCM transform only, input CRCs checked', 'node:crypto');
  const gbps = enc.writeMBps / 1000;
  list.push({
    name: `AES-256-GCM encryption >= 1 GB/s on Node (encryptSnapshot, node:crypto, N = ${n.toLocaleString('en-US')})`,
    value: gbps,
    limit: 1,
    pass: gbps >= 1,
    shown: `${gbps.toFixed(2)} GB/s (${ms(enc.write.medianMs)}); ${(checked.writeMBps / 1000).toFixed(2)} GB/s with the input's CRC-32s checked first (the default)`,
  });
  return list;
}

// ---------------------------------------------------------------------------------------------
// Output

const fmtMBps = (v) => (v == null ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const fmtOver = (ms, x) => (ms == null ? '—' : `${ms >= 0 ? '+' : ''}${fmtMs(ms)} ms (${x.toFixed(2)}x)`);

function table(run) {
  const lines = [
    `### N = ${run.entities.toLocaleString('en-US')} entities (${run.bytes.toLocaleString('en-US')} bytes plain)`,
    '',
    '| mode | path | write median (ms) | write MB/s | write overhead | read median (ms) | read MB/s | read overhead |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of run.rows) {
    lines.push(
      `| ${r.mode} | ${r.path} | ${fmtMs(r.write.medianMs)} | ${fmtMBps(r.writeMBps)} | ${fmtOver(r.writeOverheadMs, r.writeOverheadX)} | ${fmtMs(r.read?.medianMs)} | ${fmtMBps(r.readMBps)} | ${fmtOver(r.readOverheadMs, r.readOverheadX)} |`,
    );
  }
  lines.push(
    '',
    'MB/s = plain container bytes (1 MB = 10^6 B) / median time. Overhead = row median − plain median (and the ratio). "Transform only" rows time encryptSnapshot on the plain bytes (write column; `verifyChecksums: false` unless the row says the input CRCs are checked) and decryptSnapshot on the encrypted bytes (read column), without encoding or decoding. "Raw" rows time the backend primitive alone, in one call over the plain container.',
  );
  return lines.join('\n');
}

function targetLines(run) {
  return [`### Targets (N = ${run.entities.toLocaleString('en-US')})`, '', ...run.targets.map((t) => `- ${t.pass ? 'PASS' : 'FAIL'} ${t.name}: ${t.shown}`)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main

const started = new Date();
const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  totalMemoryBytes: os.totalmem(),
  node: process.version,
  v8: process.versions.v8,
  openssl: process.versions.openssl,
  platform: process.platform,
  arch: process.arch,
  osRelease: os.release(),
  aesInstructions: /\baes\b/.test(safeRead('/proc/cpuinfo')) ? 'yes' : 'unknown',
};
function safeRead(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
const cryptoDir = join(HERE, '..', 'packages', 'crypto');
const versions = {
  '@tx2/pack-format': readVersion('@tx2/pack-format'),
  '@tx2/pack-crypto': readVersion('@tx2/pack-crypto'),
  '@noble/ciphers': readVersion('@noble/ciphers', cryptoDir),
  '@noble/hashes': readVersion('@noble/hashes', cryptoDir),
  tinybench: readVersion('tinybench'),
};
log(
  `tx2-pack crypto benchmarks: ${machine.cpu}, ${machine.cores} cores, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${machine.node} (OpenSSL ${machine.openssl}) ${machine.platform}-${machine.arch}`,
);
if (!gc) log('warning: global.gc is not exposed (run node with --expose-gc); GC between tasks is skipped');

const runs = [];
for (const n of sizes) {
  const run = await runSize(n);
  runs.push(run);
  console.log(`\n${table(run)}\n`);
  console.log(`${targetLines(run)}\n`);
}

const finished = new Date();
const result = {
  benchmark: 'crypto',
  date: localDate(started),
  startedAt: started.toISOString(),
  durationSeconds: (finished - started) / 1000,
  machine,
  versions,
  git: gitInfo(['../packages/crypto', '../packages/format'], 'packagesDirty'),
  gcExposed: gc !== null,
  methodology:
    'tinybench (runSync for node:crypto and @noble, run for the async WebCrypto path; hrtime) per task, one task per Bench, full GC before each task; reported time = median (p50) of per-call latency samples; reference world of benchmarks/world.mjs encoded by a SnapshotEncoder with CRC-32s (the default); outputs checked before timing.',
  timeScale,
  runs,
};

if (writeResults) {
  const dir = join(HERE, 'results');
  mkdirSync(dir, { recursive: true });
  const jsonPath = join(dir, `crypto-${result.date}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  const md = [
    '# @tx2/pack-crypto benchmark results (latest run)',
    '',
    `${result.startedAt} — ${machine.cpu} (AES instructions: ${machine.aesInstructions}), ${machine.cores} cores, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${machine.node} (OpenSSL ${machine.openssl}, ${machine.platform}-${machine.arch})` +
      (result.git ? `, commit ${result.git.commit.slice(0, 12)}${result.git.packagesDirty ? ' (packages modified)' : ''}` : ''),
    '',
    `@noble/ciphers ${versions['@noble/ciphers']}, @noble/hashes ${versions['@noble/hashes']}, tinybench ${versions.tinybench}. Median per op; the machine is shared (2 cores), so figures are noisy. See benchmarks/README.md.`,
    '',
    ...runs.flatMap((run) => [table(run), '', targetLines(run), '']),
  ].join('\n');
  writeFileSync(join(dir, 'crypto-latest.md'), md);
  log(`\nwrote ${jsonPath} and ${join(dir, 'crypto-latest.md')} (${result.durationSeconds.toFixed(0)} s)`);
}
