// The spec vectors (test/vectors/spec/, see its README.md): files that docs/format.md says a
// reader must read, with their decoded content and content hashes, and files it must refuse.
// Their builders (test/vectors/spec/build.ts) must still produce the committed bytes.
// Regenerate only for an intended format change, then review the diff:
//
//   TX2_WRITE_VECTORS=1 npx vitest run test/spec-vectors.test.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyDelta,
  decodeDelta,
  decodeSnapshot,
  encodeSnapshot,
  hashHex,
  type PackedSnapshot,
  readLayout,
  readManifest,
  SectionKind,
  sha256,
  snapshotHash,
  toWorldSnapshot,
} from '../src/index.js';
import { type Json, toJsonable } from './helpers/jsonable.js';
import { SPEC_DIR, SPEC_VECTORS, type SpecVector } from './vectors/spec/build.js';
import { packErrorOfSync } from '../../../test-support/pack-errors.js';

const NAMES = Object.keys(SPEC_VECTORS).sort();
const WRITE = process.env.TX2_WRITE_VECTORS === '1';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const fileOf = (name: string): Uint8Array => {
  const file = readFileSync(join(SPEC_DIR, `${name}.tx2pack`));
  const bytes = new Uint8Array(file.length);
  bytes.set(file);
  return bytes;
};
const expectedOf = (name: string): Record<string, Json> => JSON.parse(readFileSync(join(SPEC_DIR, `${name}.expected.json`), 'utf8')) as Record<string, Json>;

/** The PackError code `run` throws. */
const codeOf = (run: () => unknown): string => packErrorOfSync(run).code;

/** What the .expected.json of a vector holds, computed from its bytes with the reference reader. */
function expectedFor(name: string, vector: SpecVector, bytes: Uint8Array): Record<string, Json> {
  const out: Record<string, Json> = { name, description: vector.description, kind: vector.kind, sha256: hex(sha256(bytes)) };
  if (vector.refused !== undefined) {
    out.refused = vector.refused;
    if (vector.base !== undefined) out.base = vector.base;
    return out;
  }
  if (vector.kind === 'snapshot') {
    const packed = decodeSnapshot(bytes, { copy: true });
    const hash = hashHex(snapshotHash(packed));
    out.snapshotHash = hash;
    out.canonical = hash === out.sha256;
    if (vector.sameAs !== undefined) out.sameAs = vector.sameAs;
    out.packed = toJsonable(packed);
    out.world = toJsonable(toWorldSnapshot(packed));
    return out;
  }
  const delta = decodeDelta(bytes);
  out.base = vector.base!;
  out.target = vector.target!;
  out.baseHash = hashHex(delta.base);
  out.targetHash = hashHex(delta.target);
  if (vector.reference !== undefined) {
    out.reference = vector.reference;
    out.referenceHash = hashHex(delta.reference!.hash);
  }
  out.deltaDescription = toJsonable(readManifest(bytes).metadata);
  return out;
}

describe.skipIf(!WRITE)('write the spec vectors', () => {
  it.each(NAMES)('%s', (name) => {
    const vector = SPEC_VECTORS[name]!;
    const bytes = vector.build();
    writeFileSync(join(SPEC_DIR, `${name}.tx2pack`), bytes);
    writeFileSync(join(SPEC_DIR, `${name}.expected.json`), `${JSON.stringify(expectedFor(name, vector, bytes), null, 2)}\n`);
  });
});

