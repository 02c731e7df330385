import { z } from 'zod';
import type { PathSegment } from './issue-path';

declare module 'zod' {
  interface GlobalMeta {
    /**
     * Whether a value filled in from `${VAR}` may be printed. Absent: it is a secret (the default for
     * every field). `false`: never a secret (paths, names, expressions). `'url'`: the URL's scheme,
     * host and path are not secret; its userinfo, query and fragment are.
     */
    secret?: false | 'url';
  }
}

/** How values from the environment in a field are treated in output. */
export type SecretMode = 'secret' | 'public' | 'url';

/** The kinds of JSON value a schema accepts, as far as they matter for reading `${VAR}` and `--set` values. */
export type ValueKind = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

const ALL_KINDS: readonly ValueKind[] = ['string', 'number', 'boolean', 'null', 'object', 'array'];

type Schema = z.core.$ZodType;
type Def = z.core.$ZodTypeDef & Record<string, unknown>;

const defOf = (schema: Schema) => schema._zod.def as Def;

/** The schema a wrapper (optional, default, pipe…) checks its value with, or undefined when it is no wrapper. */
function inner(schema: Schema): Schema | undefined {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return def.innerType as Schema;
    case 'pipe':
      return def.in as Schema;
    case 'lazy':
      return (def.getter as () => Schema)();
    default:
      return undefined;
  }
}

/** The schema itself and every schema it wraps, outermost first. */
function wrapperChain(schema: Schema): Schema[] {
  const chain = [schema];
  for (let next = inner(schema); next; next = inner(next)) chain.push(next);
  return chain;
}

export const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The options of a union that fit `value`: by the discriminator when there is one, else those whose kinds include its kind. */
function unionOptions(def: Def, value: unknown): Schema[] {
  const options = def.options as Schema[];
  const discriminator = def.discriminator as string | undefined;
  if (discriminator && isRecord(value)) {
    const chosen = options.filter((option) => literalValues(childSchema(option, discriminator, undefined)).includes(value[discriminator]));
    if (chosen.length > 0) return chosen;
  }
  if (value === undefined) return options;
  const kind = kindOf(value);
  const fitting = options.filter((option) => valueKinds(option).includes(kind));
  return fitting.length > 0 ? fitting : options;
}

function literalValues(schema: Schema | undefined): unknown[] {
  if (!schema) return [];
  const def = defOf(wrapperChain(schema).at(-1)!);
  return def.type === 'literal' ? (def.values as unknown[]) : [];
}

/** The schema of `value[segment]` inside a value checked by `schema`. */
function childSchema(schema: Schema, segment: PathSegment, value: unknown): Schema | undefined {
  const base = wrapperChain(schema).at(-1)!;
  const def = defOf(base);
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, Schema>;
      if (typeof segment === 'string' && Object.hasOwn(shape, segment)) return shape[segment];
      // A strict object's catchall is `never`: no other key has a schema.
      const catchall = def.catchall as Schema | undefined;
      return catchall && defOf(catchall).type !== 'never' ? catchall : undefined;
    }
    case 'record':
      return def.valueType as Schema;
    case 'array':
      return typeof segment === 'number' ? (def.element as Schema) : undefined;
    case 'tuple':
      return typeof segment === 'number' ? ((def.items as Schema[])[segment] ?? (def.rest as Schema | undefined)) : undefined;
    case 'union':
      for (const option of unionOptions(def, value)) {
        const found = childSchema(option, segment, value);
        if (found) return found;
      }
      return undefined;
    case 'intersection':
      return childSchema(def.left as Schema, segment, value) ?? childSchema(def.right as Schema, segment, value);
    default:
      return undefined;
  }
}

/** The schema of the value at `segments` below a value checked by `schema`; `value` is that value, which picks union options. */
export function schemaAt(schema: Schema, value: unknown, segments: readonly PathSegment[]): Schema | undefined {
  let current: Schema | undefined = schema;
  let data = value;
  for (const segment of segments) {
    if (!current) return undefined;
    current = childSchema(current, segment, data);
    data = isRecord(data) || Array.isArray(data) ? (data as Record<PathSegment, unknown>)[segment] : undefined;
  }
  return current;
}

/** The kinds of value a schema accepts (unknown or custom schemas: every kind). */
export function valueKinds(schema: Schema): ValueKind[] {
  const base = wrapperChain(schema).at(-1)!;
  const def = defOf(base);
  switch (def.type) {
    case 'string':
    case 'template_literal':
      return ['string'];
    case 'number':
    case 'bigint':
      return ['number'];
    case 'boolean':
      return ['boolean'];
    case 'null':
      return ['null'];
    case 'object':
    case 'record':
      return ['object'];
    case 'array':
    case 'tuple':
      return ['array'];
    case 'enum':
      return [...new Set(Object.values(def.entries as Record<string, unknown>).map(kindOf))];
    case 'literal':
      return [...new Set((def.values as unknown[]).map(kindOf))];
    case 'union':
      return [...new Set((def.options as Schema[]).flatMap(valueKinds))];
    default:
      return [...ALL_KINDS];
  }
}

export function kindOf(value: unknown): ValueKind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return type;
  if (type === 'bigint') return 'number';
  return 'object';
}

/**
 * Whether values from the environment in a field checked by `schema` are secrets: the nearest `secret`
 * marker along its wrappers decides; unmarked fields whose values can only be numbers, booleans or
 * fixed choices are not secret (no credential is a `concurrency`); every other field is.
 */
export function secretMode(schema: Schema | undefined, value?: unknown): SecretMode {
  if (!schema) return 'secret';
  for (const level of wrapperChain(schema)) {
    const marker = z.globalRegistry.get(level)?.secret;
    if (marker === false) return 'public';
    if (marker === 'url') return 'url';
  }
  const base = wrapperChain(schema).at(-1)!;
  const def = defOf(base);
  if (def.type === 'union') {
    const modes = unionOptions(def, value).map((option) => secretMode(option, value));
    if (modes.every((mode) => mode === 'public')) return 'public';
    return modes.includes('secret') ? 'secret' : 'url';
  }
  if (def.type === 'enum' || def.type === 'literal') return 'public';
  return valueKinds(base).includes('string') ? 'secret' : 'public';
}

/** The keys an object schema at this place knows, for "did you mean" (none when it is no object). */
export function knownKeys(schema: Schema | undefined, value: unknown): string[] {
  if (!schema) return [];
  const def = defOf(wrapperChain(schema).at(-1)!);
  if (def.type === 'object') return Object.keys(def.shape as Record<string, Schema>);
  if (def.type === 'union') return [...new Set(unionOptions(def, value).flatMap((option) => knownKeys(option, value)))];
  if (def.type === 'intersection') return [...knownKeys(def.left as Schema, value), ...knownKeys(def.right as Schema, value)];
  return [];
}
