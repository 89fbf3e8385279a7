// No user input makes `tx2pack` report a bug (exit 70) or throw: every command is fed hostile
// paths, option values and input files (corrupt snapshots, JSON nested 100,000 deep, malformed
// `$tx2pack` extensions, bad key files, damaged stores) and must answer with a documented exit
// code (0 to 5) and a one-line message.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createPackedSnapshot, encodeSnapshot, type PackedSnapshot } from '@tx2/pack-format';
import { CheckpointManager, SnapshotStore } from '@tx2/pack-store';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/program.js';
import { referenceColumns } from '../src/reference-world.js';
import { packedToWorldJson } from '../src/world-json.js';
import { tempDir } from './helpers.js';

const { dir, cleanup } = tempDir('hostile');
const at = (name: string): string => path.join(dir, name);
// Relative hostile paths (" ", "-") land in the temporary directory, never in the package.
const home = process.cwd();
afterAll(() => {
  process.chdir(home);
  cleanup();
});

/** Runs `tx2pack argv` in this process; returns the exit code and what it printed on stderr. */
async function tx2(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  // The passphrase variables are read from process.env: set for this run only.
  const saved = Object.keys(env).map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, env);
  const code = await run(argv, {
    stdout: { write: () => true },
    stderr: {
      write: (text: string) => {
        stderr += text;
        return true;
      },
    },
    env,
  }).finally(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  return { code, stderr };
}

const DOCUMENTED = [0, 1, 2, 3, 4, 5];

/** Runs every argv; collects those that exit 70 (or outside the documented codes), with their message. */
async function bugsAmong(argvs: string[][]): Promise<string[]> {
  const bugs: string[] = [];
  for (const argv of argvs) {
    const { code, stderr } = await tx2(argv);
    if (!DOCUMENTED.includes(code)) bugs.push(`${JSON.stringify(argv).slice(0, 300)} -> ${code}: ${stderr.slice(0, 300)}`);
  }
  return bugs;
}

const world = referenceColumns(30).packed;
const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
const document = JSON.stringify(packedToWorldJson(world));

