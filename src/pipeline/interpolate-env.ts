import type { ConfigIssue } from '../errors/config-error';
import { formatPath, type PathSegment } from './issue-path';

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed pipeline file with values
 * from `env`. An unset variable without a default is an issue at its path; the values themselves
 * are never put in a message, since they are usually secrets.
 */
export function interpolateEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  issues: (ConfigIssue & { segments: PathSegment[] })[],
  segments: PathSegment[] = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (_match, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      issues.push({
        segments,
        path: formatPath(segments),
        message: `environment variable ${name} is not set and has no default (write \${${name}:-default} to give one)`,
      });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolateEnv(item, env, issues, [...segments, index]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateEnv(item, env, issues, [...segments, key])]));
  }
  return value;
}
