// Entity references: the list encoding of `'entities'` fields and the null id.
import { PackError } from './errors.js';

/** The id an `'entity'` reference field holds for "no entity"; never remapped. */
export const NULL_ENTITY = 0xffffffff;

/** The stored form of an entity-id list (an `'entities'` field value): u32 little-endian ids, back to back. */
export function encodeEntityList(ids: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(ids.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffffffff) {
      throw new PackError('InvalidInput', `entity list item ${i} is ${String(id)}: entity ids are integers from 0 to 4294967295`, { details: { position: i } });
    }
    view.setUint32(i * 4, id, true);
  }
  return out;
}

/** The ids of a stored entity-id list; InvalidFormat when its length is not a multiple of 4. */
export function decodeEntityList(bytes: Uint8Array): number[] {
  if (bytes.length % 4 !== 0) throw new PackError('InvalidFormat', `an entity list holds ${bytes.length} bytes, not a multiple of 4: the data is corrupt`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<number>(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getUint32(i * 4, true);
  return out;
}

/** True when `v` is an array of entity ids (integers from 0 to 2^32-1). */
export function isEntityList(v: unknown): v is readonly number[] {
  return Array.isArray(v) && v.every((id) => typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 0xffffffff);
}
