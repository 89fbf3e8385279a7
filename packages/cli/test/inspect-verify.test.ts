import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerKind, encodeSnapshot, readLayout } from '@tx2/pack-format';
import { packOptions } from '@tx2/pack-codecs';
import { referenceColumns } from '../src/reference-world.js';
import { hasAnsi, hasStack, tempDir, tx2pack, tx2packJson } from './helpers.js';

const { dir, cleanup } = tempDir('inspect');
const world = path.join(dir, 'world.tx2pack');
const ENTITIES = 500;

beforeAll(async () => {
  writeFileSync(world, encodeSnapshot(referenceColumns(ENTITIES).packed, await packOptions()));
});
afterAll(cleanup);

describe('inspect', () => {
  it('prints the header, components and table of contents', async () => {
    const { code, stdout, stderr } = await tx2pack(['inspect', world]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('format version 1');
    expect(stdout).toMatch(/Position\s+columns\s+500\s+x:f32 y:f32 z:f32/);
    expect(stdout).toContain('column Health.current');
    expect(hasAnsi(stdout)).toBe(false); // piped: no colors
  });

  it('--json gives every structure, parseable', async () => {
    const { code, data } = await tx2packJson(['inspect', world]);
    expect(code).toBe(0);
    expect(data).toMatchObject({ kind: 'snapshot', formatVersion: 1, codec: 'zstd', encrypted: false, counts: { entities: ENTITIES, components: 3 }, version: '1.0.0' });
    expect(data.components.map((c: { id: string }) => c.id)).toEqual(['Position', 'Velocity', 'Health']);
    expect(data.components[2].fields).toEqual([
      { name: 'current', type: 'f32' },
      { name: 'max', type: 'f32' },
    ]);
    expect(data.components[0].rawBytes).toBe(ENTITIES * 4 * 3);
    expect(data.sections[0]).toMatchObject({ index: 0, kind: 'manifest', check: 'crc32' });
    expect(data.sections).toHaveLength(readLayout(readFileSync(world)).sections.length);
  });

  it('FORCE_COLOR adds colors, NO_COLOR wins over it', async () => {
    expect(hasAnsi((await tx2pack(['inspect', world], { env: { FORCE_COLOR: '1' } })).stdout)).toBe(true);
    expect(hasAnsi((await tx2pack(['inspect', world], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).stdout)).toBe(false);
    expect(hasAnsi((await tx2pack(['inspect', world, '--no-color'], { env: { FORCE_COLOR: '1' } })).stdout)).toBe(false);
  });

  it('--help shows examples', async () => {
    const { code, stdout } = await tx2pack(['inspect', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Examples:');
    expect(stdout).toContain('tx2pack inspect world.tx2pack');
  });
});

describe('verify', () => {
  it('passes an intact file with exit code 0', async () => {
    const { code, data } = await tx2packJson(['verify', world]);
    expect(code).toBe(0);
    expect(data.ok).toBe(true);
    expect(data.failure).toBeNull();
    expect(data.sections.every((s: { ok: boolean }) => s.ok === true)).toBe(true);
    expect(data.checks.map((c: { check: string }) => c.check)).toEqual(['header', 'trailer', 'SHA-256 digest', 'table of contents', 'section checksums', 'decode']);
  });

  it('names the section of a flipped bit, exit code 1, no stack trace', async () => {
    const bytes = new Uint8Array(readFileSync(world));
    const layout = readLayout(bytes);
    const section = layout.sections[2]!; // column Position.y
    bytes[section.offset + 64 + 10]! ^= 0x04;
    const damaged = path.join(dir, 'flipped.tx2pack');
    writeFileSync(damaged, bytes);
    const text = await tx2pack(['verify', damaged]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('FAIL');
    expect(text.stdout).toContain('column Position.y');
    expect(text.stderr.trim().split('\n')).toHaveLength(1);
    expect(text.stderr).toContain('column Position.y fails its CRC-32');
    expect(hasStack(text.stderr)).toBe(false);
    const { code, data } = await tx2packJson(['verify', damaged]);
    expect(code).toBe(1);
    expect(data).toMatchObject({ ok: false, failure: { check: 'section checksums', section: 'column Position.y' } });
  });

  it('reports a damaged header and a truncated file', async () => {
    const bytes = new Uint8Array(readFileSync(world));
    const header = bytes.slice();
    header[30]! ^= 1;
    writeFileSync(path.join(dir, 'header.tx2pack'), header);
    const h = await tx2packJson(['verify', path.join(dir, 'header.tx2pack')]);
    expect(h.code).toBe(1);
    expect(h.data.failure.check).toBe('header');
    writeFileSync(path.join(dir, 'cut.tx2pack'), bytes.subarray(0, bytes.length - 200));
    const cut = await tx2pack(['verify', path.join(dir, 'cut.tx2pack')]);
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/incomplete|truncated/i);
    expect(hasStack(cut.stderr)).toBe(false);
    // inspect still lists what the cut-off file holds, and exits 1.
    const inspected = await tx2packJson(['inspect', path.join(dir, 'cut.tx2pack')]);
    expect(inspected.code).toBe(1);
    expect(inspected.data.damage).toMatch(/incomplete|truncated/i);
    expect(inspected.data.components.map((c: { id: string }) => c.id)).toEqual(['Position', 'Velocity', 'Health']);
    expect(inspected.data.sections.length).toBeGreaterThan(3);
    expect(inspected.stderr).toContain('what could still be read');
  });

  it('inspect and export of a corrupt file fail with one clear line', async () => {
    writeFileSync(path.join(dir, 'junk.tx2pack'), 'not a snapshot at all');
    for (const command of ['inspect', 'verify', 'export']) {
      const result = await tx2pack([command, path.join(dir, 'junk.tx2pack')]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: .*(not a tx2pack file|TX2PACK)/m);
      expect(hasStack(result.stderr)).toBe(false);
    }
  });

  it('a missing file is exit code 3 naming the path; --verbose adds detail', async () => {
    const missing = path.join(dir, 'nope.tx2pack');
    const result = await tx2pack(['verify', missing]);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(`error: no such file or directory: ${missing}: check the path\n`);
    const verbose = await tx2pack(['verify', missing, '--verbose']);
    expect(verbose.code).toBe(3);
    expect(verbose.stderr).toContain('ENOENT');
  });
});

describe('delta containers', () => {
  it('inspect says a delta is a delta', async () => {
    const { diff, encodeDelta } = await import('@tx2/pack-format');
    const a = referenceColumns(50).packed;
    const b = referenceColumns(50, { seed: 7 }).packed;
    const file = path.join(dir, 'delta.tx2pack');
    writeFileSync(file, encodeDelta(diff(a, b)));
    const { code, data } = await tx2packJson(['inspect', file]);
    expect(code).toBe(0);
    expect(data.kind).toBe('delta');
    expect(data.delta.components.find((c: { id: string }) => c.id === 'Position').change).not.toBe('unchanged');
    expect(ContainerKind.Delta).toBe(1);
    const text = await tx2pack(['inspect', file]);
    expect(text.stdout).toContain('Delta');
    const exported = await tx2pack(['export', file]);
    expect(exported.code).toBe(2);
    expect(exported.stderr).toContain('holds a delta, not a snapshot');
  });
});
