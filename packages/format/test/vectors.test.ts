// The committed test vectors (test/vectors/*.tx2pack) decode to their committed expected
// content, and encoding that content again reproduces the committed bytes exactly.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot, FORMAT_VERSION, readLayout, toWorldSnapshot, type PackedSnapshot } from '../src/index.js';
import { FIXTURES } from './helpers/fixtures.js';
import { fromJsonable, toJsonable } from './helpers/jsonable.js';
import { type ExpectedVector, VECTOR_DIR, VECTORS } from './vectors/vectors.js';

const read = (name: string): { bytes: Uint8Array; expected: ExpectedVector } => {
  const file = readFileSync(join(VECTOR_DIR, `${name}.tx2pack`));
  // A plain, aligned Uint8Array of exactly the file's bytes.
  const bytes = new Uint8Array(file.length);
  bytes.set(file);
  const expected = JSON.parse(readFileSync(join(VECTOR_DIR, `${name}.expected.json`), 'utf8')) as ExpectedVector;
  return { bytes, expected };
};

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

describe('test vectors', () => {
  it('every vector is committed, with its expected content', () => {
    const files = readdirSync(VECTOR_DIR).filter((f) => f.endsWith('.tx2pack') || f.endsWith('.expected.json'));
    const names = Object.keys(VECTORS).sort();
    expect(
      files
        .filter((f) => f.endsWith('.tx2pack'))
        .map((f) => f.replace(/\.tx2pack$/, ''))
        .sort(),
    ).toStrictEqual(names);
    expect(
      files
        .filter((f) => f.endsWith('.expected.json'))
        .map((f) => f.replace(/\.expected\.json$/, ''))
        .sort(),
    ).toStrictEqual(names);
  });

  describe.each(Object.keys(VECTORS))('%s', (name) => {
    it('decodes to the committed expected content', () => {
      const { bytes, expected } = read(name);
      expect(expected.name).toBe(name);
      expect(expected.formatVersion).toBe(FORMAT_VERSION);
      expect(bytes.length).toBe(expected.byteLength);
      const decoded = decodeSnapshot(bytes);
      expect(toJsonable(decoded)).toStrictEqual(expected.packed);
      expect(toJsonable(toWorldSnapshot(decoded))).toStrictEqual(expected.world);
    });

    it('re-encoding the decoded snapshot reproduces the committed bytes', () => {
      const { bytes } = read(name);
      expect(hex(encodeSnapshot(decodeSnapshot(bytes)))).toBe(hex(bytes));
      expect(hex(encodeSnapshot(decodeSnapshot(bytes, { copy: true })))).toBe(hex(bytes));
    });

    it('encoding the expected content (from JSON alone) reproduces the committed bytes', () => {
      const { bytes, expected } = read(name);
      expect(hex(encodeSnapshot(fromJsonable(expected.packed) as PackedSnapshot))).toBe(hex(bytes));
    });

    it('the snapshot the vector was made from still encodes to the committed bytes', () => {
      const { bytes } = read(name);
      expect(hex(encodeSnapshot(FIXTURES[name]!()))).toBe(hex(bytes));
    });

    it('has a well-formed layout: 8-aligned sections, checksums on, the manifest first', () => {
      const { bytes } = read(name);
      const layout = readLayout(bytes);
      expect(layout.header.formatVersion).toBe(FORMAT_VERSION);
      expect(layout.header.flags & 1).toBe(1);
      expect(layout.sections[0]!.descriptor.kind).toBe(1);
      for (const s of layout.sections) {
        expect(s.offset % 8).toBe(0);
        expect(s.descriptor.flags & 1).toBe(1);
      }
    });
  });

  it('reference-world-16 holds the documented values', () => {
    const decoded = decodeSnapshot(read('reference-world-16').bytes);
    expect(decoded.entities).toStrictEqual(Uint32Array.from({ length: 16 }, (_, i) => i));
    expect(decoded.components.map((c) => c.id)).toStrictEqual(['Position', 'Velocity', 'Health']);
    const position = decoded.components[0]!;
    if (position.layout !== 'columns') throw new Error('Position should be columns');
    expect(Array.from(position.fields[0]!.values as Float32Array)).toStrictEqual(Array.from({ length: 16 }, (_, i) => i * 1.5));
  });
});
