import type { z } from 'zod';
import type { ConfigIssue } from '../errors/config-error';
import { type SecretMode, secretMode, valueKinds } from './field-schema';
import { formatPath, type PathSegment } from './issue-path';

/** `${VAR}` or `${VAR:-default}`: the name is group 1, the default (when given) group 2. */
export const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** A string that is one placeholder and nothing else: its value is typed by the field (`concurrency: ${CONC:-4}` is a number). */
const WHOLE_PLACEHOLDER = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

export type LocatedConfigIssue = ConfigIssue & { readonly segments: PathSegment[] };

export interface InterpolateOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The schema of the field at a path (undefined where none is known): it types values and says which are secret. */
  readonly schemaAt: (segments: readonly PathSegment[]) => z.core.$ZodType | undefined;
  /**
   * `error`: an unset variable without default is an issue (for `run`). `stand-in`: it is a warning
   * and a stand-in value the field accepts takes its place, so that the rest of the file can still
   * be checked and shown (`validate`, `list`, `test`). @default 'error'
   */
  readonly unset?: 'error' | 'stand-in';
}

/** What interpolation found and made. */
export interface Interpolation {
  /** The file with every placeholder filled in. */
  readonly value: unknown;
  /** Unset variables without default (`unset: 'error'`). */
  readonly issues: LocatedConfigIssue[];
  /** Unset variables without default (`unset: 'stand-in'`). */
  readonly warnings: LocatedConfigIssue[];
  /** Values from the environment in fields not marked as not secret: never to be printed. */
  readonly secrets: Set<string>;
  /** Text stand-ins put in fields, mapped to the placeholder each stands for (`https://mkp-base-url.invalid` → `${MKP_BASE_URL}`). */
  readonly standIns: Map<string, string>;
  /** The variables without default that the environment does not set. */
  readonly unset: Set<string>;
  /** The placeholders each field was filled in from, by path (`source.concurrency` → `${CONC:-4}`). */
  readonly filledFrom: Map<string, string>;
}

interface Occurrence {
  readonly name: string;
  readonly fallback?: string;
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed pipeline file with values
 * from `env` (an empty variable counts as unset, as in the shell). A field that holds one
 * placeholder and nothing else gets the type its schema wants (`${CONC:-4}` → 4 where a number is
 * expected). Values from the environment are collected as secrets unless the field's schema marks
 * it as not secret; they are never put in a message.
 */
export function interpolateEnv(file: unknown, options: InterpolateOptions): Interpolation {
  const result: Interpolation = { value: undefined, issues: [], warnings: [], secrets: new Set(), standIns: new Map(), unset: new Set(), filledFrom: new Map() };
  const walk = (value: unknown, segments: PathSegment[]): unknown => {
    if (typeof value === 'string') return fillField(value, segments, options, result);
    if (Array.isArray(value)) return value.map((item, index) => walk(item, [...segments, index]));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, [...segments, key])]));
    }
    return value;
  };
  return { ...result, value: walk(file, []) };
}

function fillField(text: string, segments: PathSegment[], options: InterpolateOptions, result: Interpolation): unknown {
  const occurrences: Occurrence[] = [...text.matchAll(PLACEHOLDER)].map(([, name, fallback]) => ({ name, fallback }));
  if (occurrences.length === 0) return text;
  const schema = options.schemaAt(segments);
  const whole = WHOLE_PLACEHOLDER.test(text);
  const envValue = ({ name }: Occurrence) => {
    const set = options.env[name];
    return set !== undefined && set !== '' ? set : undefined;
  };
  const missing = occurrences.filter((occurrence) => envValue(occurrence) === undefined && occurrence.fallback === undefined);
  const fill = (standIn: (name: string) => string) =>
    text.replace(PLACEHOLDER, (_match, name: string, fallback: string | undefined) => envValue({ name }) ?? fallback ?? standIn(name));
  const typed = (filled: string) => (whole && schema ? typeByField(filled, schema) : filled);

  let value: unknown;
  if (missing.length === 0 || options.unset !== 'stand-in') {
    value = typed(fill(() => ''));
  } else {
    // The first stand-in the field accepts, so that what the variable is missing from does not hide other problems.
    const candidates = STAND_INS.map((make) => typed(fill(make)));
    const chosen = Math.max(0, candidates.findIndex((candidate) => isValid(schema, candidate)));
    value = candidates[chosen];
    // Only stand-ins that name their variable can be told apart in text (`1` cannot).
    if (chosen < TEXT_STAND_INS) for (const { name } of missing) result.standIns.set(STAND_INS[chosen](name), `\${${name}}`);
  }

  result.filledFrom.set(formatPath(segments), text.match(PLACEHOLDER)!.join(', '));
  const mode = secretMode(schema, value);
  for (const occurrence of missing) {
    result.unset.add(occurrence.name);
    const issue = { segments, path: formatPath(segments), message: unsetMessage(occurrence.name, mode, options.unset ?? 'error') };
    (options.unset === 'stand-in' ? result.warnings : result.issues).push(issue);
  }
  for (const occurrence of occurrences) {
    const set = envValue(occurrence);
    if (set !== undefined) for (const secret of secretsIn(set, mode, value)) result.secrets.add(secret);
  }
  return value;
}

/** Stand-ins tried in turn for an unset variable: the placeholder itself, a URL, a number, a boolean. */
const STAND_INS: readonly ((name: string) => string)[] = [
  (name) => `\${${name}}`,
  (name) => `https://${name.toLowerCase().replace(/_/g, '-')}.invalid`,
  () => '1',
  () => 'true',
];
/** How many of `STAND_INS` name their variable. */
const TEXT_STAND_INS = 2;

function isValid(schema: z.core.$ZodType | undefined, value: unknown): boolean {
  if (!schema) return true;
  const outcome = schema['~standard'].validate(value);
  return !(outcome instanceof Promise) && outcome.issues === undefined;
}

/** A whole-placeholder value in a field that takes no text: read as the number or boolean it spells. */
function typeByField(text: string, schema: z.core.$ZodType): unknown {
  const kinds = valueKinds(schema);
  if (kinds.includes('string')) return text;
  if (kinds.includes('number') && /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text.trim())) return Number(text);
  if (kinds.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/** The parts of a value from the environment that must be redacted, given how its field treats secrets. */
function secretsIn(value: string, mode: SecretMode, field: unknown): string[] {
  if (mode === 'public') return [];
  if (mode === 'secret' || typeof field !== 'string') return [value];
  // A URL: its scheme, host and path are not secret; its userinfo, query values and fragment are.
  let url: URL;
  try {
    url = new URL(field);
  } catch {
    return [value];
  }
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  const hidden = [decodeURIComponent(url.username), decodeURIComponent(url.password), ...url.searchParams.values(), decodeURIComponent(url.hash.slice(1))].filter(Boolean);
  if (shown.includes(value) && !hidden.some((part) => part.includes(value))) return [];
  // A whole URL from the environment: only what it hides is secret, so that messages can still name the page.
  if (value.startsWith(`${url.protocol}//`)) return hidden.filter((part) => value.includes(part) || value.includes(encodeURIComponent(part)));
  return [value];
}

function unsetMessage(name: string, mode: SecretMode, unset: 'error' | 'stand-in'): string {
  const howToSet = 'set it in the environment or in a file given with --env-file';
  if (unset === 'stand-in') return `environment variable ${name} is not set (pageflow run will need it: ${howToSet})`;
  if (mode === 'secret') return `environment variable ${name} is not set: ${howToSet}`;
  return `environment variable ${name} is not set and has no default: ${howToSet}, or give a default in the file: \${${name}:-…}`;
}
