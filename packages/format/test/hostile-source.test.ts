// A ByteSource is often the application's own code: whatever it answers or throws, every
// reader that takes one gives a PackError (never a TypeError from inside the reader, never a
// short read decoded as if it were whole).
import { describe, expect, it } from 'vitest';
import {
  type ByteSource,
  bytesSource,
  createPackedSnapshot,
  diff,
  encodeDelta,
  encodeSnapshot,
  isPackError,
  readDelta,
  readFramesFrom,
  readLayoutFrom,
  readManifestFrom,
  readSnapshot,
} from '../src/index.js';

const snapshot = createPackedSnapshot({
  timestamp: 1,
  entities: new Uint32Array([1, 2, 3]),
  components: [{ id: 'Position', fields: { x: new Float32Array([1, 2, 3]) } }],
});
const bytes = encodeSnapshot(snapshot);
const next = structuredClone(snapshot);
(next.components[0] as { fields: { values: Float32Array }[] }).fields[0]!.values[1] = 9;
const deltaBytes = encodeDelta(diff(snapshot, next));

type Answer = (offset: number, length: number, real: Uint8Array) => unknown;
const answers: Record<string, Answer> = {
  null: () => null,
  undefined: () => undefined,
  'a plain array': (_o, _l, real) => [...real],
  'a string': () => 'bytes',
  'an ArrayBuffer': (_o, _l, real) => real.slice().buffer,
  'one byte short': (_o, _l, real) => real.subarray(0, Math.max(0, real.length - 1)),
  'one byte long': (_o, _l, real) => new Uint8Array(real.length + 1),
  'a RangeError': () => {
    throw new RangeError('offset out of range');
  },
  'a thrown string': () => {
    throw 'disk gone';
  },
  'a rejected promise': () => Promise.reject(new TypeError('fetch failed')),
  'a promise of null': () => Promise.resolve(null),
};

function hostile(of: Uint8Array, answer: Answer, afterReads: number): ByteSource {
  const real = bytesSource(of);
  let reads = 0;
  return {
    size: of.length,
    read(offset, length) {
      const good = real.read(offset, length) as Uint8Array;
      return reads++ < afterReads ? good : answer(offset, length, good);
    },
  } as ByteSource;
}

const readers: Record<string, (source: ByteSource) => Promise<unknown>> = {
  readSnapshot: (s) => readSnapshot(s),
  readManifestFrom: (s) => readManifestFrom(s),
  readLayoutFrom: (s) => readLayoutFrom(s),
  readFramesFrom: (s) => readFramesFrom(s),
};

async function outcome(run: () => Promise<unknown>): Promise<'ok' | string> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    if (!isPackError(error)) throw error;
    expect(error.message.length).toBeGreaterThan(0);
    return error.code;
  }
}

describe('readers over a ByteSource that answers the wrong thing', () => {
  for (const [reader, read] of Object.entries(readers)) {
    for (const [name, answer] of Object.entries(answers)) {
      it(`${reader}: a read answering ${name} is a PackError at every step`, async () => {
        for (let after = 0; after < 12; after++) {
          const code = await outcome(() => read(hostile(bytes, answer, after)));
          // Past the last read the answer is never used and the read succeeds.
          expect(['ok', 'Io', 'Truncated']).toContain(code);
        }
        expect(await outcome(() => read(hostile(bytes, answer, 0)))).toBe(name === 'one byte short' ? 'Truncated' : 'Io');
      });
    }
  }

  it('readDelta: a broken read is a PackError', async () => {
    for (const answer of Object.values(answers)) {
      for (let after = 0; after < 12; after++) expect(['ok', 'Io', 'Truncated']).toContain(await outcome(() => readDelta(hostile(deltaBytes, answer, after))));
    }
  });

  it('a size that is not a size, or a size getter that throws, is a PackError', async () => {
    for (const size of [-1, 1.5, Number.NaN, '100', null, 2 ** 60]) {
      const code = await outcome(async () => readSnapshot({ size, read: () => bytes } as unknown as ByteSource));
      expect(code).toBe('InvalidInput');
    }
    const throwing = {
      get size(): number {
        throw new Error('stat failed');
      },
      read: () => bytes,
    };
    expect(await outcome(async () => readSnapshot(throwing as ByteSource))).toBe('Io');
  });

  it('readInto failures and rejections are Io; the source’s own PackErrors pass through', async () => {
    // A large compressed frame is what a reader fetches with readInto; here any use of it fails.
    const failing = (how: () => unknown): ByteSource => ({ ...hostile(bytes, () => null, 1e9), readInto: how as ByteSource['readInto'] });
    for (const how of [
      () => {
        throw new RangeError('bad');
      },
      () => Promise.reject(new Error('gone')),
    ]) {
      expect(['ok', 'Io']).toContain(await outcome(() => readSnapshot(failing(how))));
    }
    const truncated = hostile(bytes, (o, l) => bytesSource(new Uint8Array(0)).read(o, l), 2);
    expect(await outcome(() => readSnapshot(truncated))).toBe('Truncated');
  });

  it('a well-behaved source still reads the snapshot, and one that answers in another realm too', async () => {
    const plain = hostile(bytes, (_o, _l, real) => real, 0);
    const back = await readSnapshot(plain);
    expect([...(back.components[0] as { fields: { values: Float32Array }[] }).fields[0]!.values]).toEqual([1, 2, 3]);
  });
});
