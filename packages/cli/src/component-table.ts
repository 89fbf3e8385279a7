// The components table shared by `inspect` and `show`: entities, fields with types, sizes.
import type { ComponentReport } from './container-report.js';
import { renderTable } from './table.js';
import { formatBytes, formatCount, formatRatio } from './units.js';

/** The components of a container as table lines. */
export function renderComponentTable(components: readonly ComponentReport[]): string[] {
  return renderTable(
    [
      { title: 'component' },
      { title: 'layout' },
      { title: 'entities', align: 'right' },
      { title: 'fields' },
      { title: 'raw', align: 'right' },
      { title: 'stored', align: 'right' },
      { title: 'ratio', align: 'right' },
    ],
    components.map((comp) => [
      comp.id,
      comp.layout,
      formatCount(comp.entities),
      comp.layout === 'blobs' ? '(MessagePack per entity)' : comp.fields.map((f) => `${f.name}:${f.type}`).join(' '),
      formatBytes(comp.rawBytes),
      comp.storedBytes === null ? '-' : formatBytes(comp.storedBytes),
      comp.storedBytes === null ? '-' : formatRatio(comp.rawBytes, comp.storedBytes),
    ]),
  );
}
