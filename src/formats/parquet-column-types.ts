import type { ParquetWriter } from 'hyparquet-writer';
import { ExactNumber } from '../json/exact-number';
import { stringifyJson } from '../json/stringify-json';
import type { ColumnType } from './encoder';

/** A column of the writer's schema (hyparquet's type, as hyparquet-writer takes it). */
export type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

/** What a converter returns for a value its column's type cannot hold. */
export const MISMATCH: unique symbol = Symbol('mismatch');

/** Turns a record's value (never null or undefined) into what the Parquet writer takes for the column, or MISMATCH. */
type Converter = (value: unknown) => unknown;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DAY_MS = 86_400_000;
const INTEGER_TEXT = /^-?\d+$/;
// ISO 8601 date and time with an offset (an instant): 2024-04-28T21:00:00+02:00, 2024-04-28T19:00:00.123456Z.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const int64 = (value: bigint) => (value >= INT64_MIN && value <= INT64_MAX ? value : MISMATCH);

/** How each column type is stored, and what it accepts. Every column is nullable. */
export const PARQUET_TYPES: Record<ColumnType, { readonly element: Omit<SchemaElement, 'name'>; readonly convert: Converter }> = {
  string: {
    element: { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
    convert: (value) => (typeof value === 'string' ? value : MISMATCH),
  },
  int64: {
    element: { type: 'INT64' },
    convert: (value) => {
      if (typeof value === 'number') return Number.isInteger(value) ? int64(BigInt(value)) : MISMATCH;
      if (typeof value === 'bigint') return int64(value);
      if (value instanceof ExactNumber && INTEGER_TEXT.test(value.text)) return int64(BigInt(value.text));
      return MISMATCH;
    },
  },
  double: {
    // An ExactNumber is one a double would round: it does not fit.
    element: { type: 'DOUBLE' },
    convert: (value) => (typeof value === 'number' ? value : MISMATCH),
  },
  boolean: {
    element: { type: 'BOOLEAN' },
    convert: (value) => (typeof value === 'boolean' ? value : MISMATCH),
  },
  timestamp: {
    element: { type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } },
    convert: (value) => {
      if (typeof value === 'string') return instantMicros(value) ?? MISMATCH;
      if (value instanceof Date && !Number.isNaN(value.getTime())) return BigInt(value.getTime()) * 1000n;
      return MISMATCH;
    },
  },
  date: {
    element: { type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } },
    convert: (value) => {
      if (typeof value === 'string') return dateDays(value) ?? MISMATCH;
      if (value instanceof Date && !Number.isNaN(value.getTime())) return Math.floor(value.getTime() / DAY_MS);
      return MISMATCH;
    },
  },
  json: {
    // Bytes already: the writer's own JSON conversion would not write exact numbers. The footer
    // declares the column JSON (see `declareJson`); its pages are written as plain byte arrays.
    element: { type: 'BYTE_ARRAY' },
    convert: (value) => Buffer.from(stringifyJson(value)),
  },
};

/**
 * The type of a column from its values on the first page: strings → string, booleans → boolean,
 * integers (within int64) → int64, numbers with any fraction → double, Date objects → timestamp;
 * objects, arrays, a mix of kinds, or no value at all → json. Strings are never guessed to be
 * timestamps or dates: declare those under `columns:`.
 */
export function inferColumnType(values: Iterable<unknown>): ColumnType {
  const kinds = new Set<string>();
  for (const value of values) {
    if (value === null || value === undefined) continue;
    kinds.add(kindOf(value));
  }
  if (kinds.size === 1) {
    const [kind] = kinds;
    if (kind === 'integer') return 'int64';
    if (kind === 'fraction') return 'double';
    if (kind !== 'other') return kind as ColumnType;
  }
  if (kinds.size === 2 && kinds.has('integer') && kinds.has('fraction')) return 'double';
  return 'json';
}

function kindOf(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'bigint':
      return PARQUET_TYPES.int64.convert(value) === MISMATCH ? 'other' : 'integer';
    case 'number':
      return Number.isSafeInteger(value) ? 'integer' : 'fraction';
    default:
      if (value instanceof ExactNumber) return PARQUET_TYPES.int64.convert(value) === MISMATCH ? 'other' : 'integer';
      if (value instanceof Date) return 'timestamp';
      return 'other';
  }
}

/** Microseconds since the epoch of an ISO 8601 instant (with Z or an offset); undefined when it is not one. */
export function instantMicros(text: string): bigint | undefined {
  const match = INSTANT.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second = '0', fraction = '', zulu, sign, offsetHours = '0', offsetMinutes = '0'] = match;
  const ms = calendarMs(year, month, day);
  if (ms === undefined || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  if (Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return undefined;
  const offsetMs = zulu ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  // Digits past microseconds cannot be stored: such a value does not fit rather than being rounded.
  if (fraction.length > 6 && /[^0]/.test(fraction.slice(6))) return undefined;
  const micros = Number(fraction.slice(0, 6).padEnd(6, '0'));
  const timeMs = ((Number(hour) * 60 + Number(minute)) * 60 + Number(second)) * 1000;
  return BigInt(ms + timeMs - offsetMs) * 1000n + BigInt(micros);
}

/** Days since the epoch of a `YYYY-MM-DD` calendar date; undefined when it is not one. */
export function dateDays(text: string): number | undefined {
  const match = DATE.exec(text);
  if (!match) return undefined;
  const ms = calendarMs(match[1], match[2], match[3]);
  return ms === undefined ? undefined : ms / DAY_MS;
}

/** Milliseconds since the epoch of a UTC calendar day (years 0–99 included), or undefined for a day that does not exist. */
function calendarMs(year: string, month: string, day: string): number | undefined {
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  return date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day) ? date.getTime() : undefined;
}
