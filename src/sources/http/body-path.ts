/** Reads a dot path (`data`, `meta.next`) from a parsed JSON body. An empty path is the body itself; a missing key is `undefined`. */
export function readPath(body: unknown, path: string): unknown {
  if (path === '') return body;
  let value = body;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

// A page may be large: the search looks at a few levels and a bounded number of keys only.
const MAX_DEPTH = 3;
const MAX_KEYS = 200;
const MAX_FOUND = 6;

/**
 * The dot paths in `body` (a few levels deep) whose key and value `accept` takes: the look-alikes an
 * error names when a configured path is absent (`links.next`, `meta.next_cursor`).
 */
export function findPaths(body: unknown, accept: (key: string, value: unknown) => boolean): string[] {
  const found: string[] = [];
  const visit = (value: unknown, prefix: string, depth: number) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || depth >= MAX_DEPTH) return;
    for (const key of Object.keys(value).slice(0, MAX_KEYS)) {
      if (found.length >= MAX_FOUND) return;
      const child = (value as Record<string, unknown>)[key];
      const path = prefix ? `${prefix}.${key}` : key;
      if (accept(key, child)) found.push(path);
      visit(child, path, depth + 1);
    }
  };
  visit(body, '', 0);
  return found;
}

/** `; paths that do exist: links.next, meta.next_cursor`, or nothing when there are none. */
export function existingPathsHint(paths: readonly string[], what: string): string {
  return paths.length > 0 ? `; ${what} that do exist: ${paths.join(', ')}` : '';
}
