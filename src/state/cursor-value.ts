import { ExactNumber } from '../json/exact-number';

export type CursorKind = 'instant' | 'number';

/**
 * A value of the incremental field, ready to compare: instants by the time they stand for (to the
 * nanosecond), numbers by their exact value. `text` is the value as the API sent it.
 */
export interface CursorValue {
  readonly kind: CursorKind;
  readonly text: string;
  /** Instants: milliseconds since the epoch, and the nanoseconds past them. Numbers: the value, when a double holds it exactly. */
  readonly ms?: number;
  readonly ns?: number;
}

const DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** What a value must be, for messages. */
export const CURSOR_EXPECTED = 'an ISO-8601 timestamp with a UTC offset (2024-05-01T08:30:00Z, 2024-05-01T10:30:00+02:00) or a number';

/** Reads a field value as a cursor value; undefined when it is neither an instant with an offset nor a number. */
export function toCursorValue(value: unknown): CursorValue | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? { kind: 'number', text: String(value), ms: value } : undefined;
  if (value instanceof ExactNumber) return DECIMAL.test(value.text) ? { kind: 'number', text: value.text } : undefined;
  if (typeof value === 'string') return parseInstant(value);
  return undefined;
}

/** A value saved in the state (as its text) read back. */
export function fromCursorText(kind: CursorKind, text: string): CursorValue | undefined {
  if (kind === 'instant') return parseInstant(text);
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return String(value) === text ? { kind, text, ms: value } : { kind, text };
}

/**
 * `2024-01-31T23:59:59.123456Z`, `2024-01-31T23:59:59+01:00`, `2024-01-31 23:59+0100`: read by char
 * codes, as it runs for every record of an incremental run (a regular expression costs 5× as much).
 */
function parseInstant(text: string): CursorValue | undefined {
  let at = 0;
  const digits = (count: number): number => {
    let value = 0;
    for (const end = at + count; at < end; at += 1) {
      const digit = text.charCodeAt(at) - 48;
      if (digit < 0 || digit > 9) return NaN;
      value = value * 10 + digit;
    }
    return value;
  };
  /** Steps over the character at `at` if it is one of `chars` (at most three, unrolled: this runs per record). */
  const skip = (a: string, b = a, c = a): boolean => {
    const char = text[at];
    if (char !== a && char !== b && char !== c) return false;
    at += 1;
    return true;
  };
  const year = digits(4);
  if (!skip('-')) return undefined;
  const month = digits(2);
  if (!skip('-')) return undefined;
  const day = digits(2);
  if (!skip('T', 't', ' ')) return undefined;
  const hour = digits(2);
  if (!skip(':')) return undefined;
  const minute = digits(2);
  let second = 0;
  let ms = 0;
  let ns = 0;
  if (skip(':')) {
    second = digits(2);
    if (skip('.', ',')) {
      const from = at;
      while (at < text.length && text.charCodeAt(at) >= 48 && text.charCodeAt(at) <= 57) at += 1;
      if (at === from) return undefined;
      const nanos = Number(text.slice(from, Math.min(at, from + 9)).padEnd(9, '0'));
      ms = Math.floor(nanos / 1e6);
      ns = nanos % 1e6;
    }
  }
  let offsetMinutes = 0;
  if (!skip('Z', 'z')) {
    const sign = text[at] === '-' ? -1 : text[at] === '+' ? 1 : 0;
    if (sign === 0) return undefined;
    at += 1;
    const hours = digits(2);
    skip(':');
    offsetMinutes = sign * (hours * 60 + digits(2));
  }
  if (at !== text.length || !(year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && hour <= 23 && minute <= 59 && second <= 60)) return undefined;
  if (Number.isNaN(offsetMinutes)) return undefined;
  return { kind: 'instant', text, ms: Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000 + ms, ns };
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Negative when `a` comes first, positive when `b` does, 0 for the same instant or number. */
export function compareCursorValues(a: CursorValue, b: CursorValue): number {
  if (a.kind === 'instant') return a.ms! - b.ms! || a.ns! - b.ns!;
  if (a.ms !== undefined && b.ms !== undefined) return a.ms - b.ms;
  return compareDecimals(a.text, b.text);
}

/** A key equal for equal values: `2024-05-01T10:00:00+02:00` and `2024-05-01T08:00:00Z` are one instant. */
export function cursorOrderKey(value: CursorValue): string {
  if (value.kind === 'instant') return `${value.ms}:${value.ns}`;
  const { negative, digits, exponent } = decimalParts(value.text);
  return digits === '' ? '0' : `${negative ? '-' : ''}${digits}e${exponent}`;
}

/** The instant `ms` milliseconds before `value`, as ISO-8601 UTC: what is sent for a cursor minus `lookback`. */
export function instantBefore(value: CursorValue, ms: number): CursorValue {
  if (ms === 0) return value;
  // Rounded down to the millisecond: a bound a little earlier only re-reads records, which are then dropped.
  return parseInstant(new Date(value.ms! - ms).toISOString())!;
}

/** `-12.50e3` → digits `125`, exponent 5 (the value is 0.125 × 10⁵), negative. Zero has no digits. */
function decimalParts(text: string): { negative: boolean; digits: string; exponent: number } {
  const negative = text.startsWith('-');
  const [mantissa, exponentText = '0'] = text.replace(/^-/, '').split(/[eE]/);
  const [whole, fraction = ''] = mantissa.split('.');
  const all = whole + fraction;
  const leading = all.length - all.replace(/^0+/, '').length;
  const digits = all.slice(leading).replace(/0+$/, '');
  return { negative, digits, exponent: whole.length - leading + Number(exponentText) };
}

function compareDecimals(a: string, b: string): number {
  const x = decimalParts(a);
  const y = decimalParts(b);
  const sign = (parts: typeof x) => (parts.digits === '' ? 0 : parts.negative ? -1 : 1);
  if (sign(x) !== sign(y)) return sign(x) - sign(y);
  if (sign(x) === 0) return 0;
  const magnitude = x.exponent !== y.exponent ? x.exponent - y.exponent : x.digits < y.digits ? -1 : x.digits > y.digits ? 1 : 0;
  return sign(x) * Math.sign(magnitude);
}
