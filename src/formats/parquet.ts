import { gzipSync } from 'node:zlib';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { ExactNumber } from '../json/exact-number';
import { stringifyJson } from '../json/stringify-json';
import type { DataRecord } from '../record';
import type { BatchOrigin } from '../sinks/sink';
import { type ColumnType, DEFAULT_ROW_GROUP_SIZE, EMPTY_BYTES, type Encoder, type EncoderOptions, type ParquetCompression, RecordEncodeError } from './encoder';
import { inferColumnType, MISMATCH, PARQUET_TYPES, type SchemaElement } from './parquet-column-types';
import { RecordColumns } from './record-columns';

/** A row group is also written once its text values add up to about this much, whatever its row count. */
const ROW_GROUP_TEXT_BYTES = 4 * 1024 * 1024;

const CODECS: Record<ParquetCompression, NonNullable<ConstructorParameters<typeof ParquetWriter>[0]['codec']>> = { snappy: 'SNAPPY', gzip: 'GZIP', none: 'UNCOMPRESSED' };

interface Column {
  readonly name: string;
  readonly type: ColumnType;
  readonly convert: (value: unknown) => unknown;
  values: unknown[];
}

/**
 * Parquet, streamed: rows are collected column by column and written as a row group (snappy by
 * default) whenever `rowGroupSize` rows or about 4 MiB of text have gathered, so memory holds one
 * row group, never the file. The footer comes with `end()`.
 *
 * Column types come from `columns:` (`{ name, type }`), or are inferred from the first batch (the
 * whole first page; see `inferColumnType`). A value that does not fit its column's type fails the
 * write naming the record, the column and the value, or is written as null and counted
 * (`onTypeMismatch: null`).
 */
export function createParquetEncoder(options: EncoderOptions = {}): Encoder {
  const { rowGroupSize = DEFAULT_ROW_GROUP_SIZE, onTypeMismatch = 'fail', counters } = options;
  const bytes = new ByteWriter();
  let layout: { readonly columns: readonly Column[]; readonly fields: RecordColumns; readonly writer: ParquetWriter; readonly declareJson: () => void } | undefined;
  let rows = 0;
  let textBytes = 0;

  const start = (records: readonly DataRecord[]) => {
    const declared = new Map((options.columns ?? []).map((column) => (typeof column === 'string' ? [column, undefined] : [column.name, column.type])));
    const fields = options.columns ? RecordColumns.explicit([...declared.keys()]) : RecordColumns.discover(records, options.unknownColumns ?? 'fail', counters);
    const columns = fields.names.map((name, index): Column => {
      const type = declared.get(name) ?? inferColumnType(records.map((record) => fields.value(record, index)));
      return { name, type, convert: PARQUET_TYPES[type].convert, values: [] };
    });
    const schema: SchemaElement[] = [
      { name: 'root', num_children: columns.length },
      ...columns.map(({ name, type }): SchemaElement => ({ name, repetition_type: 'OPTIONAL', ...PARQUET_TYPES[type].element })),
    ];
    const codec = CODECS[options.compression ?? 'snappy'];
    const writer = new ParquetWriter({ writer: bytes, schema, codec, compressors: { GZIP: (input) => gzipSync(input) }, createdBy: 'pageflow' });
    // hyparquet-writer would turn the values of a column it knows to be JSON into text with JSON.stringify,
    // losing exact numbers: pageflow writes them as bytes of its own JSON, and says JSON in the footer only.
    const declareJson = () => schema.forEach((element, index) => index > 0 && columns[index - 1].type === 'json' && Object.assign(element, { converted_type: 'JSON', logical_type: { type: 'JSON' } }));
    return { columns, fields, writer, declareJson };
  };

  const writeRowGroup = () => {
    if (!layout || rows === 0) return;
    layout.writer.write({ columnData: layout.columns.map(({ name, values }) => ({ name, data: values })), rowGroupSize: rows });
    for (const column of layout.columns) column.values = [];
    rows = 0;
    textBytes = 0;
  };

  /** The bytes written since the last call; the writer's buffer is reused. */
  const take = (): Uint8Array => {
    if (bytes.index === 0) return EMPTY_BYTES;
    const chunk = Buffer.from(bytes.getBytes());
    bytes.index = 0;
    return chunk;
  };

  return {
    encode(records: readonly DataRecord[], origin?: BatchOrigin): Uint8Array {
      if (records.length === 0) return EMPTY_BYTES;
      layout ??= start(records);
      const { columns, fields } = layout;
      for (let index = 0; index < records.length; index += 1) {
        const record = records[index];
        fields.check(record, index, origin);
        for (let position = 0; position < columns.length; position += 1) {
          const column = columns[position];
          const value = fields.value(record, position);
          let stored: unknown = null;
          if (value !== null && value !== undefined) {
            stored = column.convert(value);
            if (stored === MISMATCH) stored = mismatch(column, value, origin?.describe(index) ?? `record ${index + 1} of the batch`);
            if (typeof stored === 'string') textBytes += stored.length;
            else if (stored instanceof Uint8Array) textBytes += stored.length;
          }
          column.values.push(stored);
        }
        rows += 1;
        if (rows >= rowGroupSize || textBytes >= ROW_GROUP_TEXT_BYTES) writeRowGroup();
      }
      return take();
    },
    end(): Uint8Array {
      layout ??= start([]);
      writeRowGroup();
      layout.declareJson();
      void layout.writer.finish();
      return take();
    },
  };

  function mismatch(column: Column, value: unknown, where: string): null {
    if (onTypeMismatch === 'null') {
      if (counters) counters.mismatchedValues = (counters.mismatchedValues ?? 0) + 1;
      return null;
    }
    throw new RecordEncodeError(
      `${where}: column ${JSON.stringify(column.name)} is ${column.type}, and ${preview(value)} does not fit it: declare the column's type under columns: ({ name: ${column.name}, type: … }), or set onTypeMismatch: null to write such values as null`,
    );
  }
}

/** A value as it would appear in JSON, cut to a length fit for a one-line message. */
function preview(value: unknown): string {
  const text = value instanceof ExactNumber ? value.text : value instanceof Date ? `Date ${String(value)}` : (stringifyJson(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
