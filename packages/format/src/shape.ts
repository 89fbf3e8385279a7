import type { FieldType } from './field-types.js';
import { isWellFormed } from './var-column.js';

// Moving values between per-entity objects and columns is the cost of the object path.
// A loop with a computed key (`row[name]`) is several times slower than one with a fixed
// property name, so for each distinct shape we compile a small function with the names as
// JSON string literals (data, never code). Where `new Function` is not allowed (a strict
// Content-Security-Policy), the generic loops below do the same work, more slowly.

/**
 * Copies the fields of `rows` into `columns`. Returns -1, or the first row that is not an
 * object with exactly these fields (in this order when `ordered`) holding values that fit.
 */
export type RowReader = (rows: readonly unknown[], columns: unknown[], n: number, wellFormed: (s: string) => boolean) => number;

// In `ordered` mode (inferred shapes) rows must also be plain objects: a typed array, Map or
// class instance with the same enumerable keys would otherwise come back as a plain object.
/** Builds one object per row from `columns` into `out`. */
export type RowWriter = (columns: readonly unknown[], n: number, out: unknown[]) => void;

interface FieldShape {
  readonly name: string;
  readonly type: FieldType;
}

let compileAllowed: boolean | undefined;

/** Turns compiled readers and writers off (or back on); for tests of the fallback path. */
export function setShapeCompilation(enabled: boolean): void {
  compileAllowed = enabled;
  readers.clear();
  writers.clear();
}

function canCompile(): boolean {
  if (compileAllowed === undefined) {
    try {
      compileAllowed = new Function('return 1')() === 1;
    } catch {
      compileAllowed = false;
    }
  }
  return compileAllowed;
}

const CACHE_LIMIT = 256;
const readers = new Map<string, RowReader>();
const writers = new Map<string, RowWriter>();

function keyOf(fields: readonly FieldShape[], ordered: boolean): string {
  return JSON.stringify([ordered, fields.map((f) => [f.name, f.type])]);
}

/** Whether `o` is a non-array object whose own enumerable keys are exactly `names` (in order when `ordered`). */
function hasExactKeys(o: unknown, names: readonly string[], ordered: boolean): boolean {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return false;
  let i = 0;
  for (const k in o) {
    if (ordered ? k !== names[i] : !names.includes(k)) return false;
    i++;
  }
  return i === names.length;
}

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}

/** The check-and-store statement for one value `v` into column `c` at row `r`. */
function storeCode(type: FieldType, v: string, c: string): string {
  switch (type) {
    case 'f64':
      return `if (typeof ${v} !== 'number') return r; ${c}[r] = ${v};`;
    case 'f32':
      return `if (typeof ${v} !== 'number') return r; ${c}[r] = ${v}; if (${c}[r] !== ${v} && ${v} === ${v}) return r;`;
    case 'bool':
      return `if (typeof ${v} !== 'boolean') return r; ${c}[r] = ${v} ? 1 : 0;`;
    case 'string':
      return `if (typeof ${v} !== 'string' || !wf(${v})) return r; ${c}[r] = ${v};`;
    case 'bytes':
      return `if (!(${v} instanceof Uint8Array)) return r; ${c}[r] = ${v};`;
    case 'i64':
    case 'u64':
      return `if (typeof ${v} !== 'bigint') return r; ${c}[r] = ${v}; if (${c}[r] !== ${v}) return r;`;
    default:
      // Integer arrays wrap or truncate on store; reading back tells whether it was exact.
      return `if (typeof ${v} !== 'number') return r; ${c}[r] = ${v}; if (${c}[r] !== ${v} || (${v} === 0 && 1 / ${v} < 0)) return r;`;
  }
}

function loadCode(type: FieldType, c: string): string {
  if (type === 'bool') return `${c}[r] !== 0`;
  if (type === 'bytes') return `${c}[r].slice()`;
  return `${c}[r]`;
}

function propertyKey(name: string): string {
  // A literal "__proto__" key would set the prototype; a computed key defines a property.
  return name === '__proto__' ? `["__proto__"]` : JSON.stringify(name);
}

