// diff / applyDelta / encodeDelta on concrete cases: what a delta holds for typical frame
// changes, bit-level change detection, the base and target checks, malformed deltas, and
// corruption of delta containers (every truncation and byte flip yields a PackError).
import { describe, expect, it } from 'vitest';
import {
  applyDelta,
  ContainerKind,
  createPackedSnapshot,
  decodeDelta,
  decodeSnapshot,
  diff,
  encodeBlob,
  encodeDelta,
  encodeSnapshot,
  formatDeltaSummary,
  hashHex,
  isPackError,
  readHeader,
  snapshotHash,
  snapshotsEqual,
  summarizeDelta,
  type Column,
  type ComponentDelta,
  type PackedSnapshot,
  type SnapshotDelta,
} from '../src/index.js';
import { prng } from './helpers/mutate.js';

/** A small game world: positions and velocities of `n` entities, a blob component and metadata. */
function world(n: number, seed = 1): PackedSnapshot {
  const rand = prng(seed);
  const ids = Array.from({ length: n }, (_, i) => i);
  const packed = createPackedSnapshot({
    timestamp: 1000,
    worldTime: 1,
    metadata: { level: 'forest', score: 0 },
    entities: ids,
    components: [
      { id: 'Position', fields: { x: Float32Array.from(ids, () => rand() * 100), y: Float32Array.from(ids, () => rand() * 100) } },
      { id: 'Velocity', fields: { dx: Float32Array.from(ids, () => rand()), dy: Float32Array.from(ids, () => rand()) } },
      { id: 'Health', fields: { hp: Int32Array.from(ids, () => 100) } },
    ],
  });
  packed.components.push({ id: 'Name', layout: 'blobs', entityIds: Uint32Array.from([0, 1, 2]), blobs: ['a', 'b', 'c'].map((s) => encodeBlob({ name: s })) });
  return packed;
}

/** A copy of `w` with `count` entities moved (x and y changed). */
function step(w: PackedSnapshot, count: number, seed = 2): PackedSnapshot {
  const rand = prng(seed);
  const position = w.components[0]!;
  if (position.layout !== 'columns') throw new Error('unexpected layout');
  const x = (position.fields[0]!.values as Float32Array).slice();
  const y = (position.fields[1]!.values as Float32Array).slice();
  for (let k = 0; k < count; k++) {
    const r = Math.floor(rand() * x.length);
    x[r] = x[r]! + 1;
    y[r] = y[r]! - 1;
  }
  return {
    ...w,
    timestamp: w.timestamp + 16,
    worldTime: w.worldTime + 1,
    components: [
      {
        ...position,
        fields: [
          { ...position.fields[0]!, values: x },
          { ...position.fields[1]!, values: y },
        ],
      } as typeof position,
      ...w.components.slice(1),
    ],
  };
}

const changeOf = (d: SnapshotDelta, id: string): ComponentDelta => d.components.find((c) => c.id === id)!;

