import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyDelta, createPackedSnapshot, decodeDelta, diff, encodeSnapshot, hashHex, snapshotHash, snapshotsEqual } from '@tx2/pack-format';
import { deltaToJson } from '../src/delta-report.js';
import { readOptions } from '@tx2/pack-codecs';
import { simulate } from '../src/demo-simulation.js';
import { fromJsonValue, type Json } from '../src/json-encoding.js';
import { referenceColumns } from '../src/reference-world.js';
import { hasAnsi, hasStack, tempDir, tx2pack, tx2packJson } from './helpers.js';

const { dir, cleanup } = tempDir('commands');
const at = (name: string): string => path.join(dir, name);
afterAll(cleanup);

describe('demo', () => {
  it('runs the whole job and reports every check as passed', async () => {
    const { code, stdout, stderr } = await tx2pack(['demo', '--entities', '2000', '--ticks', '3']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const heading of ['Save with every codec', 'Verify', 'Checkpoints', 'Replay', 'Time travel', 'Diff']) expect(stdout).toContain(heading);
    expect(stdout).toMatch(/All \d+ checks passed/);
    expect(stdout).toContain('detected in column');
    expect(hasAnsi(stdout)).toBe(false);
  });

  it('--json reports the same as data; --dir keeps the files for the other commands', async () => {
    const { code, data } = await tx2packJson(['demo', '--entities', '500', '--ticks', '2', '--dir', at('demo')]);
    expect(code).toBe(0);
    expect(data.ok).toBe(true);
    // The codec the library uses when none is chosen is the one shown for zstd.
    expect(data.codecs.find((c: { default?: boolean }) => c.default === true)?.codec).toBe('zstd-1');
    expect(data.codecs.map((c: { codec: string }) => c.codec)).toEqual(['none', 'lz4-1', 'zstd-1', 'deflate-6', 'gzip-6']);
    expect(data.checkpoints.map((c: { id: string }) => c.id)).toEqual(['tick-0', 'tick-1', 'tick-2']);
    expect((await tx2pack(['verify', at('demo/world-zstd.tx2pack')])).code).toBe(0);
    expect((await tx2packJson(['ls', at('demo/checkpoints')])).data.count).toBe(3);
  });
});

describe('bench', () => {
  it('prints the codec table for the reference world', async () => {
    const { code, stdout } = await tx2pack(['bench', '--entities', '1000', '--rounds', '3']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/codec\s+filters\s+bytes\s+ratio\s+write\s+read/);
    expect(stdout).toMatch(/^Machine: .+, \d+ cores, Node v\d+/m);
    expect(stdout).toMatch(/^Load average \(1, 5, 15 min\): [\d.]+ [\d.]+ [\d.]+ before, [\d.]+ [\d.]+ [\d.]+ after$/m);
    expect(stdout).toMatch(/Medians of 3 rounds/);
    expect(stdout).toMatch(/zstd-1 \(default\)\s+auto\s+[\d,]+\s+[\d.]+x\s+[\d.]+ ms\s+±[\d.]+%/);
    expect(stdout).toMatch(/zstd-1 \(default\)\s+auto/);
  });

  it('--json has one row per setting, with the same byte counts as the library', async () => {
    const { code, data } = await tx2packJson(['bench', '--entities', '1000', '--rounds', '3']);
    expect(code).toBe(0);
    expect(data.entities).toBe(1000);
    expect(data.rounds).toBe(3);
    expect(data.machine.cores).toBeGreaterThan(0);
    expect(data.machine.loadAverage).toHaveLength(3);
    for (const row of data.rows) expect(row.samples).toBe(3);
    expect(data.rows.map((r: { setting: string }) => r.setting)).toEqual(['none', 'lz4-1', 'zstd-1 (default)', 'zstd-3', 'zstd-19', 'deflate-6', 'gzip-6']);
    expect(data.rows[0].bytes).toBe(encodeSnapshot(referenceColumns(1000).packed).length);
    for (const row of data.rows) expect(row.writeMs).toBeGreaterThan(0);
  });
});

describe('diff', () => {
  const frames = simulate(referenceColumns(200), 1, 0.1);
  writeFileSync(at('t0.tx2pack'), encodeSnapshot(frames[0]!.packed));
  writeFileSync(at('t1.tx2pack'), encodeSnapshot(frames[1]!.packed));

  it('summarizes what changed', async () => {
    const { code, stdout } = await tx2pack(['diff', at('t0.tx2pack'), at('t1.tx2pack')]);
    expect(code).toBe(0);
    expect(stdout).toContain('changed');
    expect(stdout).toMatch(/Position\s+patched/);
    expect(stdout).toMatch(/Velocity|1 component unchanged/);
  });

  it('--json gives the summary and the full delta; --out writes a delta that rebuilds the next snapshot', async () => {
    const { code, data } = await tx2packJson(['diff', at('t0.tx2pack'), at('t1.tx2pack'), '--out', at('d.tx2pack'), '--codec', 'lz4']);
    expect(code).toBe(0);
    expect(data.identical).toBe(false);
    expect(data.summary.components.find((c: { id: string }) => c.id === 'Velocity').change).toBe('unchanged');
    expect(data.delta.components).toHaveLength(3);
    expect(data.written.bytes).toBeGreaterThan(0);
    const bytes = new Uint8Array(readFileSync(at('d.tx2pack')));
    const delta = decodeDelta(bytes, await readOptions({ bytes }));
    expect(snapshotsEqual(applyDelta(frames[0]!.packed, delta), frames[1]!.packed)).toBe(true);
    const same = await tx2packJson(['diff', at('t0.tx2pack'), at('t0.tx2pack')]);
    expect(same.data.identical).toBe(true);
  });
});

