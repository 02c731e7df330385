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

// 2024-01-31T23:59:59.123456Z, 2024-01-31T23:59:59+01:00, 2024-01-31 23:59+0100.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;
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

function parseInstant(text: string): CursorValue | undefined {
  const match = INSTANT.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second = '0', fraction = '', zulu, sign, offsetHours, offsetMinutes] = match;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number);
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 60) return undefined;
  // Date.UTC rolls 2024-02-30 over to March: a day that does not survive the round trip does not exist.
  if (new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) return undefined;
  const offset = zulu ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  const nanos = fraction.padEnd(9, '0').slice(0, 9);
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - offset + Number(nanos.slice(0, 3));
  return { kind: 'instant', text, ms, ns: Number(nanos.slice(3)) };
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
