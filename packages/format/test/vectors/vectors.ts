// The committed test vectors: which files exist and how their expected content is written.
import { fileURLToPath } from 'node:url';
import { decodeSnapshot, FORMAT_VERSION, toWorldSnapshot } from '../../src/index.js';
import { type Json, toJsonable } from '../helpers/jsonable.js';

export const VECTOR_DIR = fileURLToPath(new URL('.', import.meta.url));

/** Vector name -> what it covers. The snapshots themselves are in ../helpers/fixtures.ts. */
export const VECTORS: Record<string, string> = {
  'columns-all-types': 'every field type (NaN payloads, -0, subnormals, i64/u64 extremes, astral strings, empty bytes), a subset component, an empty component and a range-set tag component; sparse unsorted u32 ids incl. 0 and 2^32-1',
  'blobs-and-metadata': 'a world whose components need blobs (Map, Set, Date incl. invalid, bigint, typed arrays, ArrayBuffer, undefined/null, -0, NaN), components in per-entity order, an entity without components, entity metadata and world metadata',
  'empty-world': 'no entities, no components',
  'reference-world-16': '16 entities (ids 0..15, a range) with f32 Position {x,y,z}, Velocity {x,y,z} and Health {current,max}',
};

export interface ExpectedVector {
  name: string;
  description: string;
  formatVersion: number;
  byteLength: number;
  /** The decoded PackedSnapshot in the tagged JSON form of ../helpers/jsonable.ts. */
  packed: Json;
  /** toWorldSnapshot of it, in the same form. */
  world: Json;
}

/** What a vector's `.expected.json` holds for `bytes`. */
export function expectedFor(name: string, bytes: Uint8Array): ExpectedVector {
  const decoded = decodeSnapshot(bytes);
  return {
    name,
    description: VECTORS[name]!,
    formatVersion: FORMAT_VERSION,
    byteLength: bytes.length,
    packed: toJsonable(decoded),
    world: toJsonable(toWorldSnapshot(decoded)),
  };
}
