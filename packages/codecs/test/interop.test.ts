// Interoperability with the reference command-line tools, both ways: the tools decode our
// frames, and we decode theirs (including frames without a content size, as the tools
// write when reading stdin). Locally a missing tool skips its tests with a message; with
// CI=true it fails them (.ci/run installs zstd, lz4 and gzip).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { loadCodec } from '../src/index.js';
import { compressibleBytes, mixedBytes, randomBytes, sameBytes } from './helpers/data.js';
import { itWithTool, run } from './helpers/tools.js';

const INPUTS: [string, Uint8Array][] = [
  ['empty', new Uint8Array(0)],
  ['1 byte', new Uint8Array([7])],
  ['random 100 KiB', randomBytes(100 * 1024, 5)],
  ['compressible 1 MiB', compressibleBytes(1 << 20)],
  ['mixed 5 MiB', mixedBytes(5 << 20)],
];

// The slowest levels run on the inputs up to 1 MiB only: the 5 MiB one, many blocks long, is
// covered at the other levels, and a slow level on it costs minutes on a loaded machine.
const SLOW_LEVEL_MAX_BYTES = 1 << 20;

const dir = mkdtempSync(join(tmpdir(), 'tx2-codecs-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `bytes` to a file (the tools store the content size only when they know it from a file). */
function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('zstd command-line tool', () => {
  const it = itWithTool('zstd');
  it('decodes our frames at levels 1, 3 and 19', async () => {
    const zstd = await loadCodec('zstd');
    for (const [, raw] of INPUTS) {
      for (const level of raw.length <= SLOW_LEVEL_MAX_BYTES ? [1, 3, 19] : [1, 3]) expect(sameBytes(run('zstd', ['-d', '-q', '-c'], zstd.compress(raw, level)), raw)).toBe(true);
    }
  });
  it('writes frames we decode: from stdin (no content size), from a file (content size), with a checksum, at -19 and --ultra -22', async () => {
    const zstd = await loadCodec('zstd');
    for (const [name, raw] of INPUTS) {
      const variants = [run('zstd', ['-q', '-c', '-3'], raw), run('zstd', ['-q', '-c', '-1', file(`${name}.bin`, raw)], new Uint8Array(0))];
      if (raw.length <= SLOW_LEVEL_MAX_BYTES) variants.push(run('zstd', ['-q', '-c', '-19', '--no-check'], raw));
      if (raw.length < 200_000) variants.push(run('zstd', ['-q', '-c', '--ultra', '-22'], raw));
      for (const frame of variants) expect(sameBytes(zstd.decompress(frame, raw.length), raw)).toBe(true);
    }
  });
  it('writes frames whose wrong expected size we refuse', async () => {
    const zstd = await loadCodec('zstd');
    const raw = mixedBytes(10_000);
    const frame = run('zstd', ['-q', '-c'], raw);
    expect(() => zstd.decompress(frame, raw.length - 1)).toThrow(/zstd/);
    expect(() => zstd.decompress(frame, raw.length + 1)).toThrow(/zstd/);
  });
});

describe('lz4 command-line tool', () => {
  const it = itWithTool('lz4');
  it('decodes our frames at levels 1, 9 and 12', async () => {
    const lz4 = await loadCodec('lz4');
    for (const [, raw] of INPUTS) {
      for (const level of raw.length <= SLOW_LEVEL_MAX_BYTES ? [1, 9, 12] : [1, 9]) expect(sameBytes(run('lz4', ['-d', '-q', '-c'], lz4.compress(raw, level)), raw)).toBe(true);
    }
  });
  it('writes frames we decode: default, HC, content size, block checksums, linked or independent 64 KiB to 4 MiB blocks', async () => {
    const lz4 = await loadCodec('lz4');
    for (const [name, raw] of INPUTS) {
      const variants = [
        run('lz4', ['-q', '-c'], raw),
        run('lz4', ['-q', '-c', '-9', '-BD', '-B4'], raw),
        run('lz4', ['-q', '-c', '-1', '--content-size', '-B5', file(`${name}.bin`, raw)], new Uint8Array(0)),
      ];
      if (raw.length <= SLOW_LEVEL_MAX_BYTES) variants.push(run('lz4', ['-q', '-c', '-12', '--no-frame-crc', '-BX'], raw));
      for (const frame of variants) expect(sameBytes(lz4.decompress(frame, raw.length), raw)).toBe(true);
    }
  });
});

describe('gzip command-line tool', () => {
  const it = itWithTool('gzip');
  for (const native of [true, false]) {
    it(`decodes our streams (node:zlib fast path: ${native})`, async () => {
      const gzip = await loadCodec('gzip', { native });
      for (const [, raw] of INPUTS) {
        for (const level of [1, 6, 9]) expect(sameBytes(run('gzip', ['-d', '-c'], gzip.compress(raw, level)), raw)).toBe(true);
      }
    });
    it(`writes streams we decode (node:zlib fast path: ${native})`, async () => {
      const gzip = await loadCodec('gzip', { native });
      for (const [name, raw] of INPUTS) {
        const variants = [run('gzip', ['-c', '-6'], raw), run('gzip', ['-c', '-9', '-n'], raw), run('gzip', ['-c', '-1', file(`${name}.bin`, raw)], new Uint8Array(0))];
        for (const stream of variants) expect(sameBytes(gzip.decompress(stream, raw.length), raw)).toBe(true);
      }
    });
  }
});
