// Deltas (containers of kind Delta, written by `tx2pack diff --out`): decoding and summaries.
import { decodeDelta, hashHex, summarizeDelta, type DeltaSummary, type FieldDelta, type PackedSnapshot, type SnapshotDelta } from '@tx2/pack-format';
import { readOptions } from '@tx2/pack-codecs';
import type { DecryptionKeyInput } from '@tx2/pack-crypto';
import { toJsonValue, type Json } from './json-encoding.js';
import { inFile, plainContainer, type SnapshotFile } from './snapshot-file.js';
import { formatCount, plural } from './units.js';

/** Decodes a delta file (decrypting it with `key` when needed) and summarizes what it changes. */
export async function describeDeltaFile(file: SnapshotFile, key: DecryptionKeyInput | undefined): Promise<DeltaSummary> {
  const plain = await plainContainer(file, key);
  return inFile(file.path, async () => summarizeDelta(decodeDelta(plain, await readOptions({ bytes: plain }))));
}

/** What changed in one component, e.g. `+2 -0 entities, 50,001 rows changed (x: 50,001)`. */
function componentDetail(c: DeltaSummary['components'][number]): string {
  if (c.change === 'added' || c.change === 'replaced') return plural(c.rows ?? 0, 'row');
  if (c.change !== 'patched') return '';
  const parts: string[] = [];
  if (c.entitiesAdded > 0 || c.entitiesRemoved > 0) parts.push(`+${formatCount(c.entitiesAdded)} -${formatCount(c.entitiesRemoved)} entities`);
  if (c.fields.length > 0) {
    const rows = c.rowsChanged === 'all' ? 'all rows' : plural(c.rowsChanged, 'row');
    const fields = c.fields.map((f) => `${f.name || 'blobs'}: ${f.rows === 'all' ? 'all' : formatCount(f.rows)}`).join(', ');
    parts.push(`${rows} changed (${fields})`);
  }
  return parts.join(', ');
}

/** The summary as indented report lines (counts with thousands separators), one per changed component. */
export function renderDeltaSummary(summary: DeltaSummary): string[] {
  const lines = [`delta ${summary.base.slice(0, 12)} -> ${summary.target.slice(0, 12)} (timestamp ${summary.timestamp}, worldTime ${summary.worldTime})`];
  const e = summary.entities;
  lines.push(e.reordered ? 'entities: reordered (whole list stored)' : `entities: +${formatCount(e.added)} -${formatCount(e.removed)}`);
  const changed = summary.components.filter((c) => c.change !== 'unchanged');
  const width = Math.max(0, ...changed.map((c) => c.id.length));
  for (const c of changed) lines.push(`  ${c.id.padEnd(width)}  ${c.change.padEnd(8)}  ${componentDetail(c)}`.trimEnd());
  const unchanged = summary.components.length - changed.length;
  if (unchanged > 0) lines.push(`  ${plural(unchanged, 'component')} unchanged`);
  const m = summary.metadata;
  if (m !== null) {
    lines.push('replaced' in m ? `metadata: replaced (${m.replaced.join(', ')})` : `metadata: set ${m.set.join(', ') || 'nothing'}; removed ${m.removed.join(', ') || 'nothing'}`);
  }
  const em = summary.entityMetadata;
  if (em !== null)
    lines.push(
      'replaced' in em ? `entity metadata: replaced (${plural(em.replaced, 'entry')})` : `entity metadata: ${formatCount(em.set)} set, ${formatCount(em.removed)} removed`,
    );
  if (summary.componentOrderChanged) lines.push('component order: changed');
  return lines.map((line) => `  ${line}`);
}

/**
 * A field the delta stores as a temporal XOR (`xor: true`: the bits of each new value XOR the
 * old one) or as a prediction (`predicted: true`: XOR the value predicted from the base and a
 * reference snapshot) holds bits that read as nonsense numbers. `next`, the snapshot the
 * delta leads to, has the new values (the field covers every target row, in target row
 * order): show those, like every other field, labelled `storedAs: "xor"` or `"predicted"`.
 */
function presentField(field: FieldDelta, componentId: string, next: PackedSnapshot): Record<string, unknown> {
  if (field.xor !== true && field.predicted !== true) return { ...field };
  const { xor: _, predicted: __, values, ...rest } = field;
  const storedAs = field.xor === true ? 'xor' : 'predicted';
  const component = next.components.find((c) => c.id === componentId);
  const column = component?.layout === 'columns' ? component.fields.find((f) => f.name === field.name) : undefined;
  // Not found cannot happen for a delta made from `next`; the raw bits are then shown under their own name.
  return column === undefined ? { ...rest, storedAs, xorBits: values } : { ...rest, values: column.values, storedAs };
}

/** The whole delta as JSON: hashes in hex, every value in the lossless encoding of `export`, new values of XOR-stored or predicted fields taken from `next`. */
export function deltaToJson(delta: SnapshotDelta, next: PackedSnapshot): Json {
  const components = delta.components.map((c) => (c.change === 'patched' ? { ...c, fields: c.fields.map((f) => presentField(f, c.id, next)) } : c));
  const reference = delta.reference === undefined ? {} : { reference: { hash: hashHex(delta.reference.hash), scale: delta.reference.scale } };
  return toJsonValue({ ...delta, components, base: hashHex(delta.base), target: hashHex(delta.target), ...reference }, 'delta');
}