describe('spec vectors', () => {
  it('every vector is committed with its expected content, and nothing else', () => {
    const files = readdirSync(SPEC_DIR).filter((f) => f.endsWith('.tx2pack') || f.endsWith('.expected.json'));
    expect(
      files
        .filter((f) => f.endsWith('.tx2pack'))
        .map((f) => f.slice(0, -'.tx2pack'.length))
        .sort(),
    ).toStrictEqual(NAMES);
    expect(
      files
        .filter((f) => f.endsWith('.expected.json'))
        .map((f) => f.slice(0, -'.expected.json'.length))
        .sort(),
    ).toStrictEqual(NAMES);
  });

  describe.each(NAMES)('%s', (name) => {
    const vector = SPEC_VECTORS[name]!;

    it('its builder reproduces the committed bytes, and the reference reader its expected content', () => {
      const bytes = fileOf(name);
      expect(hex(vector.build())).toBe(hex(bytes));
      const expected = expectedOf(name);
      expect(expected.sha256).toBe(hex(sha256(bytes)));
      expect(expectedFor(name, vector, bytes)).toStrictEqual(expected);
    });

    if (vector.refused !== undefined && vector.kind === 'snapshot') {
      it(`is refused with ${vector.refused}, with or without payload checksums`, () => {
        const bytes = fileOf(name);
        expect(codeOf(() => decodeSnapshot(bytes))).toBe(vector.refused);
        expect(codeOf(() => decodeSnapshot(bytes, { verifyChecksums: false }))).toBe(vector.refused);
      });
    }

    if (vector.refused === undefined && vector.kind === 'snapshot') {
      it('decodes to its content, whose content hash is recorded; a canonical file is its own canonical encoding', () => {
        const bytes = fileOf(name);
        const expected = expectedOf(name);
        const packed = decodeSnapshot(bytes);
        expect(toJsonable(packed)).toStrictEqual(expected.packed);
        expect(hashHex(snapshotHash(packed))).toBe(expected.snapshotHash);
        const again = encodeSnapshot(packed, { checksums: false });
        expect(hex(again) === hex(bytes)).toBe(expected.canonical);
        expect(hashHex(sha256(again))).toBe(expected.snapshotHash);
        if (vector.sameAs !== undefined) {
          expect(expected.canonical).toBe(false);
          expect(expected.snapshotHash).toBe(expectedOf(vector.sameAs).sha256);
          expect(toJsonable(packed)).toStrictEqual(expectedOf(vector.sameAs).packed);
        }
      });
    }

    if (vector.kind === 'delta' && vector.refused === undefined) {
      it('applied to its base gives its target, whose canonical encoding is the target vector', () => {
        const bytes = fileOf(name);
        const expected = expectedOf(name);
        const base = decodeSnapshot(fileOf(vector.base!));
        expect(hashHex(snapshotHash(base))).toBe(expected.baseHash);
        const reference = vector.reference === undefined ? undefined : decodeSnapshot(fileOf(vector.reference));
        if (reference !== undefined) expect(hashHex(snapshotHash(reference))).toBe(expected.referenceHash);
        const target = applyDelta(base, decodeDelta(bytes), reference === undefined ? {} : { reference });
        expect(hashHex(snapshotHash(target))).toBe(expected.targetHash);
        expect(expected.targetHash).toBe(expectedOf(vector.target!).sha256);
        expect(hex(encodeSnapshot(target, { checksums: false }))).toBe(hex(fileOf(vector.target!)));
      });
    }

    if (vector.kind === 'delta' && vector.refused !== undefined) {
      it(`is refused with ${vector.refused} when applied, with or without hash checks`, () => {
        const base = decodeSnapshot(fileOf(vector.base!));
        const delta = decodeDelta(fileOf(name));
        expect(codeOf(() => applyDelta(base, delta))).toBe(vector.refused);
        expect(codeOf(() => applyDelta(base, delta, { verify: false }))).toBe(vector.refused);
      });
    }
  });
});