function genericStore(type: FieldType, column: unknown, r: number, v: unknown): boolean {
  const c = column as unknown[];
  switch (type) {
    case 'f64':
      if (typeof v !== 'number') return false;
      c[r] = v;
      return true;
    case 'bool':
      if (typeof v !== 'boolean') return false;
      c[r] = v ? 1 : 0;
      return true;
    case 'string':
      if (typeof v !== 'string' || !isWellFormed(v)) return false;
      c[r] = v;
      return true;
    case 'bytes':
      if (!(v instanceof Uint8Array)) return false;
      c[r] = v;
      return true;
    case 'i64':
    case 'u64':
      if (typeof v !== 'bigint') return false;
      c[r] = v;
      return c[r] === v;
    case 'f32':
      if (typeof v !== 'number') return false;
      c[r] = v;
      return c[r] === v || Number.isNaN(v);
    default:
      if (typeof v !== 'number') return false;
      c[r] = v;
      return c[r] === v && !(v === 0 && 1 / v < 0);
  }
}

/** A reader for rows of this shape: compiled when allowed, generic otherwise. */
export function rowReader(fields: readonly FieldShape[], ordered: boolean): RowReader {
  const key = keyOf(fields, ordered);
  const cached = readers.get(key);
  if (cached !== undefined) return cached;
  const names = fields.map((f) => f.name);
  if (canCompile()) {
    // The key loop counts the row's keys (and checks their order); reading each declared
    // field then proves it is present, since a missing one reads as undefined and fails.
    const keyCheck = ordered
      ? `if (getProto(o) !== plain) return r; let i = 0; for (const k in o) { if (k !== names[i]) return r; i++; } if (i !== ${names.length}) return r;`
      : `let i = 0; for (const k in o) i++; if (i !== ${names.length}) return r;`;
    const lines = fields.map((f, i) => `const v${i} = o[${JSON.stringify(f.name)}]; ${storeCode(f.type, `v${i}`, `c${i}`)}`);
    const body =
      fields.map((_, i) => `const c${i} = columns[${i}];`).join('\n') +
      `\nfor (let r = 0; r < n; r++) {\nconst o = rows[r];\n` +
      `if (typeof o !== 'object' || o === null || Array.isArray(o)) return r;\n${keyCheck}\n${lines.join('\n')}\n}\nreturn -1;`;
    const compiled = new Function('names', 'getProto', 'plain', `return function read(rows, columns, n, wf) {\n${body}\n}`)(
      names,
      Object.getPrototypeOf,
      Object.prototype,
    ) as RowReader;
    return remember(readers, key, compiled);
  }
  const generic: RowReader = (rows, columns, n) => {
    for (let r = 0; r < n; r++) {
      const o = rows[r] as Record<string, unknown>;
      if (!hasExactKeys(o, names, ordered) || (ordered && Object.getPrototypeOf(o) !== Object.prototype)) return r;
      for (let f = 0; f < fields.length; f++) {
        const { name, type } = fields[f]!;
        if (!Object.hasOwn(o, name) || !genericStore(type, columns[f], r, o[name])) return r;
      }
    }
    return -1;
  };
  return remember(readers, key, generic);
}

/** A writer of rows of this shape: compiled when allowed, generic otherwise. */
export function rowWriter(fields: readonly FieldShape[]): RowWriter {
  const key = keyOf(fields, true);
  const cached = writers.get(key);
  if (cached !== undefined) return cached;
  if (canCompile()) {
    const props = fields.map((f, i) => `${propertyKey(f.name)}: ${loadCode(f.type, `c${i}`)}`);
    const body = `${fields.map((_, i) => `const c${i} = columns[${i}];`).join('\n')}\nfor (let r = 0; r < n; r++) out[r] = { ${props.join(', ')} };`;
    return remember(writers, key, new Function('columns', 'n', 'out', body) as RowWriter);
  }
  const generic: RowWriter = (columns, n, out) => {
    for (let r = 0; r < n; r++) out[r] = {};
    fields.forEach(({ name, type }, f) => {
      const c = columns[f] as ArrayLike<unknown>;
      for (let r = 0; r < n; r++) {
        const raw = c[r];
        const value = type === 'bool' ? raw !== 0 : type === 'bytes' ? (raw as Uint8Array).slice() : raw;
        if (name === '__proto__') Object.defineProperty(out[r], name, { value, enumerable: true, writable: true, configurable: true });
        else (out[r] as Record<string, unknown>)[name] = value;
      }
    });
  };
  return remember(writers, key, generic);
}
