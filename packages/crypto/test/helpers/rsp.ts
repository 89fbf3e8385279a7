// Reads NIST CAVP response files (.rsp) and the similar text vector files: records are blank-line
// separated "Name = value" lines; "[Name = value]" lines set group parameters; a bare "FAIL" line
// marks a record that must be rejected.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type VectorRecord = Record<string, string> & { FAIL?: 'true' };

/** Parses a vector file under test/vectors/ into records (group parameters merged in). */
export function readVectors(name: string): VectorRecord[] {
  const text = readFileSync(fileURLToPath(new URL(`../vectors/${name}`, import.meta.url)), 'utf8').replace(/\r/g, '');
  const records: VectorRecord[] = [];
  const group: Record<string, string> = {};
  let current: VectorRecord | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    if (line === '') {
      current = undefined;
      continue;
    }
    const param = /^\[(.+?)\s*=\s*(.*)\]$/.exec(line);
    if (param) {
      group[param[1]!] = param[2]!;
      continue;
    }
    if (current === undefined) {
      current = { ...group } as VectorRecord;
      records.push(current);
    }
    if (line === 'FAIL') {
      current.FAIL = 'true';
      continue;
    }
    const field = /^(\w+)\s*=\s*(.*)$/.exec(line);
    if (field) current[field[1]!] = field[2]!;
  }
  return records;
}

/** Hex to bytes (an empty string is empty). */
export function hex(text: string | undefined): Uint8Array {
  return Uint8Array.from(Buffer.from(text ?? '', 'hex'));
}
