// Names of container sections as people read them ("column Position.x"), from the
// manifest when it could be read, else from the indexes the descriptor holds.
import { SectionKind, type SectionDescriptor } from '@tx2/pack-format';
import type { Manifest as ManifestSummary } from '@tx2/pack-format';
import { formatCount } from './units.js';

/** The kind of a section as a short word (manifest, entity-set, column, blobs, entity-metadata, toc). */
export function sectionKindName(kind: number): string {
  switch (kind) {
    case SectionKind.Manifest:
      return 'manifest';
    case SectionKind.EntitySet:
      return 'entity-set';
    case SectionKind.Column:
      return 'column';
    case SectionKind.Blobs:
      return 'blobs';
    case SectionKind.EntityMetadata:
      return 'entity-metadata';
    case SectionKind.TableOfContents:
      return 'toc';
    default:
      return `kind-${kind}`;
  }
}

/** A readable name of one section, e.g. `column Position.x (rows 0-9999)`, `entity set 0`, `the manifest`. */
export function sectionName(d: SectionDescriptor, manifest: ManifestSummary | undefined): string {
  const component = manifest?.components[d.owner];
  const rows = (): string =>
    d.rowStart === 0 && component !== undefined && manifest!.sets[component.set]?.count === d.rowCount
      ? ''
      : ` (rows ${formatCount(d.rowStart)}-${formatCount(d.rowStart + d.rowCount - 1)})`;
  switch (d.kind) {
    case SectionKind.Manifest:
      return 'the manifest';
    case SectionKind.EntitySet:
      return `entity set ${d.owner}`;
    case SectionKind.Column: {
      const field = component?.fields[d.field];
      return component !== undefined && field !== undefined ? `column ${component.id}.${field.name}${rows()}` : `column ${d.field} of component ${d.owner}`;
    }
    case SectionKind.Blobs:
      return component !== undefined ? `blobs of ${component.id}${rows()}` : `blobs of component ${d.owner}`;
    case SectionKind.EntityMetadata:
      return 'the entity metadata';
    case SectionKind.TableOfContents:
      return 'the table of contents';
    default:
      return `a section of kind ${d.kind}`;
  }
}

/** The name of the section a PackError's `details` point at (`section`, `kind`, `component`, `field`), or null when they name none. */
export function sectionFromDetails(details: Record<string, unknown>): string | null {
  const { section, kind, component, field, entitySet } = details;
  if (typeof section !== 'number') return null;
  switch (kind) {
    case SectionKind.Manifest:
      return 'the manifest';
    case SectionKind.EntitySet:
      return typeof entitySet === 'number' ? `entity set ${entitySet}` : `section ${section} (an entity set)`;
    case SectionKind.Column:
      return component !== undefined && field !== undefined ? `column ${String(component)}.${String(field)}` : `section ${section} (a column)`;
    case SectionKind.Blobs:
      return component !== undefined ? `blobs of ${String(component)}` : `section ${section} (blobs)`;
    case SectionKind.EntityMetadata:
      return 'the entity metadata';
    case SectionKind.TableOfContents:
      return 'the table of contents';
    default:
      return `section ${section}`;
  }
}
