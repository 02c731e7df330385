import type { LineCounter, YAMLError } from 'yaml';
import type { ConfigIssue } from '../errors/config-error';

interface KeyLine {
  readonly line: number;
  /** 1-based column where the key starts, after any `- ` of list items. */
  readonly column: number;
  readonly key: string;
  /** Whether a value follows the key on the same line (`type: http`). */
  readonly hasValue: boolean;
}

/**
 * One message for a YAML syntax error, at the line to fix. An indentation slip makes the parser
 * report several errors, at the line before the slip and after it; they are told as one: which key
 * is out of line with which.
 */
export function describeYamlError(error: YAMLError, text: string, lineCounter: LineCounter): ConfigIssue {
  const { line, col } = lineCounter.linePos(error.pos[0]);
  const lines = text.split(/\r?\n/);
  const slip = indentationSlip(error.code, lines, line);
  if (slip) return { path: '', ...slip };
  const hint = error.code === 'TAB_AS_INDENT' ? ' (indent with spaces)' : '';
  return { path: '', line, column: col, message: `not valid YAML/JSON: ${error.message.split('\n')[0]}${hint}` };
}

function indentationSlip(code: string, lines: readonly string[], line: number): Omit<ConfigIssue, 'path'> | undefined {
  const at = keyLine(lines, line);
  if (code === 'BAD_INDENT') {
    const above = contentLineBefore(lines, line);
    if (!at || !above || above.column === at.column) return undefined;
    return {
      line: at.line,
      column: at.column,
      message: `"${at.key}:" starts at column ${at.column}, but "${above.key}:" on line ${above.line} above it at column ${above.column}: keys of one mapping must start at the same column`,
    };
  }
  if (code === 'BLOCK_AS_IMPLICIT_KEY' || code === 'MULTILINE_IMPLICIT_KEY') {
    const below = contentLineAfter(lines, line);
    if (!at || !at.hasValue || !below || below.column <= at.column) return undefined;
    return {
      line: below.line,
      column: below.column,
      message: `"${below.key}:" is indented more than "${at.key}:" on line ${at.line} above it (column ${below.column}, not ${at.column}): keys of one mapping must start at the same column`,
    };
  }
  return undefined;
}

const KEY_LINE = /^(\s*(?:-\s+)*)([^\s#][^:#]*?)\s*:(?:\s+(\S.*))?$/;

function keyLine(lines: readonly string[], line: number): KeyLine | undefined {
  const match = KEY_LINE.exec(lines[line - 1] ?? '');
  if (!match) return undefined;
  const [, indent, key, value] = match;
  return { line, column: indent.length + 1, key, hasValue: value !== undefined && !value.startsWith('#') };
}

const isContent = (text: string | undefined) => text !== undefined && text.trim() !== '' && !text.trim().startsWith('#');

function contentLineBefore(lines: readonly string[], line: number): KeyLine | undefined {
  for (let previous = line - 1; previous >= 1; previous -= 1) if (isContent(lines[previous - 1])) return keyLine(lines, previous);
  return undefined;
}

function contentLineAfter(lines: readonly string[], line: number): KeyLine | undefined {
  for (let next = line + 1; next <= lines.length; next += 1) if (isContent(lines[next - 1])) return keyLine(lines, next);
  return undefined;
}