/** World documents that are JSON but not what export writes. */
function hostileDocuments(): Record<string, string> {
  const doc = JSON.parse(document);
  const ext = (patch: Record<string, unknown>): string => JSON.stringify({ ...doc, $tx2pack: { ...doc.$tx2pack, ...patch } });
  const entity0 = doc.entities[0];
  return {
    'deep-top.json': deep(100_000),
    'deep-data.json': JSON.stringify({ ...doc, entities: [{ id: 1, components: [{ id: 'P', data: 0 }] }] }).replace('"data":0', `"data":${deep(100_000)}`),
    'deep-metadata.json': ext({ metadata: { a: 0 } }).replace('"a":0', `"a":${'{"b":'.repeat(100_000)}1${'}'.repeat(100_000)}`),
    'deep-extension.json': ext({ components: 0 }).replace('"components":0', `"components":${deep(100_000)}`),
    'not-json.json': '{"entities": [',
    'empty.json': '',
    'bom.json': `\ufeff${document}`,
    'nul.json': '\u0000',
    'array.json': '[]',
    'string.json': '"x"',
    'entities-object.json': JSON.stringify({ ...doc, entities: {} }),
    'entity-ids.json': JSON.stringify({
      ...doc,
      entities: [
        { id: -1, components: [] },
        { id: 1.5, components: [] },
        { id: 2 ** 40, components: [] },
      ],
    }),
    'duplicate-ids.json': JSON.stringify({ ...doc, entities: [entity0, entity0] }),
    'timestamp-string.json': JSON.stringify({ ...doc, timestamp: '0' }),
    'encoding-future.json': ext({ encoding: 3 }),
    'encoding-odd.json': ext({ encoding: '2' }),
    'encoding-fraction.json': ext({ encoding: 1.5 }),
    'components-wrong.json': ext({ components: [{ id: 'Position', layout: 'columns', fields: [['x', 'f128']] }] }),
    'components-missing.json': ext({ components: [] }),
    'components-twice.json': ext({ components: [...doc.$tx2pack.components, doc.$tx2pack.components[0]] }),
    'components-blob-vs-columns.json': ext({ components: doc.$tx2pack.components.map((c: { id: string }) => ({ id: c.id, layout: 'blobs' })) }),
    'component-order.json': ext({ componentOrder: [[entity0.id, ['Nope', 'Position']], ['x', []], [1]] }),
    'component-order-unknown.json': ext({ componentOrder: [[entity0.id, ['Nope']]] }),
    'row-order.json': ext({
      rowOrder: [
        ['Position', [entity0.id, entity0.id]],
        ['Nope', [1]],
        ['Position', 'x'],
      ],
    }),
    'exact-bits.json': ext({
      exactBits: [
        ['Position', 'x', entity0.id, 'zz'],
        ['Position', 'x', entity0.id, '00000000'],
      ],
    }),
    'exact-bits-shape.json': ext({ exactBits: [['Position']] }),
    'blob-bytes.json': ext({
      blobBytes: [
        ['Position', entity0.id, '!!!'],
        ['Nope', 1, 'AAAA'],
      ],
    }),
    'metadata-bytes.json': ext({ metadataBytes: 'wA==' }),
    'metadata-bytes-garbage.json': ext({ metadataBytes: '/w==' }),
    'entity-metadata.json': ext({ entityMetadata: [[1, null], 'x', [1.5, {}]] }),
    'schema-v1.json': JSON.stringify({ ...doc, $tx2pack: { encoding: 1, schema: { Position: { x: 'nope' } } } }),
    'schema-v1-array.json': JSON.stringify({ ...doc, $tx2pack: { encoding: 1, schema: [] } }),
    'tags.json': JSON.stringify({ ...doc, entities: [{ id: 1, components: [{ id: 'P', data: { $tx2: 'Map', entries: [[1]] } }] }] }),
    'tag-nan-bits.json': JSON.stringify({ ...doc, timestamp: { $tx2: 'NaN', bits: '0000000000000000' } }),
    'proto.json': '{"__proto__": {"entities": []}, "entities": [{"id": 1, "components": [{"id": "__proto__", "data": {"__proto__": 1}}]}], "version": "v", "timestamp": 0}',
  };
}

beforeAll(async () => {
  process.chdir(dir);
  const snapshot = encodeSnapshot(world);
  writeFileSync(at('world.tx2pack'), snapshot);
  writeFileSync(at('world.json'), document);
  writeFileSync(at('empty'), '');
  writeFileSync(
    at('random'),
    Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24),
  );
  writeFileSync(at('cut.tx2pack'), snapshot.subarray(0, snapshot.length >> 1));
  const flipped = snapshot.slice();
  flipped[100]! ^= 0xff;
  writeFileSync(at('flipped.tx2pack'), flipped);
  writeFileSync(at('header-only.tx2pack'), snapshot.subarray(0, 64));
  mkdirSync(at('a-dir'));
  for (const [name, text] of Object.entries(hostileDocuments())) writeFileSync(at(name), text);
  writeFileSync(at('key-empty.key'), '');
  writeFileSync(at('key-short.key'), 'abcd');
  writeFileSync(at('key-text.key'), 'z'.repeat(64));
  writeFileSync(at('key-big.key'), 'a'.repeat(1 << 20));
  // A store, a checkpoint chain, and damaged copies of both.
  const store = new SnapshotStore(at('store'));
  await store.save(world, 'a');
  await store.save(world, 'b');
  const manager = new CheckpointManager(at('chain'));
  for (let i = 0; i < 3; i++) await manager.createCheckpoint(`c${i}`, { ...world, worldTime: i });
  mkdirSync(at('bad-store'));
  writeFileSync(at('bad-store/a.meta.json'), '{"format":"tx2-pack-store/1"');
  writeFileSync(at('bad-store/a.tx2pack'), snapshot.subarray(0, 100));
  writeFileSync(at('bad-store/b.meta.json'), readFileSync(at('store/b.meta.json')));
  writeFileSync(at('bad-store/b.tx2pack'), flipped);
  writeFileSync(at('bad-store/c.meta.json'), `{"format":"tx2-pack-store/1","metadata":{"custom":${deep(100_000)}}}`);
  symlinkSync(at('store/a.tx2pack'), at('bad-store/d.tx2pack'));
  symlinkSync(at('store/a.meta.json'), at('bad-store/d.meta.json'));
  writeFileSync(at('bad-store/.tx2pack.lock'), `\u001b[31m${'x'.repeat(10_000)}`);
}, 120_000);