describe('diff on typical frames', () => {
  it('a frame where 1% of entities moved stores only their rows, once per shared row list', () => {
    const a = world(10_000);
    const b = step(a, 100);
    const d = diff(a, b);
    const position = changeOf(d, 'Position');
    expect(position.change).toBe('patched');
    if (position.change !== 'patched') return;
    expect(position.fields.map((f) => f.name)).toStrictEqual(['x', 'y']);
    expect(position.fields[0]!.rows!.length).toBeLessThanOrEqual(100);
    expect(changeOf(d, 'Velocity').change).toBe('unchanged');
    expect(changeOf(d, 'Name').change).toBe('unchanged');
    const bytes = encodeDelta(d);
    const full = encodeSnapshot(b);
    // rows (4 B) + x + y (4 B each) per moved entity, the row list shared by x and y, plus framing.
    expect(bytes.length).toBeLessThan(100 * 12 + 2000);
    expect(bytes.length).toBeLessThan(full.length / 50);
    expect(snapshotsEqual(applyDelta(a, decodeDelta(bytes)), b)).toBe(true);
  });

  it('a field where most rows changed is stored whole', () => {
    const a = world(100);
    const b = step(a, 1000);
    const position = changeOf(diff(a, b), 'Position');
    if (position.change !== 'patched') throw new Error(`expected a patch, got ${position.change}`);
    expect(position.fields.every((f) => f.rows === undefined)).toBe(true);
    // Row by row, the patch would outweigh the component: it is replaced instead.
    expect(changeOf(diff(a, b, { wholeFieldRatio: 1 }), 'Position')).toMatchObject({ change: 'replaced' });
  });

  it('sees changes that === cannot: NaN payloads and -0', () => {
    const a = createPackedSnapshot({ entities: [1, 2], components: [{ id: 'C', fields: { v: new Float32Array(new Uint32Array([0x7fc00000, 0]).buffer) } }] });
    const b = createPackedSnapshot({ entities: [1, 2], components: [{ id: 'C', fields: { v: new Float32Array(new Uint32Array([0x7fc00001, 0x80000000]).buffer) } }] });
    const c = changeOf(diff(a, b), 'C');
    if (c.change !== 'patched') throw new Error(`expected a patch, got ${c.change}`);
    expect(c.fields[0]!.rows === undefined ? [0, 1] : [...c.fields[0]!.rows]).toStrictEqual([0, 1]);
    const rebuilt = applyDelta(a, decodeDelta(encodeDelta(diff(a, b))));
    const bits = rebuilt.components[0]!.layout === 'columns' ? new Uint32Array((rebuilt.components[0]!.fields[0]!.values as Float32Array).buffer) : undefined;
    expect([...bits!]).toStrictEqual([0x7fc00001, 0x80000000]);
  });

  it('entity churn: added rows carry all their values, removed rows only their ids', () => {
    const a = createPackedSnapshot({ entities: [1, 2, 3], components: [{ id: 'C', entityIds: Uint32Array.from([1, 2, 3]), fields: { v: Int32Array.from([10, 20, 30]) } }] });
    const b = createPackedSnapshot({ entities: [1, 3, 4], components: [{ id: 'C', entityIds: Uint32Array.from([1, 3, 4]), fields: { v: Int32Array.from([10, 31, 40]) } }] });
    const d = diff(a, b);
    expect(d.entities).toStrictEqual({ removed: Uint32Array.from([2]), added: Uint32Array.from([4]) });
    const c = changeOf(d, 'C');
    if (c.change !== 'patched') throw new Error(`expected a patch, got ${c.change}`);
    expect(c.rows).toStrictEqual({ removed: Uint32Array.from([2]), added: Uint32Array.from([4]) });
    expect(c.added).toStrictEqual({ fields: [{ name: 'v', type: 'i32', values: Int32Array.from([40]) }] });
    expect(c.fields).toStrictEqual([{ name: 'v', type: 'i32', rows: Uint32Array.from([1]), values: Int32Array.from([31]) }]);
  });

  it('a schema change replaces the component; a new one is added whole; a dropped one is listed', () => {
    const a = createPackedSnapshot({
      entities: [1],
      components: [
        { id: 'A', fields: { v: Int32Array.from([1]) } },
        { id: 'Gone', fields: { v: Int32Array.from([1]) } },
      ],
    });
    const b = createPackedSnapshot({
      entities: [1],
      components: [
        { id: 'A', fields: { v: Float64Array.from([1]) } },
        { id: 'New', fields: { w: Int8Array.from([1]) } },
      ],
    });
    const d = diff(a, b);
    expect(d.components.map((c) => [c.id, c.change])).toStrictEqual([
      ['A', 'replaced'],
      ['New', 'added'],
    ]);
    expect(d.removedComponents).toStrictEqual(['Gone']);
  });
});

