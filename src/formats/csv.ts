import { stringify } from 'csv-stringify/sync';
import { ExactNumber } from '../json/exact-number';
import { stringifyJson } from '../json/stringify-json';
import type { DataRecord } from '../record';
import type { BatchOrigin } from '../sinks/sink';
import { EMPTY_BYTES, type Encoder, type EncoderOptions, RecordEncodeError } from './encoder';
import { RecordColumns } from './record-columns';

// A leading = + - @ (or a tab/CR that spreadsheets skip) makes a cell a formula.
const FORMULA_START = /^[=+\-@\t\r]/;
/** What makes csv-stringify quote a cell (its default delimiter, quote and record delimiters). */
const NEEDS_QUOTES = /[",\n\r]/;

/**
 * CSV with a header row. Values keep their meaning in a spreadsheet: nested arrays/objects become
 * JSON text, booleans `true`/`false`, exact numbers their digits, null and missing values empty,
 * strings exactly as they came.
 *
 * Speed: each record becomes an array of strings cast here, column by column (no cast callbacks, no
 * per-object column lookups). A row none of whose cells needs quoting is joined directly; csv-stringify
 * writes the header and the rows that need quoting, a run of them per call.
 */
export function createCsvEncoder({ columns, escapeFormulas = [], unknownColumns = 'fail', counters, resumeFrom }: EncoderOptions = {}): Encoder {
  const resumed = resumeFrom as CsvPosition | undefined;
  let header = columns ? RecordColumns.explicit(columns.map((column) => (typeof column === 'string' ? column : column.name))) : undefined;
  // Columns found on an earlier run's first page are found again exactly: a record of only those keys.
  if (!header && resumed?.columns) header = RecordColumns.discover([Object.fromEntries(resumed.columns.map((name) => [name, null]))], unknownColumns, counters);
  let escaped: boolean[] = [];
  let headerWritten = resumed?.headerWritten ?? false;
  const escapedNames = new Set(escapeFormulas);

  // A row of one empty cell would be a blank line, which readers skip: csv-stringify quotes it.
  const optionsOf = (names: readonly string[], withHeader: boolean) => ({ columns: names as string[], header: withHeader, quoted_empty: names.length === 1 });
  const headerText = (names: readonly string[]): string => {
    headerWritten = true;
    return stringify([], optionsOf(names, true));
  };

  return {
    encode(records: readonly DataRecord[], origin?: BatchOrigin): Uint8Array {
      if (records.length === 0) return EMPTY_BYTES;
      if (!header) header = RecordColumns.discover(records, unknownColumns, counters);
      const columnsOf = header;
      const names = columnsOf.names;
      if (escaped.length !== names.length) escaped = names.map((name) => escapedNames.has(name));
      const width = names.length;
      // A record with no columns at all (`{}` on a first page of only `{}`) has nothing to write.
      if (width === 0) {
        records.forEach((record, index) => columnsOf.check(record, index, origin));
        return EMPTY_BYTES;
      }
      let text = headerWritten ? '' : headerText(names);
      // Rows whose cells need no quoting are joined here; a run of rows with a cell that does goes to
      // csv-stringify in one call, so csv-stringify alone decides how a cell is quoted.
      let quoting: string[][] = [];
      for (let index = 0; index < records.length; index += 1) {
        const record = records[index];
        columnsOf.check(record, index, origin);
        const row: string[] = new Array(width);
        let plain = true;
        for (let column = 0; column < width; column += 1) {
          const value = columnsOf.value(record, column);
          const cell =
            typeof value === 'string' ? (escaped[column] && FORMULA_START.test(value) ? `'${value}` : value) : cellOf(value, names[column], index, origin);
          if (plain && NEEDS_QUOTES.test(cell)) plain = false;
          row[column] = cell;
        }
        if (plain && !(width === 1 && row[0] === '')) {
          if (quoting.length > 0) {
            text += stringify(quoting, optionsOf(names, false));
            quoting = [];
          }
          text += width === 1 ? `${row[0]}\n` : `${row.join(',')}\n`;
        } else quoting.push(row);
      }
      if (quoting.length > 0) text += stringify(quoting, optionsOf(names, false));
      return Buffer.from(text);
    },
    end(): Uint8Array {
      if (headerWritten || !header || header.names.length === 0) return EMPTY_BYTES;
      return Buffer.from(headerText(header.names));
    },
    position: (): CsvPosition => ({ columns: header?.names.slice(), headerWritten }),
  };
}

/** A CSV encoder's state between batches. */
interface CsvPosition {
  readonly columns?: string[];
  readonly headerWritten: boolean;
}

/** The cell of a value that is not a string, exactly as csv-stringify's casts wrote it before (plus exact numbers). */
function cellOf(value: unknown, column: string, index: number, origin: BatchOrigin | undefined): string {
  switch (typeof value) {
    case 'number':
    case 'bigint':
      return `${value}`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return '';
    case 'object':
      if (value === null) return '';
      if (value instanceof ExactNumber) return value.text;
      if (value instanceof Date) return value.toISOString();
      return stringifyJson(value);
    default: {
      const where = origin?.describe(index) ?? `record ${index + 1} of the batch`;
      throw new RecordEncodeError(`${where}: field ${JSON.stringify(column)} holds a ${typeof value}, which CSV cannot write`);
    }
  }
}