const FILES = ['world.tx2pack', 'empty', 'random', 'cut.tx2pack', 'flipped.tx2pack', 'header-only.tx2pack', 'a-dir', 'missing.tx2pack', 'world.json'];
const STORES = ['store', 'chain', 'bad-store', 'a-dir', 'world.tx2pack', 'missing-dir'];
const BAD_PATHS = ['a\0b', '', ' ', '-', '--', '\u001b[31m', 'x'.repeat(5000), '/dev/null', '.'];

describe('tx2pack never exits 70 on user input', () => {
  it('the two reported cases: JSON nested 100,000 deep given to import, and a path containing NUL', async () => {
    const nested = await tx2(['import', at('deep-data.json'), at('out-deep.tx2pack')]);
    expect(nested.code).toBe(5);
    expect(nested.stderr).toMatch(/nests deeper than 1000 levels/);
    expect(nested.stderr.length).toBeLessThan(1000);
    for (const argv of [
      ['inspect', 'a\0b'],
      ['import', at('world.json'), 'out\0.tx2pack'],
      ['ls', `${dir}\0`],
      ['export', at('world.tx2pack'), '--out', 'a\0b'],
    ]) {
      const { code, stderr } = await tx2(argv);
      expect(code, `${argv.join(' ')}: ${stderr}`).toBe(2);
      expect(stderr).toMatch(/NUL/);
    }
  });

  it('every command on damaged, missing and odd input files', async () => {
    const argvs: string[][] = [];
    for (const file of [...FILES, ...BAD_PATHS].map((f) => (BAD_PATHS.includes(f) ? f : at(f)))) {
      argvs.push(
        ['inspect', file],
        ['inspect', file, '--json'],
        ['verify', file],
        ['verify', file, '--json'],
        ['export', file],
        ['export', file, '--key-file', at('key-short.key')],
      );
      argvs.push(['convert', file, at('out-convert.tx2pack'), '--force'], ['diff', file, at('world.tx2pack')], ['diff', at('world.tx2pack'), file, '--json']);
      argvs.push(['import', file, at('out-import.tx2pack'), '--force']);
    }
    expect(await bugsAmong(argvs)).toEqual([]);
  });

  it('import of every hostile world document', async () => {
    const argvs = Object.keys(hostileDocuments()).map((name) => ['import', at(name), at(`out-${name}.tx2pack`), '--force']);
    expect(await bugsAmong(argvs)).toEqual([]);
  });

  it('store commands on damaged stores, bad ids and bad options', async () => {
    const argvs: string[][] = [];
    for (const store of [...STORES.map(at), ...BAD_PATHS]) {
      argvs.push(['ls', store], ['ls', store, '--json'], ['show', store, 'a'], ['show', store, 'c1', '--json'], ['show', store, '../a'], ['show', store, 'd']);
      argvs.push(['rm', store, 'nope'], ['rm', store, '..'], ['prune', store, '--keep', '5', '--dry-run'], ['prune', store, '--keep', '-1'], ['prune', store]);
    }
    expect(await bugsAmong(argvs)).toEqual([]);
  });

  it('bad key files and key options', async () => {
    const argvs: string[][] = [];
    for (const key of ['key-empty.key', 'key-short.key', 'key-text.key', 'key-big.key', 'a-dir', 'missing.key'].map(at).concat(BAD_PATHS)) {
      argvs.push(['inspect', at('world.tx2pack'), '--key-file', key], ['convert', at('world.tx2pack'), at('out-key.tx2pack'), '--force', '--new-key-file', key]);
      argvs.push(['import', at('world.json'), at('out-key2.tx2pack'), '--force', '--key-file', key], ['keygen', key]);
    }
    argvs.push(
      ['inspect', at('world.tx2pack'), '--key-file', at('key-short.key'), '--passphrase'],
      ['convert', at('world.tx2pack'), at('o.tx2pack'), '--new-passphrase', '--force'],
    );
    expect(await bugsAmong(argvs)).toEqual([]);
  });

  it('fuzz: random argv from commands, option values and paths', async () => {
    const commands = ['inspect', 'verify', 'convert', 'export', 'import', 'diff', 'ls', 'show', 'rm', 'prune', 'keygen', 'demo', 'bench', 'nope', ''];
    const flags = [
      '--json',
      '--verbose',
      '--no-color',
      '--force',
      '--compact',
      '--digest',
      '--decrypt',
      '--dry-run',
      '--no-checksums',
      '--passphrase',
      '--help',
      '--version',
      '-h',
      '-v',
      '--nope',
    ];
    const valued = ['--codec', '--level', '--filter', '--out', '--keep', '--key-file', '--new-key-file', '--entities', '--ticks', '--time'];
    const values = ['', '0', '-1', '1.5', '1e400', 'NaN', '99999999999999999999', 'best', 'zstd', 'lz4', 'x', 'a\0b', '--json', ...FILES.map(at), at('out-fuzz'), at('store')];
    const argv = fc
      .tuple(
        fc.constantFrom(...commands),
        fc.array(
          fc.oneof(
            fc.constantFrom(...values),
            fc.constantFrom(...flags),
            fc.tuple(fc.constantFrom(...valued), fc.constantFrom(...values)).map(([f, v]) => `${f}=${v}`),
          ),
          { maxLength: 5 },
        ),
      )
      .map(([command, rest]) => [command, ...rest]);
    const bugs: string[] = [];
    await fc.assert(
      fc.asyncProperty(argv, async (args) => {
        // Slow commands stay small: the fuzz is about parsing, not about running a benchmark.
        const bounded = args[0] === 'demo' || args[0] === 'bench' ? [...args, '--entities', '20', '--ticks', '1', '--time', '1'] : args;
        bugs.push(...(await bugsAmong([bounded])));
      }),
      { numRuns: 300, seed: 15 },
    );
    expect(bugs).toEqual([]);
  });

  it('demo and bench refuse sizes that cannot be allocated instead of crashing', async () => {
    for (const argv of [
      ['demo', '--entities', '1e12'],
      ['bench', '--entities', '99999999999'],
      ['demo', '--ticks', '1e9'],
      ['bench', '--time', '1e12'],
    ]) {
      const { code, stderr } = await tx2(argv);
      expect(code, `${argv.join(' ')}: ${stderr}`).toBe(2);
    }
  });
});

