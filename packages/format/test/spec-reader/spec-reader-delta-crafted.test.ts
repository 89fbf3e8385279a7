// Delta descriptions (docs/format.md 13.3) changed one rule at a time, applied by the spec reader
// and by the reference: both must give the same target content hash or the same error code.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { applyDelta as refApply, decodeDelta, decodeSnapshot, isPackError, snapshotHash, toHex } from '../../src/index.js';
import { contentHash } from './canonical.js';
import { layOut, takeApart } from './craft.js';
import { applyDelta, readDelta } from './delta.js';
import { decodeMessagePack, encodeMessagePack } from './msgpack.js';
import { SpecError } from './spec-error.js';
import { readSnapshot } from './snapshot.js';

/** A delta vector with its description edited, laid out again. */
const dir = fileURLToPath(new URL('../vectors/spec/', import.meta.url));
function variant(name: string, edit: (d: Record<string, unknown>) => void): Uint8Array {
  const bytes = new Uint8Array(readFileSync(`${dir}${name}.tx2pack`));
  const { header, frames } = takeApart(bytes);
  const m = decodeMessagePack(frames[0]!.payload) as Record<string, unknown>;
  const d = decodeMessagePack(m.metadata as Uint8Array) as Record<string, unknown>;
  edit(d);
  m.metadata = encodeMessagePack(d);
  return layOut(header, [{ desc: frames[0]!.desc, payload: encodeMessagePack(m) }, ...frames.slice(1)]);
}
/** Outcome of applying `bytes` to `base` (with reference snapshot `ref`): the target's content hash or the error code. */
function outcomes(bytes: Uint8Array, base: Uint8Array, verify: boolean, ref?: Uint8Array): [string, string] {
  let mine: string;
  let reference: string;
  try {
    mine = toHex(contentHash(applyDelta(readSnapshot(base), readDelta(bytes), verify, ref === undefined ? undefined : readSnapshot(ref))));
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    mine = e.code;
  }
  try {
    reference = toHex(snapshotHash(refApply(decodeSnapshot(base), decodeDelta(bytes), ref === undefined ? { verify } : { verify, reference: decodeSnapshot(ref) })));
  } catch (e) {
    if (!isPackError(e)) throw e;
    reference = e.code;
  }
  return [mine, reference];
}

type Edit = (d: Record<string, unknown>) => void;
const firstField = (d: Record<string, unknown>): unknown[] => ((d.components as unknown[][])[0]![2] as { fields: unknown[][] }).fields[0]!;

const linField = (d: Record<string, unknown>, i: number): unknown[] => ((d.components as unknown[][])[0]![2] as { fields: unknown[][] }).fields[i]!;

