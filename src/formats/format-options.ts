import { z } from 'zod';
import { COLUMN_TYPES, DEFAULT_ROW_GROUP_SIZE, PARQUET_COMPRESSIONS, type EncoderOptions } from './encoder';
import { FORMATS, type FormatName, formatFromPath, TEXT_FORMATS } from './format';

const columnName = z.string().min(1);

/** The options of CSV and NDJSON, which every sink that writes a format shares (stdout too). */
export const textFormatFields = {
  format: z.enum(TEXT_FORMATS).optional().meta({ description: 'Output format. Default: ndjson.' }),
  columns: z
    .array(columnName)
    .min(1)
    .optional()
    .meta({ description: 'CSV column order; other fields are left out. Default: the keys of the first page, in order of first appearance.', secret: false }),
  unknownColumns: z
    .enum(['fail', 'drop'])
    .optional()
    .meta({
      description:
        'Without `columns`: what a record with a field outside the columns found on the first page does. `fail` (default) stops the run naming the field, the page and the record; `drop` leaves the field out and counts it in the summary.',
    }),
  escapeFormulas: z
    .array(z.string().min(1))
    .optional()
    .meta({ description: "CSV columns whose cells starting with = + - @ get a leading ' so spreadsheets show them as text.", secret: false }),
};

/** The options of every format, for the sinks that write files or objects. */
export const formatOptionFields = {
  ...textFormatFields,
  format: z.enum(FORMATS).optional().meta({ description: 'Output format. Default: from the extension (.csv, .ndjson, .jsonl, .parquet; .gz compresses CSV and NDJSON).' }),
  columns: z
    .array(z.union([columnName, z.strictObject({ name: columnName, type: z.enum(COLUMN_TYPES).optional() })]))
    .min(1)
    .optional()
    .meta({
      description: `Columns in order; other fields are left out. A name, or for Parquet { name, type } with type one of ${COLUMN_TYPES.join(', ')}. Default: the keys of the first page, in order of first appearance (Parquet types inferred from its values).`,
      examples: [['id', 'company'], [{ name: 'id', type: 'int64' }, { name: 'createdAt', type: 'timestamp' }]],
    }),
  rowGroupSize: z.int().min(1).optional().meta({ description: `Parquet: rows per row group; a row group is also written once its text reaches about 4 MiB. Memory holds one row group (about 3 KB a row of 7 columns while it is written: raise it for larger row groups if memory allows). Default: ${DEFAULT_ROW_GROUP_SIZE}.` }),
  compression: z.enum(PARQUET_COMPRESSIONS).optional().meta({ description: 'Parquet: compression codec of every column. Default: snappy.' }),
  onTypeMismatch: z
    .enum(['fail', 'null'])
    .optional()
    .meta({ description: "Parquet: what a value that does not fit its column's type does. `fail` (default) stops the run naming the record, the column and the value; `null` writes null and counts it in the summary." }),
};

type FormatOptions = z.output<z.ZodObject<typeof formatOptionFields>>;
const PARQUET_ONLY = ['rowGroupSize', 'compression', 'onTypeMismatch'] as const;

/** A refinement for sinks whose format may come from a file name held in `nameKey`. */
export function requireKnownFormat<T extends FormatOptions>(nameKey: keyof T & string) {
  return (config: T, context: z.RefinementCtx): void => {
    const name = String(config[nameKey]);
    const fromPath = formatFromPath(name);
    const format = config.format ?? fromPath.format;
    if (!format) {
      context.addIssue({
        code: 'custom',
        path: ['format'],
        message: `cannot tell the format from "${name}": end it in .csv, .ndjson, .jsonl (optionally .gz) or .parquet, or set format: csv | ndjson | parquet`,
      });
      return;
    }
    if (format === 'parquet') {
      if (fromPath.gzip) context.addIssue({ code: 'custom', path: [nameKey], message: 'Parquet compresses its own columns: drop the .gz and set compression: snappy | gzip | none' });
      return;
    }
    for (const key of PARQUET_ONLY) {
      if (config[key] !== undefined) context.addIssue({ code: 'custom', path: [key], message: `${key} applies to Parquet only (this sink writes ${format})` });
    }
    config.columns?.forEach((column, index) => {
      if (typeof column !== 'string' && column.type !== undefined) {
        context.addIssue({ code: 'custom', path: ['columns', index, 'type'], message: `column types apply to Parquet only (this sink writes ${format}): write the name alone` });
      }
    });
  };
}

/** The format and compression of an output named `name`, honouring an explicit `format`. */
export function formatOf(name: string, format: FormatName | undefined): { format: FormatName; gzip: boolean } {
  const fromPath = formatFromPath(name);
  return { format: format ?? fromPath.format ?? 'ndjson', gzip: fromPath.gzip };
}

/** The encoder options held in a sink's configuration. */
export function encoderOptions(options: Partial<FormatOptions>): EncoderOptions {
  const { columns, unknownColumns, escapeFormulas, rowGroupSize, compression, onTypeMismatch } = options;
  return { columns, unknownColumns, escapeFormulas, rowGroupSize, compression, onTypeMismatch };
}
