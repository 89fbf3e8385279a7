// Files that break (or bend) one rule of docs/format.md each, read by the spec reader and by the
// reference (`@tx2/pack-format`): both must give the outcome the document names, the same content
// hash where they accept. This is where the document's guesses were settled (see its history).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeSnapshot, isPackError, snapshotHash, toHex } from '../../src/index.js';
import { contentHash } from './canonical.js';
import { descriptor, type Frame, layOut, takeApart } from './craft.js';
import { decodeMessagePack, encodeMessagePack } from './msgpack.js';
import { SpecError } from './spec-error.js';
import { readSnapshot } from './snapshot.js';

const original = new Uint8Array(readFileSync(fileURLToPath(new URL('../vectors/spec/canonical-sets-and-columns.tx2pack', import.meta.url))));
const { header, frames } = takeApart(original);
const manifest = decodeMessagePack(frames[0]!.payload) as Record<string, unknown>;
const originalHash = toHex(contentHash(readSnapshot(original)));

/** The spec reader's outcome: the content hash, or the error code. */
function spec(bytes: Uint8Array): string {
  try {
    return toHex(contentHash(readSnapshot(bytes)));
  } catch (e) {
    if (e instanceof SpecError) return e.code;
    throw e;
  }
}

/** The reference's outcome: decode then hash; `hash:<code>` when only hashing refuses. */
function reference(bytes: Uint8Array): string {
  let packed: ReturnType<typeof decodeSnapshot>;
  try {
    packed = decodeSnapshot(bytes);
  } catch (e) {
    if (isPackError(e)) return e.code;
    throw e;
  }
  try {
    return toHex(snapshotHash(packed));
  } catch (e) {
    if (isPackError(e)) return `hash:${e.code}`;
    throw e;
  }
}

const withFrames = (fs: Frame[], options?: Parameters<typeof layOut>[2]): Uint8Array => layOut(header, fs, options);
const withManifest = (m: unknown, after: number[] = []): Uint8Array =>
  withFrames([{ desc: frames[0]!.desc, payload: new Uint8Array([...encodeMessagePack(m), ...after]) }, ...frames.slice(1)]);
const withMetadata = (bytes: number[]): Uint8Array => withManifest({ ...manifest, metadata: new Uint8Array(bytes) });
const changed = (index: number, edit: (desc: Uint8Array) => void): Frame[] =>
  frames.map((f, i) => {
    if (i !== index) return f;
    const desc = f.desc.slice();
    edit(desc);
    return { desc, payload: f.payload };
  });
const entityMetadata = (value: unknown): Uint8Array => withFrames([...frames, { desc: descriptor(5), payload: encodeMessagePack(value) }]);
const headerWith = (at: number, value: number): Uint8Array => {
  const h = header.slice();
  h[at] = value;
  return layOut(h, frames);
};
const SAME = 'same content hash as the original';

