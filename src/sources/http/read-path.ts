/** Reads a dot path (`data`, `meta.next`) from a parsed JSON body. An empty path is the body itself. */
export function readPath(body: unknown, path: string): unknown {
  if (path === '') return body;
  let value = body;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
