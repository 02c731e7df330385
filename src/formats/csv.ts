import { stringify, type CastingContext, type Options } from 'csv-stringify/sync';
import type { DataRecord } from '../record';
import type { Encoder, EncoderOptions } from './encoder';

// A leading = + - @ (or a tab/CR that spreadsheets skip) makes a cell a formula.
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * CSV with a header row. Values keep their meaning in a spreadsheet: nested arrays/objects become
 * JSON text, booleans `true`/`false` (csv-stringify's default is `1`/empty), null and missing values
 * empty, strings exactly as they came.
 */
export function createCsvEncoder({ columns, escapeFormulas = [] }: EncoderOptions = {}): Encoder {
  let header = columns ? [...columns] : undefined;
  let headerWritten = false;
  const escaped = new Set(escapeFormulas);
  const cast: Options['cast'] = {
    boolean: (value: boolean) => (value ? 'true' : 'false'),
    object: (value: object) => JSON.stringify(value),
    date: (value: Date) => value.toISOString(),
  };
  if (escaped.size > 0) {
    cast.string = (value: string, context: CastingContext) =>
      typeof context.column === 'string' && escaped.has(context.column) && FORMULA_START.test(value) ? `'${value}` : value;
  }

  return {
    encode(records: readonly DataRecord[]): string {
      if (records.length === 0) return '';
      header ??= Object.keys(records[0]);
      const text = stringify(records as DataRecord[], { columns: header, header: !headerWritten, cast });
      headerWritten = true;
      return text;
    },
    end(): string {
      if (headerWritten || !header) return '';
      headerWritten = true;
      return stringify([], { columns: header, header: true });
    },
  };
}
