import { type Library, schemaMismatch } from './mismatch.js';

/** One step of a reference path: a property, then (`each`) every element of the array found there. */
interface Step {
  key: string;
  each: boolean;
}

/** Parsed reference paths of a blob component. */
export type RefPaths = readonly (readonly Step[])[];

const STEP = /^([^.[\]]*)(\[\])?$/;

/**
 * Parses the `refs` of a blob component: paths like `'owner'`, `'crew[]'` (an array of
 * references), `'slots[].item'` or `'[]'` (the value itself is an array of references).
 */
export function parseRefPaths(library: Library, component: string, refs: unknown): RefPaths {
  if (refs === undefined) return [];
  if (!Array.isArray(refs)) throw schemaMismatch(library, component, undefined, 'has `refs` that is not an array of paths', "give paths like ['owner', 'crew[]', 'slots[].item']");
  return refs.map((path) => {
    const steps = typeof path === 'string' && path !== '' ? path.split('.').map((part) => STEP.exec(part)) : [null];
    if (steps.some((m) => m === null || (m[1] === '' && m[2] === undefined))) {
      throw schemaMismatch(library, component, undefined, `has reference path ${JSON.stringify(path)} that is not a path`, "write paths like 'owner', 'crew[]' or 'slots[].item'");
    }
    return steps.map((m) => ({ key: m![1]!, each: m![2] !== undefined }));
  });
}

/**
 * A copy of `value` with every reference at `paths` replaced by `map(reference)`; only the
 * objects and arrays along the paths are copied, the rest is shared. Absent values are skipped.
 */
export function mapRefs(library: Library, component: string, value: unknown, paths: RefPaths, map: (ref: unknown) => unknown): unknown {
  let out = value;
  for (const path of paths) out = mapPath(library, component, out, path, 0, map);
  return out;
}

function mapPath(library: Library, component: string, value: unknown, path: readonly Step[], at: number, map: (ref: unknown) => unknown): unknown {
  if (at === path.length) return map(value);
  if (value === null || value === undefined) return value;
  const { key, each } = path[at]!;
  if (key !== '' && typeof value !== 'object') return value;
  const here = key === '' ? value : (value as Record<string, unknown>)[key];
  if (here === undefined) return value;
  let next: unknown;
  if (!each) next = mapPath(library, component, here, path, at + 1, map);
  else if (here === null || here === undefined) return value;
  else if (!Array.isArray(here)) {
    const where = path.map((s) => `${s.key}${s.each ? '[]' : ''}`).join('.');
    throw schemaMismatch(
      library,
      component,
      undefined,
      `has reference path '${where}' but holds a ${typeof here} where the path has an array`,
      'fix the path in `refs` or the value',
    );
  } else next = here.map((item) => mapPath(library, component, item, path, at + 1, map));
  if (key === '') return next;
  return Array.isArray(value) ? Object.assign([...value], { [key]: next }) : { ...(value as object), [key]: next };
}

/** The saved form of a reference found in a blob: a saved entity id, or null for none. */
export function savedRef(library: Library, component: string, id: unknown): number | null {
  if (id === null || id === undefined) return null;
  if (typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 0xffffffff) return id;
  throw schemaMismatch(library, component, undefined, `has ${String(id)} (${typeof id}) at a reference path in \`refs\``, 'hold an entity there, or null for none');
}

/**
 * The path of the first object inside `value` for which `isEntity` holds, or undefined: an entity
 * left in a blob without a `refs` path would be saved as a copy, not as a reference.
 */
export function strayEntity(value: unknown, isEntity: (v: object) => boolean): string | undefined {
  const seen = new Set<object>();
  const walk = (v: unknown, path: string): string | undefined => {
    if (typeof v !== 'object' || v === null || seen.has(v) || ArrayBuffer.isView(v)) return undefined;
    seen.add(v);
    if (path !== '' && isEntity(v)) return path;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const found = walk(v[i], `${path}[${i}]`);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    for (const key of Object.keys(v)) {
      const found = walk((v as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(value, '');
}
