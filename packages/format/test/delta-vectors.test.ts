// The committed delta vector (test/vectors/delta/): a delta between two fixed snapshots that
// exercises a row patch, entity churn, an added component, a removed one and a metadata change.
// Encoding the same diff must reproduce the committed bytes exactly, and the committed bytes
// must rebuild the target. Regenerate only for an intended format change:
//
//   TX2_WRITE_VECTORS=1 npx vitest run test/delta-vectors.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyDelta, decodeDelta, diff, encodeDelta, hashHex, snapshotHash, snapshotsEqual, summarizeDelta, type Column, type PackedSnapshot } from '../src/index.js';
import { referenceWorld16 } from './helpers/fixtures.js';

const DIR = fileURLToPath(new URL('./vectors/delta/', import.meta.url));
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** reference-world-16 one frame later: two entities moved, entity 15 gone (with its Velocity), entity 16 born, a Tag component added, Health removed. */
function nextFrame(): PackedSnapshot {
  const base = referenceWorld16();
  const [position, velocity] = base.components as [
    Extract<PackedSnapshot['components'][number], { layout: 'columns' }>,
    Extract<PackedSnapshot['components'][number], { layout: 'columns' }>,
  ];
  const keep = (values: Float32Array, extra: number): Float32Array => Float32Array.from([...values.subarray(0, 15), extra]);
  const x = keep(position.fields[0]!.values as Float32Array, 99);
  x[3] = 4.75;
  x[7] = -0;
  const ids = Uint32Array.from([...Array.from({ length: 15 }, (_, i) => i), 16]);
  return {
    ...base,
    timestamp: base.timestamp + 16,
    worldTime: 1,
    metadata: { weather: 'rain' },
    entities: ids,
    components: [
      {
        ...position,
        entityIds: ids,
        fields: [{ ...position.fields[0]!, values: x } as Column, ...position.fields.slice(1).map((f) => ({ ...f, values: keep(f.values as Float32Array, 0) }) as Column)],
      },
      { ...velocity, entityIds: ids.slice(0, 15), fields: velocity.fields.map((f) => ({ ...f, values: (f.values as Float32Array).slice(0, 15) }) as Column) },
      { id: 'Tag', layout: 'columns', entityIds: Uint32Array.from([16]), fields: [{ name: 'team', type: 'u8', values: Uint8Array.from([2]) }] },
    ],
  };
}

describe('delta vector reference-world-16-step', () => {
  const base = referenceWorld16();
  const next = nextFrame();

  it.skipIf(process.env.TX2_WRITE_VECTORS !== '1')('writes the vector', () => {
    const delta = diff(base, next);
    writeFileSync(`${DIR}reference-world-16-step.tx2pack`, encodeDelta(delta));
    const expected = { base: hashHex(snapshotHash(base)), target: hashHex(snapshotHash(next)), summary: summarizeDelta(delta) };
    writeFileSync(`${DIR}reference-world-16-step.expected.json`, `${JSON.stringify(expected, null, 2)}\n`);
  });

  // Read lazily: the writer above runs first when regenerating.
  const read = () => ({
    bytes: new Uint8Array(readFileSync(`${DIR}reference-world-16-step.tx2pack`)),
    expected: JSON.parse(readFileSync(`${DIR}reference-world-16-step.expected.json`, 'utf8')) as { base: string; target: string; summary: unknown },
  });

  it('names its base and target by the committed content hashes', () => {
    const { bytes, expected } = read();
    expect(hashHex(snapshotHash(base))).toBe(expected.base);
    expect(hashHex(snapshotHash(next))).toBe(expected.target);
    const delta = decodeDelta(bytes);
    expect(hashHex(delta.base)).toBe(expected.base);
    expect(hashHex(delta.target)).toBe(expected.target);
    expect(summarizeDelta(delta)).toStrictEqual(expected.summary);
  });

  it('the committed bytes rebuild the target from the base', () => {
    const { bytes } = read();
    expect(snapshotsEqual(applyDelta(base, decodeDelta(bytes)), next)).toBe(true);
  });

  it('encoding the same diff reproduces the committed bytes', () => {
    const { bytes } = read();
    expect(hex(encodeDelta(diff(base, next)))).toBe(hex(bytes));
    expect(hex(encodeDelta(decodeDelta(bytes)))).toBe(hex(bytes));
  });
});
