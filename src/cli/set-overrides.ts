import { ConfigError, type ConfigIssue } from '../errors/config-error';
import type { PathSegment } from '../pipeline/issue-path';
import type { Override } from '../pipeline/load-pipeline';

// A path is keys separated by dots, with `[n]` (or `.n`) for list items: `sinks[0].path`, `source.params.per_page`.
const PATH = /^[^.[\]=]+(?:\.[^.[\]=]+|\[\d+\])*$/;
const SEGMENT = /[^.[\]]+|\[(\d+)\]/g;

/** Where `--set` problems are reported, in place of a file name. */
const ORIGIN = '--set';

/**
 * Parses `--set source.params.per_page=50`-style overrides. The value is kept as written: the
 * loader reads it as YAML (`50` is a number, `[id, name]` a list) unless the field takes only
 * text, so that `sinks[0].key={date}.csv` stays text. Messages name the path, never the value: it
 * may be a token.
 */
export function parseOverrides(texts: readonly string[]): Override[] {
  const issues: ConfigIssue[] = [];
  const overrides = texts.flatMap((text) => {
    const equals = text.indexOf('=');
    const pathText = equals < 0 ? text : text.slice(0, equals);
    if (equals < 0 || !PATH.test(pathText)) {
      issues.push({ path: pathText, message: 'expected path=value, e.g. source.params.per_page=50 or sinks[0].path=out/a.csv' });
      return [];
    }
    const path = [...pathText.matchAll(SEGMENT)].map(([segment, index]) => toSegment(index ?? segment));
    return [{ path, text: text.slice(equals + 1) }];
  });
  if (issues.length > 0) throw new ConfigError(ORIGIN, issues);
  return overrides;
}

function toSegment(text: string): PathSegment {
  return /^\d+$/.test(text) ? Number(text) : text;
}
