import { type Document, parse } from 'yaml';
import { ConfigError, type ConfigIssue } from '../errors/config-error';
import { formatPath, type PathSegment } from '../pipeline/issue-path';

/** One `--set path=value` from the command line, parsed. */
export interface Override {
  readonly path: PathSegment[];
  readonly value: unknown;
}

// A path is keys separated by dots, with `[n]` (or `.n`) for list items: `sinks[0].path`, `source.params.per_page`.
const PATH = /^[^.[\]=]+(?:\.[^.[\]=]+|\[\d+\])*$/;
const SEGMENT = /[^.[\]]+|\[(\d+)\]/g;

/** Where `--set` problems are reported, in place of a file name. */
const ORIGIN = '--set';

/**
 * Parses `--set source.params.per_page=50`-style overrides. Values are YAML (`50` is a number, `true`
 * a boolean, `[id, name]` a list, anything else a string) so they mean what they would in the file.
 * Messages name the path, never the value: it may be a token.
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
    try {
      return [{ path, value: parse(text.slice(equals + 1)) as unknown }];
    } catch (error) {
      issues.push({ path: pathText, message: `the value is not valid YAML: ${(error as Error).message.split('\n')[0]}` });
      return [];
    }
  });
  if (issues.length > 0) throw new ConfigError(ORIGIN, issues);
  return overrides;
}

/** Sets each override in a parsed pipeline file, before it is validated; missing keys are created. */
export function applyOverrides(document: Document, overrides: readonly Override[]): void {
  const issues: ConfigIssue[] = [];
  for (const { path, value } of overrides) {
    try {
      document.setIn(path, value);
    } catch (error) {
      issues.push({ path: formatPath(path), message: `cannot set it: ${(error as Error).message}` });
    }
  }
  if (issues.length > 0) throw new ConfigError(ORIGIN, issues);
}

function toSegment(text: string): PathSegment {
  return /^\d+$/.test(text) ? Number(text) : text;
}
