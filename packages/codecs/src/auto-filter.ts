import { type FilterChooser, PackError, type SectionFilter, SectionKind } from '@tx2/pack-format';
import { describe } from './codec.js';
import { deltaFilter } from './delta.js';
import { shuffleFilter } from './shuffle.js';

/** How filters are picked: automatically, never, always one, or by your own chooser. */
export type FilterChoice = 'auto' | 'none' | 'shuffle' | 'delta' | FilterChooser;

/**
 * The default chooser: delta for entity-id sets (sorted u32 ids become small steps),
 * byte-shuffle for numeric columns of 2 to 8 bytes per value, nothing for 1-byte values.
 * The format offers filters only for fixed-width sections and only when a codec compresses.
 */
export const autoFilter: FilterChooser = (section) => {
  if (section.kind === SectionKind.EntitySet) return deltaFilter;
  if (section.width >= 2) return shuffleFilter;
  return undefined;
};

/** Turns a `FilterChoice` into the chooser `encodeSnapshot` takes (undefined for none). */
export function filterChooser(choice: FilterChoice = 'auto'): FilterChooser | undefined {
  if (typeof choice === 'function') return choice;
  switch (choice) {
    case 'auto':
      return autoFilter;
    case 'none':
      return undefined;
    case 'shuffle':
      return (section) => (section.width >= 2 ? shuffleFilter : undefined);
    case 'delta':
      return () => deltaFilter;
    default:
      throw new PackError(
        'InvalidInput',
        `unknown filter choice ${typeof choice === 'string' ? `"${choice}"` : describe(choice)}: use 'auto', 'none', 'shuffle', 'delta' or a function`,
        { details: { filter: choice } },
      );
  }
}

const FILTERS: readonly SectionFilter[] = [shuffleFilter, deltaFilter];

/** Finds a filter by the id stored in a section descriptor; usable as `decodeSnapshot`'s `filters`. */
export function filterById(id: number): SectionFilter | undefined {
  return FILTERS.find((f) => f.id === id);
}
