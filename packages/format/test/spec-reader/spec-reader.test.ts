// Runs the independent spec reader (written from docs/format.md alone) over every committed vector.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Json, toJsonable } from '../helpers/jsonable.js';
import { canonicalEncoding, contentHash } from './canonical.js';
import { SpecError } from './spec-error.js';
import { readSnapshot } from './snapshot.js';

const VECTORS = fileURLToPath(new URL('../vectors/', import.meta.url));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const load = (dir: string, name: string): Uint8Array => new Uint8Array(readFileSync(join(VECTORS, dir, `${name}.tx2pack`)));
const expected = (dir: string, name: string): Record<string, Json> =>
  JSON.parse(readFileSync(join(VECTORS, dir, `${name}.expected.json`), 'utf8'));
const names = (dir: string): string[] =>
  readdirSync(join(VECTORS, dir))
    .filter((f) => f.endsWith('.tx2pack'))
    .map((f) => f.slice(0, -'.tx2pack'.length))
    .sort();

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    if (e instanceof SpecError) return e.code;
    throw e;
  }
  return 'accepted';
}

describe('spec reader: top-level vectors', () => {
  for (const name of names('')) {
    it(`${name} decodes to its expected content`, () => {
      const packed = readSnapshot(load('', name));
      expect(toJsonable(packed)).toEqual(expected('', name).packed);
    });
  }
});

describe('spec reader: spec vectors', () => {
  const snapshots = names('spec').filter((n) => expected('spec', n).kind === 'snapshot');
  for (const name of snapshots) {
    const exp = expected('spec', name);
    if (exp.refused) {
      it(`${name} is refused with ${exp.refused as string}`, () => {
        expect(refusal(() => contentHash(readSnapshot(load('spec', name))))).toBe(exp.refused);
      });
      continue;
    }
    it(`${name} decodes to its expected content and content hash`, () => {
      const bytes = load('spec', name);
      const packed = readSnapshot(bytes);
      expect(toJsonable(packed)).toEqual(exp.packed);
      expect(hex(contentHash(packed))).toBe(exp.snapshotHash);
      if (exp.canonical) expect(hex(canonicalEncoding(packed))).toBe(hex(bytes));
    });
  }
});
