import { bytesOf, isNumericFieldType, type PackedSnapshot } from '@tx2/pack-format';

/**
 * Overwrites `target` with the content of `source`, copying into `target`'s own arrays,
 * when both have the same shape: the same components, fields, field types and array lengths,
 * numeric columns only, and arrays shared between slots of `target` (decoded snapshots share
 * entity lists) shared the same way in `source`. Returns false, `target` untouched, otherwise.
 * Rebuilding from a keyframe this way reuses the working snapshot's memory instead of
 * allocating a new one. `source` is only read (it may be views of stored bytes); its metadata
 * objects are taken over as they are (they are replaced, never modified, later on).
 */
export function refillSnapshot(target: PackedSnapshot, source: PackedSnapshot): boolean {
  const pairs: [to: ArrayBufferView, from: ArrayBufferView][] = [[target.entities, source.entities]];
  if (target.components.length !== source.components.length) return false;
  for (let c = 0; c < target.components.length; c++) {
    const to = target.components[c]!;
    const from = source.components[c]!;
    if (to.id !== from.id || to.layout !== 'columns' || from.layout !== 'columns' || to.fields.length !== from.fields.length) return false;
    pairs.push([to.entityIds, from.entityIds]);
    for (let f = 0; f < to.fields.length; f++) {
      const a = to.fields[f]!;
      const b = from.fields[f]!;
      if (a.name !== b.name || a.type !== b.type || !isNumericFieldType(a.type)) return false;
      pairs.push([a.values as ArrayBufferView, b.values as ArrayBufferView]);
    }
  }
  const sourceOf = new Map<ArrayBufferView, ArrayBufferView>();
  for (const [to, from] of pairs) {
    if (to.byteLength !== from.byteLength || to.constructor !== from.constructor) return false;
    const seen = sourceOf.get(to);
    if (seen !== undefined && seen !== from) return false; // one target array, two different sources
    sourceOf.set(to, from);
  }
  for (const [to, from] of sourceOf) bytesOf(to).set(bytesOf(from));
  target.timestamp = source.timestamp;
  target.version = source.version;
  target.worldTime = source.worldTime;
  target.schemaVersion = source.schemaVersion;
  target.metadata = source.metadata;
  if (source.entityMetadata === undefined) delete target.entityMetadata;
  else target.entityMetadata = source.entityMetadata;
  if (source.componentOrder === undefined) delete target.componentOrder;
  else target.componentOrder = source.componentOrder;
  return true;
}