describe('what the spec vectors show', () => {
  const manifest = (name: string) => readManifest(fileOf(name));
  const sections = (name: string) => readLayout(fileOf(name)).sections.map((s) => s.descriptor);

  it('the empty world set is the list [0], with an EntitySet section of no bytes', () => {
    expect(manifest('canonical-empty-world').sets).toStrictEqual([{ count: 0 }]);
    const set = sections('canonical-empty-world').find((d) => d.kind === SectionKind.EntitySet)!;
    expect([set.owner, set.rowCount, set.rawLength]).toStrictEqual([0, 0, 0]);
  });

  it('components without rows still have one section per field (4 bytes for strings, bytes and blobs); a component without fields has none', () => {
    const m = manifest('canonical-empty-components');
    expect(m.sets).toStrictEqual([{ count: 4 }, { start: 11, count: 2 }, { count: 0 }, { count: 2 }]);
    const lengths = sections('canonical-empty-components')
      .filter((d) => d.kind === SectionKind.Column || d.kind === SectionKind.Blobs)
      .map((d) => [d.owner, d.field, d.rowCount, d.rawLength]);
    expect(lengths).toStrictEqual([
      [1, 0, 0, 0],
      [1, 1, 0, 4],
      [1, 2, 0, 4],
      [2, 0xffffffff, 0, 4],
      [3, 0, 2, 8],
    ]);
  });

  it('an explicit set and chunked columns read back as the canonical range set and whole columns', () => {
    expect(manifest('explicit-set').sets[0]).toStrictEqual({ count: 10 });
    expect(manifest('canonical-sets-and-columns').sets[0]).toStrictEqual({ start: 0, count: 10 });
    const chunks = sections('chunked-columns')
      .filter((d) => d.kind === SectionKind.Column && d.owner === 0 && d.field === 0)
      .map((d) => [d.rowStart, d.rowCount]);
    expect(chunks).toStrictEqual([
      [0, 3],
      [3, 0],
      [3, 7],
    ]);
  });

  it('the entity metadata section counts its entries, in the order given', () => {
    const d = sections('canonical-entity-metadata').find((s) => s.kind === SectionKind.EntityMetadata)!;
    expect(d.rowCount).toBe(3);
    expect([...decodeSnapshot(fileOf('canonical-entity-metadata')).entityMetadata!.keys()]).toStrictEqual([3, 1, 2]);
  });

  it('metadata keys come back in JavaScript order, whatever order the file has', () => {
    expect(Object.keys(decodeSnapshot(fileOf('manifest-forms')).metadata)).toStrictEqual(['2', 'b', 'a', 'long']);
    expect(manifest('manifest-without-order').order).toStrictEqual([]);
  });

  it('blob bytes are data: the same value in two forms stays two byte strings', () => {
    const packed = decodeSnapshot(fileOf('canonical-blob-bytes'));
    const blobs = (packed.components[0] as Extract<PackedSnapshot['components'][number], { layout: 'blobs' }>).blobs;
    expect(hex(blobs[0]!)).not.toBe(hex(blobs[1]!));
    const world = toWorldSnapshot(packed);
    expect(world.entities[0]!.components[0]!.data).toStrictEqual(world.entities[1]!.components[0]!.data);
  });

  it('a delta description names component orders by component id', () => {
    expect((manifest('delta-order').metadata as { order: unknown }).order).toStrictEqual([[2, ['B', 'A']]]);
    expect(manifest('canonical-component-order').order).toStrictEqual([[2, [1, 0]]]);
  });

  it('the added rows of a component without fields are a payload component with no fields and the empty id list', () => {
    const m = manifest('delta-fieldless-added');
    const description = m.metadata as { components: [string, string, { added: number; rows: unknown }][] };
    const tag = description.components.find((c) => c[0] === 'Tag')!;
    expect(tag[1]).toBe('patched');
    const added = m.components[tag[2].added]!;
    expect(added.fields).toStrictEqual([]);
    expect(m.sets[added.set]).toStrictEqual({ count: 0 });
  });

  it('a predicted delta is description version 3 with reference and scale, and its exact predictions store XOR 0', () => {
    const description = manifest('delta-lin').metadata as { delta: number; reference: Uint8Array; scale: number; components: [string, string, { fields: unknown[][] }][] };
    expect(description.delta).toBe(3);
    expect(hashHex(description.reference)).toBe(hashHex(snapshotHash(decodeSnapshot(fileOf('delta-lin.reference')))));
    expect(description.scale).toBe(1.5);
    expect(description.components[0]![2].fields.map((f) => f[3])).toStrictEqual(['lin', 'lin', undefined]);
    const delta = decodeDelta(fileOf('delta-lin'));
    const body = delta.components[0] as { fields: { values: ArrayBufferView }[] };
    const words = (v: ArrayBufferView) => [...new Uint32Array(v.buffer, v.byteOffset, v.byteLength / 4)].map((w) => w.toString(16));
    // x: exact predictions but for row 1 (tie to even gives ..02, the target is ..03) and the NaNs.
    expect(words(body.fields[0]!.values)).toStrictEqual(['0', '1', '0', '0', '2', '80000', '0']);
    expect(codeOf(() => applyDelta(decodeSnapshot(fileOf('delta-lin.base')), delta))).toBe('InvalidInput');
  });

  it('a snapshot reader refuses a delta container, and a delta reader a snapshot container', () => {
    expect(codeOf(() => decodeSnapshot(fileOf('delta-order')))).toBe('InvalidFormat');
    expect(codeOf(() => decodeDelta(fileOf('delta-order.base')))).toBe('InvalidFormat');
  });
});
