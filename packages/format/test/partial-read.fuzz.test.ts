// Corruption fuzzing of the partial and source-based read routes: every prefix and every byte
// flip of a container read through readSnapshot (whole and by component) and decodeSnapshot
// with `components` gives a PackError or exactly what an intact read of those components gives.
import { describe, expect, it } from 'vitest';
import { type ByteSource, createPackedSnapshot, decodeSnapshot, encodeSnapshot, isPackError, type PackedSnapshot, readManifestFrom, readSnapshot } from '../src/index.js';

function world(): PackedSnapshot {
  const ids = Uint32Array.from([3, 5, 8, 13, 21, 34]);
  return createPackedSnapshot({
    entities: ids,
    metadata: { level: 'cave' },
    components: [
      { id: 'Position', entityIds: ids, fields: { x: new Float32Array([1, 2, 3, 4, 5, 6]), y: new Float64Array([6, 5, 4, 3, 2, 1]) } },
      { id: 'Name', entityIds: Uint32Array.from([5, 21]), fields: { name: ['wolf', 'bear'] } },
      { id: 'Health', entityIds: Uint32Array.from([3, 5, 8]), fields: { hp: new Uint16Array([10, 20, 30]) } },
    ],
  });
}

/** An asynchronous source over `bytes`, copying each read as a file would. */
function fileLike(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: async (offset, length) => (offset + length > bytes.length ? Promise.reject(new Error('beyond')) : bytes.slice(offset, offset + length)) };
}

async function outcome(run: () => unknown): Promise<unknown> {
  try {
    return await run();
  } catch (error) {
    if (!isPackError(error)) throw new Error(`not a PackError: ${String(error)}`, { cause: error });
    return error;
  }
}

describe('partial and source-based reads of damaged containers', () => {
  const bytes = encodeSnapshot(world());
  const wanted = ['Name'];
  const intact = decodeSnapshot(bytes, { components: wanted });

  it('every prefix is a PackError on every read route', async () => {
    for (let n = 0; n < bytes.length; n++) {
      const cut = bytes.subarray(0, n);
      for (const run of [() => decodeSnapshot(cut, { components: wanted }), () => readSnapshot(cut, { components: wanted }), () => readManifestFrom(cut)]) {
        expect(isPackError(await outcome(run)), `prefix ${n}`).toBe(true);
      }
    }
  });

  it('every byte flip gives a PackError or the intact components, through memory and an asynchronous source', async () => {
    for (let at = 0; at < bytes.length; at++) {
      const damaged = bytes.slice();
      damaged[at] = damaged[at]! ^ 0xa5;
      for (const run of [
        () => decodeSnapshot(damaged, { components: wanted }),
        () => readSnapshot(damaged, { components: wanted }),
        () => readSnapshot(fileLike(damaged), { components: wanted }),
        () => readSnapshot(fileLike(damaged)),
      ]) {
        const result = await outcome(run);
        if (isPackError(result)) continue;
        const read = result as PackedSnapshot;
        // A flip in a section the read skipped goes unseen; what was read must be exact.
        const mine = read.components.filter((c) => wanted.includes(c.id));
        expect(mine, `flip at ${at}`).toEqual(intact.components);
      }
    }
  });

  it('with checksums off, flips give a PackError or a snapshot, never another error', async () => {
    let refused = 0;
    for (let at = 0; at < bytes.length; at++) {
      const damaged = bytes.slice();
      damaged[at] = damaged[at]! ^ 0xff;
      const result = await outcome(() => readSnapshot(fileLike(damaged), { components: wanted, verifyChecksums: false }));
      if (isPackError(result)) refused++;
      else expect(Array.isArray((result as PackedSnapshot).components)).toBe(true);
    }
    // Header, descriptors, table of contents and trailer keep their own CRCs even then.
    expect(refused).toBeGreaterThan(bytes.length / 4);
  });
});