describe('summaries', () => {
  it('count what changed, per component and field, and render as lines', () => {
    const a = world(1000);
    const b = step(a, 10);
    b.metadata = { ...b.metadata, score: 10 };
    const summary = summarizeDelta(diff(a, b));
    expect(summary.components.find((c) => c.id === 'Position')).toMatchObject({ change: 'patched', entitiesAdded: 0, entitiesRemoved: 0 });
    expect(summary.metadata).toStrictEqual({ set: ['score'], removed: [] });
    expect(summary.base).toBe(hashHex(snapshotHash(a)));
    const text = formatDeltaSummary(summary);
    expect(text).toMatch(/^delta [0-9a-f]{12} -> [0-9a-f]{12} \(timestamp 1016, worldTime 2\)$/m);
    expect(text).toMatch(/^ {2}Position {2}patched {3}\d+ rows changed \(x: \d+, y: \d+\)$/m);
    expect(text).toContain('3 components unchanged');
    expect(text).toContain('metadata: set score; removed nothing');
  });
});

describe('checks', () => {
  it('a delta applied to a changed base fails with DeltaBaseMismatch naming both hashes', () => {
    const a = world(100);
    const d = diff(a, step(a, 5));
    const other = step(a, 1, 99);
    try {
      applyDelta(other, d);
      expect.unreachable();
    } catch (error) {
      expect(isPackError(error, 'DeltaBaseMismatch')).toBe(true);
      expect((error as Error).message).toContain(hashHex(d.base).slice(0, 16));
      expect((error as { details: Record<string, unknown> }).details).toStrictEqual({ expected: hashHex(d.base), actual: hashHex(snapshotHash(other)) });
    }
    // verify: false skips the check (for deltas made in memory)
    expect(() => applyDelta(other, d, { verify: false })).not.toThrow();
  });

  it('a delta whose values were altered fails its target check', () => {
    const a = world(100);
    const d = diff(a, step(a, 5));
    const p = changeOf(d, 'Position');
    if (p.change !== 'patched') throw new Error('expected a patch');
    (p.fields[0]!.values as Float32Array)[0] = -1;
    expect(() => applyDelta(a, d)).toThrowError(expect.objectContaining({ code: 'ChecksumMismatch' }));
  });

  it('a delta and a snapshot container refuse to be read as each other', () => {
    const a = world(10);
    const deltaBytes = encodeDelta(diff(a, step(a, 2)));
    expect(readHeader(deltaBytes).kind).toBe(ContainerKind.Delta);
    expect(() => decodeSnapshot(deltaBytes)).toThrowError(/holds a delta.*decodeDelta/);
    expect(() => decodeDelta(encodeSnapshot(a))).toThrowError(/holds a snapshot.*decodeSnapshot/);
  });

  const malformed: [string, (d: SnapshotDelta) => void, RegExp][] = [
    ['a row past the end', (d) => ((changeOf(d, 'Position') as { fields: { rows?: Uint32Array }[] }).fields[0]!.rows![0] = 1e6), /changes row 1000000/],
    ['a value of the wrong type', (d) => ((changeOf(d, 'Position') as { fields: { type: string }[] }).fields[0]!.type = 'f64'), /changed as f64, but it is f32/],
    ['a component the base lacks', (d) => d.components.push({ id: 'Nope', change: 'unchanged' }), /"Nope", which the base does not have/],
    ['a component neither kept nor removed', (d) => d.components.splice(1, 1), /does not say what became of component "Velocity"/],
    ['an unknown change', (d) => (d.components[1] = { id: 'Velocity', change: 'exploded' } as unknown as ComponentDelta), /unknown change "exploded"/],
    ['too few values', (d) => ((changeOf(d, 'Position') as { fields: { rows?: Uint32Array }[] }).fields[0]!.rows = Uint32Array.from([1, 2])), /values where 2 are needed/],
  ];
  it.each(malformed)('a malformed delta (%s) is an InvalidFormat PackError', (_, edit, message) => {
    const a = world(100);
    const d = diff(a, step(a, 5));
    edit(d);
    expect(() => applyDelta(a, d, { verify: false })).toThrowError(message);
    expect(() => applyDelta(a, d, { verify: false })).toThrowError(expect.objectContaining({ code: 'InvalidFormat' }));
  });
});

