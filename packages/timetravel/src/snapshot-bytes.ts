import { isNumericFieldType, type PackedSnapshot } from '@tx2/pack-format';

/** Approximate bytes of a decoded snapshot's values: its typed arrays (each counted once), blobs and strings (2 bytes a character). */
export function snapshotBytes(snapshot: PackedSnapshot): number {
  const seen = new Set<ArrayBufferView>();
  let total = 0;
  const add = (array: ArrayBufferView): void => {
    if (seen.has(array)) return;
    seen.add(array);
    total += array.byteLength;
  };
  add(snapshot.entities);
  for (const component of snapshot.components) {
    add(component.entityIds);
    if (component.layout === 'blobs') {
      for (const blob of component.blobs) add(blob);
      continue;
    }
    for (const field of component.fields) {
      if (isNumericFieldType(field.type)) add(field.values as ArrayBufferView);
      else for (const value of field.values as readonly (string | Uint8Array)[]) total += typeof value === 'string' ? value.length * 2 : value.byteLength;
    }
  }
  return total;
}
