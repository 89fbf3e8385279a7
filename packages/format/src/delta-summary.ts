import type { ComponentDelta, IdListDelta, SnapshotDelta } from './delta-model.js';
import { hashHex } from './hash.js';

/** What a delta changes, as plain JSON-ready counts and names: for tools, logs and the CLI. */
export interface DeltaSummary {
  /** The base and target content hashes, hex. */
  base: string;
  target: string;
  timestamp: number;
  worldTime: number;
  entities: { added: number; removed: number; reordered: boolean };
  components: ComponentSummary[];
  /** World metadata keys set and removed, `replaced` when the whole object (key order) changed; null when unchanged. */
  metadata: { set: string[]; removed: string[] } | { replaced: string[] } | null;
  /** Per-entity metadata entries set and removed; null when unchanged. */
  entityMetadata: { set: number; removed: number } | { replaced: number } | null;
  componentOrderChanged: boolean;
}

/** What a delta does to one component. */
export interface ComponentSummary {
  id: string;
  change: 'added' | 'removed' | 'replaced' | 'patched' | 'unchanged';
  /** Rows stored whole (added or replaced components). */
  rows?: number;
  entitiesAdded: number;
  entitiesRemoved: number;
  /** Rows whose values changed (existing entities only); `all` when a field was stored whole. */
  rowsChanged: number | 'all';
  /** Changed fields (`""` for a blob component's blobs) and how many rows of each. */
  fields: { name: string; rows: number | 'all' }[];
}

function listChange(change: IdListDelta | undefined): { added: number; removed: number; reordered: boolean } {
  if (change === undefined) return { added: 0, removed: 0, reordered: false };
  if ('ids' in change) return { added: 0, removed: 0, reordered: true };
  return { added: change.added.length, removed: change.removed.length, reordered: false };
}

function componentSummary(c: ComponentDelta): ComponentSummary {
  const base = { id: c.id, change: c.change, entitiesAdded: 0, entitiesRemoved: 0, rowsChanged: 0 as number | 'all', fields: [] as ComponentSummary['fields'] };
  if (c.change === 'added' || c.change === 'replaced') return { ...base, rows: c.component.entityIds.length };
  if (c.change === 'unchanged') return base;
  const rows = listChange(c.rows);
  const changed = new Set<number>();
  let whole = false;
  const fields = c.fields.map((f) => {
    if (f.rows === undefined) whole = true;
    else for (const r of f.rows) changed.add(r);
    return { name: f.name, rows: f.rows === undefined ? ('all' as const) : f.rows.length };
  });
  const added = c.added === undefined ? 0 : 'blobs' in c.added ? c.added.blobs.length : ((c.added.fields[0]?.values as ArrayLike<unknown> | undefined)?.length ?? 0);
  return { ...base, entitiesAdded: rows.reordered ? added : rows.added, entitiesRemoved: rows.removed, rowsChanged: whole ? 'all' : changed.size, fields };
}

/** Counts what a delta changes: entities added and removed, per component rows and fields changed. */
export function summarizeDelta(delta: SnapshotDelta): DeltaSummary {
  const components = delta.components.map(componentSummary);
  for (const id of delta.removedComponents) components.push({ id, change: 'removed', entitiesAdded: 0, entitiesRemoved: 0, rowsChanged: 0, fields: [] });
  const m = delta.metadata;
  const em = delta.entityMetadata;
  return {
    base: hashHex(delta.base),
    target: hashHex(delta.target),
    timestamp: delta.timestamp,
    worldTime: delta.worldTime,
    entities: listChange(delta.entities),
    components,
    metadata: m === undefined ? null : 'replace' in m ? { replaced: Object.keys(m.replace) } : { set: Object.keys(m.set), removed: m.removed },
    entityMetadata: em === undefined ? null : 'replace' in em ? { replaced: em.replace.length } : { set: em.set.length, removed: em.removed.length },
    componentOrderChanged: delta.componentOrder !== undefined,
  };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Renders a summary as readable lines, one per changed component. */
export function formatDeltaSummary(summary: DeltaSummary): string {
  const lines = [`delta ${summary.base.slice(0, 12)} -> ${summary.target.slice(0, 12)} (timestamp ${summary.timestamp}, worldTime ${summary.worldTime})`];
  const e = summary.entities;
  lines.push(e.reordered ? 'entities: reordered (whole list stored)' : `entities: +${e.added} -${e.removed}`);
  let unchanged = 0;
  const width = Math.max(0, ...summary.components.map((c) => c.id.length));
  for (const c of summary.components) {
    if (c.change === 'unchanged') {
      unchanged++;
      continue;
    }
    let detail = '';
    if (c.change === 'added' || c.change === 'replaced') detail = plural(c.rows ?? 0, 'row');
    else if (c.change === 'patched') {
      const parts = [];
      if (c.entitiesAdded > 0 || c.entitiesRemoved > 0) parts.push(`+${c.entitiesAdded} -${c.entitiesRemoved} entities`);
      if (c.fields.length > 0) {
        parts.push(`${c.rowsChanged === 'all' ? 'all' : c.rowsChanged} rows changed (${c.fields.map((f) => `${f.name || 'blobs'}: ${f.rows}`).join(', ')})`);
      }
      detail = parts.join(', ');
    }
    lines.push(`  ${c.id.padEnd(width)}  ${c.change.padEnd(8)}  ${detail}`.trimEnd());
  }
  if (unchanged > 0) lines.push(`  ${plural(unchanged, 'component')} unchanged`);
  const m = summary.metadata;
  if (m !== null)
    lines.push('replaced' in m ? `metadata: replaced (${m.replaced.join(', ')})` : `metadata: set ${m.set.join(', ') || 'nothing'}; removed ${m.removed.join(', ') || 'nothing'}`);
  const em = summary.entityMetadata;
  if (em !== null) lines.push('replaced' in em ? `entity metadata: replaced (${em.replaced} entries)` : `entity metadata: ${em.set} set, ${em.removed} removed`);
  if (summary.componentOrderChanged) lines.push('component order: changed');
  return lines.join('\n');
}
