// Plain aligned columns: readable on a terminal and still easy to grep, cut or paste into
// Markdown-free logs (no box-drawing characters to strip).

/** How one column is aligned: text to the left, numbers to the right. */
export type Align = 'left' | 'right';

/** Column headings and alignment of a table. */
export interface TableColumn {
  title: string;
  align?: Align;
}

// ANSI color codes take no room on screen: measure widths without them.
const ANSI = /\u001b\[[0-9;]*m/g;
const visibleLength = (text: string): number => text.replace(ANSI, '').length;

function pad(text: string, width: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, width - visibleLength(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** Renders rows under headings as lines of aligned columns, separated by two spaces, indented by `indent`. */
export function renderTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths = columns.map((column, c) => Math.max(visibleLength(column.title), ...rows.map((row) => visibleLength(row[c] ?? ''))));
  const line = (cells: readonly string[]): string => (indent + columns.map((column, c) => pad(cells[c] ?? '', widths[c]!, column.align ?? 'left')).join('  ')).trimEnd();
  return [line(columns.map((column) => column.title)), ...rows.map(line)];
}
