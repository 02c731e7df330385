import { ExactNumber } from './exact-number';

/**
 * The value with every `ExactNumber` in it (at any depth) replaced: the same value when it holds none,
 * else a copy of the objects and arrays on the way to each. Only own enumerable properties are copied.
 */
export function replaceExactNumbers(value: unknown, replace: (exact: ExactNumber) => unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof ExactNumber) return replace(value);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index += 1) {
      const element: unknown = value[index];
      const replaced = replaceExactNumbers(element, replace);
      if (replaced !== element) copy ??= value.slice();
      if (copy) copy[index] = replaced;
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[key];
    const replaced = replaceExactNumbers(child, replace);
    if (replaced === child) continue;
    // Spread copies own properties as data properties, `__proto__` included; so does defineProperty.
    copy ??= { ...(value as Record<string, unknown>) };
    Object.defineProperty(copy, key, { value: replaced, writable: true, enumerable: true, configurable: true });
  }
  return copy ?? value;
}