// [case, bytes, outcome of both readers ('same…', an error code), reference outcome when it differs]
const cases: [string, () => Uint8Array, string, string?][] = [
  ['laid out again unchanged', () => withFrames(frames), SAME],
  ['an empty input', () => new Uint8Array(0), 'InvalidFormat'],
  ['7 bytes of the magic', () => original.slice(0, 7), 'InvalidFormat'],
  ['the magic and 3 bytes', () => original.slice(0, 11), 'Truncated'],
  ['a byte after the manifest value', () => withManifest(manifest, [0xc0]), 'InvalidFormat'],
  ['a byte after the metadata map', () => withMetadata([0x80, 0xc0]), 'InvalidFormat'],
  ['metadata that is not a map', () => withMetadata([0x91, 0x01]), 'InvalidFormat'],
  ['a repeated metadata key (the last value counts)', () => withMetadata([0x82, 0xa1, 0x61, 0x01, 0xa1, 0x61, 0xa3, 0x6f, 0x6e, 0x65]), 'hash'],
  ['a reserved ext type in metadata', () => withMetadata([0x81, 0xa1, 0x61, 0xd4, 0x38, 0x61]), 'hash'],
  ['a timestamp ext -1 in metadata (read as a Date)', () => withMetadata([0x81, 0xa1, 0x61, 0xd6, 0xff, 0x00, 0x00, 0x00, 0x01]), 'hash'],
  ['a schemaVersion that is a string', () => withManifest({ ...manifest, schemaVersion: '2' }), 'InvalidFormat'],
  ['a set of three numbers', () => withManifest({ ...manifest, sets: [...(manifest.sets as unknown[]), [1, 2, 3]] }), 'InvalidFormat'],
  ['a component entry of five items', () => withManifest({ ...manifest, components: (manifest.components as unknown[][]).map((c) => [...c, 0]) }), 'InvalidFormat'],
  ['an unknown manifest key', () => withManifest({ ...manifest, later: 1 }), SAME],
  ['an empty resources array', () => withManifest({ ...manifest, resources: [] }), SAME],
  ['an empty attrs array and an attrs map with value false', () => withManifest({ ...manifest, attrs: [[0, { value: false, refs: [] }]] }), SAME],
  ['a section of kind 0', () => withFrames([...frames, { desc: descriptor(0), payload: new Uint8Array(3) }]), SAME],
  ['a section of kind 7', () => withFrames([...frames, { desc: descriptor(7), payload: new Uint8Array(3) }]), SAME],
  [
    'an EntitySet section of 5 bytes for the range set 0',
    () => withFrames([...frames.slice(0, 1), { desc: descriptor(2, 0, 9), payload: new Uint8Array(5) }, ...frames.slice(1)]),
    SAME,
  ],
  ['a TOC rowCount other than sectionCount', () => withFrames(frames, { tocRowCount: 99 }), 'InvalidFormat'],
  ['a sealed TOC in a plain file', () => withFrames(frames, { tocCipher: 1 }), 'InvalidFormat'],
  ['a section with cipher 1 in a plain file', () => withFrames(changed(1, (d) => (d[4] = 1))), 'Decryption'],
  [
    'an unknown codec',
    () =>
      withFrames(
        changed(1, (d) => {
          d[2] = 9;
          new DataView(d.buffer).setBigUint64(24, 40n, true);
        }),
      ),
    'Decompression',
  ],
  [
    'a rawLength of 1.5 GiB',
    () =>
      withFrames(
        changed(1, (d) => {
          d[2] = 2;
          new DataView(d.buffer).setBigUint64(24, BigInt(1.5 * 2 ** 30), true);
        }),
      ),
    'LimitExceeded',
  ],
  ['header reserved byte 19 and extension byte 60 set', () => layOut(Object.assign(header.slice(), { 19: 1, 60: 1 }), frames), SAME],
  ['the informative header codec byte set', () => headerWith(17, 2), SAME],
  [
    'a non-zero nonce and reserved bytes in a plain descriptor',
    () =>
      withFrames(
        changed(1, (d) => {
          d[44] = 1;
          d[56] = 1;
        }),
      ),
    SAME,
  ],
  ['an entity metadata payload with a byte after the array', () => withFrames([...frames, { desc: descriptor(5), payload: new Uint8Array([0x90, 0xc0]) }]), 'InvalidFormat'],
  // Section 5 **Entities**: the spec reader refuses; the reference decodes, then refuses to hash.
  [
    'entity metadata naming one entity twice',
    () =>
      entityMetadata([
        [3, {}],
        [3, { a: 1 }],
      ]),
    'InvalidFormat',
    'hash',
  ],
  ['entity metadata naming entity 1.5', () => entityMetadata([[1.5, {}]]), 'InvalidFormat', 'hash:InvalidInput'],
  ['an order entry for an entity not in the world', () => withManifest({ ...manifest, order: [[99, [0]]] }), 'InvalidFormat', 'hash:InvalidInput'],
  ['an order entry not listing the entity components', () => withManifest({ ...manifest, order: [[3, [0]]] }), 'InvalidFormat', 'hash:InvalidInput'],
];

describe('spec reader and reference on crafted files', () => {
  for (const [name, make, outcome, referenceOutcome] of cases) {
    it(`${name}: ${outcome}${referenceOutcome ? ` (reference: ${referenceOutcome})` : ''}`, () => {
      const bytes = make();
      const mine = spec(bytes);
      const theirs = reference(bytes);
      if (outcome === SAME) expect(mine).toBe(originalHash);
      else if (outcome === 'hash') expect(mine).toMatch(/^[0-9a-f]{64}$/);
      else expect(mine).toBe(outcome);
      const expectedReference = referenceOutcome ?? outcome;
      if (expectedReference === 'hash') expect(theirs).toMatch(/^[0-9a-f]{64}$/);
      if (expectedReference === 'hash' && outcome === 'hash') expect(theirs).toBe(mine);
      else if (expectedReference === SAME) expect(theirs).toBe(originalHash);
      else if (expectedReference !== 'hash') expect(theirs).toBe(expectedReference);
    });
  }

  // Section 8 **Reading**: a str must be well-formed UTF-8, wherever it is.
  it('malformed UTF-8 in a metadata string is InvalidFormat for both readers', () => {
    const bytes = withMetadata([0x81, 0xa1, 0x61, 0xa2, 0xc3, 0x28]);
    expect(spec(bytes)).toBe('InvalidFormat');
    expect(reference(bytes)).toBe('InvalidFormat');
  });

  it('malformed UTF-8 in the manifest version is InvalidFormat for both readers', () => {
    const good = encodeMessagePack({ ...manifest, version: 'ab' });
    const at = good.indexOf(0xa2, 8);
    good.set([0xc3, 0x28], at + 1);
    const bytes = withFrames([{ desc: frames[0]!.desc, payload: good }, ...frames.slice(1)]);
    expect(spec(bytes)).toBe('InvalidFormat');
    expect(reference(bytes)).toBe('InvalidFormat');
  });
});
