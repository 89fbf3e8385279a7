// A structural scan of a JSON document too large to parse whole: where each top-level value
// starts and ends, and the entities array cut into batches of whole elements, found by
// following only strings and nesting depth. JSON.parse then parses each batch, so values are
// still parsed (and validated) by the engine at full speed. Hand-written because the streaming
// tokenizers measured (@streamparser/json 0.0.26) run over 4x slower than JSON.parse here, which
// alone breaks the import time budget; this scan only looks for quotes, brackets and commas.

/** A byte range of the file, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

/** What a scan found: each top-level key's value, and the elements of one array value in batches. */
export interface JsonLayout {
  values: Map<string, Span>;
  /** Batches of whole elements of the array under `batchKey` (text without the brackets, elements separated by commas). */
  batches: Span[];
}

/** The file does not have the shape the scan follows: a caller falls back to parsing it whole (which names the error). */
export class JsonScanError extends Error {}

/** Reads `length` bytes at `position` (a file handle's read). */
export type ReadAt = (buffer: Uint8Array, position: number) => Promise<number>;

enum Phase {
  Start, // before the top-level '{'
  KeyOrEnd, // after '{': a key or '}'
  Key, // after ',': a key
  InKey,
  Colon,
  ValueStart,
  InValue,
  End, // after the final '}'
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
// What a byte means inside nested values: most bytes (digits, letters, colons) mean nothing, and
// one table lookup skips them.
const PLAIN = 0;
const STRING = 1;
const OPEN = 2;
const CLOSE = 3;
const SEPARATOR = 4;
const NESTED = new Uint8Array(256);
NESTED[QUOTE] = STRING;
NESTED[OPEN_BRACE] = OPEN;
NESTED[OPEN_BRACKET] = OPEN;
NESTED[CLOSE_BRACE] = CLOSE;
NESTED[CLOSE_BRACKET] = CLOSE;
NESTED[COMMA] = SEPARATOR;

const isSpace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * Scans a document of `size` bytes that is one object, reading `chunkBytes` at a time; the array
 * under `batchKey` is cut into batches of about `batchBytes`. `onBytes` reports bytes scanned.
 */
export async function scanJsonObject(
  readAt: ReadAt,
  size: number,
  options: { batchKey: string; batchBytes: number; chunkBytes?: number; onBytes?: (n: number) => void },
): Promise<JsonLayout> {
  const values = new Map<string, Span>();
  const batches: Span[] = [];
  const chunk = new Uint8Array(Math.min(options.chunkBytes ?? 8 << 20, Math.max(size, 1)));
  let phase = Phase.Start;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let keyParts: Uint8Array[] = [];
  let key = '';
  let valueStart = 0;
  // The batched array: its depth is 2 while inside it; -1 when not in it.
  let inBatched = false;
  let batchStart = 0;
  const fail = (what: string, at: number): never => {
    throw new JsonScanError(`${what} at byte ${at}`);
  };

  for (let offset = 0; offset < size; ) {
    const length = await readAt(chunk.subarray(0, Math.min(chunk.length, size - offset)), offset);
    if (length === 0) fail('the file ended early', offset);
    const bytes = chunk.subarray(0, length);
    let keyFrom = phase === Phase.InKey ? 0 : -1;
    for (let i = 0; i < length; i++) {
      const b = bytes[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) {
          inString = false;
          if (phase === Phase.InKey) {
            keyParts.push(bytes.slice(keyFrom, i));
            key = JSON.parse(`"${Buffer.concat(keyParts).toString('utf8')}"`) as string;
            keyParts = [];
            phase = Phase.Colon;
          }
        }
        continue;
      }
      if (depth >= 2) {
        const kind = NESTED[b]!;
        if (kind === PLAIN) continue;
        if (kind === STRING) {
          // Run to the closing quote here; a string that goes on into the next chunk continues in string mode.
          let j = i + 1;
          let esc = false;
          for (; j < length; j++) {
            const c = bytes[j]!;
            if (esc) esc = false;
            else if (c === BACKSLASH) esc = true;
            else if (c === QUOTE) break;
          }
          if (j < length) i = j;
          else {
            inString = true;
            escaped = esc;
            i = length;
          }
        } else if (kind === OPEN) depth++;
        else if (kind === CLOSE) {
          depth--;
          if (depth === 1 && inBatched) {
            batches.push({ start: batchStart, end: offset + i });
            inBatched = false;
          }
        } else if (depth === 2 && inBatched && offset + i - batchStart >= options.batchBytes) {
          batches.push({ start: batchStart, end: offset + i });
          batchStart = offset + i + 1;
        }
        continue;
      }
      switch (phase) {
        case Phase.Start:
        case Phase.End:
          if (isSpace(b)) break;
          if (phase === Phase.Start && b === OPEN_BRACE) {
            depth = 1;
            phase = Phase.KeyOrEnd;
          } else fail('not a single object', offset + i);
          break;
        case Phase.KeyOrEnd:
        case Phase.Key:
          if (isSpace(b)) break;
          if (b === QUOTE) {
            inString = true;
            phase = Phase.InKey;
            keyFrom = i + 1;
          } else if (b === CLOSE_BRACE && phase === Phase.KeyOrEnd) {
            depth = 0;
            phase = Phase.End;
          } else fail('expected a key', offset + i);
          break;
        case Phase.Colon:
          if (isSpace(b)) break;
          if (b !== COLON) fail('expected a colon', offset + i);
          phase = Phase.ValueStart;
          break;
        case Phase.ValueStart:
          if (isSpace(b)) break;
          valueStart = offset + i;
          phase = Phase.InValue;
          if (b === OPEN_BRACKET && key === options.batchKey) {
            inBatched = true;
            batchStart = offset + i + 1;
          }
          if (b === QUOTE) inString = true;
          else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth = 2;
          else if (b === COMMA || b === CLOSE_BRACE || b === CLOSE_BRACKET || b === COLON) fail('expected a value', offset + i);
          break;
        case Phase.InValue:
          if (b === COMMA || b === CLOSE_BRACE) {
            values.set(key, { start: valueStart, end: offset + i });
            if (b === COMMA) phase = Phase.Key;
            else {
              depth = 0;
              phase = Phase.End;
            }
          } else if (b === QUOTE) inString = true;
          else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth = 2;
          else if (b === CLOSE_BRACKET || b === COLON) fail('unexpected character', offset + i);
          break;
        default:
          fail('unexpected state', offset + i);
      }
    }
    if (phase === Phase.InKey) keyParts.push(bytes.slice(keyFrom, length));
    offset += length;
    options.onBytes?.(length);
  }
  if ((phase as Phase) !== Phase.End) fail('the document is not closed', size);
  return { values, batches };
}