/**
 * A failure is reported as one line "error: ..." on stderr with a documented exit code: no
 * stack trace, no second error line. Returns what is wrong with the run, or undefined.
 */
async function misreport(argv: string[], env: Record<string, string> = {}): Promise<string | undefined> {
  const { code, stderr } = await tx2(argv, env);
  const label = `${JSON.stringify(argv).slice(0, 300)} -> ${code}: ${stderr.slice(0, 400)}`;
  if (!DOCUMENTED.includes(code)) return label;
  if (/^\s+at .+[:(]/m.test(stderr)) return `${label} (a stack trace)`;
  if (code !== 0 && stderr.split('\n').filter((line) => line.startsWith('error:')).length !== 1) return `${label} (not one error line)`;
  return undefined;
}

/** `bytes` damaged one way: cut at, flip at, extended by, or 8 bytes set to 0xff at. */
function damage(bytes: Uint8Array, how: 'cut' | 'flip' | 'extend' | 'ones', at: number, byte: number): Uint8Array {
  const i = at % bytes.length;
  if (how === 'cut') return bytes.subarray(0, i);
  if (how === 'flip') return Uint8Array.from(bytes, (b, j) => (j === i ? b ^ byte : b));
  if (how === 'extend') return Uint8Array.from([...bytes, ...new Uint8Array(1 + (at % 300)).fill(byte)]);
  return Uint8Array.from(bytes, (b, j) => (j >= i && j < i + 8 ? 0xff : b));
}

/** A world whose positions move linearly with `t`: its checkpoints become (predicted) deltas. */
function movingWorld(t: number): PackedSnapshot {
  const n = 24;
  return createPackedSnapshot({
    entities: Uint32Array.from({ length: n }, (_, i) => i + 1),
    worldTime: t,
    components: [
      { id: 'Position', fields: { x: Float32Array.from({ length: n }, (_, i) => i * 3 + t * 0.25), y: Float32Array.from({ length: n }, (_, i) => -i + t * 0.5) } },
      { id: 'Health', fields: { hp: Float64Array.from({ length: n }, (_, i) => (i + t) % 7) } },
    ],
  });
}

const KINDS = ['cut', 'flip', 'extend', 'ones'] as const;

describe('every command on damaged files and stores: a documented exit code and one error line', () => {
  const PASS = { TX2PACK_PASSPHRASE: 'correct horse battery staple' };

  it('seeded damage to plain, compressed, key- and passphrase-encrypted snapshots and to delta files', async () => {
    // The originals, written by the CLI itself.
    const made = [
      await tx2(['keygen', at('fz.key')]),
      await tx2(['convert', at('world.tx2pack'), at('fz-zstd.tx2pack'), '--codec', 'zstd', '--force']),
      await tx2(['convert', at('world.tx2pack'), at('fz-key.tx2pack'), '--new-key-file', at('fz.key'), '--force']),
      await tx2(['convert', at('world.tx2pack'), at('fz-pass.tx2pack'), '--new-passphrase', '--force'], { TX2PACK_NEW_PASSPHRASE: PASS.TX2PACK_PASSPHRASE }),
    ];
    writeFileSync(at('fz-next.tx2pack'), encodeSnapshot({ ...world, worldTime: world.worldTime + 1 }));
    made.push(await tx2(['diff', at('world.tx2pack'), at('fz-next.tx2pack'), '--out', at('fz.delta')]));
    expect(made.map((m) => `${m.code} ${m.stderr}`)).toEqual(['0 ', '0 ', '0 ', '0 ', '0 ']);
    const originals: [string, string[], Record<string, string>][] = [
      ['world.tx2pack', [], {}],
      ['fz-zstd.tx2pack', [], {}],
      ['fz-key.tx2pack', ['--key-file', at('fz.key')], {}],
      ['fz-pass.tx2pack', ['--passphrase'], PASS],
      ['fz.delta', [], {}],
    ];
    const problems: string[] = [];
    let n = 0;
    for (const [name, keyArgs, env] of originals) {
      const bytes = readFileSync(at(name));
      // A passphrase costs a key derivation per run: fewer cases and commands for that file.
      const slow = keyArgs.includes('--passphrase');
      const cases = fc.sample(fc.tuple(fc.constantFrom(...KINDS), fc.nat(), fc.integer({ min: 1, max: 255 })), { seed: 20_261_203, numRuns: slow ? 4 : 10 });
      for (const [how, where, byte] of cases) {
        const file = at(`fz-damaged-${n++}.tx2pack`);
        writeFileSync(file, damage(bytes, how, where, byte));
        const argvs = [
          ['inspect', file, ...keyArgs],
          ['verify', file, '--json', ...keyArgs],
          ['export', file, ...keyArgs],
          ['inspect', file, '--json', ...keyArgs],
          ['verify', file, ...keyArgs],
          ['convert', file, at('fz-out.tx2pack'), '--force', ...keyArgs],
          ['diff', at('world.tx2pack'), file, ...keyArgs],
          ['diff', file, at('world.tx2pack'), '--json', ...keyArgs],
        ];
        for (const argv of slow ? argvs.slice(0, 3) : argvs) {
          const problem = await misreport(argv, env);
          if (problem !== undefined) problems.push(`${name} ${how} at ${where} (${byte}): ${problem}`);
        }
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('checkpoint chains (predicted deltas) with damaged link records and snapshot bytes', async () => {
    const chain = at('fz-chain');
    const manager = new CheckpointManager(chain, { incremental: { fullEvery: 8, maxDeltaRatio: Number.POSITIVE_INFINITY } });
    for (let t = 0; t < 5; t++) await manager.createCheckpoint(`t${t}`, movingWorld(t));
    const storages = (await manager.listCheckpoints()).map((c) => c.storage);
    expect(storages.some((s) => s.kind === 'delta' && s.reference !== undefined)).toBe(true);
    const files = ['t0', 't1', 't2', 't3', 't4'].flatMap((id) => [`${id}.meta.json`, `${id}.tx2pack`]);
    const original = new Map(files.map((f) => [f, readFileSync(path.join(chain, f))]));
    const hostile: unknown[] = [null, '', 't3', 't4', 'missing', -1, 1e308, 2 ** 53, 0.5, [], {}, 'ab'.repeat(32)];
    const linkFields = ['parent', 'sequence', 'storage', 'base', 'baseHash', 'depth', 'runIndex', 'reference', 'referenceHash', 'scale', 'fullBytes'];
    const edits = fc.sample(
      fc.oneof(
        fc.record({
          file: fc.constantFrom(...files.filter((f) => f.endsWith('.tx2pack'))),
          how: fc.constantFrom(...KINDS),
          where: fc.nat(),
          byte: fc.integer({ min: 1, max: 255 }),
        }),
        fc.record({ id: fc.integer({ min: 0, max: 4 }), field: fc.constantFrom(...linkFields), value: fc.constantFrom(...hostile) }),
      ),
      { seed: 20_261_203, numRuns: 16 },
    );
    const problems: string[] = [];
    for (const edit of edits) {
      for (const [f, bytes] of original) writeFileSync(path.join(chain, f), bytes);
      if ('file' in edit) writeFileSync(path.join(chain, edit.file), damage(original.get(edit.file)!, edit.how, edit.where, edit.byte));
      else {
        const key = `t${edit.id}.meta.json`;
        const record = JSON.parse(original.get(key)!.toString('utf8'));
        record.extra.checkpoint[edit.field] = edit.value;
        writeFileSync(path.join(chain, key), JSON.stringify(record));
      }
      for (const argv of [
        ['ls', chain],
        ['ls', chain, '--json'],
        ...['t0', 't2', 't4'].flatMap((id) => [
          ['show', chain, id],
          ['show', chain, id, '--json'],
        ]),
        ['prune', chain, '--keep', '2', '--dry-run'],
      ]) {
        const problem = await misreport(argv);
        if (problem !== undefined) problems.push(`${JSON.stringify(edit)}: ${problem}`);
      }
    }
    // Deleting from a damaged chain: each edit on a fresh copy.
    for (const edit of edits.slice(0, 8)) {
      for (const [f, bytes] of original) writeFileSync(path.join(chain, f), bytes);
      if ('field' in edit) {
        const key = `t${edit.id}.meta.json`;
        const record = JSON.parse(original.get(key)!.toString('utf8'));
        record.extra.checkpoint[edit.field] = edit.value;
        writeFileSync(path.join(chain, key), JSON.stringify(record));
      } else writeFileSync(path.join(chain, edit.file), damage(original.get(edit.file)!, edit.how, edit.where, edit.byte));
      for (const argv of [
        ['rm', chain, 't1'],
        ['prune', chain, '--keep', '1'],
      ]) {
        const problem = await misreport(argv);
        if (problem !== undefined) problems.push(`${JSON.stringify(edit)}: ${problem}`);
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
