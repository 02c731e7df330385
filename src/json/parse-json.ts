import { randomBytes } from 'node:crypto';
import { needsExactNumber } from './decimal';
import { ExactNumber } from './exact-number';

/**
 * The quick look first: a number token needs to stay exact only if it has 16 or more significant
 * digits (then 16 or more digits and points in a row) or its value leaves the range of normal doubles
 * (then, as a mantissa of at most 15 characters moves it by at most 15 places, an exponent of three
 * digits or more). Any other token has at most 15 significant digits in the normal range, which a
 * double always holds exactly (DBL_DIG). The run is written out rather than `{16}` so that V8 skips
 * ahead 16 characters at a time; a long exponent counts only where a value may start.
 */
const LONG_DIGIT_RUN = new RegExp('[\\d.]'.repeat(16));
const LONG_EXPONENTS = /\d[eE][+-]?\d\d\d/g;

/** Whether `text` may hold a number token `JSON.parse` would change; false means it certainly does not. */
export function mayHoldInexactNumber(text: string): boolean {
  if (LONG_DIGIT_RUN.test(text)) return true;
  LONG_EXPONENTS.lastIndex = 0;
  for (let match = LONG_EXPONENTS.exec(text); match !== null; match = LONG_EXPONENTS.exec(text)) if (mayStartValue(text, match.index)) return true;
  return false;
}

/** Whether the digits and points that end at `at` follow where a JSON value may stand: after `:`, `,`, `[` or at the start. */
function mayStartValue(text: string, at: number): boolean {
  let before = at;
  for (let code = text.charCodeAt(before); (code >= 48 && code <= 57) || code === 46; code = text.charCodeAt(before)) before -= 1;
  if (text.charCodeAt(before) === 45) before -= 1; // '-'
  for (let code = text.charCodeAt(before); code === 32 || code === 9 || code === 10 || code === 13; code = text.charCodeAt(before)) before -= 1;
  if (before < 0) return true;
  const code = text.charCodeAt(before);
  return code === 58 || code === 44 || code === 91; // ':' ',' '['
}

/**
 * What a number token `JSON.parse` might round looks like: 16 or more digits (its point included), or
 * an exponent. Tokens with at most 15 significant digits and no exponent always round-trip. A value
 * follows `:`, `,` or `[` (and whitespace); inside a string the same characters only cost a closer look.
 */
const SUSPECT = /[:,[][ \t\n\r]*-?\d(?:[\d.]{15}|[\d.]*[eE])/;
const SUSPECTS = /(?<=[:,[][ \t\n\r]*)-?\d(?:[\d.]{15}|[\d.]*[eE])[\d.eE+-]*/g;
const STARTS_WITH_NUMBER = /^[ \t\n\r]*-?\d/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** Strings (skipped) and number tokens, exactly as JSON's grammar has them. */
const TOKENS = /"[^"\\]*(?:\\.[^"\\]*)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

interface Span {
  readonly at: number;
  readonly token: string;
}

/**
 * Parses one page body. Every source reads JSON through here, so that numbers `JSON.parse` would round
 * (integers beyond ±(2^53 − 1), values that would not round-trip) are kept, in one place, as
 * `ExactNumber`s holding the digits the server sent.
 *
 * A page without a long digit run or a long exponent costs one quick scan on top of `JSON.parse`; one
 * with them (long ids in strings are enough) a closer scan for suspect number tokens. The tokens that
 * do need it are replaced by tagged strings, the text is parsed by `JSON.parse`, and the tags are
 * turned into `ExactNumber`s.
 */
export function parseJson(text: string): unknown {
  if (!mayHoldInexactNumber(text)) return JSON.parse(text);
  if (!SUSPECT.test(text) && !STARTS_WITH_NUMBER.test(text)) return JSON.parse(text);
  // First the quick way: the suspects the scan finds, though one may sit inside a string. Tagging a
  // token inside a string always breaks the text (the tag is a string of its own), so any doubt sends
  // the text the careful way: a tokenizer that skips strings.
  const quick = suspects(text);
  if (quick.length === 0) return JSON.parse(text);
  try {
    return parseTagged(text, quick);
  } catch {
    const careful = tokens(text);
    return careful.length === 0 ? JSON.parse(text) : parseTagged(text, careful);
  }
}

function suspects(text: string): Span[] {
  const spans: Span[] = [];
  if (STARTS_WITH_NUMBER.test(text)) return tokens(text);
  for (const match of text.matchAll(SUSPECTS)) {
    const token = match[0];
    // A suspect that is no number token (`1.2.3`, `1e`) stays as it is: JSON.parse judges the text.
    if (NUMBER.test(token) && needsExactNumber(token)) spans.push({ at: match.index, token });
  }
  return spans;
}

function tokens(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(TOKENS)) {
    const token = match[0];
    if (token.charCodeAt(0) !== 34 && needsExactNumber(token)) spans.push({ at: match.index, token });
  }
  return spans;
}

/**
 * Parses `text` with each span's token replaced by a tagged string, then untags. A string of the text
 * equal to a tag would be counted too: the count tells, and a fresh random tag (no server can guess
 * it) settles it. A tag that did not come back stood where no value may (an object key): not JSON.
 */
function parseTagged(text: string, spans: readonly Span[]): unknown {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const tag = `\u0000${randomBytes(8).toString('hex')}:`;
    const written = `"\\u0000${tag.slice(1)}`;
    let tagged = '';
    let from = 0;
    spans.forEach(({ at, token }, index) => {
      tagged += `${text.slice(from, at)}${written}${index}"`;
      from = at + token.length;
    });
    tagged += text.slice(from);
    const found = { count: 0 };
    const value = untag(JSON.parse(tagged), tag, spans, found);
    if (found.count === spans.length) return value;
  }
  throw new SyntaxError('Unexpected number in JSON: a number stands where no value may');
}

/** Replaces every tagged string (value or element, at any depth) with its `ExactNumber`. */
function untag(root: unknown, tag: string, spans: readonly Span[], found: { count: number }): unknown {
  const exact = (value: string): unknown => {
    const span = spans[Number(value.slice(tag.length))];
    if (span === undefined) return value;
    found.count += 1;
    return new ExactNumber(span.token);
  };
  // An explicit stack rather than recursion: a deeply nested page must not overflow the call stack.
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index += 1) {
        const element: unknown = node[index];
        if (typeof element === 'string') {
          if (element.startsWith(tag)) node[index] = exact(element);
        } else if (element !== null && typeof element === 'object') pending.push(element);
      }
    } else {
      const object = node as Record<string, unknown>;
      for (const key of Object.keys(object)) {
        const child = object[key];
        if (typeof child === 'string') {
          // Not an assignment: for a key named `__proto__` that would set the prototype, not the own property JSON.parse made.
          if (child.startsWith(tag)) Object.defineProperty(object, key, { value: exact(child) });
        } else if (child !== null && typeof child === 'object') pending.push(child);
      }
    }
  }
  return typeof root === 'string' && root.startsWith(tag) ? exact(root) : root;
}
