// Runs the independent spec reader (written from docs/format.md alone) over every committed vector.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Json, toJsonable } from '../helpers/jsonable.js';
import { canonicalEncoding, contentHash } from './canonical.js';
import { applyDelta, readDelta } from './delta.js';
import { SpecError } from './spec-error.js';
import { readSnapshot } from './snapshot.js';
import { toWorld } from './world.js';

const VECTORS = fileURLToPath(new URL('../vectors/', import.meta.url));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const load = (dir: string, name: string): Uint8Array => new Uint8Array(readFileSync(join(VECTORS, dir, `${name}.tx2pack`)));
const expected = (dir: string, name: string): Record<string, Json> => JSON.parse(readFileSync(join(VECTORS, dir, `${name}.expected.json`), 'utf8'));
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
      expect(toJsonable(toWorld(packed))).toEqual(expected('', name).world);
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
      expect(toJsonable(toWorld(packed))).toEqual(exp.world);
      expect(hex(contentHash(packed))).toBe(exp.snapshotHash);
      if (exp.canonical) expect(hex(canonicalEncoding(packed))).toBe(hex(bytes));
    });
  }
});

describe('spec reader: delta vectors', () => {
  const deltas = names('spec').filter((n) => expected('spec', n).kind === 'delta');
  for (const name of deltas) {
    const exp = expected('spec', name);
    const baseName = exp.base as string;
    if (exp.refused) {
      it(`${name} decodes, and applying it to ${baseName} is refused with ${exp.refused as string}`, () => {
        const delta = readDelta(load('spec', name));
        const base = readSnapshot(load('spec', baseName));
        expect(refusal(() => applyDelta(base, delta))).toBe(exp.refused);
        expect(refusal(() => applyDelta(base, delta, false))).toBe(exp.refused);
      });
      continue;
    }
    it(`${name} applied to ${baseName} gives ${exp.target as string} byte for byte`, () => {
      const delta = readDelta(load('spec', name));
      expect(toJsonable(delta.description)).toEqual(exp.deltaDescription);
      const base = readSnapshot(load('spec', baseName));
      expect(hex(contentHash(base))).toBe(exp.baseHash);
      const reference = exp.reference ? readSnapshot(load('spec', exp.reference as string)) : undefined;
      const target = applyDelta(base, delta, true, reference);
      expect(hex(contentHash(target))).toBe(exp.targetHash);
      expect(toJsonable(target)).toEqual(expected('spec', exp.target as string).packed);
      expect(hex(canonicalEncoding(target))).toBe(hex(load('spec', exp.target as string)));
    });
    it(`${name} is refused (DeltaBaseMismatch) on its target`, () => {
      const delta = readDelta(load('spec', name));
      const other = readSnapshot(load('spec', exp.target as string));
      expect(refusal(() => applyDelta(other, delta))).toBe('DeltaBaseMismatch');
    });
  }

  it('delta/reference-world-16-step applied to reference-world-16 gives its target hash', () => {
    const exp = expected('delta', 'reference-world-16-step');
    const base = readSnapshot(load('', 'reference-world-16'));
    expect(hex(contentHash(base))).toBe(exp.base);
    const target = applyDelta(base, readDelta(load('delta', 'reference-world-16-step')));
    expect(hex(contentHash(target))).toBe(exp.target);
  });

  it('delta-lin needs its reference: none is InvalidInput, another DeltaBaseMismatch, one without Body InvalidFormat', () => {
    const delta = readDelta(load('spec', 'delta-lin'));
    const base = readSnapshot(load('spec', 'delta-lin.base'));
    expect(refusal(() => applyDelta(base, delta))).toBe('InvalidInput');
    expect(refusal(() => applyDelta(base, delta, true, base))).toBe('DeltaBaseMismatch');
    expect(refusal(() => applyDelta(base, delta, false, { ...base, components: [] }))).toBe('InvalidFormat');
  });

  it('a snapshot reader refuses a delta and a delta reader a snapshot (InvalidFormat)', () => {
    expect(refusal(() => readSnapshot(load('spec', 'delta-xor')))).toBe('InvalidFormat');
    expect(refusal(() => readDelta(load('spec', 'delta-xor.base')))).toBe('InvalidFormat');
  });
});