describe('corrupt delta containers', () => {
  const a = world(40);
  const b = step(a, 3);
  b.components[1] = { ...b.components[1]!, entityIds: b.components[1]!.entityIds.slice(0, 38) } as PackedSnapshot['components'][number];
  if (b.components[1]!.layout === 'columns') b.components[1]!.fields = b.components[1]!.fields.map((f) => ({ ...f, values: (f.values as Float32Array).slice(0, 38) }) as Column);
  const bytes = encodeDelta(diff(a, b));

  /** Decodes and applies; returns 'ok' when it worked, the error code when a PackError, and throws anything else. */
  function attempt(input: Uint8Array, verifyChecksums: boolean): string {
    try {
      applyDelta(a, decodeDelta(input, { verifyChecksums }));
      return 'ok';
    } catch (error) {
      if (isPackError(error)) return error.code;
      throw error;
    }
  }

  it('the intact container applies', () => {
    expect(attempt(bytes, true)).toBe('ok');
  });

  it('every prefix is a PackError', () => {
    for (let n = 0; n < bytes.length; n++) expect(attempt(bytes.slice(0, n), true)).not.toBe('ok');
  });

  it('with checksums, flipping any byte is detected (padding must be zero)', () => {
    for (let i = 0; i < bytes.length; i++) {
      const copy = bytes.slice();
      copy[i]! ^= 0x5a;
      expect(attempt(copy, true), `byte ${i}`).not.toBe('ok');
    }
  });

  it('without checksums, a flipped byte never throws anything but a PackError, and never rebuilds a wrong snapshot', () => {
    for (let i = 0; i < bytes.length; i++) {
      const copy = bytes.slice();
      copy[i]! ^= 0xff;
      // 'ok' only when the flip did not change what the delta means (the target hash still matches).
      attempt(copy, false);
    }
  });

  it('a delta spawning many entities with components decodes; one spawning bare entities needs maxRangeIds', () => {
    const n = 100_000;
    const ids = Uint32Array.from({ length: n }, (_, i) => i + 1);
    const empty = createPackedSnapshot({ entities: [], components: [] });
    const spawned = createPackedSnapshot({ entities: ids, components: [{ id: 'P', fields: { x: new Float32Array(n) } }] });
    const bytes = encodeDelta(diff(empty, spawned));
    expect(snapshotsEqual(applyDelta(empty, decodeDelta(bytes)), spawned)).toBe(true);
    const bare = createPackedSnapshot({ entities: ids, components: [] });
    const bareBytes = encodeDelta(diff(empty, bare));
    expect(() => decodeDelta(bareBytes)).toThrowError(/raise maxRangeIds/);
    expect(snapshotsEqual(applyDelta(empty, decodeDelta(bareBytes, { maxRangeIds: n })), bare)).toBe(true);
  });

  it('long runs of surviving rows (bulk-copied) and scattered churn rebuild exactly, for 1-, 4- and 8-byte and string columns', () => {
    const n = 5000;
    const rand = prng(7);
    const ids = Array.from({ length: n }, (_, i) => i * 2);
    const make = (list: number[]) =>
      createPackedSnapshot({
        entities: list,
        components: [
          {
            id: 'C',
            entityIds: Uint32Array.from(list),
            fields: {
              a: Float64Array.from(list, (id) => id / 3),
              b: Uint8Array.from(list, (id) => id & 255),
              c: Int32Array.from(list, (id) => -id),
              s: list.map((id) => `e${id}`),
            },
          },
        ],
      });
    const base = make(ids);
    const kept = ids.filter(() => rand() > 0.01);
    const born = Array.from({ length: 40 }, (_, i) => 20_000 + i);
    const next = make([...kept, ...born]);
    const delta = diff(base, next);
    expect(changeOf(delta, 'C').change).toBe('patched');
    expect(snapshotsEqual(applyDelta(base, decodeDelta(encodeDelta(delta))), next)).toBe(true);
  });
});
