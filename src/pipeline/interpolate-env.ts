import type { ConfigIssue } from '../errors/config-error';
import { formatPath, type PathSegment } from './issue-path';

/** `${VAR}` or `${VAR:-default}`: the name is group 1, the default (when given) group 2. */
export const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** What interpolation found: the unset variables, and the values taken from the environment. */
export interface Interpolation {
  readonly issues: (ConfigIssue & { segments: PathSegment[] })[];
  /** Usually secrets: redacted from every later message about the file. */
  readonly values: Set<string>;
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed pipeline file with values
 * from `env` (an empty variable counts as unset, as in the shell). An unset variable without a
 * default is an issue at its path; the values themselves are never put in a message.
 */
export function interpolateEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  found: Interpolation,
  segments: PathSegment[] = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (_match, name: string, fallback: string | undefined) => {
      const set = env[name];
      if (set !== undefined && set !== '') {
        found.values.add(set);
        return set;
      }
      if (fallback !== undefined) return fallback;
      found.issues.push({
        segments,
        path: formatPath(segments),
        message: `environment variable ${name} is not set and has no default (write \${${name}:-default} to give one)`,
      });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolateEnv(item, env, found, [...segments, index]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateEnv(item, env, found, [...segments, key])]));
  }
  return value;
}
