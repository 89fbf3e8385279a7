// Deltas (containers of kind Delta, written by `tx2pack diff --out`): decoding and summaries.
import { decodeDelta, formatDeltaSummary, hashHex, summarizeDelta, type DeltaSummary, type SnapshotDelta } from '@tx2/pack-format';
import { readOptions } from '@tx2/pack-codecs';
import type { DecryptionKeyInput } from '@tx2/pack-crypto';
import { toJsonValue, type Json } from './json-encoding.js';
import { inFile, plainContainer, type SnapshotFile } from './snapshot-file.js';

/** Decodes a delta file (decrypting it with `key` when needed) and summarizes what it changes. */
export async function describeDeltaFile(file: SnapshotFile, key: DecryptionKeyInput | undefined): Promise<DeltaSummary> {
  const plain = await plainContainer(file, key);
  return inFile(file.path, async () => summarizeDelta(decodeDelta(plain, await readOptions({ bytes: plain }))));
}

/** The summary as indented report lines. */
export function renderDeltaSummary(summary: DeltaSummary): string[] {
  return formatDeltaSummary(summary)
    .split('\n')
    .map((line) => `  ${line}`);
}

/** The whole delta as JSON: hashes in hex, every value in the lossless encoding of `export`. */
export function deltaToJson(delta: SnapshotDelta): Json {
  return toJsonValue({ ...delta, base: hashHex(delta.base), target: hashHex(delta.target) }, 'delta');
}
