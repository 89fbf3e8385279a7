// The checkpoint chain drawn as a tree, the way `git log --graph` draws history: a chain
// continues in one column (so a long chain does not drift right), a second child of a
// checkpoint branches off one column to the right (its first line marked `├─●`), and a checkpoint whose parent was
// deleted (a gap, or the oldest kept after a prune) starts a new root.
import type { StoreEntryInfo } from './store-directory.js';

/** One line of the tree: the drawing prefix (e.g. `● ` or `│ ● `) and the entry it shows. */
export interface TreeLine {
  prefix: string;
  entry: StoreEntryInfo;
}

/** Lays out checkpoints as tree lines, in chain order. */
export function checkpointTree(entries: readonly StoreEntryInfo[]): TreeLine[] {
  const checkpoints = entries.filter((e) => e.checkpoint !== null);
  const ids = new Set(checkpoints.map((e) => e.id));
  const children = new Map<string, StoreEntryInfo[]>();
  const roots: StoreEntryInfo[] = [];
  for (const entry of checkpoints) {
    const parent = entry.checkpoint!.parent;
    if (parent === null || !ids.has(parent)) roots.push(entry);
    else children.set(parent, [...(children.get(parent) ?? []), entry]);
  }
  const lines: TreeLine[] = [];
  const seen = new Set<string>();
  const drawChain = (head: StoreEntryInfo, prefix: string, fork: boolean): void => {
    let node: StoreEntryInfo | undefined = head;
    // Parent links edited into a cycle: draw each checkpoint once.
    while (node !== undefined && !seen.has(node.id)) {
      seen.add(node.id);
      // The first checkpoint of a branch shows where it forks off its parent's column.
      const lead = fork && node === head ? `${prefix.slice(0, -2)}├─` : prefix;
      lines.push({ prefix: `${lead}● `, entry: node });
      const kids: StoreEntryInfo[] = children.get(node.id) ?? [];
      // Every child but the last is a branch; the last one continues this column.
      for (const branch of kids.slice(0, -1)) drawChain(branch, `${prefix}│ `, true);
      node = kids[kids.length - 1];
    }
  };
  for (const root of roots) drawChain(root, '', false);
  return lines;
}