// [case, vector, edit, outcome]: 'hash' (both rebuild the same target), 'changed' (a valid
// delta to another target: ChecksumMismatch when verified, the same hash when not),
// 'mismatch' (DeltaBaseMismatch when verified, the same target when not), or a code.
const cases: [string, string, Edit, string][] = [
  ['unchanged', 'delta-xor', () => {}, 'hash'],
  ['description version 4', 'delta-xor', (d) => void (d.delta = 4), 'VersionMismatch'],
  ['no `removed`', 'delta-xor', (d) => void delete d.removed, 'InvalidFormat'],
  ['version 1 with an "xor" encoding', 'delta-xor', (d) => void (d.delta = 1), 'InvalidFormat'],
  ['an encoding other than "xor"', 'delta-xor', (d) => void (firstField(d)[3] = 'and'), 'InvalidFormat'],
  ['metadata removing an absent key and setting "2"', 'delta-order', (d) => void (d.metadata = { set: { 2: 'x', a: 1 }, removed: ['nope'] }), 'changed'],
  ['metadata `set` that is not a map', 'delta-order', (d) => void (d.metadata = { set: [1], removed: [] }), 'InvalidFormat'],
  ['`order` nil', 'delta-order', (d) => void (d.order = null), 'changed'],
  ['a component named twice', 'delta-order', (d) => void (d.components as unknown[]).push(['A', 'unchanged']), 'InvalidFormat'],
  ['an unknown component change', 'delta-order', (d) => void ((d.components as unknown[][])[0]![1] = 'moved'), 'InvalidFormat'],
  ['an unknown description key', 'delta-order', (d) => void (d.later = 1), 'hash'],
  ['`resources` false', 'delta-order', (d) => void (d.resources = false), 'InvalidFormat'],
  ['entity metadata set', 'delta-order', (d) => void (d.entityMetadata = { set: [[1, { tags: ['a'] }]], removed: [] }), 'changed'],
  ['entity metadata removing an absent entity', 'delta-order', (d) => void (d.entityMetadata = { set: [], removed: [77] }), 'hash'],
  ['unchanged', 'delta-lin', () => {}, 'hash'],
  ['description version 2 with "lin"', 'delta-lin', (d) => void (d.delta = 2), 'InvalidFormat'],
  ['description version 4', 'delta-lin', (d) => void (d.delta = 4), 'VersionMismatch'],
  ['no `reference`', 'delta-lin', (d) => void delete d.reference, 'InvalidFormat'],
  ['no `scale`', 'delta-lin', (d) => void delete d.scale, 'InvalidFormat'],
  ['`scale` NaN', 'delta-lin', (d) => void (d.scale = Number.NaN), 'InvalidFormat'],
  ['`scale` Infinity', 'delta-lin', (d) => void (d.scale = Number.POSITIVE_INFINITY), 'InvalidFormat'],
  ['`scale` a string', 'delta-lin', (d) => void (d.scale = '1.5'), 'InvalidFormat'],
  ['`scale` 2 (an int)', 'delta-lin', (d) => void (d.scale = 2), 'changed'],
  ['`scale` -0', 'delta-lin', (d) => void (d.scale = -0), 'changed'],
  ['`scale` 0', 'delta-lin', (d) => void (d.scale = 0), 'changed'],
  ['`reference` of 31 bytes', 'delta-lin', (d) => void (d.reference = new Uint8Array(31)), 'InvalidFormat'],
  ['`reference` naming another snapshot', 'delta-lin', (d) => void (d.reference = new Uint8Array(32).fill(7)), 'mismatch'],
  ['"lin" on the i16 field', 'delta-lin', (d) => void linField(d, 2).push('lin'), 'InvalidFormat'],
  ['"lin" with whole false', 'delta-lin', (d) => void (linField(d, 0)[2] = false), 'InvalidFormat'],
  ['x "xor" instead of "lin"', 'delta-lin', (d) => void (linField(d, 0)[3] = 'xor'), 'changed'],
  [
    'no "lin" left, `reference` kept',
    'delta-lin',
    (d) => {
      linField(d, 0).pop();
      linField(d, 1).pop();
    },
    'InvalidFormat',
  ],
  ['a row change beside "lin"', 'delta-lin', (d) => void (((d.components as unknown[][])[0]![2] as Record<string, unknown>).rows = { ids: 99 }), 'InvalidFormat'],
];

for (const [label, name, edit, expected] of cases) {
  for (const verify of [true, false]) {
    it(`${name}, ${label} (verify ${verify}): ${expected}`, () => {
      const ref = existsSync(`${dir}${name}.reference.tx2pack`) ? new Uint8Array(readFileSync(`${dir}${name}.reference.tx2pack`)) : undefined;
      const [mine, reference] = outcomes(variant(name, edit), new Uint8Array(readFileSync(`${dir}${name}.base.tx2pack`)), verify, ref);
      expect(mine).toBe(reference);
      if (expected === 'hash' || ((expected === 'changed' || expected === 'mismatch') && !verify)) expect(mine).toMatch(/^[0-9a-f]{64}$/);
      else expect(mine).toBe(expected === 'changed' ? 'ChecksumMismatch' : expected === 'mismatch' ? 'DeltaBaseMismatch' : expected);
    });
  }
}
