// The copy of the store's record that a saved snapshot carries in its world metadata, under
// EMBEDDED_KEY. The application may use that key too: its own keys named EMBEDDED_KEY followed
// by zero or more "~" are saved with one "~" more, and loading takes the record out and drops
// that "~" again, so the application gets back exactly the metadata it saved. The record says
// `escapedKeys: true` when it did so: files written before this rule (which had no such
// escaping) load as they always did.
import { type PackedSnapshot, PackError } from '@tx2/pack-format';
import type { JsonValue, SnapshotMetadataRecord } from './metadata.js';

/** Key of the store's record inside each snapshot's world metadata (removed again on load). */
export const EMBEDDED_KEY = 'tx2-pack/store';

/** The record as embedded: the save it belongs to, its metadata and extra fields. */
export interface EmbeddedRecord {
  saveId: string;
  metadata: SnapshotMetadataRecord;
  extra: Record<string, JsonValue>;
}

/** EMBEDDED_KEY followed by any number of "~": the application's keys that are escaped. */
function isReservedKey(key: string): boolean {
  if (!key.startsWith(EMBEDDED_KEY)) return false;
  for (let i = EMBEDDED_KEY.length; i < key.length; i++) if (key.charCodeAt(i) !== 0x7e) return false;
  return true;
}

/** The world metadata with the record added as its last key, the application's reserved keys escaped in place. */
export function embedRecord(metadata: Record<string, unknown>, record: EmbeddedRecord): Record<string, unknown> {
  const keys = Object.keys(metadata);
  const escapes = keys.some(isReservedKey);
  const out: Record<string, unknown> = {};
  for (const key of keys) out[isReservedKey(key) ? `${key}~` : key] = metadata[key];
  out[EMBEDDED_KEY] = JSON.stringify(escapes ? { ...record, escapedKeys: true } : record);
  return out;
}

/** Removes the store's record from the snapshot's world metadata (undoing the escapes) and returns it. */
export function takeEmbedded(snapshot: PackedSnapshot, id: string): EmbeddedRecord {
  const raw = snapshot.metadata[EMBEDDED_KEY];
  let parsed: (Partial<EmbeddedRecord> & { escapedKeys?: unknown }) | undefined;
  try {
    parsed = JSON.parse(String(raw)) as Partial<EmbeddedRecord> & { escapedKeys?: unknown };
  } catch {
    // refused below
  }
  if (parsed === null || typeof parsed !== 'object' || typeof parsed.saveId !== 'string' || typeof parsed.metadata !== 'object' || parsed.metadata === null) {
    throw new PackError(
      'InvalidCheckpoint',
      `the snapshot file of "${id}" was not written by this store (it carries no store record): it was replaced outside the store; delete "${id}" or save it again`,
      { details: { id } },
    );
  }
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(snapshot.metadata)) {
    if (key === EMBEDDED_KEY) continue;
    rest[parsed.escapedKeys === true && isReservedKey(key) ? key.slice(0, -1) : key] = snapshot.metadata[key];
  }
  snapshot.metadata = rest;
  return { saveId: parsed.saveId, metadata: parsed.metadata, extra: parsed.extra ?? {} };
}
