import { type PackedComponent, type PackedSnapshot, decodeEntityList } from '@tx2/pack-format';
import { buildColumn, type IdLookup, idArray, loadColumn } from './columns.js';
import { type Library, invalidArgument, schemaMismatch } from './mismatch.js';
import type { FieldSpec } from './registry.js';
import { blobComponent, blobValues } from './snapshot.js';

/**
 * How a relation's per-pair data is saved: typed fields (one column each), or one MessagePack
 * value per pair (`'blob'`).
 */
export type PairData = readonly (readonly [string, FieldSpec])[] | 'blob';

/**
 * The snapshot id of slot `k` of a relation's data: slot k holds the data of each subject's k-th
 * target, in the order of the relation's saved `targets` list.
 */
export const slotId = (relation: string, k: number): string => `${relation}#${k}`;

/**
 * Saves a relation's per-pair data as slot components: `read(row, k)` is the data of row's k-th
 * target (a record of the fields, or the whole value for a blob).
 */
export function savePairData(
  library: Library,
  id: string,
  data: PairData,
  subjects: Uint32Array,
  targets: readonly (readonly unknown[])[],
  read: (row: number, k: number) => unknown,
  taken: ReadonlySet<string>,
): PackedComponent[] {
  let slots = 0;
  for (const list of targets) if (list.length > slots) slots = list.length;
  const out: PackedComponent[] = [];
  for (let k = 0; k < slots; k++) {
    const sid = slotId(id, k);
    if (taken.has(sid)) throw invalidArgument(library, `component id "${sid}" is taken by the data of relation "${id}": rename that component`, 'components');
    const rows: number[] = [];
    for (let row = 0; row < targets.length; row++) if (targets[row]!.length > k) rows.push(row);
    const ids = idArray(rows, (row) => subjects[row]!);
    if (data === 'blob') {
      out.push(
        blobComponent(
          sid,
          ids,
          rows.map((row) => read(row, k)),
        ),
      );
      continue;
    }
    const values = rows.map((row) => read(row, k) as Record<string, unknown> | undefined);
    const fields = data.map(([name, spec]) => buildColumn(library, id, name, spec, rows.length, (i) => values[i]?.[name]));
    out.push({ id: sid, layout: 'columns', entityIds: ids, fields });
  }
  return out;
}

/**
 * Restores a relation's per-pair data from its slot components: `write(subject, target, value)`
 * gets new entity ids and the loaded data (entity fields remapped), for every pair whose two
 * entities were loaded.
 */
export function loadPairData(
  library: Library,
  snapshot: PackedSnapshot,
  relation: PackedComponent,
  data: PairData,
  idMap: IdLookup,
  write: (subject: number, target: number, value: unknown) => void,
): void {
  const saved = savedTargets(library, relation);
  for (let k = 0; ; k++) {
    const slot = snapshot.components.find((c) => c.id === slotId(relation.id, k));
    if (slot === undefined) return;
    let values: ArrayLike<unknown>;
    if (data === 'blob') values = blobValues(library, slot);
    else {
      const columns = data.map(([name, spec]) => loadColumn(library, slot, name, spec, idMap));
      const records: Record<string, unknown>[] = new Array(slot.entityIds.length);
      for (let row = 0; row < records.length; row++) {
        const record: Record<string, unknown> = {};
        for (let f = 0; f < data.length; f++) record[data[f]![0]] = columns[f]![row];
        records[row] = record;
      }
      values = records;
    }
    for (let row = 0; row < slot.entityIds.length; row++) {
      const old = slot.entityIds[row]!;
      const target = saved.get(old)?.[k];
      if (target === undefined) {
        throw schemaMismatch(library, slot.id, undefined, `has data for target ${k} of entity ${old}, which has no such target`, 'the snapshot is damaged; load an intact copy');
      }
      const subject = idMap.get(old);
      const to = idMap.get(target);
      if (subject !== undefined && to !== undefined) write(subject, to, values[row]);
    }
  }
}

/** A relation component's saved target lists by saved subject id, as saved (not remapped). */
function savedTargets(library: Library, relation: PackedComponent): Map<number, number[]> {
  const column = relation.layout === 'columns' ? relation.fields.find((f) => f.name === 'targets') : undefined;
  if (column === undefined || column.type !== 'bytes') {
    throw schemaMismatch(library, relation.id, 'targets', 'is missing or not a reference list in the snapshot', 'the snapshot is damaged or from another registry');
  }
  const out = new Map<number, number[]>();
  const lists = column.values as readonly Uint8Array[];
  for (let row = 0; row < lists.length; row++) out.set(relation.entityIds[row]!, decodeEntityList(lists[row]!));
  return out;
}
