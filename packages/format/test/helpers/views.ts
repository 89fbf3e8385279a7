/** Every ArrayBufferView reachable from `value` (objects, arrays, Maps, Sets), with a path for messages. */
export function collectViews(
  value: unknown,
  path = '$',
  out: { path: string; view: ArrayBufferView }[] = [],
  seen = new Set<unknown>(),
): { path: string; view: ArrayBufferView }[] {
  if (typeof value !== 'object' || value === null || seen.has(value)) return out;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    out.push({ path, view: value });
    return out;
  }
  if (value instanceof Map) {
    let i = 0;
    for (const [k, v] of value) {
      collectViews(k, `${path}.<key ${i}>`, out, seen);
      collectViews(v, `${path}.<value ${i}>`, out, seen);
      i++;
    }
    return out;
  }
  if (value instanceof Set) {
    let i = 0;
    for (const v of value) collectViews(v, `${path}.<item ${i++}>`, out, seen);
    return out;
  }
  for (const key of Object.keys(value)) collectViews((value as Record<string, unknown>)[key], `${path}.${key}`, out, seen);
  return out;
}

/** Paths of the views reachable from `value` whose memory is the buffer of `input`. */
export function pathsSharing(value: unknown, input: Uint8Array): string[] {
  return collectViews(value)
    .filter(({ view }) => view.buffer === input.buffer)
    .map(({ path }) => path);
}