describe('diff --json of fields stored as XOR temporal deltas', () => {
  // Every x moves a little (the library stores the whole column as XOR bits); two hp values change (stored as rows).
  const n = 64;
  const ids = Array.from({ length: n }, (_, i) => i + 1);
  const x0 = Float64Array.from(ids, (i) => 1000 + i / 8);
  const x1 = x0.map((v) => v + 0.001);
  const hp0 = Int32Array.from(ids, () => 100);
  const hp1 = hp0.slice();
  hp1[3] = 90;
  hp1[7] = 80;
  const base = createPackedSnapshot({ entities: ids, timestamp: 1, components: [{ id: 'P', fields: { x: x0, hp: hp0 } }] });
  const next = createPackedSnapshot({ entities: ids, timestamp: 2, components: [{ id: 'P', fields: { x: x1, hp: hp1 } }] });
  writeFileSync(at('xor-a.tx2pack'), encodeSnapshot(base));
  writeFileSync(at('xor-b.tx2pack'), encodeSnapshot(next));

  it('shows the new values, labelled storedAs "xor", as the other fields show theirs', async () => {
    // The case is what it claims: the library's delta stores x as XOR bits, which are not the new values.
    const library = diff(base, next);
    const patch = library.components[0]!;
    if (patch.change !== 'patched') throw new Error(`expected a patch, got ${patch.change}`);
    const xField = patch.fields.find((f) => f.name === 'x')!;
    expect(xField.xor).toBe(true);
    expect(Array.from(xField.values as Float64Array)).not.toEqual(Array.from(x1));

    const { code, data } = await tx2packJson(['diff', at('xor-a.tx2pack'), at('xor-b.tx2pack')]);
    expect(code).toBe(0);
    const fields = data.delta.components[0].fields as Record<string, Json>[];
    const x = fields.find((f) => f.name === 'x')!;
    expect(x.storedAs).toBe('xor');
    expect(x).not.toHaveProperty('xor');
    expect(x).not.toHaveProperty('rows');
    expect(fromJsonValue(x.values!)).toStrictEqual(x1);
    // The field stored as changed rows: new values at those rows, no label.
    const hp = fields.find((f) => f.name === 'hp')!;
    expect(hp).not.toHaveProperty('storedAs');
    expect(fromJsonValue(hp.rows!)).toStrictEqual(Uint32Array.of(3, 7));
    expect(fromJsonValue(hp.values!)).toStrictEqual(Int32Array.of(90, 80));
  });

  it('a predicted field (a delta made with a reference snapshot) shows its new values, labelled storedAs "predicted"', () => {
    const ref = createPackedSnapshot({ entities: ids, timestamp: 0, components: [{ id: 'P', fields: { x: x0.map((v) => v - 0.25), hp: hp0 } }] });
    const delta = diff(base, next, { reference: { snapshot: ref, scale: 1 }, predict: 'always' });
    const patch = delta.components[0]!;
    if (patch.change !== 'patched') throw new Error(`expected a patch, got ${patch.change}`);
    expect(patch.fields.find((f) => f.name === 'x')!.predicted).toBe(true);
    const json = deltaToJson(delta, next) as { reference: { hash: string; scale: number }; components: { fields: Record<string, Json>[] }[] };
    expect(json.reference).toEqual({ hash: hashHex(snapshotHash(ref)), scale: 1 });
    const x = json.components[0]!.fields.find((f) => f.name === 'x')!;
    expect(x.storedAs).toBe('predicted');
    expect(x).not.toHaveProperty('predicted');
    expect(fromJsonValue(x.values!)).toStrictEqual(x1);
  });
});

describe('usage', () => {
  it('no command prints help with exit code 2; --version prints the version', async () => {
    const none = await tx2pack([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('Commands:');
    const version = await tx2pack(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/tx2pack\/\d+\.\d+\.\d+/);
  });

  it('an unknown command, an unknown option or a missing argument is one line and exit code 2', async () => {
    for (const args of [['explode'], ['inspect'], ['inspect', 'x.tx2pack', '--frobnicate'], ['bench', '--entities', 'lots'], ['convert', 'a.tx2pack']]) {
      const { code, stdout, stderr } = await tx2pack(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(stderr).toMatch(/^error: /);
      expect(hasStack(stderr)).toBe(false);
    }
  });

  it('every command has --help with examples', async () => {
    for (const command of ['demo', 'inspect', 'verify', 'convert', 'export', 'import', 'diff', 'ls', 'show', 'rm', 'prune', 'bench', 'keygen']) {
      const { code, stdout } = await tx2pack([command, '--help']);
      expect(code, command).toBe(0);
      expect(stdout, command).toContain(`tx2pack ${command}`);
      expect(stdout, command).toContain('Examples:');
    }
  });
});
